"""`POST /api/v1/petitions/check`: the check before registering, as the intake page makes it — the
petitioner's earlier petitions scored against the content (same / possibly the same), the 不予代办
reasons they imply, the same matter across petitioners — for systems that register through the API
(the 12345 hotline's), without saving anything."""

import pytest

from daiban.petitions.models import Event, Petition, Petitioner
from tests.factories import COMPLAINT, OTHER_MATTER, PARAPHRASE, id_number

# The example: the original and the retelling a 12345 operator writes down.
SAND = "无定河镇排子湾村附近的采砂场长期违法开采、河道被挖出大坑，请求依法查处。"
SAND_RETOLD = "来电人反映，那个采砂场一直在违法采砂、把河道挖出很多大坑，希望相关部门核实处理。"
WANG = {"name": "王建国", "id_number": id_number(serial=21), "phone": "13900000021"}


def check(api, username="agent1", **body):
    body.setdefault("petitioner", {"id_number": WANG["id_number"]})
    return api(username).post("/petitions/check", body)


def test_a_paraphrase_of_an_open_petition_is_the_same_matter_and_not_eligible(api, new_petition):
    first = new_petition(petitioner=WANG, content=SAND)
    before = (Petition.objects.count(), Event.objects.count(), Petitioner.objects.count())
    response = check(api, content=SAND_RETOLD)
    assert response.status_code == 200, response.data
    data = response.data
    assert data["petitioner_known"] is True
    assert data["eligible"] is False
    assert [(r["code"], r["petition"]) for r in data["reasons"]] == [("in_progress", first["id"])]
    assert data["earlier"][0]["id"] == first["id"] and data["earlier"][0]["likeness"] == "same"
    assert data["earlier"][0]["score"] >= 0.7
    assert (Petition.objects.count(), Event.objects.count(), Petitioner.objects.count()) == before  # nothing saved


def test_the_result_is_what_registering_then_gives(api, new_petition):
    """The check and the saved petition agree: same reasons, same related petition."""
    first = new_petition(petitioner=WANG, content=COMPLAINT)
    checked = check(api, content=PARAPHRASE).data
    second = new_petition(petitioner=WANG, content=PARAPHRASE)
    eligibility = api("agent1").get(f"/petitions/{second['id']}/eligibility").data
    assert checked["eligible"] == eligibility["eligible"] is False
    assert [r["petition"] for r in checked["reasons"]] == [r["petition"] for r in eligibility["reasons"]] == [first["id"]]


def test_another_matter_of_the_same_petitioner_is_listed_but_eligible(api, new_petition):
    first = new_petition(petitioner=WANG, content=SAND)
    data = check(api, content=OTHER_MATTER).data
    assert data["eligible"] is True and data["reasons"] == []
    assert [e["id"] for e in data["earlier"]] == [first["id"]]
    assert data["earlier"][0]["likeness"] is None and data["earlier"][0]["score"] < 0.4


def test_without_content_earlier_petitions_are_listed_unscored(api, new_petition):
    first = new_petition(petitioner=WANG, content=SAND)
    data = check(api).data
    assert data["earlier"] == [{"id": first["id"], "number": first["number"], "status": first["status"],
                                "received_on": first["received_on"], "score": None, "likeness": None}]
    assert data["eligible"] is None  # without the content, whether it is the same matter cannot be told


def test_a_new_petitioner_and_the_judicial_flag(api):
    data = check(api, petitioner={"id_number": id_number(serial=77)}, content=SAND, in_judicial_proceedings=True).data
    assert data["petitioner_known"] is False and data["earlier"] == []
    assert [r["code"] for r in data["reasons"]] == ["judicial"]


def test_the_id_number_in_any_form_finds_the_petitioner(api, new_petition):
    new_petition(petitioner=WANG, content=SAND)
    raw = WANG["id_number"]
    for typed in (raw.lower(), f"{raw[:6]} {raw[6:14]} {raw[14:]}", raw.translate(str.maketrans("0123456789", "０１２３４５６７８９"))):
        assert check(api, petitioner={"id_number": typed}).data["petitioner_known"] is True, typed


def test_other_petitioners_on_the_same_matter_are_listed(api, new_petition):
    other = new_petition(petitioner={"name": "李四", "id_number": id_number(serial=31), "phone": "13900000031"},
                         content=SAND)
    data = check(api, petitioner={"id_number": id_number(serial=32)}, content=SAND_RETOLD).data
    assert [s["id"] for s in data["similar"]] == [other["id"]] and data["similar"][0]["score"] > 0
    assert data["earlier"] == [] and data["eligible"] is True  # another person's petition excludes nothing


def test_a_petition_at_another_station_counts_but_is_not_shown(api, new_petition):
    """agent12's station registered the first petition: agent1 is told it exists and that it makes the
    new one 正在办理, but not shown it in the list (object-level permission)."""
    new_petition(by="agent12", petitioner=WANG, content=SAND)
    data = check(api, content=SAND_RETOLD).data
    assert data["earlier"] == [] and data["hidden_count"] == 1
    assert [r["code"] for r in data["reasons"]] == ["in_progress"]


@pytest.mark.parametrize(("body", "field"), [
    ({"petitioner": {"id_number": "12345"}}, "petitioner.id_number"),
    ({"petitioner": {"id_number": ""}}, "petitioner.id_number"),
    ({"petitioner": {"id_number": id_number()[:-1] + "0"}}, "petitioner.id_number"),
    ({"petitioner": {"id_number": id_number()}, "content": "字" * 10001}, "content"),
    ({"petitioner": {"id_number": id_number()}, "content": "字" * 20001}, "content"),
    ({"petitioner": {"id_number": id_number()}, "station_id": 999999}, "station_id"),
])
def test_bad_input_is_refused_naming_the_field(api, body, field):
    response = api("agent1").post("/petitions/check", body)
    assert response.status_code == 400, response.data
    assert field in response.data["error"]["fields"], response.data


@pytest.mark.parametrize("body", [{}, {"petitioner": "x"}, {"petitioner": {"id_number": 1}}, {"content": None}, [],
                                  {"petitioner": {"id_number": id_number(serial=5)}, "content": 5}])
def test_malformed_bodies_answer_400_never_500(api, body):
    response = api("agent1").post("/petitions/check", body)
    assert response.status_code == 400, (body, response.status_code)


def test_control_characters_and_lone_surrogates_are_cleaned_not_fatal(api, new_petition):
    new_petition(petitioner=WANG, content=SAND)
    response = check(api, content="采砂场\x00违法\ud800开采\u202e河道大坑")
    assert response.status_code == 200, response.data
    assert response.data["earlier"][0]["score"] is not None


@pytest.mark.parametrize(("username", "status"), [(None, 401), ("dept1", 403)])
def test_only_those_who_register_may_check(api, new_petition, username, status):
    new_petition(petitioner=WANG, content=SAND)
    response = check(api, username, content=SAND_RETOLD)
    assert response.status_code == status, response.data
    assert "earlier" not in response.data


def test_the_check_is_limited_per_account(api, settings):
    """The answer says whether an ID number is a known petitioner's: no sweeping through ID numbers."""
    settings.DAIBAN_INTAKE_CHECKS_PER_HOUR = 3
    for serial in range(3):
        assert check(api, petitioner={"id_number": id_number(serial=400 + serial)}).status_code == 200
    refused = check(api, petitioner={"id_number": id_number(serial=410)})
    assert refused.status_code == 429 and "earlier" not in refused.data
    assert check(api, "leader", petitioner={"id_number": id_number(serial=411)}).status_code == 200  # per account


def test_the_staff_page_check_is_post_only_and_waits_for_the_content(org, new_petition):
    from django.test import Client

    from daiban.org.models import User

    new_petition(petitioner=WANG, content=SAND)
    client = Client()
    client.force_login(User.objects.get(username="agent1"))
    assert client.get("/staff/intake/check/", {"id_number": WANG["id_number"]}).status_code == 405
    page = client.post("/staff/intake/check/", {"id_number": WANG["id_number"]}).content.decode()
    assert 'data-testid="eligibility-pending"' in page and 'data-testid="eligible"' not in page
    page = client.post("/staff/intake/check/", {"id_number": WANG["id_number"], "content": "字" * 10001}).content.decode()
    assert "不能超过10000字" in page and 'data-testid="eligible"' not in page
    page = client.post("/staff/intake/check/", {"id_number": WANG["id_number"], "content": SAND_RETOLD}).content.decode()
    assert 'data-testid="not-eligible"' in page


def test_the_refusal_says_when_to_try_again(api, settings):
    settings.DAIBAN_INTAKE_CHECKS_PER_HOUR = 1
    check(api)
    refused = check(api)
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 3600
