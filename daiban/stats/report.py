"""The monthly report: figures, tables, charts and a short generated summary, as DOCX, PDF and XLSX."""

from __future__ import annotations

import base64
import calendar
import datetime
import io

from django.utils import timezone

from daiban.lib.errors import Invalid
from daiban.org.models import Station, User
from daiban.petitions.models import Channel, Source
from daiban.stats import charts, queries
from daiban.stats.kpi import HIGHER_IS_BETTER, RATE_LABELS
from daiban.stats.queries import Period

CHANNELS, SOURCES = dict(Channel.choices), dict(Source.choices)


def parse_month(raw: str) -> Period:
    try:
        year, month = (int(x) for x in raw.split("-"))
        first = datetime.date(year, month, 1)
    except (ValueError, AttributeError) as exc:
        raise Invalid.of({"month": "月份应为YYYY-MM格式，如2026-10"}) from exc
    if not 2000 <= year <= 2099:
        raise Invalid.of({"month": "月份应在2000-01至2099-12之间"})
    return Period(first, first.replace(day=calendar.monthrange(year, month)[1]))


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _change(now: float | None, before: float | None, higher_is_better: bool) -> str:
    if now is None or before is None:
        return "—"
    points = (now - before) * 100
    if abs(points) < 0.05:
        return "持平"
    word = "上升" if points > 0 else "下降"
    good = (points > 0) == higher_is_better
    return f"{word}{abs(points):.1f}个百分点{'' if good else '（需关注）'}"


def collect(user: User, period: Period, station: int | None) -> dict:
    current = queries.scope(user, period, station)
    before = queries.scope(user, Period(*_previous_month(period)), station)
    year_ago = Period((period.start.replace(day=1) - datetime.timedelta(days=335)).replace(day=1), period.end)
    tables_ = queries.breakdowns(current)
    data = {
        "period": period, "station": Station.objects.filter(pk=station).first() if station else None,
        "summary": queries.summary(current), "previous": queries.figures(before),
        "by_category": tables_["category"], "by_station": tables_["station"], "by_agent": tables_["agent"],
        "departments": queries.departments(current, today=timezone.localdate()),
        "follow_ups": queries.follow_ups(current),
        "trend": queries.breakdown(queries.scope(user, year_ago, station), "month", linked=False),
        "generated": timezone.localtime(),
    }
    data["rates"] = [
        {"name": name, "label": label, "now": data["summary"][name], "before": data["previous"][name],
         "now_text": _pct(data["summary"][name]), "before_text": _pct(data["previous"][name]),
         "change": _change(data["summary"][name], data["previous"][name], name in HIGHER_IS_BETTER)}
        for name, label in RATE_LABELS.items()
    ]
    data["text"] = summary_text(data)
    return data


def _previous_month(period: Period) -> tuple[datetime.date, datetime.date]:
    last = period.start - datetime.timedelta(days=1)
    return last.replace(day=1), last


def summary_text(data: dict) -> str:
    s, p = data["summary"], data["period"]
    if not s["received"]:
        return f"{p.start.year}年{p.start.month}月未收到信访事项。"
    rates = {r["name"]: r for r in data["rates"]}
    parts = [
        f"{p.start.year}年{p.start.month}月共收到信访事项{s['received']}件，其中网上信访{s['online']}件"
        f"（{_pct(s['online_rate'])}）；甄别受理{s['screened']}件，受理代办{s['agency']}件，代办率{_pct(s['agency_rate'])}，"
        f"较上月{rates['agency_rate']['change']}。",
        f"代办事项已办结{s['concluded']}件，办结率{_pct(s['closure_rate'])}，按期办结率{_pct(s['on_time_rate'])}；"
        f"已评价{s['rated']}件，满意率{_pct(s['satisfaction_rate'])}，较上月{rates['satisfaction_rate']['change']}。",
        f"重复信访{s['repeat']}件（{_pct(s['repeat_rate'])}），其中多渠道重复{s['multi_channel']}件。",
    ]
    ranked = [d for d in data["departments"] if d["on_time_rate"] is not None]
    if ranked:
        best, most = ranked[0], max(data["departments"], key=lambda d: d["urgings"])
        parts.append(f"事权单位中按期办结率最高的是{best['name']}（{_pct(best['on_time_rate'])}）"
                     + (f"，被催办最多的是{most['name']}（{most['urgings']}次）" if most["urgings"] else "") + "。")
    follow = data["follow_ups"]
    if follow["visited"]:
        parts.append(f"终结回访{follow['visited']}件，15日内完成{_pct(follow['within_rate'])}。")
    return "".join(parts)


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


def tables(data: dict) -> list[tuple[str, list[str], list[list]]]:
    """(title, header, rows): the same tables for DOCX, PDF and XLSX."""
    s = data["summary"]
    kpi = ("主要指标", ["指标", "本月", "上月", "变化"],
           [[r["label"], r["now_text"], r["before_text"], r["change"]] for r in data["rates"]])
    counts = ("基本数据", ["项目", "件数"], [
        ["收到", s["received"]], ["已甄别", s["screened"]], ["受理代办", s["agency"]], ["办结", s["concluded"]],
        ["按期办结", s["concluded_on_time"]], ["已评价", s["rated"]], ["满意（含比较满意）", s["satisfied"]],
        ["重复信访", s["repeat"]], ["多渠道重复", s["multi_channel"]], ["网上信访", s["online"]]])
    head = ["", "收到", "受理代办", "办结", "代办率", "办结率", "满意率"]

    def rows(items, label=lambda x: x["label"]):
        return [[label(i) or "未分类", i["received"], i["agency"], i["concluded"], _pct(i["agency_rate"]),
                 _pct(i["closure_rate"]), _pct(i["satisfaction_rate"])] for i in items]

    return [
        kpi, counts,
        ("按渠道", ["渠道", "件数"], [[CHANNELS.get(k, k), v] for k, v in s["by_channel"].items()]),
        ("按来源", ["来源", "件数"], [[SOURCES.get(k, k), v] for k, v in s["by_source"].items()]),
        ("按内容分类", ["内容分类", *head[1:]], rows(data["by_category"])),
        ("按代办机构", ["代办机构", *head[1:]], rows(data["by_station"])),
        ("按代办员", ["代办员", *head[1:]], rows(data["by_agent"], lambda x: x["label"] or "未指定")),
        ("事权单位排名", ["名次", "事权单位", "处置单", "已办理", "按期", "按期率", "超期未办", "催办次数"],
         [[d["rank"], d["name"], d["dispositions"], d["answered"], d["on_time"], _pct(d["on_time_rate"]), d["overdue"],
           d["urgings"]] for d in data["departments"]]),
        ("月度趋势", ["月份", *head[1:]], rows(data["trend"], lambda x: x["key"])),
    ]


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
    where = data["station"].name if data["station"] else "乌审旗信访代办"
    return f"{where}工作月报（{p.start.year}年{p.start.month}月）"


def render_pdf(data: dict, images: list[tuple[str, bytes]]) -> bytes:
    from daiban.documents.pdf import render_pdf as html_to_pdf

    return html_to_pdf("stats/report.html", {
        "title": title(data), "data": data, "tables": tables(data),
        "images": [(caption, base64.b64encode(png).decode()) for caption, png in images],
    })


def render_docx(data: dict, images: list[tuple[str, bytes]]) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    from daiban.documents.docx import BODY_FONT, TITLE_FONT, _font, _page

    document = Document()
    _page(document)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(heading.add_run(title(data)), TITLE_FONT, Pt(22))
    _font(document.add_paragraph().add_run(data["text"]), BODY_FONT, Pt(14))
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
        for row in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                _font(cell.paragraphs[0].add_run(str(value)), BODY_FONT, Pt(10.5))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render_xlsx(data: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table_title, header, rows in tables(data):
        sheet = workbook.create_sheet(table_title[:31])
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "A2"
        for column, _ in enumerate(header, start=1):
            sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = 16
    summary = workbook.create_sheet("说明", 0)
    summary.append([title(data)])
    summary.append([data["text"]])
    summary["A1"].font = Font(bold=True, size=14)
    summary.column_dimensions["A"].width = 120
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


