"""台账: one row per petition, as a bureau keeps its ledger, written as a streaming XLSX with XlsxWriter
in constant-memory mode: rows go to disk as they are read (inline strings, no shared-string table),
so 100,000 rows stay well under 300 MB and 30 s. openpyxl's write-only mode builds two cell objects
per value and took several times longer for the 26 columns.

Title and period rows on top, the header row repeated on every printed page, panes frozen under the
header and after 编号, filters on the header, long text wrapped, landscape A3 fitted to the page
width. 身份证号 and 联系电话 appear only for users who may see some petitioner's full data; in a row the
user may not see in full they are masked (permissions.may_see_personal_data decides, per row).

Every text cell is written as a string cell (never a formula: `=1+2` stays text) and cleaned of
what XML cannot carry (safe.py), whatever the database holds.
"""

from __future__ import annotations

import datetime
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from types import SimpleNamespace
from typing import cast

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone
from openpyxl.cell import WriteOnlyCell

from daiban.documents.safe import sheet_text
from daiban.lib import crypto
from daiban.lib.identity import mask_address, mask_id_number, mask_name, mask_phone
from daiban.lib.xlsx import PAGE_FOOTER, formula_like
from daiban.org.models import User
from daiban.petitions.abilities import may, may_see_personal_data
from daiban.petitions.choices import status_label
from daiban.petitions.models import (
    Channel,
    ContactMethod,
    Disposition,
    PersonalDataView,
    Petition,
    Review,
    Satisfaction,
    Source,
    Status,
)

# (header, width in characters, kind): kind "text" wraps, "date" is a date cell, "short" does not wrap.
COLUMNS = [
    ("序号", 6, "short"), ("编号", 16, "short"), ("收到日期", 11, "date"), ("受理日期", 11, "date"),
    ("信访人", 9, "text"), ("身份证号", 20, "short"), ("联系电话", 14, "short"), ("住址", 22, "text"),
    ("反映问题", 48, "text"), ("渠道", 6, "short"), ("来源", 12, "text"), ("内容分类", 12, "text"),
    ("代办员", 9, "text"), ("流转单位", 22, "text"), ("流转日期", 11, "date"), ("办结时限", 11, "date"),
    ("催办次数", 6, "short"), ("办结日期", 11, "date"), ("是否按期", 6, "short"), ("反馈方式", 9, "short"),
    ("满意度", 9, "short"), ("复查/复核", 16, "text"), ("终结日期", 11, "date"), ("回访日期", 11, "date"),
    ("归档日期", 11, "date"), ("状态", 11, "text"),
]
PERSONAL = {"身份证号", "联系电话"}
LABELS = {
    "channel": dict(Channel.choices), "source": dict(Source.choices), "satisfaction": dict(Satisfaction.choices),
    "status": dict(Status.choices), "method": dict(ContactMethod.choices),
}
# The petitioner as registered with each petition (its snapshot), the ID number from the person.
FIELDS = ["id", "number", "received_on", "accepted_on", "petitioner_name", "petitioner__id_number_enc",
          "petitioner_phone_enc", "petitioner_address", "content", "channel", "source", "category", "agent__name",
          "due_on", "concluded_on", "feedback_method", "satisfaction", "terminated_on", "followed_up_on",
          "archived_on", "status", "agent_id", "station_id", "review_level", "concluded_late",
          "complained_department_id"]


def _dispositions(petitions: QuerySet[Petition], department: int | None = None,
                  ) -> dict[int, tuple[list[str], datetime.date | None, int]]:
    """petition id → (departments in routing order, first routing day, urgings), one grouped query;
    `department`: only that department's 处置单 (a department does not see the others' work). A
    department that returned its 处置单 (not its competence) is named "（已退回）" unless it holds
    another 处置单 of the matter."""
    found: dict[int, tuple[list[str], datetime.date | None, int]] = {}
    mine = Disposition.objects.filter(department_id=department) if department else Disposition.objects.all()
    rows = (mine.filter(petition__in=petitions.values("id")).order_by("petition_id", "id")
            .values_list("petition_id", "department__name", "routed_on", "status").annotate(urged=Count("urgings")))
    for petition_id, name, routed, status, urged in rows.iterator(chunk_size=5000):
        names, first, total = found.get(petition_id, ([], None, 0))
        returned = f"{name}（已退回）"
        if status == Disposition.State.RETURNED:
            if name not in names and returned not in names:
                names.append(returned)
        elif name not in names:
            names[:] = [n for n in names if n != returned]
            names.append(name)
        found[petition_id] = (names, min(first, routed) if first else routed, total + urged)
    return found


def _reviews(petitions: QuerySet[Petition]) -> dict[int, str]:
    found: dict[int, list[str]] = defaultdict(list)
    rows = (Review.objects.filter(petition__in=petitions.values("id")).order_by("petition_id", "id")
            .values_list("petition_id", "level", "upheld", "decided_on"))
    for petition_id, level, upheld, decided in rows.iterator(chunk_size=5000):
        word = "复查" if level == Review.Level.REVIEW else "复核"
        outcome = "中" if decided is None else ("：有理" if upheld else "：维持")
        found[petition_id].append(word + outcome)
    return {pid: "；".join(parts) for pid, parts in found.items()}


def _on_time(concluded: datetime.date | None, late: bool) -> str:
    """是否按期: the statistics' 按期办结 (stats.kpi, `Petition.concluded_late`: every conclusion met
    the limit in force when it was made); blank while not concluded."""
    if not concluded:
        return ""
    return "否" if late else "是"


LINE_PT, MAX_ROW_PT = 13.5, 409  # a 10 pt line; Excel's tallest row


def _row_height(values: list, widths: Sequence[float]) -> float | None:
    """The height a row needs for its wrapped text: neither Excel nor LibreOffice grows a row
    written by a program, so a row of one line would hide the rest of 反映问题 on paper. A Chinese
    character takes about two units of column width."""
    lines = 1
    for value, width in zip(values, widths, strict=True):
        if width and isinstance(value, str) and len(value) * 2 > width:
            per_line = max(width - 1.5, 1)
            # (UTF-8 bytes + characters) / 2: 2 units for a Chinese character, 1 for ASCII, without a
            # Python loop over the characters of 100,000 rows.
            count = sum(max(1, -(-((len(part.encode()) + len(part)) / 2) // per_line)) for part in value.split("\n"))
            lines = max(lines, int(count))
    return min(MAX_ROW_PT, lines * LINE_PT + 2) if lines > 1 else None


def _may_see_any(user: User) -> bool:
    return may(user, "work_cases")


def _identity_hidden(user: User | None) -> bool:
    """A department that must not learn who complained (Department.sees_identity off) gets the name
    and address masked too (《信访工作条例》; selectors.petitioner_view decides the same per petition)."""
    return bool(user is not None and user.department is not None and not user.department.sees_identity
                and not may(user, "work_cases"))


class _Cells:
    """Typed cells for openpyxl's write-only sheets (the tests' and other small writers): text is a
    string cell even when it begins with =, never a formula."""

    def __init__(self, sheet) -> None:
        self.sheet = sheet

    def make(self, value, kind: str = "text") -> WriteOnlyCell:
        if isinstance(value, str):
            value = sheet_text(value)
        cell = WriteOnlyCell(self.sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
            cell.quotePrefix = formula_like(value)
        return cell


def write_ledger(petitions: QuerySet[Petition], *, title: str, user: User | None = None,
                 start: datetime.date | None = None, end: datetime.date | None = None):
    """Write the ledger to a temporary file and return it, positioned at the start."""
    import xlsxwriter

    personal = user is not None and _may_see_any(user)
    hide_identity = _identity_hidden(user)
    columns = [c for c in COLUMNS if personal or c[0] not in PERSONAL]
    kinds = [kind for _, _, kind in columns]
    wrap_widths = [width if kind == "text" else 0 for _, width, kind in columns]
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (returned open: the response streams and closes it)
    workbook = xlsxwriter.Workbook(handle, {"constant_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False, "strings_to_urls": False})
    now = timezone.now()
    workbook.set_properties({"title": sheet_text(title), "author": settings.DAIBAN_BUREAU_NAME,
                             "created": now.replace(tzinfo=None)})
    sheet = workbook.add_worksheet(_sheet_name(title))
    base = {"font_name": "宋体", "font_size": 10, "border": 1, "border_color": "#808080", "valign": "top"}
    formats = {
        "text": workbook.add_format({**base, "text_wrap": True}),
        "short": workbook.add_format(base),
        "date": workbook.add_format({**base, "num_format": "yyyy-mm-dd", "align": "center"}),
    }
    quoted = {"text": workbook.add_format({**base, "text_wrap": True, "quote_prefix": True}),
              "short": workbook.add_format({**base, "quote_prefix": True})}
    quoted["date"] = quoted["short"]
    header_format = workbook.add_format({"font_name": "宋体", "font_size": 10, "bold": True, "bg_color": "#DDEBF7",
                                         "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True})
    for index, (_, width, _) in enumerate(columns):
        sheet.set_column(index, index, width)
    last = len(columns) - 1
    sheet.freeze_panes(3, 2)  # the header stays while scrolling, and 序号 and 编号 beside each row
    sheet.repeat_rows(2)  # the header row on every printed page
    sheet.set_landscape()
    sheet.set_paper(8)  # A3
    sheet.fit_to_pages(1, 0)  # fit to the page width, as many pages down as needed
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.hide_gridlines(0)  # print the grid: empty cells are not written, the grid still frames them

    sheet.set_header("&C信访代办台账")
    sheet.set_footer(f"&C{PAGE_FOOTER}")

    today = timezone.localdate()
    period = (f"统计期间：{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日（按收到日期）　"
              if start and end else "")
    sheet.set_row(0, 30)
    sheet.merge_range(0, 0, 0, last, f"{settings.DAIBAN_BUREAU_NAME}信访代办台账",
                      workbook.add_format({"font_name": "宋体", "font_size": 18, "bold": True, "align": "center"}))
    sheet.merge_range(1, 0, 1, last, f"{period}制表日期：{today.year}年{today.month}月{today.day}日",
                      workbook.add_format({"font_name": "宋体", "font_size": 10}))
    for index, (name, _, _) in enumerate(columns):
        sheet.write_string(2, index, name, header_format)

    # A department's own export names only its own 处置单 (not the other departments asked to act).
    only = user.department_id if user is not None and user.department_id and not may(user, "work_cases") else None
    routed = _dispositions(petitions, only)
    reviews = _reviews(petitions)
    seen_full: list[int] = []
    rows = petitions.order_by("received_on", "id").values_list(*FIELDS)
    count = 0
    for row in rows.iterator(chunk_size=5000):
        (pid, number, received, accepted, name, id_enc, phone_enc, address, content, channel, source, category,
         agent, due, concluded, feedback_method, satisfaction, terminated, followed, archived, status, agent_id,
         station_id, review_level, concluded_late, complained) = row
        count += 1
        departments, routed_on, urged = routed.get(pid, ([], None, 0))
        if hide_identity or (only is not None and complained == only):  # the unit complained about
            name, address = mask_name(name), mask_address(address)
        values = [count, number, received, accepted, name]
        if personal:
            id_number, phone = crypto.decrypt(id_enc), crypto.decrypt(phone_enc)
            # The rule reads only the petition's station and agent: no need to load each row.
            row_petition = cast(Petition, SimpleNamespace(pk=pid, agent_id=agent_id, station_id=station_id))
            if user is not None and may_see_personal_data(user, row_petition):
                seen_full.append(pid)
            else:
                id_number, phone = mask_id_number(id_number), mask_phone(phone)
            values += [id_number, phone]
        values += [
            address, content, LABELS["channel"].get(channel, channel), LABELS["source"].get(source, source),
            category, agent or "", "、".join(departments), routed_on, due, urged or None, concluded,
            _on_time(concluded, concluded_late),  # the statistics' rule (stats.kpi, concluded_on_time)
            # A department's own export: the petitioner's opinion and the review are not its to see
            # (selectors.petition_detail hides them from a department-only viewer too).
            "" if only else LABELS["method"].get(feedback_method, ""),
            "" if only else LABELS["satisfaction"].get(satisfaction, ""), "" if only else reviews.get(pid, ""),
            terminated, followed, archived,
            status_label(status, review_level),
        ]
        line = 2 + count
        height = _row_height(values, wrap_widths)
        if height:
            sheet.set_row(line, height)
        for col, (value, kind) in enumerate(zip(values, kinds, strict=True)):
            if value is None or value == "":
                continue  # an empty cell costs as much as a full one: the printed grid draws it
            if isinstance(value, str):
                text = sheet_text(value)[:32767]
                # Text, never a formula; one that looks like one keeps the quote prefix (lib.xlsx).
                sheet.write_string(line, col, text, quoted[kind] if formula_like(text) else formats[kind])
            elif isinstance(value, datetime.date):
                sheet.write_datetime(line, col, value, formats["date"])
            else:
                sheet.write_number(line, col, value, formats[kind])
    sheet.autofilter(2, 0, 2 + count, last)
    workbook.close()
    if seen_full and user is not None:
        # Full ID and phone numbers were exported: logged per petition, as every other view is
        # (in batches, so 100,000 log rows never sit in memory at once).
        for first in range(0, len(seen_full), 5000):
            PersonalDataView.objects.bulk_create(
                [PersonalDataView(user=user, petition_id=pid, fields="id_number,phone", via="ledger")
                 for pid in seen_full[first:first + 5000]])
    handle.seek(0)
    return handle


def _sheet_name(title: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    name = "".join(ch for ch in sheet_text(title) if ch not in "[]:*?/\\")[:31].strip("'")
    return name or "台账"
