from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from daiban.accounts.usernames import normalize_username


class NormalisedUsernameBackend(ModelBackend):
    """Django's password check on the normalised username (see usernames.normalize_username)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            return None
        return super().authenticate(request, username=normalize_username(username), password=password, **kwargs)
