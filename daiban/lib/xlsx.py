"""XLSX cells that a spreadsheet never evaluates: every value written as a text cell.

openpyxl turns a string starting with "=" into a formula; text typed by a petitioner, a staff
member or an attacker's username ("=HYPERLINK(...)", "+cmd|...") must stay text. A text cell
(t="s"/"inlineStr") is never calculated by Excel, WPS or LibreOffice.
"""

from __future__ import annotations

import datetime

from openpyxl.cell import WriteOnlyCell


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
    return cell
