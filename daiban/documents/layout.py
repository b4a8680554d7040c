"""The documents of a case as data: one layout, rendered twice, to DOCX (docx.py) and PDF (pdf.py).

Two shapes share one page (A4 with the GB/T 9704 margins) and one set of measures, so the two
renderings of a document break their lines and pages alike:
- a form (附件2 代办单, 附件3 处置单): title, 编号 at the left and 年 月 日 at the right margin, then a
  four-column table whose labels, order and check boxes follow the seed exactly;
- a letter (the written notices owed to the petitioner): title, 编号, the addressee, paragraphs, the
  issuing organ's name and date with room for its seal, and a contact note.

A value not yet known is left blank, so a half-done case prints a form to complete by hand. Every
string passes through safe.clean when it enters a FormDoc, so the renderers never meet a control
character whatever the database holds.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from daiban.documents.safe import clean

# --- measures shared by both renderers (mm and pt) ----------------------------------------------------
PAGE_MM = (210.0, 297.0)
MARGIN_MM = {"top": 37.0, "bottom": 35.0, "left": 28.0, "right": 26.0}  # GB/T 9704-2012 §5.2.1
TEXT_WIDTH_MM = PAGE_MM[0] - MARGIN_MM["left"] - MARGIN_MM["right"]  # 156 mm
HEADER_MM = 18.0  # distance of the continuation header and the page footer from the page edge

TITLE_PT, TITLE_LINE_PT = 22.0, 32.0  # 二号小标宋
FORM_PT, FORM_LINE_PT = 12.0, 20.0  # 小四: the table of a form (三号 would not fit the seed's rows on A4)
LETTER_PT, LETTER_LINE_PT = 16.0, 28.9  # 三号仿宋, 22 lines a page (GB/T 9704 §5.2.2)
# Where a one-page letter runs a few lines onto a second page (the contact note, or the seal and date,
# alone on the last page), its line pitch is tightened step by step, no lower than the last, when that
# makes it a page shorter: GB/T 9704-2012 §7.3.5.4 allows adjusting the line spacing so the closing
# fits (pdf.fit_letter). 24 pt is still above the 三号 type's 16 pt and 1.5 lines.
LETTER_TIGHTER_LINE_PT = (27.5, 26.0, 24.5)
SMALL_PT, SMALL_LINE_PT = 10.5, 16.0  # 五号: page header and footer
# A letter's page number (GB/T 9704-2012 §7.5): 4号 (14 pt) 半角宋体 digits between two 一字线 ("— 1 —"),
# their top 7 mm under the text area; an odd page's at the right, an even page's at the left, one
# character in from the text area's edge. A form keeps 第 N 页 共 M 页 (a table, not an official letter).
PAGE_NUMBER_PT = 14.0
PAGE_NUMBER_GAP_MM = 7.0
CELL_PAD_MM = (1.0, 1.5)  # (top and bottom, left and right) of every table cell
BORDER_PT = 0.5

# The four columns of both forms (label, value, second label, second value), in % of the text width.
COLUMN_WIDTHS = (18, 30, 15, 37)
ROW_LINE_MM = FORM_LINE_PT * 25.4 / 72  # the paper height of one text line of a tall row

CHECKED, UNCHECKED = "☑", "□"
NOTIFICATION_BOXES = [("oral", "口头告知"), ("written", "书面告知")]
OPINION_BOXES = [("satisfied", "满意"), ("fairly_satisfied", "比较满意"), ("understanding", "理解"), ("dissatisfied", "不满意")]


# A signature or name the data does not hold (nobody recorded as the 检查人, no 签发 configured): a
# line to write on by hand, in every rendering (PDF, DOCX, XLSX), never a blank that reads as done.
SIGN_LINE = "__________"


def date_text(day: datetime.date | None) -> str:
    """The one date format of every document: 2026年9月16日; blanks to fill by hand when unknown."""
    if day is None:
        return "　　　　年　　月　　日"
    return f"{day.year}年{day.month}月{day.day}日"


_ISO_DAY = re.compile(r"(?<![0-9])([0-9]{4})-([0-9]{2})-([0-9]{2})(?![0-9])")


def dates_as_text(text: str) -> str:
    """`text` with each ISO date in it (2026-12-04, as the timeline's notes give due dates) in the
    documents' one format (date_text: 2026年12月4日); what is not a real day is left as it is."""

    def day(match: re.Match[str]) -> str:
        try:
            return date_text(datetime.date(*(int(g) for g in match.groups())))
        except ValueError:
            return match.group(0)

    return _ISO_DAY.sub(day, text)


@dataclass
class Row:
    """One table row: a label, then either one wide value or (label2, value2) as a second pair.

    `sign` is a right-aligned line under the value: who signed and when (opinions, results)."""

    label: str
    value: str = ""
    label2: str | None = None
    value2: str = ""
    lines: int = 1  # the least height of the row on paper, in text lines
    vertical: bool = False  # the label is set one character a line, as on the printed form
    sign: str = ""
    # Entries printed under the signed value, each (text, its own sign line): 补充意见 under an opinion.
    more: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.value, self.value2, self.sign = clean(self.value), clean(self.value2), clean(self.sign)
        self.more = [(clean(text), clean(sign)) for text, sign in self.more]

    @property
    def value_lines(self) -> list[str]:
        return self.value.split("\n") if self.value else [""]

    @property
    def value2_lines(self) -> list[str]:
        return self.value2.split("\n") if self.value2 else [""]

    @property
    def more_blocks(self) -> list[tuple[list[str], str]]:
        """`more` as (its lines, its sign line), for the renderers."""
        return [(text.split("\n"), sign) for text, sign in self.more]

    @property
    def label_lines(self) -> list[str]:
        return list(self.label) if self.vertical else self.label.split("\n")


@dataclass
class Para:
    """A paragraph of a letter. align: left, right, center or justify; indent: 2 characters."""

    text: str
    align: str = "justify"
    indent: bool = True
    bold: bool = False

    def __post_init__(self) -> None:
        self.text = clean(self.text)


@dataclass
class FormDoc:
    """A form or a letter. `filename` has no extension; `author` is the issuing organ."""

    title: str
    number: str
    date: datetime.date | None
    rows: list[Row] = field(default_factory=list)
    filename: str = ""
    before: list[Para] = field(default_factory=list)  # lines between the 编号 line and the table
    body: list[Para] = field(default_factory=list)  # a letter's paragraphs (no table)
    addressee: str = ""
    signature: list[str] = field(default_factory=list)  # a letter's organ name(s); the date follows
    note: str = ""  # a letter's contact note at the foot
    author: str = ""
    kind: str = "form"  # "form" or "letter"
    # A letter's line pitch: LETTER_LINE_PT, tightened by pdf.fit_letter when that saves a page.
    line_pt: float = LETTER_LINE_PT

    def __post_init__(self) -> None:
        self.number, self.addressee, self.note = clean(self.number), clean(self.addressee), clean(self.note)
        self.signature = [clean(s) for s in self.signature]

    @property
    def date_text(self) -> str:
        return date_text(self.date)

    def body_before(self) -> list[Para]:
        """A letter's addressee line (称谓), flush left."""
        return [Para(f"{self.addressee}：", align="left", indent=False)] if self.addressee else []

    def closing(self) -> list[Para]:
        """A letter's end: a blank line, the place for the seal, the organ's name, the date
        (right-aligned, two characters from the margin, as GB/T 9704 §7.3.5 sets them)."""
        lines = [Para("", align="left", indent=False), Para("（盖章）", align="right", indent=False)]
        lines += [Para(name, align="right", indent=False) for name in self.signature]
        return [*lines, Para(self.date_text, align="right", indent=False)]

    @property
    def continuation(self) -> str:
        """The header of every page after the first: the title and the number."""
        return f"{self.title}（续页）　编号：{self.number}"


def boxes(options: list[tuple[str, str]], chosen: str) -> str:
    return "    ".join(f"{CHECKED if code == chosen else UNCHECKED}{label}" for code, label in options)


# --- typed text inside a letter's sentences ---------------------------------------------------------

# What people typed ends as it likes (。, ；, ！, several of them or nothing); a letter sets it into
# its own sentences.
_TYPED_END = "。．.；;，,、：:！!？? \u3000\n"


def typed_clause(text: str) -> str:
    """Typed text to go inside a sentence: without its own closing punctuation ("已退还。；" →
    "已退还"), so "；".join(…) + "。" reads "…已退还；…" and never "。；" or "。。"."""
    return (text or "").rstrip(_TYPED_END)


def typed_sentence(text: str) -> str:
    """Typed text as a sentence of its own: ending in exactly one 。, or ！/？ when it asked or
    exclaimed ("已退还。。" → "已退还。", "为什么？？" → "为什么？")."""
    body = typed_clause(text)
    tail = (text or "")[len(body):]
    if not body:
        return ""
    return body + ("？" if "？" in tail or "?" in tail else "！" if "！" in tail or "!" in tail else "。")
