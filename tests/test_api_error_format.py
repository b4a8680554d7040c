"""Every error of the API is in its format (API.md, Conventions), whatever went wrong: a mistyped path
with any method, a method the path does not take, a bad item in a list, a body that is not an
object. Found by the attack pass: a POST to a mistyped action answered Django's HTML CSRF page."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from daiban.api.models import ApiToken
from daiban.org.models import User


@pytest.fixture
def strict_client(org) -> tuple[Client, dict[str, str]]:
    """A client that checks CSRF as a browser's would, with agent1's token."""
    _, token = ApiToken.issue(User.objects.get(username="agent1"))
    return Client(enforce_csrf_checks=True), {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _error(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), (response.status_code, response.content[:200])
    body = json.loads(response.content)
    assert set(body) == {"error"} and {"code", "message", "fields"} <= set(body["error"])
    return body["error"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "get"])
def test_a_mistyped_path_is_404_in_the_api_format_with_any_method(strict_client, new_petition, method):
    client, headers = strict_client
    pid = new_petition()["id"]
    path = f"/api/v1/petitions/{pid}/actions/contcat"
    response = (client.get(path, **headers) if method == "get" else
                getattr(client, method)(path, "{}", content_type="application/json", **headers))
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


def test_a_method_the_path_does_not_take_is_405_in_the_api_format(strict_client, new_petition):
    client, headers = strict_client
    pid = new_petition()["id"]
    response = client.delete(f"/api/v1/petitions/{pid}", **headers)
    assert response.status_code == 405
    assert _error(response)["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_a_bad_item_of_a_list_is_named_by_its_list(api, new_petition, org):
    pid = new_petition()["id"]
    response = api("agent1").act(pid, "screen", {"outcome": "agency", "agent_id": org.agent1.pk,
                                                  "notification": "written"})
    assert response.status_code == 200, response.data
    routed = api("agent1").act(pid, "route", {"departments": [1099511627776]})
    assert routed.status_code == 400
    message = routed.data["error"]["message"]
    assert "第1项" in message and not message.startswith("0"), message


def test_a_body_that_is_not_an_object_and_a_huge_path_id_name_their_fields_in_chinese(api, new_petition):
    pid = new_petition()["id"]
    a = api("agent1")
    for path in ("/petitions", f"/petitions/{pid}/actions/contact"):
        response = a.client.post(f"/api/v1{path}", "null", content_type="application/json", **a.headers)
        assert response.status_code == 400
        error = response.json()["error"]
        assert "payload" not in json.dumps(error, ensure_ascii=False), error  # no internal names
        assert error["fields"] and error["message"], error
    huge = a.act(99_999_999_999, "contact", {"method": "phone"})
    assert huge.status_code == 400 and "信访事项编号" in huge.data["error"]["message"], huge.data


def test_a_boolean_is_not_a_number(api, routed):
    """pydantic's lax mode took `true` as 1: {"workdays": true} asked for one working day."""
    did = routed()["dispositions"][0]["id"]
    for value in (True, False):
        answer = api("dept1").act_disposition(did, "request_extension", {"workdays": value, "reason": "需现场测绘"})
        assert answer.status_code == 400, answer.data
        assert "应为整数" in answer.data["error"]["fields"]["workdays"], answer.data
    good = api("dept1").act_disposition(did, "request_extension", {"workdays": 5, "reason": "需现场测绘"})
    assert good.status_code == 200, good.data
