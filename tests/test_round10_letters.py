"""Round 10: a letter in the case file is the letter the petitioner was given, and the case file holds
what was recorded on the case (the tester's reproductions B, C, E, F, adapted; each test failed on
9821d9c and shows one fault of its kind, mended since)."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile

import docx
from pypdf import PdfReader

from daiban.org.models import User
from daiban.petitions import services
from daiban.workdays.models import CalendarDay
from daiban.workdays.seed import DaySpec
from tests.factories import id_number, petition_body

TZ = datetime.timezone(datetime.timedelta(hours=8))


def at(day: str, hour: int = 10) -> datetime.datetime:
    d = datetime.date.fromisoformat(day)
    return datetime.datetime(d.year, d.month, d.day, hour, tzinfo=TZ)


def letter(a, pid: int, kind: str) -> str:
    r = a.client.get(f"/api/v1/petitions/{pid}/notices/{kind}.docx", **a.headers)
    assert r.status_code == 200, (kind, r.status_code)
    return "\n".join(p.text for p in docx.Document(io.BytesIO(r.content)).paragraphs)


def issuer(text: str) -> str:
    """The organ's name under （盖章）."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[lines.index("（盖章）") + 1]


def routed(api, org, clock, day: str, name: str = "巴特尔") -> tuple[int, int]:
    a = api("agent1")
    clock.move_to(at(day, 9))
    r = a.post("/petitions", petition_body(petitioner={"id_number": id_number(), "name": name}))
    pid = r.data["id"]
    assert a.act(pid, "screen", {"outcome": "agency", "agent_id": org.agent1.pk, "agent_chosen_by": "designated",
                                 "notification": "written"}).status_code == 200
    r = a.act(pid, "route", {"departments": [org.departments[0].pk], "track": "standard"})
    return pid, r.data["dispositions"][0]["id"]


def extended(api, did: int, workdays: int, reason: str, approver: str = "duty") -> None:
    assert api("dept1").act_disposition(did, "request_extension",
                                        {"workdays": workdays, "reason": reason}).status_code == 200
    assert api(approver).act_disposition(did, "decide_extension", {"approved": True, "note": "同意"}).status_code == 200


def archive_members(api, pid: int, who: str = "center") -> zipfile.ZipFile:
    r = api(who).get(f"/petitions/{pid}/archive.zip")
    assert r.status_code == 200, r.status_code
    body = b"".join(r.streaming_content) if getattr(r, "streaming", False) else r.content
    return zipfile.ZipFile(io.BytesIO(body))


def index_rows(archive: zipfile.ZipFile) -> list[dict]:
    name = next(n for n in archive.namelist() if n.endswith("00c-卷内目录.csv"))
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


# --- B/C: each 延期办理告知书 as given -----------------------------------------------------------------

def test_an_extension_letter_printed_again_after_a_calendar_change_is_the_letter_given(api, org, clock):
    """01-20 the 处置单 is extended by 5 working days to 2027-02-01 and the letter says so. 01-22 the
    administrator makes 01-26 a rest day: the 处置单 is now due 02-02 (the petitioner is told by SMS),
    but the letter of 01-20 printed again said 02-02 under the date 01-20."""
    a = api("agent1")
    pid, did = routed(api, org, clock, "2027-01-04")
    clock.move_to(at("2027-01-20"))
    extended(api, did, 5, "需鉴定")
    given = letter(a, pid, "extension")
    assert "2027年2月1日" in given
    clock.move_to(at("2027-01-22"))
    services.calendar_change(actor=User.objects.get(username="admin"),
                             specs=[DaySpec(datetime.date(2027, 1, 26), False, "临时调整")], reason="管理员调整")
    assert a.get(f"/petitions/{pid}").data["dispositions"][0]["due_on"] == "2027-02-02"  # the case page moves
    assert letter(a, pid, "extension") == given


def test_each_extension_is_its_own_letter_dated_its_approval(api, org, clock):
    """Two extensions (01-20: 5 working days; 01-29: 10 more, by the center): two letters were given.
    Only one kind existed, dated 01-29, and the letter of 01-20 was lost."""
    a = api("agent1")
    pid, did = routed(api, org, clock, "2027-01-04")
    clock.move_to(at("2027-01-20"))
    extended(api, did, 5, "需鉴定")
    first_given = letter(a, pid, "extension")
    clock.move_to(at("2027-01-29"))
    extended(api, did, 10, "报告未出", approver="center")
    listed = [(n["kind"], n["title"]) for n in a.get(f"/petitions/{pid}/notices").data if n["available"]]
    assert ("extension-1", "延期办理告知书（第1次）") in listed and ("extension", "延期办理告知书") in listed, listed
    first, second = letter(a, pid, "extension-1"), letter(a, pid, "extension")
    assert first == first_given
    assert "2027年1月20日" in first and "5个工作日" in first and "报告未出" not in first, first
    assert "2027年1月29日" in second and "10个工作日" in second and "需鉴定" not in second, second
    due = datetime.date.fromisoformat(a.get(f"/petitions/{pid}").data["dispositions"][0]["due_on"])
    assert f"{due.year}年{due.month}月{due.day}日" in second, second  # the date granted on 01-29
    assert a.client.get(f"/api/v1/petitions/{pid}/notices/extension-2.docx", **a.headers).status_code == 404
    # The case file holds both, each under its own date and number.
    rows = index_rows(archive_members(api, pid))
    letters = [(r["题名"], r["日期"], r["文号"]) for r in rows if r["题名"].startswith("延期办理告知书")]
    assert [(t, d) for t, d, _ in letters] == [("延期办理告知书（第1次）", "20270120"),
                                              ("延期办理告知书（第2次）", "20270129")], letters  # DA/T 22: 8 digits
    assert len({n for _, _, n in letters}) == 2


def test_a_letter_given_while_the_year_was_unconfirmed_keeps_its_caveat(api, org, clock):
    """The letter of 01-20 says its date may move once 2027's holidays are announced. Once the
    administrator confirms 2027, the same letter printed again (the case file) lost that sentence."""
    a = api("agent1")
    pid, did = routed(api, org, clock, "2027-01-04")
    clock.move_to(at("2027-01-20"))
    extended(api, did, 5, "需鉴定")
    given = letter(a, pid, "extension")
    assert "2027年节假日安排公布后如有调整，将另行告知" in given, given
    CalendarDay.objects.filter(date__year=2027).update(confirmed=True)
    assert letter(a, pid, "extension") == given


def test_the_acceptance_letter_keeps_the_date_it_gave(api, org, clock):
    """Accepted 2027-01-04, the 受理告知书 gives the regulation's 60 days (2027-03-05) with its caveat.
    A later calendar change making 03-05 a rest day, then the year's confirmation, rewrote both."""
    a = api("agent1")
    pid, _ = routed(api, org, clock, "2027-01-04")
    given = letter(a, pid, "acceptance")
    assert "2027年3月5日前" in given and "2027年节假日安排公布后" in given, given
    clock.move_to(at("2027-01-10"))
    services.calendar_change(actor=User.objects.get(username="admin"),
                             specs=[DaySpec(datetime.date(2027, 3, 5), False, "临时调整")], reason="管理员调整")
    CalendarDay.objects.filter(date__year=2027).update(confirmed=True)
    assert letter(a, pid, "acceptance") == given


def test_a_letter_given_before_a_name_correction_is_addressed_as_given(api, org, clock):
    """The 受理告知书 of 01-04 went to 巴特儿; the name is corrected to 巴特尔 on 01-06. The letter printed
    again was addressed to 巴特尔, a letter the petitioner never received; one given after the
    correction is addressed to 巴特尔, and the case file says what was corrected."""
    a = api("agent1")
    pid, did = routed(api, org, clock, "2027-01-04", name="巴特儿")
    given = letter(a, pid, "acceptance")
    assert "巴特儿：" in given
    clock.move_to(at("2027-01-06"))
    r = a.post(f"/petitions/{pid}/petitioner/correction", {"name": "巴特尔", "reason": "登记时写错字"})
    assert r.status_code == 200, r.data
    assert letter(a, pid, "acceptance") == given
    clock.move_to(at("2027-01-20"))
    extended(api, did, 5, "需鉴定")
    later = letter(a, pid, "extension")
    assert "巴特尔：" in later and "巴特儿" not in later
    summary = _summary_text(api, pid)
    assert "巴特儿→巴特尔" in summary and "登记时写错字" in summary, summary


def _summary_text(api, pid: int, who: str = "center") -> str:
    archive = archive_members(api, pid, who)
    name = next(n for n in archive.namelist() if "案件摘要" in n)
    return "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(archive.read(name))).pages).split())


# --- E: the 一案双查 and what else was recorded -----------------------------------------------------------

def _review_asked(api, org, clock) -> int:
    """A matter concluded on 2027-01-15, the petitioner dissatisfied and asking for 复查; the clock on
    2027-01-20, the day the center decides."""
    a = api("agent1")
    pid, did = routed(api, org, clock, "2027-01-04")
    clock.move_to(at("2027-01-15"))
    api("dept1").act_disposition(did, "result", {"result": "已核实"})
    a.act(pid, "conclude", {"result": "已核实"})
    a.act(pid, "feedback", {"method": "visit", "satisfaction": "dissatisfied"})
    a.act(pid, "request_review", {"level": "review", "requested_on": "2027-01-15", "reason": "不服"})
    clock.move_to(at("2027-01-20"))
    return pid


def _double_checked(api, org, clock) -> int:
    a, c = api("agent1"), api("center")
    pid = _review_asked(api, org, clock)
    assert c.act(pid, "decide_review", {"upheld": True, "due_on": "2027-02-26", "note": "有理"}).status_code == 200
    dc = c.get("/double_checks").data[0]["id"]
    assert c.post(f"/double_checks/{dc}/assign", {"assignee_id": User.objects.get(username="center").pk}).status_code == 200
    assert c.post(f"/double_checks/{dc}/findings", {"matter_findings": "查事：测量数据错误",
                                                    "handling_findings": "查人：承办人未实地核查",
                                                    "accountability": "约谈承办人"}).status_code == 200
    assert c.post(f"/double_checks/{dc}/close", {"note": "整改到位"}).status_code == 200
    clock.move_to(at("2027-01-25"))
    a.act(pid, "conclude", {"result": "已更正"})
    a.act(pid, "feedback", {"method": "visit", "satisfaction": "satisfied"})
    a.act(pid, "terminate", {"note": "终结"})
    clock.move_to(at("2027-01-27"))
    a.act(pid, "follow_up", {"note": "回访"})
    assert a.act(pid, "archive", {}).status_code == 200
    return pid


def test_the_double_check_findings_are_an_item_of_the_case_file(api, org, clock):
    """archive() says the case file prints its 一案双查, but the findings and the closing note were in no
    file of archive.zip (the timeline blanks them, and no item held them)."""
    pid = _double_checked(api, org, clock)
    archive = archive_members(api, pid)
    rows = index_rows(archive)
    entry = next((r for r in rows if r["题名"] == "一案双查情况记录"), None)
    assert entry is not None, [r["题名"] for r in rows]
    member = next(n for n in archive.namelist() if n.endswith(entry["文件"]))
    text = "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(archive.read(member))).pages).split())
    for said in ("测量数据错误", "承办人未实地核查", "约谈承办人", "整改到位"):
        assert said in text, (said, text)
    # Page numbers run on without a gap over every item of the 卷内目录.
    page = 1
    for row in rows:
        if row["页号"] == "—":
            continue
        first, _, last = row["页号"].partition("-")
        assert int(first) == page, (row, page)
        page = int(last or first) + 1


def test_the_agent_whose_handling_was_examined_does_not_get_the_findings_in_the_case_file(api, org, clock):
    """The agent may not see the 一案双查 (double_checks.py); the case file holds its findings in full,
    so of such a case it is given to the center and the station's leaders, not to the case agent."""
    pid = _double_checked(api, org, clock)
    r = api("agent1").get(f"/petitions/{pid}/archive.zip")
    assert r.status_code == 403, r.status_code
    assert archive_members(api, pid, "leader").namelist()


def test_the_case_file_holds_each_conduct_record_in_full(api, org, clock):
    """A conduct record (缠访闹访) not yet referred was only a line of the timeline (its text in full, but
    nowhere said to be still unreferred); the case file lists each record with whether it was referred."""
    a = api("agent1")
    pid, did = routed(api, org, clock, "2027-01-04")
    clock.move_to(at("2027-01-15"))
    api("dept1").act_disposition(did, "result", {"result": "已核实"})
    a.act(pid, "conclude", {"result": "已核实"})
    a.act(pid, "feedback", {"method": "visit", "satisfaction": "satisfied"})
    a.act(pid, "terminate", {"note": "终结"})
    clock.move_to(at("2027-01-18"))
    note = "在局办公楼大厅滞留不走" + "，反复要求同一诉求" * 40 + "，末尾记录"
    assert a.act(pid, "record_conduct", {"kind": "pestering", "note": note}).status_code == 200
    summary = _summary_text(api, pid)
    assert "终结后行为记录" in summary and "末尾记录" in summary and "未移送" in summary, summary


# --- F: the review letters are signed by the organs that decided them ---------------------------------------

def test_the_review_letters_are_signed_by_the_reviewing_organs(api, org, clock, settings):
    """The 处理意见书 sends the petitioner to 原办理机关的上一级机关; the 复查意见书 was sealed by the bureau
    itself (乌审旗自然资源局), the organ whose handling was reviewed, and so was the 复核意见书."""
    from daiban.org.models import Station

    a, c = api("agent1"), api("center")
    pid = _review_asked(api, org, clock)
    assert c.act(pid, "decide_review", {"upheld": False, "note": "维持"}).status_code == 200
    result, review = letter(a, pid, "result"), letter(a, pid, "review_decision")
    center = Station.objects.get(level=Station.Level.CENTER).name
    assert issuer(result) == settings.DAIBAN_BUREAU_NAME
    assert issuer(review) == center, issuer(review)
    settings.DAIBAN_REVIEW_ORGAN_NAME = "乌审旗人民政府"
    assert issuer(letter(a, pid, "review_decision")) == "乌审旗人民政府"
    clock.move_to(at("2027-01-22"))
    a.act(pid, "request_review", {"level": "re_review", "requested_on": "2027-01-22", "reason": "仍不服"})
    clock.move_to(at("2027-01-28"))
    assert c.act(pid, "decide_review", {"upheld": False, "note": "维持"}).status_code == 200
    assert issuer(letter(a, pid, "re_review_decision")) == settings.DAIBAN_RE_REVIEW_ORGAN_NAME
    settings.DAIBAN_RE_REVIEW_ORGAN_NAME = "鄂尔多斯市人民政府"
    rows = {r["题名"]: r["责任者"] for r in index_rows(archive_members(api, pid))}
    assert rows["复查意见书"] == "乌审旗人民政府" and rows["复核意见书"] == "鄂尔多斯市人民政府", rows
    assert rows["处理意见书"] == settings.DAIBAN_BUREAU_NAME, rows
