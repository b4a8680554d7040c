"""Fix round f3, fault 1: an id beyond the database integer in a page URL answered 500
(OverflowError: Python int too large for SQLite INTEGER). Every URL pattern with an id answers 404."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter

from daiban.lib.converters import IdConverter
from daiban.org.models import User

pytestmark = pytest.mark.django_db

HUGE = ("99999999999999999999", "9223372036854775808", "2147483648", "0")


def _patterns(resolver: URLResolver, prefix: str = ""):
    """(route prefix + route, pattern) for every URL pattern, nested includes followed (admin left out:
    its object ids are strings it checks itself)."""
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith("admin/"):
                continue
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def _converters(pattern) -> dict:
    return getattr(pattern.pattern, "converters", {})


def _fill(route: str, huge: str) -> str:
    route = re.sub(r"<id:[a-z_]+>", huge, route)
    route = re.sub(r"<slug:[a-z_]+>", "x", route)
    return "/" + re.sub(r"<str:[a-z_]+>", "pdf", route)


def test_no_page_url_uses_the_unbounded_int_converter():
    unbounded = [route for route, p in _patterns(get_resolver())
                 if any(isinstance(c, IntConverter) for c in _converters(p).values())]
    # The API's path ids are pydantic `Id`s (1..ID_MAX, a 400 naming the field, tested in
    # test_untrusted_input); its calendar year is a `Year`.
    assert [route for route in unbounded if not route.startswith("api/")] == []


def test_staff_urls_with_an_id_exist_and_use_the_bounded_converter():
    with_ids = [route for route, p in _patterns(get_resolver())
                if any(isinstance(c, IdConverter) for c in _converters(p).values())]
    assert any(route.startswith("staff/petitions/<id:pk>/related/<id:related_id>") for route in with_ids)
    staff = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "staff")
    assert str(staff.url_patterns[-1].pattern) == "^(?P<rest>.*)$"  # catch-all last


@pytest.mark.parametrize("huge", HUGE)
def test_every_url_with_an_id_answers_404_beyond_the_database_integer(org, new_petition, huge):
    new_petition()
    leader = Client(enforce_csrf_checks=False)
    leader.force_login(User.objects.get(username="leader"))
    routes = [route for route, p in _patterns(get_resolver())
              if any(isinstance(c, IdConverter) for c in _converters(p).values())]
    assert len(routes) >= 20
    for route in routes:
        url = _fill(route, huge)
        for method in (leader.get, leader.post):
            response = method(url)
            assert response.status_code == 404, (url, method.__name__, response.status_code)


def test_the_reported_dismiss_answers_404_with_a_valid_csrf_token(org, new_petition):
    p = new_petition()
    leader = Client(enforce_csrf_checks=True)
    leader.force_login(User.objects.get(username="leader"))
    leader.get(f"/staff/petitions/{p['id']}/")
    token = leader.cookies["csrftoken"].value
    for huge in ("99999999999999999999", "9223372036854775808"):
        response = leader.post(f"/staff/petitions/{p['id']}/related/{huge}/dismiss/", {"csrfmiddlewaretoken": token})
        assert response.status_code == 404
