"""FormDoc → DOCX, set as GB/T 9704 sets official documents: 小标宋 title, 仿宋_GB2312 text, A4."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from daiban.documents.layout import COLUMN_WIDTHS, ROW_LINE_MM, FormDoc

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
LATIN_FONT = "Times New Roman"
TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(14)  # 四号: the table of a form; 三号 would not fit the seed's layout on A4


def _font(run, name: str, size, bold: bool = False) -> None:
    run.font.name = LATIN_FONT
    run.font.size = size
    run.font.bold = bold
    # Word and WPS pick Chinese glyphs from the eastAsia font, not from font.name.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _page(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)


def _cell_text(cell, text: str, *, label: bool = False, vertical: bool = False) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    if label:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        text = "\n".join(text) if vertical else text
    lines = text.split("\n") if text else [""]
    for i, line in enumerate(lines):
        if i:
            paragraph = cell.add_paragraph()
            if label:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(paragraph.add_run(line), BODY_FONT, BODY_SIZE)


def render_docx(form: FormDoc) -> bytes:
    document = Document()
    _page(document)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(form.title), TITLE_FONT, TITLE_SIZE)
    meta = document.add_paragraph()
    _font(meta.add_run(f"编号：{form.number}"), BODY_FONT, BODY_SIZE)
    _font(meta.add_run("\t\t\t" + form.date_text), BODY_FONT, BODY_SIZE)

    table = document.add_table(rows=0, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    text_width = 210 - 28 - 26
    widths = tuple(Mm(text_width * share / 100) for share in COLUMN_WIDTHS)
    for row in form.rows:
        cells = table.add_row().cells
        for cell, width in zip(cells, widths, strict=True):
            cell.width = width
        _cell_text(cells[0], row.label, label=True, vertical=row.vertical)
        if row.label2 is not None:
            _cell_text(cells[1], row.value)
            _cell_text(cells[2], row.label2, label=True)
            _cell_text(cells[3], row.value2)
        else:
            merged = cells[1].merge(cells[3])
            _cell_text(merged, row.value)
        if row.lines > 1:
            table.rows[-1].height = Mm(ROW_LINE_MM * row.lines)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
