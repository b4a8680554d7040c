"""The monthly report (月报) as a bureau issues it: 期号, 报送单位 and 签发 in its head, a generated
summary in paragraphs, charts, and the tables, as DOCX, PDF and XLSX.

The 12-month trend lists every month, empty ones included. In the XLSX the rates are numbers
formatted as percentages; in the text a missing comparison reads 上月无可比数据 (never a dash that
reads as 一). Every text cell of the XLSX is a string cell (documents/safe.py).
"""

from __future__ import annotations

import base64
import calendar
import datetime
import io

from django.conf import settings
from django.utils import timezone

from daiban.documents.layout import SIGN_LINE
from daiban.lib.errors import Invalid
from daiban.lib.validation import month_parts
from daiban.org.models import Station, User
from daiban.petitions.models import Channel, Source
from daiban.stats import charts, queries
from daiban.stats.kpi import HIGHER_IS_BETTER, RATE_LABELS
from daiban.stats.queries import Period

CHANNELS, SOURCES = dict(Channel.choices), dict(Source.choices)


def parse_month(raw: str) -> Period:
    try:
        year, month = month_parts(raw)
        first = datetime.date(year, month, 1)
    except (ValueError, AttributeError) as exc:
        raise Invalid.of({"month": "月份应为YYYY-MM格式，如2026-10"}) from exc
    if not 2000 <= year <= 2099:
        raise Invalid.of({"month": "月份应在2000-01至2099-12之间"})
    return Period(first, first.replace(day=calendar.monthrange(year, month)[1]))


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


NO_COMPARISON = "上月无可比数据"
# A month still running is not compared with the whole month before it (queries.comparison).
RUNNING = "本月尚未结束，不作环比"


def _change(now: float | None, before: float | None, higher_is_better: bool, running: bool = False) -> str:
    if running:
        return RUNNING
    if now is None or before is None:
        return NO_COMPARISON
    points = (now - before) * 100
    if abs(points) < 0.05:
        return "持平"
    word = "上升" if points > 0 else "下降"
    good = (points > 0) == higher_is_better
    return f"{word}{abs(points):.1f}个百分点{'' if good else '（需关注）'}"


def collect(user: User, period: Period, station: int | None) -> dict:
    current = queries.scope(user, period, station)
    compared = queries.comparison(period, timezone.localdate())
    running = compared.previous is None
    before = queries.scope(user, compared.previous or Period(*_previous_month(period)), station)
    tables_ = queries.breakdowns(current)
    data = {
        "period": period, "station": Station.objects.filter(pk=station).first() if station else None,
        "summary": queries.summary(current), "previous": queries.figures(before) if not running else dict.fromkeys(RATE_LABELS),
        "by_category": tables_["category"], "by_station": tables_["station"], "by_agent": tables_["agent"],
        # 超期: deadlines passed in the month, judged as of its last day (or today while it runs).
        "departments": queries.departments(current, period, today=timezone.localdate()),
        "follow_ups": queries.follow_ups(current),
        "trend": queries.twelve_months(user, period.end, station),
        "generated": timezone.localtime(),
    }
    data["rates"] = [
        {"name": name, "label": label, "now": data["summary"][name], "before": data["previous"][name],
         "now_text": _pct(data["summary"][name]), "before_text": _pct(data["previous"][name]),
         "change": _change(data["summary"][name], data["previous"][name], name in HIGHER_IS_BETTER, running)}
        for name, label in RATE_LABELS.items()
    ]
    data["paragraphs"] = summary_paragraphs(data)
    data["text"] = "".join(data["paragraphs"])
    data["issue"] = f"{period.start.year}年第{period.start.month}期"
    data["sender"] = data["station"].name if data["station"] else settings.DAIBAN_BUREAU_NAME
    data["signer"] = settings.DAIBAN_REPORT_SIGNER
    return data


def _previous_month(period: Period) -> tuple[datetime.date, datetime.date]:
    last = period.start - datetime.timedelta(days=1)
    return last.replace(day=1), last


def _compared(rate: dict) -> str:
    return f"（{rate['change']}）" if rate["change"] in (NO_COMPARISON, RUNNING) else f"，较上月{rate['change']}"


def summary_paragraphs(data: dict) -> list[str]:
    """The report's summary, one paragraph per subject."""
    s, p = data["summary"], data["period"]
    if not s["received"]:
        return [f"{p.start.year}年{p.start.month}月未收到信访事项。"]
    rates = {r["name"]: r for r in data["rates"]}
    parts = [
        f"{p.start.year}年{p.start.month}月共收到信访事项{s['received']}件，其中网上信访{s['online']}件"
        f"（占{_pct(s['online_rate'])}）；甄别受理{s['screened']}件，受理代办{s['agency']}件，代办率{_pct(s['agency_rate'])}"
        f"{_compared(rates['agency_rate'])}。",
        f"代办事项已办结{s['concluded']}件，办结率{_pct(s['closure_rate'])}，按期办结率{_pct(s['on_time_rate'])}；"
        f"已评价{s['rated']}件，满意率{_pct(s['satisfaction_rate'])}{_compared(rates['satisfaction_rate'])}。",
        f"重复信访{s['repeat']}件（占{_pct(s['repeat_rate'])}），其中多渠道重复{s['multi_channel']}件。",
    ]
    ranked = [d for d in data["departments"] if d["on_time_rate"] is not None]
    if ranked:
        best, most = ranked[0], max(data["departments"], key=lambda d: d["urgings"])
        parts.append(f"事权单位中按期办结率最高的是{best['name']}（{_pct(best['on_time_rate'])}）"
                     + (f"，被催办最多的是{most['name']}（{most['urgings']}次）" if most["urgings"] else "") + "。")
    follow = data["follow_ups"]
    if follow["visited"]:
        parts.append(f"终结回访{follow['visited']}件，15日内完成{_pct(follow['within_rate'])}。")
    return parts


def summary_text(data: dict) -> str:
    return "".join(summary_paragraphs(data))


def chart_images(data: dict) -> list[tuple[str, bytes]]:
    rates = data["rates"][:4]
    images = [
        ("主要指标", charts.bars("本月主要指标（%）", [r["label"] for r in rates], [r["now"] or 0 for r in rates], percent=True)),
        ("近12个月收到件数与代办率", charts.trend("近12个月收到件数与代办率", [t["key"] for t in data["trend"]],
                                              [t["received"] for t in data["trend"]],
                                              [t["agency_rate"] for t in data["trend"]], "代办率（%）")),
    ]
    if data["by_category"]:
        images.append(("按内容分类", charts.bars("按内容分类（件）", [c["label"] or "未分类" for c in data["by_category"]],
                                                 [c["received"] for c in data["by_category"]], color="#2e86c1")))
    ranked = [d for d in data["departments"] if d["on_time_rate"] is not None]
    if ranked:
        images.append(("事权单位按期办结率", charts.bars("事权单位按期办结率（%）", [d["name"] for d in ranked],
                                                      [d["on_time_rate"] for d in ranked], percent=True, color="#27ae60")))
    return images


RATE_HEADERS = {"本月", "上月", "代办率", "办结率", "满意率", "按期率"}


def tables(data: dict) -> list[tuple[str, list[str], list[list]]]:
    """(title, header, rows): the same tables for DOCX, PDF and XLSX. Rates stay numbers (0–1 or
    None) here: the XLSX keeps them as numbers, DOCX and PDF print them through `shown`."""
    s = data["summary"]
    kpi = ("主要指标", ["指标", "本月", "上月", "变化"],
           [[r["label"], r["now"], r["before"], r["change"]] for r in data["rates"]])
    counts = ("基本数据", ["项目", "件数"], [
        ["收到", s["received"]], ["已甄别", s["screened"]], ["受理代办", s["agency"]], ["办结", s["concluded"]],
        ["按期办结", s["concluded_on_time"]], ["已评价", s["rated"]], ["满意（含比较满意）", s["satisfied"]],
        ["重复信访", s["repeat"]], ["多渠道重复", s["multi_channel"]], ["网上信访", s["online"]]])
    head = ["", "收到", "受理代办", "办结", "代办率", "办结率", "满意率"]

    def rows(items, label=lambda x: x["label"]):
        return [[label(i) or "未分类", i["received"], i["agency"], i["concluded"], i["agency_rate"],
                 i["closure_rate"], i["satisfaction_rate"]] for i in items]

    return [
        kpi, counts,
        ("按渠道", ["渠道", "件数"], [[CHANNELS.get(k, k), v] for k, v in s["by_channel"].items()]),
        ("按来源", ["来源", "件数"], [[SOURCES.get(k, k), v] for k, v in s["by_source"].items()]),
        ("按内容分类", ["内容分类", *head[1:]], rows(data["by_category"])),
        ("按代办机构", ["代办机构", *head[1:]], rows(data["by_station"])),
        ("按代办员", ["代办员", *head[1:]], rows(data["by_agent"], lambda x: x["label"] or "未指定")),
        ("事权单位排名", ["名次", "事权单位", "处置单", "已办理", "按期", "按期率", "超期", "催办次数"],
         [[d["rank"], d["name"], d["dispositions"], d["answered"], d["on_time"], d["on_time_rate"], d["overdue"],
           d["urgings"]] for d in data["departments"]]),
        ("月度趋势（近12个月）", ["月份", *head[1:]], rows(data["trend"], lambda x: x["key"])),
    ]


def shown(header: list[str], rows: list[list]) -> list[list[str]]:
    """The rows as printed: rates as 75.0%, a missing rate as 无."""
    rate_columns = {i for i, h in enumerate(header) if h in RATE_HEADERS}
    return [[("无" if v is None else _pct(v)) if i in rate_columns else ("" if v is None else str(v))
             for i, v in enumerate(row)] for row in rows]


def render(user: User, period: Period, station: int | None, fmt: str) -> tuple[bytes, str]:
    data = collect(user, period, station)
    name = f"信访代办月报-{period.start:%Y年%m月}"
    if fmt == "xlsx":
        return render_xlsx(data), f"{name}.xlsx"
    images = chart_images(data)
    if fmt == "pdf":
        return render_pdf(data, images), f"{name}.pdf"
    return render_docx(data, images), f"{name}.docx"


def title(data: dict) -> str:
    p = data["period"]
    where = data["station"].name if data["station"] else f"{settings.DAIBAN_REGION_NAME}信访代办"
    return f"{where}工作月报（{p.start.year}年{p.start.month}月）"


def head_lines(data: dict) -> tuple[str, str]:
    """The report's head: 期号, then 报送单位, 签发 and the date."""
    today = data["generated"].date()
    signer = data["signer"] or SIGN_LINE  # no DAIBAN_REPORT_SIGNER: a line to sign on
    return data["issue"], f"报送单位：{data['sender']}　　签发：{signer}　　{today.year}年{today.month}月{today.day}日"


def render_pdf(data: dict, images: list[tuple[str, bytes]]) -> bytes:
    from daiban.documents.pdf import measures
    from daiban.documents.pdf import render_pdf as html_to_pdf

    return html_to_pdf("stats/report.html", {
        "m": measures(), "title": title(data), "data": data, "head": head_lines(data),
        "tables": [(t, h, shown(h, rows)) for t, h, rows in tables(data)],
        "images": [(caption, base64.b64encode(png).decode()) for caption, png in images],
    })


def render_docx(data: dict, images: list[tuple[str, bytes]]) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    from daiban.documents.docx import (
        BODY_FONT,
        TITLE_FONT,
        _font,
        _page,
        official_document,
        official_page_numbers,
    )
    from daiban.documents.safe import clean

    document = official_document()
    _page(document)
    official_page_numbers(document.sections[0])  # — N — at the outer side, as the PDF (GB/T 9704 §7.5)
    for paragraph in list(document.paragraphs):
        paragraph._p.getparent().remove(paragraph._p)
    props = document.core_properties
    props.author = props.last_modified_by = settings.DAIBAN_BUREAU_NAME
    props.title, props.created = title(data), timezone.now().replace(microsecond=0)
    props.modified = props.last_printed = props.created
    props.revision, props.comments, props.keywords = 1, "", ""
    masthead = document.add_paragraph()
    masthead.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = masthead.add_run("信访代办工作月报")
    _font(run, TITLE_FONT, Pt(30))
    run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    issue, line = head_lines(data)
    for text, align in ((issue, WD_ALIGN_PARAGRAPH.CENTER), (line, WD_ALIGN_PARAGRAPH.LEFT)):
        paragraph = document.add_paragraph()
        paragraph.alignment = align
        _font(paragraph.add_run(text), BODY_FONT, Pt(14))
    # The red rule under the head (版头分隔线).
    rule = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "12"), ("space", "1"), ("color", "C00000")):
        bottom.set(qn(f"w:{key}"), value)
    rule.append(bottom)
    paragraph._p.get_or_add_pPr().insert(0, rule)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(heading.add_run(title(data)), TITLE_FONT, Pt(22))
    for text in data["paragraphs"]:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(32)
        _font(paragraph.add_run(clean(text)), BODY_FONT, Pt(16))
    for caption, png in images:
        document.add_picture(io.BytesIO(png), width=Mm(150))
        cap = document.add_paragraph()
        cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(cap.add_run(caption), BODY_FONT, Pt(10.5))
    for table_title, header, rows in tables(data):
        _font(document.add_paragraph().add_run(table_title), BODY_FONT, Pt(14), bold=True)
        table = document.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            _font(cell.paragraphs[0].add_run(str(text)), BODY_FONT, Pt(10.5), bold=True)
        for row in shown(header, rows):
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                _font(cell.paragraphs[0].add_run(clean(value)), BODY_FONT, Pt(10.5))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render_xlsx(data: dict) -> bytes:
    """One sheet for the summary (a paragraph a row, wrapped), one per table; rates as numbers
    formatted 0.0%; every text a string cell; each sheet fits the page width when printed."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.properties import PageSetupProperties

    from daiban.documents.safe import sheet_text
    from daiban.lib.xlsx import PAGE_FOOTER, formula_like

    def put(sheet, row: int, column: int, value, **style):
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, str):
            cell.value = sheet_text(value)
            cell.data_type = "s"  # never a formula, whatever the text begins with
            cell.quotePrefix = formula_like(cell.value)  # nor once edited or saved as CSV (lib.xlsx)
        else:
            cell.value = value
        for key, item in style.items():
            setattr(cell, key, item)
        return cell

    def fit(sheet, landscape: bool = False) -> None:
        sheet.page_setup.paperSize = 9  # A4
        sheet.page_setup.orientation = "landscape" if landscape else "portrait"
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        sheet.oddFooter.center.text = PAGE_FOOTER  # printed pages numbered, as the ledger's are

    workbook = Workbook()
    workbook.remove(workbook.active)
    wrap = Alignment(wrap_text=True, vertical="top")
    for table_title, header, rows in tables(data):
        sheet = workbook.create_sheet(table_title[:31])
        rate_columns = {i for i, h in enumerate(header) if h in RATE_HEADERS}
        for column, text in enumerate(header, start=1):
            put(sheet, 1, column, text, font=Font(bold=True))
            sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = 16 if column > 1 else 22
        for r, row in enumerate(rows, start=2):
            for c, value in enumerate(row):
                cell = put(sheet, r, c + 1, value, alignment=wrap)
                if c in rate_columns and value is not None:
                    cell.number_format = "0.0%"
        sheet.freeze_panes = "A2"
        sheet.print_title_rows = "1:1"
        fit(sheet, landscape=len(header) > 5)
    summary = workbook.create_sheet("说明", 0)
    summary.column_dimensions["A"].width = 68  # about 33 Chinese characters: inside an A4 page with its margins
    issue, line = head_lines(data)
    put(summary, 1, 1, title(data), font=Font(bold=True, size=16), alignment=Alignment(horizontal="center"))
    put(summary, 2, 1, issue, alignment=Alignment(horizontal="center"))
    put(summary, 3, 1, line, alignment=wrap)
    for row, text in enumerate(data["paragraphs"], start=5):
        put(summary, row, 1, "　　" + text, alignment=wrap)
        # LibreOffice and Excel do not grow a row for wrapped text written by a program: set it.
        units = (len(text.encode()) + len(text)) / 2 + 4  # 2 units a Chinese character, and the indent
        summary.row_dimensions[row].height = 15 * (int(units // 64) + 1)
    put(summary, 5 + len(data["paragraphs"]) + 1, 1,
        f"生成时间：{data['generated']:%Y-%m-%d %H:%M}", font=Font(size=9, color="666666"))
    fit(summary)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
