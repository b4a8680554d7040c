"""The two official forms as data: one layout, rendered to DOCX (docx.py) and PDF (pdf.py).

Labels, their order and the check boxes follow the seed's attachments 2 and 3 exactly. A value
not yet known is left blank, so a half-done case prints a form to complete by hand.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from daiban.petitions.models import Disposition, Petition
from daiban.petitions.selectors import PetitionerView

CHECKED, UNCHECKED = "☑", "□"
# The four columns of both forms (label, value, second label, second value), in % of the text width.
COLUMN_WIDTHS = (20, 28, 15, 37)
ROW_LINE_MM = 8  # paper height of one "line" of a tall row

NOTIFICATION_BOXES = [("oral", "口头告知"), ("written", "书面告知")]
OPINION_BOXES = [("satisfied", "满意"), ("fairly_satisfied", "比较满意"), ("understanding", "理解"), ("dissatisfied", "不满意")]


@dataclass
class Row:
    """One table row: a label, then either one wide value or (label2, value2) as a second pair."""

    label: str
    value: str = ""
    label2: str | None = None
    value2: str = ""
    lines: int = 1  # the height the row is given on paper, in text lines
    vertical: bool = False  # the label is set one character per line, as on the printed form


@dataclass
class FormDoc:
    title: str
    number: str
    date: datetime.date | None
    rows: list[Row] = field(default_factory=list)
    filename: str = ""

    @property
    def date_text(self) -> str:
        if self.date is None:
            return "      年    月    日"
        return f"{self.date.year}年{self.date.month}月{self.date.day}日"


def boxes(options: list[tuple[str, str]], chosen: str) -> str:
    return "    ".join(f"{CHECKED if code == chosen else UNCHECKED}{label}" for code, label in options)


def agency_form(petition: Petition, *, person: PetitionerView) -> FormDoc:
    """《信访事项代办单》 (附件2). `person` comes in already masked or not, by role (selectors.petitioner_view)."""
    agent = petition.agent
    agent_text = ""
    if agent is not None:
        agent_text = f"{petition.station.name}  {agent.name}（{agent.get_kind_display()}代办员）"
    return FormDoc(
        title="信访事项代办单",
        number=petition.number,
        date=petition.accepted_on or petition.received_on,
        filename=f"{petition.number}-信访事项代办单",
        rows=[
            Row("信访人姓名", person.name, "身份证号", person.id_number),
            Row("地址", person.address, "电话", person.phone),
            Row("反映的问题及诉求", petition.content, lines=8, vertical=True),
            Row("代办方（人）", agent_text),
            Row("告知方式", boxes(NOTIFICATION_BOXES, petition.notification)),
            Row("代理结果", petition.result, lines=6, vertical=True),
            Row("信访人意见", boxes(OPINION_BOXES, petition.satisfaction)),
        ],
    )


def disposition_form(disposition: Disposition, *, person: PetitionerView) -> FormDoc:
    """《信访事项处置单》 (附件3), one per department."""
    petition = disposition.petition
    urgings = "\n".join(
        f"{u.on:%Y年%m月%d日} {u.note or '催办'}{'（系统自动）' if u.automatic else ''}" for u in disposition.urgings.all()
    )
    summary = petition.content if len(petition.content) <= 300 else petition.content[:300] + "……"
    return FormDoc(
        title="信访事项处置单",
        number=disposition.number,
        date=disposition.routed_on,
        filename=f"{disposition.number}-信访事项处置单-{disposition.department.name}",
        rows=[
            Row("姓名", person.name, "联系电话", person.phone),
            Row("住址", person.address),
            Row("内容分类", petition.category),
            Row("内容摘要", summary, lines=5),
            Row("拟办意见", disposition.proposed_handling or petition.proposed_handling, lines=3),
            Row("分管领导处理意见", _signed(disposition.leader_opinion, disposition.leader_opinion_on), lines=3),
            Row("领导批示", _signed(disposition.principal_instruction, disposition.principal_on), lines=3),
            Row("进度催办", urgings, lines=3),
            Row("处理结果", _signed(disposition.result, disposition.result_on, f"（{disposition.department.name}）"), lines=4),
        ],
    )


def _signed(text: str, on: datetime.date | None, who: str = "") -> str:
    if not text:
        return ""
    return f"{text}\n{who}{on:%Y年%m月%d日}" if on else text
