"""Round ten's re-attack: faults found in this round's own mends, each fixed as a kind."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from daiban.notifications.models import Notification
from daiban.org.models import Station, User
from daiban.petitions.models import Petition
from tests.factories import COMPLAINT, id_number, petition_body


def _staff(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _at(day: str, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+08:00")


@pytest.fixture
def elsewhere_first(api, new_petition, org, clock):
    """agent12 (嘎鲁图) registers 王五's matter first; agent1's station registers the same matter second."""
    person = {"name": "王五", "id_number": id_number(serial=712), "phone": "13912340001"}
    first = new_petition(by="agent12", petitioner=person, content=COMPLAINT)
    second = new_petition(by="agent1", petitioner=person, content=COMPLAINT)
    return first, second


def test_a_ruling_on_another_stations_petition_never_names_it_on_the_timeline(api, elsewhere_first):
    first, second = elsewhere_first
    center = api("center")
    assert center.post(f"/petitions/{second['id']}/related/{first['id']}/dismiss", {"reason": "不是同一事项"}).status_code == 200
    assert center.post(f"/petitions/{second['id']}/related/{first['id']}/confirm", {"reason": "复核后认定"}).status_code == 200
    agent1 = api("agent1")
    assert agent1.get(f"/petitions/{first['id']}").status_code == 404
    detail = agent1.get(f"/petitions/{second['id']}").data
    assert first["number"] not in json.dumps(detail, ensure_ascii=False)
    assert any("其他代办机构办理的信访事项" in (e["note"] or "") for e in detail["events"])
    assert first["number"] not in _staff("agent1").get(f"/staff/petitions/{second['id']}/").content.decode()
    # The center, who may see both, reads the number.
    assert first["number"] in json.dumps(center.get(f"/petitions/{second['id']}").data, ensure_ascii=False)


def test_a_link_to_a_petition_one_may_not_see_answers_as_no_link(api, elsewhere_first):
    """The bureau's leader may rule on its own petitions, not learn of another station's by guessing ids."""
    first, second = elsewhere_first
    leader = api("leader")
    assert leader.get(f"/petitions/{first['id']}").status_code == 404
    answers = {guess: leader.post(f"/petitions/{second['id']}/related/{guess}/dismiss", {"reason": "不是"}).status_code
               for guess in range(1, second["id"])}
    assert set(answers.values()) == {404}
    assert Petition.objects.get(pk=second["id"]).links.filter(related_id=first["id"]).exists()


def test_the_admins_search_by_phone_is_counted_as_the_lists(api, accepted, org, clock, settings):
    settings.DAIBAN_IDENTITY_SEARCHES_PER_HOUR = 3
    petition = accepted(petitioner={"name": "张三", "id_number": id_number(serial=713), "phone": "13800138000"})
    admin = _staff("admin")
    found = [petition["number"] in admin.get("/admin/petitions/petition/", {"q": "13800138000"}).content.decode()
             for _ in range(5)]
    assert found == [True, True, True, False, False]
    assert api("admin").get("/petitions", q="13800138000").status_code == 429  # one allowance per account


def test_a_returned_extension_is_told_and_no_longer_shown_as_holding(api, org, clock):
    from daiban.portal import services as portal

    agent = api("agent1")
    clock.move_to(_at("2026-12-01", 9))
    pid = agent.post("/petitions", petition_body(petitioner={"id_number": id_number(serial=714)})).data["id"]
    agent.act(pid, "screen", {"outcome": "agency", "agent_id": org.agent1.pk, "agent_chosen_by": "designated",
                              "notification": "written"})
    routed = agent.act(pid, "route", {"departments": [org.departments[0].pk, org.departments[1].pk], "track": "standard"})
    d2 = routed.data["dispositions"][1]["id"]
    clock.move_to(_at("2026-12-08"))
    api("dept2").act_disposition(d2, "request_extension", {"workdays": 5, "reason": "需鉴定"})
    api("duty").act_disposition(d2, "decide_extension", {"approved": True, "note": "同意"})
    extended = Petition.objects.get(pk=pid).due_on
    clock.move_to(_at("2026-12-10"))
    back = api("dept2").act_disposition(d2, "return", {"reason": "不属本单位职权"})
    assert back.status_code == 200, back.data
    restored = Petition.objects.get(pk=pid).due_on
    assert restored < extended
    told = Notification.objects.filter(petition_id=pid, channel="sms", template="due_restored").get()
    assert f"{restored.month}月{restored.day}日" in told.body and len(told.body) <= 70
    view = portal.public_view(Petition.objects.get(pk=pid))
    assert view["due_now"] == restored and view["extended"] is False
    public = api().client.get(f"/api/v1/public/petitions/{view['number']}",
                              {"code": Petition.objects.get(pk=pid).query_code}).json()
    assert public["extended"] is False and "planned_passed" in public


def test_a_correction_applied_to_another_petition_takes_back_that_petitions_own_name(api, accepted, org, clock):
    from daiban.documents import notices
    from daiban.documents.services import load_case

    idn = id_number(serial=715)
    a = accepted(petitioner={"name": "其其格", "id_number": idn, "phone": "13912340005"}, content="草场纠纷，请求确权。")
    b = accepted(petitioner={"name": "其木格", "id_number": idn, "phone": "13912340005"}, content="宅基地审批，请求办理。")
    clock.move_to("2026-09-20 10:00+08:00")
    corrected = api("agent1").post(f"/petitions/{a['id']}/petitioner/correction",
                                   {"name": "其其格·巴特尔", "reason": "身份证上的全名", "apply_to_open": True})
    assert corrected.status_code == 200, corrected.data
    case = load_case(b["id"])
    assert case.petitioner_name == "其其格·巴特尔"
    assert notices.build(case, "acceptance").addressee == "其木格"  # B's own name on the letter's day
    assert notices.build(load_case(a["id"]), "acceptance").addressee == "其其格"


@pytest.mark.parametrize(("code", "level", "parent"), [
    ("galutu", "village", "center"),   # a station with village points below made a village point
    ("bureau", "center", None),        # a second center
])
def test_the_station_tree_keeps_one_center_and_nothing_below_a_village_point(org, code, level, parent):
    row = Station.objects.get(code=code)
    row.level, row.parent = level, Station.objects.get(code=parent) if parent else None
    with pytest.raises(ValidationError) as raised:
        row.full_clean()
    assert "level" in raised.value.message_dict
    with pytest.raises(ValidationError):
        Station(name="第二中心", code="center2", level="center").full_clean()


@pytest.mark.parametrize("typed", ["ab3d・5fgh・7k", "AB3D·5FGH·7K", "ab3d\u200d5fgh7k"])
def test_a_query_code_with_middle_dots_or_a_pasted_joiner_is_found(api, org, clock, typed):
    body = {"petitioner": {"name": "刘八", "id_number": id_number(serial=716), "phone": "13812345678"},
            "content": COMPLAINT}
    created = api().client.post("/api/v1/public/petitions", json.dumps(body), content_type="application/json").json()
    Petition.objects.filter(number=created["number"]).update(query_code="AB3D5FGH7K")
    assert Client(REMOTE_ADDR="10.5.5.6").get(f"/api/v1/public/petitions/{created['number']}",
                                              {"code": typed}).status_code == 200


def test_the_refresh_of_search_names_covers_invisible_characters(api, new_petition, org, clock):
    import importlib

    from django.apps import apps

    from daiban.petitions.index_models import SearchEntry

    petition = new_petition(petitioner={"name": "其其格", "id_number": id_number(serial=717)})
    # As a name stored before: a joiner inside, indexed apart at it.
    Petition.objects.filter(pk=petition["id"]).update(petitioner_name="其其\u200d格")
    SearchEntry.objects.filter(petition_id=petition["id"]).update(name="其 格 其其")
    assert api("agent1").get("/petitions", q="其其格").data["count"] == 0
    importlib.import_module("daiban.petitions.migrations.0026_search_names_across_separators").refresh(apps, None)
    assert api("agent1").get("/petitions", q="其其格").data["count"] == 1


def test_windows_console_device_names_are_not_kept(api, accepted, org, clock):
    from daiban.documents.safe import windows_safe, zip_name

    assert windows_safe("CONIN$.png") == "_CONIN$.png" and windows_safe("conout$") == "_conout$"
    assert zip_name("CONOUT$.txt").startswith("_")
