"""A part of a page (htmx) asked for without a session: the whole page goes to sign-in, and sign-in
returns to the page the user was on (attack finding: staff_required answered the fragment request
with a 302 to the sign-in page, which htmx followed and swapped the whole sign-in page into the
notes box or the opinion row; its `next` was the POST-only fragment URL, 405 after signing in).

The gate middleware already did this for a session that expired while in use; a session gone
otherwise (signed out in another tab, deleted on the server, the cookie cleared) reached the view
as an anonymous request."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _next_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["next"][0]


def test_an_htmx_post_without_a_session_sends_the_whole_page_to_sign_in(org):
    """Actor: a browser whose session is gone, sending the case page's note form (htmx)."""
    answer = Client().post("/staff/petitions/1/notes/", {"text": "补充"}, HTTP_HX_REQUEST="true",
                           HTTP_HX_CURRENT_URL="http://testserver/staff/petitions/1/?tab=notes")
    assert answer.status_code == 204, answer.status_code
    target = answer["HX-Redirect"]
    assert urlsplit(target).path == "/staff/login/"
    assert _next_of(target) == "/staff/petitions/1/?tab=notes"  # the page, not the fragment's URL


def test_an_htmx_request_of_an_unknown_address_without_a_session_too(org):
    answer = Client().get("/staff/no-such-page/", HTTP_HX_REQUEST="true")
    assert answer.status_code == 204 and urlsplit(answer["HX-Redirect"]).path == "/staff/login/"


def test_another_sites_current_url_is_not_followed_back(org):
    """Actor: a forged HX-Current-URL naming another site: sign-in returns to the fragment's own path."""
    answer = Client().post("/staff/opinions/1/sign/", HTTP_HX_REQUEST="true",
                           HTTP_HX_CURRENT_URL="https://evil.example/x")
    assert answer.status_code == 204
    assert _next_of(answer["HX-Redirect"]).startswith("/staff/")


def test_a_plain_request_still_gets_the_redirect(org):
    answer = Client().get("/staff/petitions/1/")
    assert answer.status_code == 302 and answer["Location"].startswith("/staff/login/?next=")


def test_an_expired_session_returns_to_the_page_not_the_fragment(org, settings):
    """Actor: the center, idle past the limit, then sending the note form (htmx): the gate's
    HX-Redirect names the case page as `next`."""
    from daiban.accounts.signals import SESSION_SEEN
    from tests.factories import login

    center = login("center")
    session = center.session
    session[SESSION_SEEN] = session[SESSION_SEEN] - settings.DAIBAN_SESSION_IDLE_MINUTES * 60 - 5 \
        if SESSION_SEEN in session else 0
    session.save()
    answer = center.post("/staff/petitions/1/notes/", {"text": "补充"}, HTTP_HX_REQUEST="true",
                         HTTP_HX_CURRENT_URL="http://testserver/staff/petitions/1/")
    assert answer.status_code == 204
    assert _next_of(answer["HX-Redirect"]) == "/staff/petitions/1/"


def test_an_htmx_request_for_what_the_user_may_not_see_gets_a_404_fragment_the_page_swaps_in(org):
    """Actor: agent1 sending the note form (htmx) of a petition that does not exist (or that it may
    no longer see, moved meanwhile): a 404 fragment, and the pages' htmx config swaps a 404 in (the
    whole 404 page was answered and htmx swapped nothing: the button did nothing visible)."""
    import json
    import re

    from tests.factories import login

    agent1 = login("agent1")
    part = agent1.post("/staff/petitions/999999/notes/", {"text": "补充"}, HTTP_HX_REQUEST="true")
    html = part.content.decode()
    assert part.status_code == 404 and 'data-testid="not-found"' in html and "<html" not in html
    assert agent1.post("/staff/petitions/999999/notes/", {"text": "补充"}).content.decode().count("<html") == 1
    page = agent1.get("/staff/").content.decode()
    config = json.loads(re.search(r'name="htmx-config" content=\'([^\']+)\'', page).group(1))
    swapped = [rule["code"] for rule in config["responseHandling"] if rule.get("swap")]
    assert any(re.fullmatch(code, "404") for code in swapped)
