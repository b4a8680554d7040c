"""登记: every channel and source, idempotent external ids, gapless numbers, Chinese validation."""

import pytest

from daiban.petitions.models import Event, Petition, Petitioner
from tests.factories import id_number, petition_body


@pytest.mark.parametrize("channel", ["letter", "visit", "online", "phone"])
@pytest.mark.parametrize(
    "source", ["self", "center", "village", "proactive", "hotline_12345", "platform_baixing", "platform_jiefen"]
)
def test_every_channel_and_source_is_recorded(api, clock, channel, source):
    response = api("agent1").post("/petitions", petition_body(channel=channel, source=source))
    assert response.status_code == 201, response.data
    assert (response.data["channel"], response.data["source"]) == (channel, source)
    assert response.data["received_on"] == "2026-09-16"


def test_same_source_and_external_id_is_the_same_petition(api, clock):
    body = petition_body(source="hotline_12345", channel="phone", external_id="12345-2026-0099")
    first = api("agent1").post("/petitions", body)
    again = api("agent1").post("/petitions", body)
    assert first.status_code == 201 and again.status_code == 200
    assert again.data["id"] == first.data["id"]
    assert Petition.objects.count() == 1
    # …and the number was not used up by the repeat.
    assert api("agent1").post("/petitions", petition_body()).data["number"] == "WS-2026-000002"


def test_same_external_id_from_another_source_is_another_petition(api, clock):
    api("agent1").post("/petitions", petition_body(source="hotline_12345", external_id="A1"))
    other = api("agent1").post("/petitions", petition_body(source="platform_jiefen", external_id="A1"))
    assert other.status_code == 201
    assert Petition.objects.count() == 2


def test_numbers_run_without_gaps_even_after_refused_input(api, clock):
    numbers = [api("agent1").post("/petitions", petition_body()).data["number"]]
    api("agent1").post("/petitions", petition_body(petitioner={"id_number": "123"}))
    numbers.append(api("agent1").post("/petitions", petition_body()).data["number"])
    assert numbers == ["WS-2026-000001", "WS-2026-000002"]


def test_number_prefix_is_configurable(api, clock, settings):
    settings.DAIBAN_NUMBER_PREFIX = "WSZR"
    assert api("agent1").post("/petitions", petition_body()).data["number"] == "WSZR-2026-000001"


def test_query_codes_are_long_random_and_distinct(new_petition, clock):
    codes = {new_petition()["query_code"] for _ in range(20)}
    assert len(codes) == 20
    assert all(len(c) == 10 and c.isalnum() and c.isupper() for c in codes)


def test_bad_input_names_each_field_in_chinese_and_changes_nothing(api, clock):
    body = petition_body(channel="fax", petitioner={"id_number": "150626197001011230", "phone": "12345"}, content="")
    response = api("agent1").post("/petitions", body)
    assert response.status_code == 400
    error = response.data["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) >= {"channel"}
    # Schema errors come first; fix the channel and the service checks the rest.
    response = api("agent1").post("/petitions", {**body, "channel": "visit"})
    fields = response.data["error"]["fields"]
    assert set(fields) == {"petitioner.id_number", "petitioner.phone", "content"}
    assert "校验位" in fields["petitioner.id_number"]
    assert "电话" in fields["petitioner.phone"]
    assert "反映的问题及诉求" in fields["content"]
    assert Petition.objects.count() == 0 and Petitioner.objects.count() == 0 and Event.objects.count() == 0


def test_missing_fields_and_wrong_types_are_named(api, clock):
    response = api("agent1").post("/petitions", {"channel": "visit", "received_on": "2026-13-01"})
    assert response.status_code == 400
    fields = response.data["error"]["fields"]
    assert "请填写" in fields["source"] and "请填写" in fields["petitioner"]
    assert "日期" in fields["received_on"]


def test_future_received_date_is_refused(api, clock):
    response = api("agent1").post("/petitions", petition_body(received_on="2026-09-17"))
    assert response.status_code == 400
    assert "received_on" in response.data["error"]["fields"]


def test_one_petitioner_record_per_id_number(new_petition, clock):
    """Issue 9 changed this: a later intake no longer overwrites the person's contact data; each
    petition keeps the phone registered with it (see test_untrusted_identity.py)."""
    same = id_number(serial=7)
    first = new_petition(petitioner={"id_number": same, "phone": "13900000001"})
    second = new_petition(petitioner={"id_number": same, "phone": "13900000002"})
    assert Petitioner.objects.count() == 1
    assert Petitioner.objects.get().phone == "13900000001"
    phones = [Petition.objects.get(pk=p["id"]).petitioner_phone for p in (first, second)]
    assert phones == ["13900000001", "13900000002"]


def test_department_cannot_register(api, clock):
    assert api("dept1").post("/petitions", petition_body()).status_code == 403


def test_intake_appends_the_first_event(new_petition, clock):
    petition = new_petition()
    assert [(e["action"], e["to_status"]) for e in petition["events"]] == [("intake", "received")]
