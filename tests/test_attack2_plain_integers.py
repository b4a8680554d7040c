"""Numbers sent as text read with ASCII digits only (attack finding: pydantic's lax int reads "1_0" as
10 and "+1" or "1.0" as 1, so an API call naming agent "1_0" reassigned to agent #10 and a 处置单
"1_0" was #10; lib.validation.ascii_digits is the rule before every reading of sent digits)."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from daiban.lib.validation import Id, Version, Year

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", [Id, Version, Year])
@pytest.mark.parametrize("raw", ["1_0", "+1", "1.0", "2_026", "٣", "１", "-0", True])
def test_text_that_is_not_plain_digits_is_no_number(kind, raw):
    with pytest.raises(ValidationError):
        TypeAdapter(kind).validate_python(raw)


def test_plain_digits_and_numbers_still_read():
    assert TypeAdapter(Id).validate_python(" 12 ") == 12 and TypeAdapter(Id).validate_python(12) == 12
    assert TypeAdapter(Year).validate_python("2026") == 2026 and TypeAdapter(Version).validate_python("0") == 0


def test_an_api_path_id_and_an_actions_number_of_another_writing_are_400(api, routed, org):
    """Actors: the center asking the actions of 处置单 "1_0" and "1.0"; agent1 sending 联系 with
    version "1_0": 400 naming the field, nothing recorded."""
    p = routed()
    for raw in ("1_0", "1.0", "+1"):
        answer = api("center").get(f"/dispositions/{raw}/actions")
        assert answer.status_code == 400 and "disposition_id" in answer.data["error"]["fields"], raw
    answer = api("agent1").act(p["id"], "contact", {"method": "phone", "note": "已电话联系", "version": "1_0"})
    assert answer.status_code == 400 and "version" in answer.data["error"]["fields"]


def test_a_number_of_days_of_another_writing_is_refused_by_name(api, routed, org):
    """Actor: dept1 asking for an extension of "1_0" working days: 400 naming workdays (it asked for 10)."""
    p = routed()
    d = p["dispositions"][0]["id"]
    api("dept1").act_disposition(d, "receive", {})
    answer = api("dept1").act_disposition(d, "request_extension", {"workdays": "1_0", "reason": "需现场核实"})
    assert answer.status_code == 400 and "workdays" in answer.data["error"]["fields"], answer.data
