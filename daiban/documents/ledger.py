"""台账: one row per petition, written as a streaming XLSX (openpyxl write-only mode)."""

from __future__ import annotations

import datetime
import tempfile
from collections import defaultdict

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from daiban.lib.identity import mask_name
from daiban.petitions.models import Channel, Disposition, Petition, Satisfaction, Source, Status, Track

COLUMNS = [
    ("编号", 17), ("收到日期", 12), ("渠道", 7), ("来源", 16), ("信访人", 10), ("内容摘要", 40), ("内容分类", 12),
    ("代办员", 10), ("事权单位", 28), ("办理类别", 14), ("办结时限", 12), ("办结日期", 12), ("是否按期", 9),
    ("信访人意见", 10), ("状态", 12),
]
DATE_COLUMNS = {1, 10, 11}
LABELS = {
    "channel": dict(Channel.choices), "source": dict(Source.choices), "satisfaction": dict(Satisfaction.choices),
    "status": dict(Status.choices), "track": {k: v.split("（")[0] for k, v in Track.choices},
}
FIELDS = ["id", "number", "received_on", "channel", "source", "petitioner_name", "content", "category",
          "agent__name", "track", "due_on", "concluded_on", "satisfaction", "status"]


def _departments(petitions: QuerySet[Petition]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    rows = (Disposition.objects.filter(petition__in=petitions.values("id"))
            .order_by("petition_id", "id").values_list("petition_id", "department__name"))
    for petition_id, name in rows.iterator(chunk_size=5000):
        if name not in names[petition_id]:
            names[petition_id].append(name)
    return names


def _on_time(due: datetime.date | None, concluded: datetime.date | None) -> str:
    if not concluded:
        return ""
    if not due:
        return "—"
    return "是" if concluded <= due else "否"


def write_ledger(petitions: QuerySet[Petition], *, title: str, hide_names: bool = False):
    """Write the ledger to a temporary file and return it, positioned at the start. `hide_names`:
    for a department that must not learn who complained (Department.sees_identity off)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"  # the header row stays while scrolling
    for index, (_, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[_letter(index)].width = width
    header = []
    for name, _ in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center")
        header.append(cell)
    sheet.append(header)
    departments = _departments(petitions)
    rows = petitions.order_by("received_on", "id").values_list(*FIELDS)
    for row in rows.iterator(chunk_size=5000):
        (pid, number, received, channel, source, name, content, category, agent, track, due, concluded,
         satisfaction, status) = row
        if hide_names:
            name = mask_name(name)
        values = [
            number, received, LABELS["channel"].get(channel, channel), LABELS["source"].get(source, source), name,
            content[:60] + ("……" if len(content) > 60 else ""), category, agent or "", "、".join(departments.get(pid, [])),
            LABELS["track"].get(track, ""), due, concluded, _on_time(due, concluded),
            LABELS["satisfaction"].get(satisfaction, ""), LABELS["status"].get(status, status),
        ]
        sheet.append([_date_cell(sheet, v) if i in DATE_COLUMNS and v else v for i, v in enumerate(values)])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (returned open: the response streams and closes it)
    workbook.save(handle)
    handle.seek(0)
    return handle


def _date_cell(sheet, value: datetime.date) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = "yyyy-mm-dd"
    return cell


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)
