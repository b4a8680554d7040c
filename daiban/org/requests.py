"""The request of a signed-in staff user, for views behind the API's token or staff_required."""

from __future__ import annotations

from django.http import HttpRequest

from daiban.org.models import User


class StaffRequest(HttpRequest):
    # Authentication has run: never AnonymousUser here.
    user: User
