"""Attack: `str.isdigit()` is true for superscripts and circled digits ("²", "①"), which `int()`
refuses; every check of digits before an `int()` of what a browser sent answered 500 for them: the
case page's ?d= (the 处置单 a queue link opens) and a refused action form whose multi-select carried
"²". Digits are now checked as ASCII 0–9 (lib.validation.ascii_digits) wherever text becomes an int."""

from __future__ import annotations

import pytest
from django.test import Client

from daiban.lib.validation import ascii_digits, field_messages
from daiban.org.models import User

ODD_DIGITS = ["²", "①", "1²", "³³", "𝟙"]


def _login(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.mark.parametrize("raw", ODD_DIGITS)
def test_the_case_page_opens_whatever_d_says(routed, clock, raw):
    petition = routed()
    response = _login("agent1").get(f"/staff/petitions/{petition['id']}/", {"d": raw})
    assert response.status_code == 200


@pytest.mark.parametrize("raw", ODD_DIGITS)
def test_a_refused_routing_with_an_odd_department_value_shows_the_form_again(accepted, clock, raw):
    petition = accepted()
    response = _login("agent1").post(f"/staff/petitions/{petition['id']}/act/route/",
                                     {"departments": [raw], "track": raw})
    assert response.status_code == 400
    assert "请修改标红的项目" in response.content.decode()


@pytest.mark.parametrize("raw", ODD_DIGITS)
def test_a_list_page_number_of_odd_digits_is_said_and_the_first_page_shown(org, raw):
    response = _login("center").get("/staff/petitions/", {"page": raw})
    assert response.status_code == 200 and "页码取值无效" in response.content.decode()


def test_ascii_digits_and_the_field_messages_of_odd_keys():
    assert ascii_digits("0123") and not any(ascii_digits(raw) for raw in [*ODD_DIGITS, "", "١٢"])
    fields = field_messages([{"loc": ("departments", "²"), "type": "int_parsing", "msg": "x"}],
                            {"departments": "事权单位"})
    assert list(fields) == ["departments.²"]
