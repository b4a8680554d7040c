"""XLSX cells that a spreadsheet never evaluates: every value written as a text cell.

openpyxl turns a string starting with "=" into a formula; text typed by a petitioner, a staff
member or an attacker's username ("=HYPERLINK(...)", "+cmd|...") must stay text. A text cell
(t="s"/"inlineStr") is never calculated by Excel, WPS or LibreOffice, but it becomes a formula when
a person edits it (F2, Enter) or saves the sheet as CSV (the usual step before uploading a ledger to
a platform): text that looks like a formula also gets the quote prefix (the cell style's quotePrefix,
Excel's leading apostrophe), which keeps it text through both. Every XLSX writer of the system
(the ledger, the monthly report, the audit export) asks `formula_like`.
"""

from __future__ import annotations

import datetime
import unicodedata

from openpyxl.cell import WriteOnlyCell

# What a spreadsheet reads as the start of a formula (OWASP CSV injection): = + - @, and tab, CR and LF
# before them. Checked after leading spaces (ASCII and ideographic) and with full-width forms folded:
# "  =HYPERLINK(…)" and "＝1+1" become formulas once a text cell is edited (F2, Enter) or the sheet is
# saved as CSV and opened again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


# The footer of every printed sheet the system writes (the ledger, the monthly report, the audit
# trail): its page number and the count, in the spreadsheet's header-and-footer codes (&P, &N).
PAGE_FOOTER = "第 &P 页 共 &N 页"


def formula_like(text: str) -> bool:
    """True when `text` would start a formula in a spreadsheet (see FORMULA_START)."""
    head = text.lstrip(" \u3000\u00a0")[:1]
    if not head:
        return text[:1] in ("\t", "\r", "\n")
    return unicodedata.normalize("NFKC", head) in FORMULA_START or head in FORMULA_START


def text_cell(sheet, value) -> WriteOnlyCell:
    """A write-only cell holding `value` as text (None → empty; dates as YYYY-MM-DD HH:MM:SS)."""
    if value is None:
        text = ""
    elif isinstance(value, datetime.datetime):
        text = value.strftime("%Y-%m-%d %H:%M:%S")
    elif isinstance(value, datetime.date):
        text = value.isoformat()
    else:
        text = str(value)
    # Control characters other than tab and newline are not allowed in XML 1.0.
    text = "".join(c for c in text if c in "\t\n" or ord(c) >= 0x20)
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    cell.number_format = "@"
    if formula_like(text):
        cell.quotePrefix = True
    return cell
