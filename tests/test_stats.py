"""The plan's figures, checked on a small known set of petitions (API.md, Statistics)."""

import datetime
import io
import re

import pytest
from django.test import Client
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from daiban.org.models import User
from tests.factories import COMPLAINT, OTHER_MATTER, PARAPHRASE, id_number

TZ = datetime.timezone(datetime.timedelta(hours=8))
SEPT = {"from": "2026-09-01", "to": "2026-09-30"}


@pytest.fixture
def known(api, org, clock):
    """Seven petitions; six received in September 2026 (see each line)."""
    agent, dept = api("agent1"), api("dept1")

    def make(received_on, channel="visit", source="self", serial=None, content=OTHER_MATTER, category="不动产登记"):
        body = {"channel": channel, "source": source, "received_on": received_on, "content": content, "category": category,
                "petitioner": {"name": "甲", "id_number": id_number(serial=serial), "phone": "13912345678"}}
        response = agent.post("/petitions", body)
        assert response.status_code == 201, response.data
        return response.data["id"]

    def to_concluded(pid, department=0):
        agent.act(pid, "screen", {"outcome": "agency", "agent_id": org.agent1.pk})
        did = agent.act(pid, "route", {"departments": [org.departments[department].pk], "track": "standard"}).data["dispositions"][0]["id"]
        return did

    ids = {}
    ids["A"] = make("2026-09-01", serial=1, content=COMPLAINT, category="征地拆迁补偿")  # agency, on time, satisfied
    did = to_concluded(ids["A"])
    agent.act(ids["A"], "urge", {"disposition_id": did})
    dept.act_disposition(did, "result", {"result": "已办"})
    agent.act(ids["A"], "conclude", {"result": "已办结"})
    agent.act(ids["A"], "feedback", {"method": "visit", "satisfaction": "satisfied"})
    ids["B"] = make("2026-09-02", channel="phone", source="hotline_12345", serial=2)  # agency, concluded late
    did_b = to_concluded(ids["B"], department=1)
    ids["C"] = make("2026-09-03", channel="online", serial=3)  # screened: direct reply
    agent.act(ids["C"], "screen", {"outcome": "direct_reply", "reply": "政策解释"})
    ids["D"] = make("2026-09-04", channel="letter", source="village", serial=4, category="")  # not screened
    ids["E"] = make("2026-09-05", channel="phone", serial=1, content=PARAPHRASE, category="征地拆迁补偿")  # repeat of A
    ids["G"] = make("2026-09-06", channel="online", serial=6)  # agency, on time, dissatisfied
    did_g = to_concluded(ids["G"])
    dept.act_disposition(did_g, "result", {"result": "已办"})
    agent.act(ids["G"], "conclude", {"result": "已办结"})
    agent.act(ids["G"], "feedback", {"method": "phone", "satisfaction": "dissatisfied"})
    ids["F"] = make("2026-08-20", serial=7)  # August: screened in September, outside the period
    to_concluded(ids["F"])
    clock.move_to(datetime.datetime(2026, 10, 20, 10, tzinfo=TZ))
    api("dept2").act_disposition(did_b, "result", {"result": "迟办"})
    agent.act(ids["B"], "conclude", {"result": "已办结"})
    return ids


def test_the_contract_figures(api, known):
    s = api("center").get("/stats", **SEPT).data
    assert {k: s[k] for k in ("received", "screened", "agency", "concluded", "concluded_on_time", "rated")} == {
        "received": 6, "screened": 4, "agency": 3, "concluded": 3, "concluded_on_time": 2, "rated": 2}
    assert s["agency_rate"] == 0.75
    assert s["closure_rate"] == 1.0
    assert s["on_time_rate"] == round(2 / 3, 4)
    assert s["satisfaction_rate"] == 0.5
    assert s["repeat_rate"] == round(1 / 6, 4)
    assert s["multi_channel_rate"] == round(1 / 6, 4)
    assert s["online_rate"] == round(2 / 6, 4)
    assert s["by_channel"] == {"visit": 2, "phone": 2, "online": 2, "letter": 1} or s["by_channel"] == {
        "online": 2, "phone": 2, "visit": 1, "letter": 1}
    assert sum(s["by_channel"].values()) == 6
    assert s["by_source"]["hotline_12345"] == 1 and s["by_status"]["received"] == 2
    assert s["by_category"] == {"不动产登记": 3, "征地拆迁补偿": 2, "未分类": 1}


def test_an_empty_period_gives_null_rates(api, known):
    s = api("center").get("/stats", **{"from": "2025-01-01", "to": "2025-01-31"}).data
    assert s["received"] == 0
    assert all(s[r] is None for r in ("agency_rate", "closure_rate", "on_time_rate", "satisfaction_rate",
                                       "repeat_rate", "multi_channel_rate", "online_rate"))


def test_screened_in_one_period_counts_in_the_period_it_was_received(api, known):
    august = api("center").get("/stats", **{"from": "2026-08-01", "to": "2026-08-31"}).data
    assert august["received"] == 1 and august["agency"] == 1 and august["agency_rate"] == 1.0


def test_a_repeat_by_the_same_channel_is_not_multi_channel(api, known, org):
    api("agent1").post("/petitions", {"channel": "phone", "source": "hotline_12345", "received_on": "2026-09-20",
                                      "content": OTHER_MATTER,
                                      "petitioner": {"name": "乙", "id_number": id_number(serial=2), "phone": "13912345678"}})
    s = api("center").get("/stats", **SEPT).data
    assert (s["repeat"], s["multi_channel"]) == (2, 1)


def test_breakdowns(api, known):
    by_month = api("center").get("/stats/breakdown", by="month", **{"from": "2026-08-01", "to": "2026-09-30"}).data
    assert [(r["key"], r["received"]) for r in by_month] == [("2026-08", 1), ("2026-09", 6)]
    by_channel = {r["key"]: r for r in api("center").get("/stats/breakdown", by="channel", **SEPT).data}
    assert by_channel["online"]["received"] == 2 and by_channel["online"]["agency"] == 1
    by_agent = api("center").get("/stats/breakdown", by="agent", **SEPT).data
    assert {r["label"] for r in by_agent} == {"王建国", None}
    assert api("center").get("/stats/breakdown", by="planet", **SEPT).status_code == 400


def test_department_ranking_by_on_time_rate_and_urgings(api, known, org):
    rows = api("center").get("/stats/departments", **SEPT).data
    assert [(r["name"], r["on_time_rate"], r["urgings"], r["rank"]) for r in rows] == [
        (org.departments[0].name, 1.0, 1, 1), (org.departments[1].name, 0.0, 0, 2)]


def test_follow_up_share_and_repeats_list(api, known):
    api("agent1").act(known["A"], "terminate")
    api("agent1").act(known["A"], "follow_up", {"visited_on": "2026-10-20"})
    f = api("center").get("/stats/follow_ups", **SEPT).data
    assert (f["terminated"], f["visited"], f["within"]) == (1, 1, 1)  # terminated 10-20, visited the same day
    assert f["within_rate"] == 1.0
    [repeat] = api("center").get("/stats/repeats", **SEPT).data
    assert repeat["id"] == known["E"] and repeat["earlier"]["id"] == known["A"] and repeat["multi_channel"] is True


def test_station_scope_and_permission(api, known, org):
    assert api("agent12").get("/stats", **SEPT).data["received"] == 0  # another station's agent
    assert api("agent1").get("/stats", **SEPT).data["received"] == 6
    assert api("center").get("/stats", station=org.galutu.pk, **SEPT).data["received"] == 0
    assert api("agent12").get("/stats", station=org.bureau.pk, **SEPT).status_code == 404
    assert api("dept1").get("/stats", **SEPT).status_code == 403


def test_every_figure_links_to_the_petitions_behind_it(api, known):
    client = Client()
    client.force_login(User.objects.get(username="center"))
    page = client.get("/staff/stats/", SEPT).content.decode()
    assert re.search(r'data-kpi="agency_rate"[^>]*>75\.0%<', page)
    for kpi, expected in [("agency", 3), ("concluded_on_time", 2), ("repeat", 1), ("multi_channel", 1), ("online", 2),
                          ("satisfied", 1), ("rated", 2)]:
        assert f"kpi={kpi}" in page
        listed = client.get("/staff/petitions/", {"received_from": "2026-09-01", "received_to": "2026-09-30", "kpi": kpi})
        assert f"共 {expected} 件" in listed.content.decode(), kpi
    assert "category=%E5%BE%81" in page  # 征地拆迁补偿 links to its petitions


def test_monthly_report_files(api, known):
    docx = api("center").get("/stats/report.docx", month="2026-09")
    assert docx.status_code == 200
    document = Document(io.BytesIO(docx.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "工作月报（2026年9月）" in text and "共收到信访事项6件" in text and "代办率75.0%" in text
    assert len(document.inline_shapes) >= 3  # the charts
    headers = [t.rows[0].cells[0].text for t in document.tables]
    assert "指标" in headers and "名次" in headers
    pdf = api("center").get("/stats/report.pdf", month="2026-09")
    pdf_text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "共收到信访事项6件" in pdf_text and "事权单位排名" in pdf_text
    xlsx = api("center").get("/stats/report.xlsx", month="2026-09")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[0] == "说明" and "主要指标" in book.sheetnames
    kpis = {row[0].value: row[1] for row in book["主要指标"].iter_rows(min_row=2)}
    # Rates are numbers shown as percentages (issue 13), not text.
    assert kpis["代办率"].value == 0.75 and kpis["满意率"].value == 0.5
    assert kpis["代办率"].number_format == "0.0%"
    assert api("center").get("/stats/report.pdf", month="2026-13").status_code == 400


def test_dashboard_page_and_report_links(api, known):
    client = Client()
    client.force_login(User.objects.get(username="leader"))
    page = client.get("/staff/stats/", SEPT).content.decode()
    assert "事权单位排名" in page and 'data-report="pdf"' in page and "echarts.min.js" in page
    assert client.get("/staff/stats/report.xlsx", {"month": "2026-09"}).status_code == 200
    dept = Client()
    dept.force_login(User.objects.get(username="dept1"))
    assert dept.get("/staff/stats/").status_code == 404


def test_monthly_report_reads_as_a_bureaus_report(api, known):
    """Issue 13: 期号, 报送单位, 签发; every month of the trend; the summary in paragraphs; no dash
    after 较上月 (it reads as 一); rates as numbers in the XLSX."""
    xlsx = api("center").get("/stats/report.xlsx", month="2026-09")
    book = load_workbook(io.BytesIO(xlsx.content))
    trend = [row[0] for row in book["月度趋势（近12个月）"].iter_rows(min_row=2, values_only=True)]
    assert trend == [f"{y}-{m:02d}" for y, m in [(2025, 10), (2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 10)]]
    notes = [row[0] for row in book["说明"].iter_rows(values_only=True) if row[0]]
    assert notes[1] == "2026年第9期" and "报送单位：乌审旗自然资源局" in notes[2] and "签发：" in notes[2]
    paragraphs = [n for n in notes if n.startswith("　　")]
    assert len(paragraphs) >= 3 and "共收到信访事项6件" in paragraphs[0]
    for cell in book["说明"]["A"]:
        assert cell.data_type in ("s", "n")
    text = "".join(notes)
    assert "较上月—" not in text and "较上月一" not in text
    docx = Document(io.BytesIO(api("center").get("/stats/report.docx", month="2026-09").content))
    lines = [p.text for p in docx.paragraphs]
    assert "2026年第9期" in lines and any("签发" in line for line in lines)
    assert docx.core_properties.author == "乌审旗自然资源局" and docx.core_properties.created.year == 2026
    assert not any("较上月—" in line for line in lines)


def test_a_matter_answered_at_the_door_and_archived_is_not_a_concluded_agency_matter(api, known):
    """办结率 = concluded agency matters ÷ agency (found by a new user: an archived direct reply was
    counted as concluded, by the KPI, the list behind it and the per-agent breakdown)."""
    agent = api("agent1")
    assert agent.act(known["C"], "archive", {}).status_code == 200
    s = api("center").get("/stats", **SEPT).data
    assert (s["concluded"], s["agency"], s["closure_rate"]) == (3, 3, 1.0)
    from daiban.petitions.models import Petition
    from daiban.stats.kpi import CONDITIONS

    # The list behind the figure (the staff list's `kpi` filter) uses the same condition.
    assert not Petition.objects.filter(CONDITIONS["concluded"], pk=known["C"]).exists()
