"""Issue 15, faults 1–4 and 6, through Django's test client: a department finds its form at once and
sees only its own work (pages, API detail, documents, ledger); every card shows its own date and
the working days left; irreversible steps ask first; the forms and messages say what they do."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from daiban.petitions.models import Petition
from tests.factories import login
from tests.test_documents import docx_cells


def page(username: str, url: str) -> str:
    response = login(username).get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


@pytest.fixture
def two_departments(api, routed, org):
    """Routed to departments 1 and 2; each has answered; the agent concluded."""
    petition = routed(departments=[org.departments[0].pk, org.departments[1].pk])
    d1, d2 = (d["id"] for d in petition["dispositions"])
    assert api("dept1").act_disposition(d1, "result", {"result": "甲单位答复：补偿款已发放"}).status_code == 200
    assert api("dept2").act_disposition(d2, "result", {"result": "乙单位答复：林地界线已核实"}).status_code == 200
    assert api("agent1").act(petition["id"], "conclude", {"result": "综合答复：甲乙两单位均已办理"}).status_code == 200
    return petition | {"d1": d1, "d2": d2}


# --- 1. the department's queue opens its form --------------------------------------------------------

def test_the_queue_opens_the_departments_own_form_first(api, routed, org, clock):
    petition = routed()
    did = petition["dispositions"][0]["id"]
    queue = page("dept1", "/staff/dispositions/")
    link = f"/staff/petitions/{petition['id']}/?d={did}#disposition-{did}"
    assert link in queue
    api("dept1").act_disposition(did, "receive")
    html = page("dept1", link.split("#")[0])
    assert "当前没有您可以办理的动作" not in html and 'data-testid="actions-in-disposition"' in html
    # Its own 处置单 comes before everything else on the page, the result form unfolded.
    assert html.index(f'id="disposition-{did}"') < html.index('id="h-petitioner"')
    assert re.search(r'<details class="[^"]*action-form"\s+open\s+data-action="result"', html)
    assert "本单位处置单" in html
    own = html.split(f'id="disposition-{did}"')[1].split("</article>")[0]
    assert re.search(r"剩余\d+个工作日", own)
    # The agent's view keeps the usual order, forms folded.
    agent = page("agent1", f"/staff/petitions/{petition['id']}/")
    assert agent.index('id="h-petitioner"') < agent.index(f'id="disposition-{did}"')


# --- 2. departments do not see each other's work -----------------------------------------------------

def test_a_department_sees_only_its_own_disposition_in_the_api(api, two_departments):
    pid = two_departments["id"]
    mine = api("dept1").get(f"/petitions/{pid}").data
    assert [d["id"] for d in mine["dispositions"]] == [two_departments["d1"]]
    assert mine["result"] == ""
    text = str(mine["events"])
    assert "乙单位" not in text and "林地界线" not in text and "综合答复" not in text
    assert any(e["action"] == "disposition_result" for e in mine["events"])
    assert mine["content"]  # the petition's content it must act on
    # The agent still sees everything.
    full = api("agent1").get(f"/petitions/{pid}").data
    assert len(full["dispositions"]) == 2 and full["result"].startswith("综合答复")


def test_a_department_sees_only_its_own_disposition_on_the_case_page(two_departments):
    html = page("dept2", f"/staff/petitions/{two_departments['id']}/")
    assert "乙单位答复" in html
    assert "甲单位答复" not in html and "综合答复" not in html
    assert f'id="disposition-{two_departments["d1"]}"' not in html


def test_a_departments_documents_leave_out_the_others(api, two_departments, org):
    pid = two_departments["id"]
    response = api("dept1").get(f"/petitions/{pid}/forms/agency.docx")
    assert response.status_code == 200
    paragraphs, rows = docx_cells(response.content)
    assert "综合答复" not in str(rows)
    agent_rows = docx_cells(api("agent1").get(f"/petitions/{pid}/forms/agency.docx").content)[1]
    assert "综合答复" in str(agent_rows)
    assert api("dept1").get(f"/dispositions/{two_departments['d2']}/form.docx").status_code == 404
    response = api("dept1").get("/ledger.xlsx", **{"from": "2020-01-01"})  # not "this year": it may have just begun
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    header = [c.value for c in sheet[3]]
    row = dict(zip(header, (c.value for c in sheet[4]), strict=True))
    assert row["流转单位"] == org.departments[0].name


# --- 3. each card its own date, working days left everywhere --------------------------------------------

def _under_review(api, routed, clock):
    petition = routed()
    api("dept1").act_disposition(petition["dispositions"][0]["id"], "result", {"result": "已答复"})
    api("agent1").act(petition["id"], "conclude", {"result": "已办理"})
    api("agent1").act(petition["id"], "feedback", {"method": "letter", "satisfaction": "dissatisfied"})
    assert api("agent1").act(petition["id"], "request_review", {"level": "review", "reason": "补偿标准过低"}).status_code == 200
    return Petition.objects.get(pk=petition["id"])


def test_the_review_card_shows_the_answer_date(api, routed, clock):
    p = _under_review(api, routed, clock)
    answer = p.reviews.get().answer_due_on
    assert answer != p.due_on
    card = page("center", "/staff/").split('data-card="reviews"')[1].split("</section>")[0]
    assert f"答复时限 {answer:%Y-%m-%d}" in card and f"{p.due_on:%Y-%m-%d}" not in card
    # The regulation's 30 days are calendar days: counted so, not in working days.
    assert re.search(r"剩余\d+日", card) and "个工作日" not in card


def test_the_follow_up_card_shows_the_follow_up_date(api, routed, clock):
    petition = routed()
    api("dept1").act_disposition(petition["dispositions"][0]["id"], "result", {"result": "已答复"})
    api("agent1").act(petition["id"], "conclude", {"result": "已办理"})
    api("agent1").act(petition["id"], "feedback", {"method": "letter", "satisfaction": "satisfied"})
    assert api("agent1").act(petition["id"], "terminate", {}).status_code == 200
    p = Petition.objects.get(pk=petition["id"])
    card = page("agent1", "/staff/").split('data-card="follow_ups"')[1].split("</section>")[0]
    assert f"回访时限 {p.follow_up_due_on:%Y-%m-%d}" in card and f"{p.due_on:%Y-%m-%d}" not in card


def test_lists_say_working_days_left_and_the_queue_flags_overdue(api, routed, clock):
    petition = routed()
    assert re.search(r"剩余\d+个工作日", page("agent1", "/staff/petitions/"))
    queue = page("dept1", "/staff/dispositions/")
    assert re.search(r"剩余\d+个工作日", queue) and 'data-testid="queue-overdue"' not in queue
    clock.move_to("2026-11-20")
    queue = page("dept1", "/staff/dispositions/")
    assert 'data-testid="queue-overdue"' in queue and 'data-overdue="1"' in queue
    assert re.search(r"超期\d+个工作日", queue)
    assert re.search(r"超期\d+个工作日", page("agent1", "/staff/petitions/"))
    assert re.search(r"超期\d+个工作日", page("agent1", "/staff/").split('data-card="overdue"')[1])
    assert Petition.objects.get(pk=petition["id"]).status == "in_progress"


# --- 4. irreversible steps ask first ------------------------------------------------------------------

def test_irreversible_steps_carry_their_question(api, routed, new_petition, clock):
    fresh = new_petition()
    html = page("agent1", f"/staff/petitions/{fresh['id']}/")
    screen = html.split('data-action="screen"')[1].split("</details>")[0]
    assert 'data-confirm="不予代办' in screen and 'data-confirm-field="outcome"' in screen
    assert 'data-confirm-values="declined"' in screen
    petition = routed()
    api("dept1").act_disposition(petition["dispositions"][0]["id"], "result", {"result": "已答复"})
    api("agent1").act(petition["id"], "conclude", {"result": "已办理"})
    api("agent1").act(petition["id"], "feedback", {"method": "letter", "satisfaction": "satisfied"})
    html = page("agent1", f"/staff/petitions/{petition['id']}/")
    terminate = html.split('data-action="terminate"')[1].split("</details>")[0]
    assert "终结后进入回访，15日内回访" in terminate
    contact = html.split('data-action="contact"')[1].split("</details>")[0]
    assert "data-confirm" not in contact


# --- 6. forms and messages say what they do -------------------------------------------------------------

def test_screening_fields_belong_to_their_outcome(new_petition):
    html = page("agent1", f"/staff/petitions/{new_petition()['id']}/")
    screen = html.split('data-action="screen"')[1].split("</details>")[0]
    assert re.search(r'data-when-field="outcome" data-when-values="agency" data-field="agent_id"', screen)
    assert re.search(r'data-when-values="declined" data-field="reason"', screen)
    assert 'data-field="category"' in screen and 'data-when-values="agency" data-field="category"' not in screen


def test_the_urging_form_makes_the_user_choose(api, routed, org, clock):
    petition = routed(departments=[org.departments[0].pk, org.departments[1].pk])
    html = page("agent1", f"/staff/petitions/{petition['id']}/")
    urge = html.split('data-action="urge"')[1].split("</details>")[0]
    select = urge.split("<select")[1].split("</select>")[0]
    first = re.search(r"<option[^>]*>", select).group(0)
    assert 'value=""' in first and "selected" not in select
    client = login("agent1")
    response = client.post(f"/staff/petitions/{petition['id']}/act/urge/", {"note": "请尽快"})
    assert response.status_code == 400 and "请选择" in response.content.decode()
    assert not Petition.objects.get(pk=petition["id"]).dispositions.filter(urgings__isnull=False).exists()


def test_flash_says_what_was_done(new_petition):
    petition = new_petition()
    client = login("agent1")
    response = client.post(f"/staff/petitions/{petition['id']}/act/screen/",
                           {"outcome": "declined", "reason": "judicial"}, follow=True)
    html = response.content.decode()
    assert "已决定不予代办" in html and "已甄别受理" not in html


def test_category_is_on_the_case_page(new_petition):
    petition = new_petition(category="征地拆迁补偿")
    html = page("agent1", f"/staff/petitions/{petition['id']}/")
    assert re.search(r'data-testid="category">征地拆迁补偿<', html)


def test_feedback_line_stays_after_an_upheld_review(api, routed, clock):
    p = _under_review(api, routed, clock)
    assert api("center").act(p.pk, "decide_review", {"upheld": True, "due_on": "2026-10-30"}).status_code == 200
    html = page("agent1", f"/staff/petitions/{p.pk}/")
    assert 'data-testid="feedback-line"' in html and "不满意" in html


def test_the_deadline_card_drops_what_no_longer_applies(api, routed, new_petition, clock):
    fresh = page("agent1", f"/staff/petitions/{new_petition()['id']}/")
    assert 'data-testid="forward-due"' in fresh and 'data-testid="national-due"' not in fresh
    p = _under_review(api, routed, clock)
    html = page("agent1", f"/staff/petitions/{p.pk}/")
    assert 'data-testid="forward-due"' not in html and 'data-testid="due-on"' not in html
    assert 'data-testid="national-due"' not in html and 'data-testid="review-request-due"' not in html
    assert f'data-testid="review-answer-due">{p.reviews.get().answer_due_on:%Y-%m-%d}' in html


def test_the_archived_badge_is_readable():
    from daiban.staff.templatetags.daiban import status_tone

    assert status_tone("archived") not in ("light", "white")


def test_a_department_does_not_get_another_departments_attachments(api, routed, org, clock):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import png_bytes

    petition = routed(departments=[org.departments[0].pk, org.departments[1].pk])
    pid = petition["id"]

    def upload(username: str, name: str) -> int:
        client = login(username)
        client.post(f"/staff/petitions/{pid}/attachments/",
                    {"file": SimpleUploadedFile(name, png_bytes(), "image/png"), "kind": "photo"})
        from daiban.documents.models import Attachment

        return Attachment.objects.get(petition_id=pid, name=name).pk

    theirs = upload("dept2", "乙单位现场照片.png")
    mine = upload("dept1", "甲单位现场照片.png")
    agents = upload("agent1", "信访人材料.png")
    listed = {a["id"] for a in api("dept1").get(f"/petitions/{pid}/attachments").data}
    assert listed == {mine, agents}
    assert api("dept1").get(f"/attachments/{theirs}").status_code == 404
    assert api("dept1").get(f"/attachments/{mine}").status_code == 200
    assert "乙单位现场照片" not in page("dept1", f"/staff/petitions/{pid}/")
    assert {a["id"] for a in api("agent1").get(f"/petitions/{pid}/attachments").data} == {theirs, mine, agents}


def test_the_agent_may_share_one_departments_disposition_with_the_others(api, two_departments):
    pid, d1, d2 = two_departments["id"], two_departments["d1"], two_departments["d2"]
    # Only the case's workers share; a department cannot.
    response = login("dept1").post(f"/staff/dispositions/{d1}/share/", {"shared": "1"})
    assert response.status_code == 403  # a role refusal is the Chinese 403 page
    assert [d["id"] for d in api("dept2").get(f"/petitions/{pid}").data["dispositions"]] == [d2]
    agent = login("agent1")
    assert 'data-testid="share"' in agent.get(f"/staff/petitions/{pid}/").content.decode()
    agent.post(f"/staff/dispositions/{d1}/share/", {"shared": "1"})
    seen = api("dept2").get(f"/petitions/{pid}").data
    assert {d["id"] for d in seen["dispositions"]} == {d1, d2}
    assert "甲单位答复" in str(seen["dispositions"]) and "综合答复" not in str(seen)
    html = page("dept2", f"/staff/petitions/{pid}/")
    assert "甲单位答复" in html and 'data-testid="shared"' in html
    events = [e for e in api("agent1").get(f"/petitions/{pid}").data["events"] if e["action"] == "disposition_share"]
    assert len(events) == 1 and "共享给其他承办单位" in events[0]["note"]
    agent.post(f"/staff/dispositions/{d1}/share/", {"shared": "0"})
    assert [d["id"] for d in api("dept2").get(f"/petitions/{pid}").data["dispositions"]] == [d2]
