"""An attacker and the wrong role against the API, a fifth time: each fault found is one example of
its kind.

- what a viewer may not see is not learnt another way: a department that does not see the
  petitioner's identity finds nothing by their name, ID number or phone, and sees not even the
  length of the name; a department's ledger and forms leave out the petitioner's opinion and the
  review, as its case page does;
- a sealed (archived) case changes no more, whichever door is used: 处置单 opinions, corrections
  of the petitioner's data, sharing;
- input: an empty required text says "请填写…"; a boolean is not an id; a filter value that cannot
  match is refused naming the filter; one date twice in a calendar change is refused;
- messages say what is wrong: rating a case that has ended.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from docx import Document

from daiban.org.models import Department
from daiban.petitions.models import Disposition, Petition
from tests.factories import id_number

SAND = "无定河镇排子湾村附近的采砂场长期违法开采，河道被挖出大坑，河岸塌了好几处，请求依法查处并恢复河道。"


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.data
    return [item["number"] for item in response.data["items"]]


@pytest.fixture
def hidden_from_dept1(routed, org):
    """A petition routed to dept1, whose department does not see petitioners' identity."""
    Department.objects.filter(pk=org.departments[0].pk).update(sees_identity=False)
    return routed(petitioner={"name": "孙红梅", "id_number": id_number(serial=41), "phone": "13900000041",
                              "address": "无定河镇排子湾村三组"}, content=SAND, departments=[org.departments[0].pk])


def test_a_department_without_the_identity_cannot_find_the_petition_by_who_complained(api, hidden_from_dept1):
    dept1 = api("dept1")
    for typed in ("孙", "红梅", "孙红梅", id_number(serial=41), "13900000041", "+86 139 0000 0041"):
        assert numbers(dept1.get("/petitions", q=typed)) == [], typed
    # The matter itself is still found: by its number and its words.
    assert numbers(dept1.get("/petitions", q="采砂")) == [hidden_from_dept1["number"]]
    assert numbers(dept1.get("/petitions", q=hidden_from_dept1["number"][-6:])) == [hidden_from_dept1["number"]]
    # The case agent still finds the person.
    assert numbers(api("agent1").get("/petitions", q="孙红梅")) == [hidden_from_dept1["number"]]


def test_a_hidden_identity_shows_no_digit_and_not_the_name_s_length(api, hidden_from_dept1):
    person = api("dept1").get(f"/petitions/{hidden_from_dept1['id']}").data["petitioner"]
    assert person == {"name": "***", "id_number": "*" * 18, "phone": "*" * 11, "address": "********"}
    listed = api("dept1").get("/petitions", q="采砂").data["items"][0]["petitioner"]
    assert listed["name"] == "***" and set(listed["id_number"]) == {"*"} and set(listed["phone"]) == {"*"}


@pytest.fixture
def reviewed(api, routed, org):
    """A petition answered by dept1, fed back dissatisfied, reviewed and maintained."""
    p = routed(departments=[org.departments[0].pk])
    d = p["dispositions"][0]["id"]
    assert api("dept1").act_disposition(d, "result", {"result": "已核实处理"}).status_code == 200
    a = api("agent1")
    assert a.act(p["id"], "conclude", {"result": "已依法处理"}).status_code == 200
    assert a.act(p["id"], "feedback", {"method": "phone", "satisfaction": "dissatisfied"}).status_code == 200
    assert a.act(p["id"], "request_review", {"level": "review", "reason": "补偿标准不对"}).status_code == 200
    r = api("center").act(p["id"], "decide_review", {"upheld": False, "note": "维持"})
    assert r.status_code == 200, r.data
    return r.data


def test_a_department_s_ledger_and_forms_leave_out_the_opinion_and_the_review(api, reviewed):
    response = api("dept1").client.get("/api/v1/ledger.xlsx", **api("dept1").headers)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)
                                              if getattr(response, "streaming", False) else response.content)).active
    header = [c.value for c in sheet[3]]
    row = next(r for r in sheet.iter_rows(min_row=4, values_only=True) if r[1] == reviewed["number"])
    for column in ("反馈方式", "满意度"):
        assert not row[header.index(column)], column
    assert not [v for v, h in zip(row, header, strict=True) if h and "复查" in h and v]
    # The center's ledger has them.
    center = api("center").client.get("/api/v1/ledger.xlsx", **api("center").headers)
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(center.streaming_content)
                                              if getattr(center, "streaming", False) else center.content)).active
    header = [c.value for c in sheet[3]]
    row = next(r for r in sheet.iter_rows(min_row=4, values_only=True) if r[1] == reviewed["number"])
    assert row[header.index("满意度")] == "不满意"
    form = api("dept1").client.get(f"/api/v1/petitions/{reviewed['id']}/forms/agency.docx", **api("dept1").headers)
    assert form.status_code == 200
    text = "\n".join(cell.text for table in Document(io.BytesIO(form.content)).tables
                     for row in table.rows for cell in row.cells)
    opinion = text[text.index("信访人意见"):]
    assert "☑" not in opinion and "□不满意" in opinion  # the boxes are printed, none ticked


@pytest.fixture
def archived(api, routed, org):
    """A petition taken through its whole course: answered, fed back, terminated, visited, archived."""
    p = routed(departments=[org.departments[0].pk])
    assert api("dept1").act_disposition(p["dispositions"][0]["id"], "result", {"result": "已核实处理"}).status_code == 200
    a = api("agent1")
    for action, body in (("conclude", {"result": "已依法处理"}), ("feedback", {"method": "visit", "satisfaction": "satisfied"}),
                         ("terminate", {"note": "终结"}), ("follow_up", {"note": "回访无异议"}), ("archive", {})):
        r = a.act(p["id"], action, body)
        assert r.status_code == 200, (action, r.data)
    return Petition.objects.get(pk=p["id"])


def test_an_archived_case_takes_no_opinion_on_its_dispositions(api, archived):
    d = Disposition.objects.filter(petition=archived).first()
    version = archived.version
    for user, role in (("leader", "leader_in_charge"), ("chief", "principal")):
        r = api(user).act_disposition(d.pk, "opinion", {"role": role, "text": "归档后补签", "supplement": True})
        assert r.status_code == 409 and "已归档" in r.data["error"]["message"], r.data
    assert Petition.objects.get(pk=archived.pk).version == version


def test_an_archived_case_keeps_the_petitioner_s_data_as_filed(api, archived):
    before = (archived.petitioner_name, archived.petitioner_address, archived.version)
    r = api("center").post(f"/petitions/{archived.pk}/petitioner/correction",
                           {"name": "改名", "phone": "13900001111", "address": "新地址", "reason": "更正"})
    assert r.status_code == 409 and "已归档" in r.data["error"]["message"], r.data
    p = Petition.objects.get(pk=archived.pk)
    assert (p.petitioner_name, p.petitioner_address, p.version) == before


def test_an_empty_required_text_asks_for_it_by_name(api, routed):
    p = routed()
    for blank in ("", " ", "\u200b\t"):
        r = api("agent1").act(p["id"], "escalate", {"to": "center", "reason": blank})
        assert r.status_code == 400 and r.data["error"]["message"] == "请填写上报理由", (blank, r.data)


def test_a_boolean_is_not_an_id(api, org):
    r = api("agent1").post("/petitions/check", {"petitioner": {"id_number": id_number(serial=51)}, "station_id": True})
    assert r.status_code == 400 and "代办机构" in r.data["error"]["message"], r.data


@pytest.mark.parametrize(("name", "value", "label"), [
    ("status", "bogus", "状态"), ("status", "received,bogus", "状态"), ("channel", "fax", "渠道"),
    ("source", "x", "来源"), ("order", "name", "排序"),
])
def test_a_list_filter_that_cannot_match_is_refused_by_name(api, org, name, value, label):
    r = api("center").get("/petitions", **{name: value})
    assert r.status_code == 400 and label in r.data["error"]["message"], r.data


def test_valid_filters_still_list(api, org):
    assert api("center").get("/petitions", status="received,accepted", channel="visit", order="due_on").status_code == 200
    for typed in ("in_progress, received", "in_progress,", " in_progress"):
        assert api("center").get("/petitions", status=typed).status_code == 200, typed


def test_one_date_twice_in_a_calendar_change_is_refused(api, org):
    r = api("admin").post("/calendar/days", {"days": [{"date": "2026-12-12", "is_workday": True},
                                                      {"date": "2026-12-12", "is_workday": False}]})
    assert r.status_code == 400 and "2026-12-12" in r.data["error"]["message"], r.data
    assert api("admin").get("/calendar/2026").data  # nothing changed is checked by the list below
    day = next(d for d in api("admin").get("/calendar/2026").data if d["date"] == "2026-12-12")
    assert day["is_workday"] is False


def test_rating_a_case_that_ended_says_it_ended(api, archived):
    p = archived
    r = api().post(f"/public/petitions/{p.number}/rating?code={p.query_code}", {"satisfaction": "satisfied"})
    assert r.status_code == 409 and "已终结" in r.data["error"]["message"], r.data


def test_a_case_is_not_archived_while_its_double_check_runs_and_the_check_changes_it_no_more(api, routed, org, clock):
    from daiban.org.models import User
    from daiban.petitions.models import DoubleInvestigation

    p = routed(departments=[org.departments[0].pk])
    a, c = api("agent1"), api("center")
    api("dept1").act_disposition(p["dispositions"][0]["id"], "result", {"result": "已处理"})
    a.act(p["id"], "conclude", {"result": "已依法处理"})
    a.act(p["id"], "feedback", {"method": "visit", "satisfaction": "dissatisfied"})
    a.act(p["id"], "request_review", {"level": "review", "reason": "补偿标准不对"})
    r = c.act(p["id"], "decide_review", {"upheld": True, "due_on": "2026-10-20", "note": "有理"})
    assert r.status_code == 200, r.data
    d = [x for x in r.data["dispositions"] if x["status"] in ("routed", "received")] or []
    if not d:
        r = a.act(p["id"], "route", {"departments": [org.departments[0].pk]})
        d = [x for x in r.data["dispositions"] if x["status"] in ("routed", "received")]
    api("dept1").act_disposition(d[0]["id"], "result", {"result": "已重新处理"})
    for action, body in (("conclude", {"result": "已化解"}), ("feedback", {"method": "visit", "satisfaction": "satisfied"}),
                         ("terminate", {"note": "终结"}), ("follow_up", {"note": "回访无异议"})):
        assert a.act(p["id"], action, body).status_code == 200, action
    refused = a.act(p["id"], "archive")
    assert refused.status_code == 409 and "一案双查" in refused.data["error"]["message"], refused.data
    item = DoubleInvestigation.objects.get(petition_id=p["id"])
    assert c.post(f"/double_checks/{item.pk}/assign", {"assignee_id": User.objects.get(username="leader").pk}).status_code == 200
    assert api("leader").post(f"/double_checks/{item.pk}/findings",
                              {"matter_findings": "已查明", "handling_findings": "办理及时"}).status_code == 200
    assert c.post(f"/double_checks/{item.pk}/close", {"note": "结束"}).status_code == 200
    assert a.act(p["id"], "archive").status_code == 200
    version = Petition.objects.get(pk=p["id"]).version
    again = c.post(f"/double_checks/{item.pk}/close", {"note": "再结束"})
    assert again.status_code == 409 and Petition.objects.get(pk=p["id"]).version == version


@pytest.mark.parametrize("username", ["agent1", "leader", "chief", "center", "admin"])
def test_an_archived_case_page_offers_no_form_its_writer_refuses(archived, username):
    """Actor: the case agent, a leader, the center and the administrator opening a sealed case. Its
    处置单 offered a 签署意见 form (补充意见) and the petitioner's card an 更正信访人信息 form, each
    post answering 409 已归档…; now only 内部批注 is offered (they are not part of the case file),
    as every writer refuses the rest (guards.ensure_not_archived)."""
    import re

    from django.test import Client

    from daiban.org.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    d = Disposition.objects.filter(petition=archived).first()
    page = client.get(f"/staff/petitions/{archived.pk}/?d={d.pk}")
    assert page.status_code == 200
    actions = set(re.findall(r'<form method="post" action="([^"]+)"', page.content.decode()))
    assert actions <= {"/staff/logout/", f"/staff/petitions/{archived.pk}/notes/"}, actions
