"""HEAD of an API resource answered as its GET without the body (attack finding: django-ninja declares
GET alone, so HEAD of /api/v1/petitions/{id} or of a 处置单's actions was 405 `Allow: GET`, while the
staff pages and the portal take HEAD; RFC 9110 9.3.2: a resource that answers GET answers HEAD), and a
405 of a GET resource names HEAD among the methods it takes."""

from __future__ import annotations

import pytest
from django.test import Client

from daiban.api.models import ApiToken
from daiban.org.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def center(org) -> dict[str, str]:
    _, token = ApiToken.issue(User.objects.get(username="center"))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_head_of_a_resource_is_its_get_without_the_body(routed, center):
    """Actor: the center, asking HEAD of a petition, of a 处置单's actions and of the list."""
    p = routed()
    d = p["dispositions"][0]["id"]
    for url in (f"/api/v1/petitions/{p['id']}", f"/api/v1/dispositions/{d}/actions", "/api/v1/petitions"):
        got = Client().get(url, **center)
        head = Client().head(url, **center)
        assert (head.status_code, head.content) == (200, b""), url
        assert head["Content-Type"] == got["Content-Type"] and int(head["Content-Length"]) == len(got.content), url


def test_head_of_what_the_user_may_not_see_is_its_404_and_of_a_post_only_path_405(routed, center, api):
    p = routed()
    missing = Client().head("/api/v1/petitions/999999", **center)
    assert missing.status_code == 404 and missing.content == b""
    post_only = Client().head(f"/api/v1/petitions/{p['id']}/actions/contact", **center)
    assert post_only.status_code == 405 and "HEAD" not in post_only["Allow"]


def test_a_405_of_a_get_resource_names_head(routed, center):
    p = routed()
    answer = Client().put(f"/api/v1/petitions/{p['id']}", **center)
    assert answer.status_code == 405 and answer["Allow"] == "GET, HEAD"
    assert answer.json()["error"]["code"] == "method_not_allowed"
