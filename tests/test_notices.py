"""The written notices owed to the petitioner (issue 13), and the forms' finer rules: 内容摘要 never
cut, DOCX metadata, ASCII fallback names."""

from __future__ import annotations

import io

import pytest
from docx import Document
from pypdf import PdfReader

from daiban.petitions.models import Disposition
from tests.factories import COMPLAINT

KINDS = ["acceptance", "non_acceptance", "legal_route", "extension", "result", "review_decision", "re_review_decision",
         "follow_up"]


def _text(pdf: bytes) -> str:
    return "".join("".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def test_notices_follow_the_case(api, routed, clock):
    petition = routed()
    pid = petition["id"]
    agent = api("agent1")
    listing = agent.get(f"/petitions/{pid}/notices")
    assert listing.status_code == 200
    assert [n["kind"] for n in listing.data] == KINDS
    assert {n["kind"]: n["available"] for n in listing.data} == {
        "acceptance": True, "non_acceptance": False, "legal_route": False, "extension": False, "result": False,
        "review_decision": False, "re_review_decision": False, "follow_up": False}
    assert listing.data[0]["title"] == "受理告知书"
    assert agent.get(f"/petitions/{pid}/notices/result.pdf").status_code == 404  # not yet
    assert agent.get(f"/petitions/{pid}/notices/nonsense.pdf").status_code == 404
    assert agent.get(f"/petitions/{pid}/notices/acceptance.txt").status_code == 404
    accepted = agent.get(f"/petitions/{pid}/notices/acceptance.pdf")
    assert accepted.status_code == 200 and accepted["Content-Type"] == "application/pdf"
    assert 'filename="WS-2026-000001-shouli-gaozhishu.pdf"' in accepted["Content-Disposition"]
    text = _text(accepted.content)
    for words in ["受理告知书", f"编号：{petition['number']}-SL", "张三：", "王建国", "（即2026年11月16日前）", "乌审旗自然资源局",  # the regulation's 60 days from acceptance
                  "（盖章）", "2026年9月16日", "联系电话"]:
        assert words in text, words
    docx = Document(io.BytesIO(agent.get(f"/petitions/{pid}/notices/acceptance.docx").content))
    assert docx.paragraphs[0].text == "受理告知书" and docx.paragraphs[2].text == "张三："
    assert docx.core_properties.author == "乌审旗自然资源局" and docx.core_properties.created.year == 2026
    assert docx.core_properties.title.startswith("受理告知书")
    # Departments do not get the petitioner's notices: it sees the case, so 403 says why.
    assert api("dept1").get(f"/petitions/{pid}/notices").status_code == 403
    assert api("dept1").get(f"/petitions/{pid}/notices/acceptance.pdf").status_code == 403
    assert api("agent12").get(f"/petitions/{pid}/notices").status_code == 404  # another station's agent

    assert api("leader").act(pid, "extend", {"days": 30, "reason": "需实地核查"}).status_code == 200
    text = _text(agent.get(f"/petitions/{pid}/notices/extension.pdf").content)
    assert "延期办理告知书" in text and "延长30日" in text and "需实地核查" in text

    did = petition["dispositions"][0]["id"]
    api("dept1").act_disposition(did, "result", {"result": "补偿款已发放"})
    agent.act(pid, "conclude", {"result": "经协调补偿款已全额发放"})
    agent.act(pid, "feedback", {"method": "visit", "satisfaction": "dissatisfied"})
    text = _text(agent.get(f"/petitions/{pid}/notices/result.pdf").content)
    assert "处理意见书" in text and "经协调补偿款已全额发放" in text and "复查" in text
    agent.act(pid, "request_review", {"level": "review", "reason": "不服"})
    api("center").act(pid, "decide_review", {"upheld": False, "note": "原处理意见正确"})
    assert "维持" in _text(agent.get(f"/petitions/{pid}/notices/review_decision.pdf").content)
    agent.act(pid, "request_review", {"level": "re_review", "reason": "仍不服"})
    api("center").act(pid, "decide_review", {"upheld": False, "note": "复核维持"})
    text = _text(agent.get(f"/petitions/{pid}/notices/re_review_decision.pdf").content)
    assert "复核意见书" in text and "三级终结" in text
    agent.act(pid, "follow_up", {"note": "信访人表示理解", "rebound": False})
    text = _text(agent.get(f"/petitions/{pid}/notices/follow_up.docx").content and
                 agent.get(f"/petitions/{pid}/notices/follow_up.pdf").content)
    assert "回访记录" in text and "信访人表示理解" in text and "无反弹回流" in text
    flags = {n["kind"]: n["available"] for n in agent.get(f"/petitions/{pid}/notices").data}
    assert flags == {**dict.fromkeys(KINDS, True), "non_acceptance": False, "legal_route": False}


def test_non_acceptance_names_the_reason_and_where_to_go(api, new_petition, clock):
    petition = new_petition(in_judicial_proceedings=True)
    api("agent1").act(petition["id"], "screen", {"outcome": "declined", "reason": "judicial", "reply": "已由法院受理"})
    text = _text(api("agent1").get(f"/petitions/{petition['id']}/notices/non_acceptance.pdf").content)
    assert "不予代办告知书" in text and "司法程序" in text and "人民法院" in text and "已由法院受理" in text


def test_the_case_page_lists_the_notices(api, routed, clock):
    from django.test import Client

    from daiban.org.models import User

    petition = routed()
    client = Client()
    client.force_login(User.objects.get(username="agent1"))
    page = client.get(f"/staff/petitions/{petition['id']}/").content.decode()
    url = f"/staff/petitions/{petition['id']}/notices/acceptance.pdf"
    assert "《受理告知书》" in page and url in page
    assert client.get(url).status_code == 200
    dept = Client()
    dept.force_login(User.objects.get(username="dept1"))
    assert "《受理告知书》" not in dept.get(f"/staff/petitions/{petition['id']}/").content.decode()
    assert dept.get(url).status_code == 403


def test_content_summary_is_whole_or_the_agents_own(api, routed, clock):
    long = COMPLAINT * 12  # well over the old 300-character cut
    petition = routed(content=long)
    did = petition["dispositions"][0]["id"]
    rows = Document(io.BytesIO(api("agent1").get(f"/dispositions/{did}/form.docx").content)).tables[0].rows
    summary = next(r.cells[1].text for r in rows if r.cells[0].text == "内容摘要")
    assert summary == long and "……" not in summary
    Disposition.objects.filter(pk=did).update(summary="要求落实300亩草场的征地补偿款")
    rows = Document(io.BytesIO(api("agent1").get(f"/dispositions/{did}/form.docx").content)).tables[0].rows
    assert next(r.cells[1].text for r in rows if r.cells[0].text == "内容摘要") == "要求落实300亩草场的征地补偿款"


def test_automatic_urgings_read_naturally_on_the_form(api, routed, clock):
    import datetime

    from daiban.notifications.sweep import run_sweep
    from daiban.petitions.models import Urging

    petition = routed()
    did = petition["dispositions"][0]["id"]
    clock.move_to(datetime.datetime(2026, 10, 16, 9, 0))
    run_sweep(day=datetime.date(2026, 10, 16), send=False)
    assert Urging.objects.get(disposition_id=did).note == "系统自动催办（已超期3个工作日）"
    Urging.objects.create(disposition_id=did, on=datetime.date(2026, 10, 15), automatic=True, note="系统自动催办：已超期")
    rows = Document(io.BytesIO(api("agent1").get(f"/dispositions/{did}/form.docx").content)).tables[0].rows
    urgings = next(r.cells[1].text for r in rows if r.cells[0].text == "进度催办")
    assert urgings == "2026年10月15日　系统自动催办（已超期）\n2026年10月16日　系统自动催办（已超期3个工作日）"
    assert "（系统自动）" not in urgings


def test_typed_text_set_into_a_letter_never_doubles_its_punctuation(api, org, clock):
    """Results typed with their own 。 ("已退还。") joined as "…已退还。；…" and closed with "。。"; a
    reason ending in 。 read "因需实地核查。，不能…"."""
    from tests.factories import petition_body

    body = {"departments": [org.departments[0].pk, org.departments[1].pk], "track": "standard",
            "proposed_handling": "请核实"}
    created = api("agent1").post("/petitions", petition_body(petitioner={"name": "王某"}))
    pid = created.data["id"]
    agent = api("agent1")
    agent.act(pid, "screen", {"outcome": "agency", "agent_id": org.agent1.pk})
    routed = agent.act(pid, "route", body).data
    assert api("leader").act(pid, "extend", {"days": 30, "reason": "需实地核查。"}).status_code == 200
    extension = _text(agent.get(f"/petitions/{pid}/notices/extension.pdf").content)
    assert "因需实地核查，不能" in extension
    for d, result in zip(routed["dispositions"], ("已责令王某于12月底前退还。", "赔偿当季损失1200元。"), strict=True):
        user = "dept1" if d["department"]["id"] == org.departments[0].pk else "dept2"
        assert api(user).act_disposition(d["id"], "result", {"result": result}).status_code == 200, user
    agent.act(pid, "conclude", {"result": "经协调已全部解决"})
    agent.act(pid, "feedback", {"method": "visit", "satisfaction": "satisfied"})
    text = _text(agent.get(f"/petitions/{pid}/notices/result.pdf").content)
    assert "经协调已全部解决。" in text and "退还；" in text and "1200元。" in text
    for doubled in ("。；", "。。", "。，", "；。"):
        assert doubled not in text + extension, doubled


def _fonts_or_skip() -> None:
    """CI installs every font (.ci/run): there a missing one fails; elsewhere the test is skipped."""
    import os

    from daiban.documents.checks import pdf_fonts

    if pdf_fonts() and not os.environ.get("CI"):
        pytest.skip(f"fonts missing: {pdf_fonts()[0].msg} ({pdf_fonts()[0].hint})")


def test_mongolian_script_prints_in_the_pdf(api, org, clock):
    """Wushen Banner is in Inner Mongolia: a name or a place in the traditional script vanished from
    every PDF (no font of the stack had it). Noto Sans Mongolian (fonts-noto-core) draws it now."""
    from tests.factories import petition_body
    from tests.office import fonts_of

    _fonts_or_skip()
    name, place = "ᠪᠠᠲᠦ 巴图", "乌审召镇 ᠤᠦᠰᠢᠨ ᠵᠤᠤ"
    created = api("agent1").post("/petitions", petition_body(petitioner={"name": name, "address": place},
                                                             content="ᠮᠣᠩᠭᠣᠯ ᠪᠢᠴᠢᠭ 草场补奖未发放"))
    assert created.status_code == 201, created.data
    pdf = api("agent1").get(f"/petitions/{created.data['id']}/forms/agency.pdf").content
    fonts = fonts_of(pdf, "ᠪ") | fonts_of(pdf, "ᠮ")
    assert fonts and all("Mongolian" in f for f in fonts), fonts


@pytest.mark.parametrize(("typed", "clause", "sentence"), [
    ("已退还。", "已退还", "已退还。"), ("已退还。。", "已退还", "已退还。"), ("已退还；。", "已退还", "已退还。"),
    ("已退还，。 ", "已退还", "已退还。"), ("为什么不退？？", "为什么不退", "为什么不退？"), ("太过分了！", "太过分了", "太过分了！"),
    ("已退还", "已退还", "已退还。"), ("", "", ""), ("。", "", ""),
])
def test_typed_text_in_a_letter(typed, clause, sentence):
    from daiban.documents.layout import typed_clause, typed_sentence

    assert (typed_clause(typed), typed_sentence(typed)) == (clause, sentence)


def test_a_missing_pdf_font_is_a_warning_at_start_up(monkeypatch):
    """WeasyPrint draws what no font has as nothing, without an error: the operator is told instead."""
    from daiban.documents import checks

    _fonts_or_skip()
    assert checks.pdf_fonts() == []  # CI has them all
    monkeypatch.setattr(checks, "installed_families", lambda: {"Noto Serif CJK SC", "Liberation Serif"})
    [warning] = checks.pdf_fonts()
    assert warning.id == "documents.W002" and "Noto Sans Mongolian" in warning.msg and "蒙古文" in warning.msg
    monkeypatch.setattr(checks, "installed_families", lambda: None)
    assert [w.id for w in checks.pdf_fonts()] == ["documents.W001"]
