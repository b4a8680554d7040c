"""FormDoc → DOCX, set as GB/T 9704 sets official documents: 小标宋 title, 仿宋_GB2312 text, A4.

The measures come from layout.py and pdf.py uses the same ones, so LibreOffice, Word and WPS break
lines and pages where the app's PDF does: a fixed table layout with explicit grid and cell widths
(w:tblLayout fixed, w:gridCol, w:tcW), the same cell padding, exact line heights, the same least row
heights, and Latin text in Times New Roman (Liberation Serif, metric-compatible, where LibreOffice
runs and in the PDF). Pages after the first repeat the title and the number in their header; a
form's pages say 第 N 页 共 M 页, a letter's — N — at the outer side (GB/T 9704 §7.5).
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from xml.sax.saxutils import escape as xml_escape

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from daiban.documents.layout import (
    BORDER_PT,
    CELL_PAD_MM,
    CHECKED,
    COLUMN_WIDTHS,
    FORM_LINE_PT,
    FORM_PT,
    HEADER_MM,
    LETTER_PT,
    MARGIN_MM,
    PAGE_MM,
    PAGE_NUMBER_GAP_MM,
    PAGE_NUMBER_PT,
    SMALL_LINE_PT,
    SMALL_PT,
    TEXT_WIDTH_MM,
    TITLE_LINE_PT,
    TITLE_PT,
    FormDoc,
    Para,
)
from daiban.documents.safe import clean, emoji_runs

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
SONG_FONT = "宋体"  # a letter's page number (GB/T 9704 §7.5)
LATIN_FONT = "Times New Roman"
EMOJI_FONT = "Symbola"  # monochrome emoji LibreOffice can print (fonts-symbola); Word falls back to Segoe UI Emoji
TITLE_SIZE = Pt(TITLE_PT)
BODY_SIZE = Pt(FORM_PT)
ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT, "center": WD_ALIGN_PARAGRAPH.CENTER,
         "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}


# Child order of w:pPr and w:tblPr in the schema (ECMA-376 §17.3.1.26, §17.4.60): Word refuses a
# file whose children are out of order, so elements are inserted in place, not appended.
_PPR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
              "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
              "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
              "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
              "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange")
_TBLPR_ORDER = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
                "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook")


def _put(parent, tag: str, order: tuple[str, ...], **attrs):
    """Set child w:`tag` of `parent` (replacing one already there) at its place in `order`."""
    for old in parent.findall(qn(f"w:{tag}")):
        parent.remove(old)
    element = OxmlElement(f"w:{tag}")
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), str(value))
    later = {qn(f"w:{t}") for t in order[order.index(tag) + 1:]}
    for child in parent:
        if child.tag in later:
            child.addprevious(element)
            return element
    parent.append(element)
    return element


def _twips(mm: float) -> int:
    return round(mm / 25.4 * 1440)


def _font(run, name: str, size, bold: bool = False, *, emoji: bool = False) -> None:
    run.font.size = size
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    latin = EMOJI_FONT if emoji else LATIN_FONT
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    # Word and WPS pick Chinese glyphs from the eastAsia font, not from the Latin one.
    fonts.set(qn("w:eastAsia"), EMOJI_FONT if emoji else name)
    if emoji:
        fonts.set(qn("w:hint"), "default")


# ☑, the forms' ticked box (layout.CHECKED): not an emoji for the PDF, whose CJK font draws it, but
# LibreOffice took it from the CJK font's vertical-kana face and drew nothing, so a printed form
# lost which option was chosen. In the DOCX it gets a run of its own in the emoji font (Symbola).
_TICKED = re.compile(f"({CHECKED})")


def _runs(text: str) -> list[tuple[str, bool]]:
    """[(run, in the symbol font)]: emoji and ☑ apart from the text around them; never empty."""
    out: list[tuple[str, bool]] = []
    for run_text, is_emoji in emoji_runs(clean(text)):
        if is_emoji:
            out.append((run_text, True))
        else:
            out.extend((part, part == CHECKED) for part in _TICKED.split(run_text) if part)
    return out or [("", False)]


def add_text(paragraph, text: str, name: str, size, bold: bool = False) -> None:
    """Runs of text, emoji and ☑ in their own runs in the emoji font (never an empty box)."""
    for run_text, symbol in _runs(text):
        _font(paragraph.add_run(run_text), name, size, bold, emoji=symbol)


def _spacing(paragraph, line_pt: float, before_pt: float = 0, after_pt: float = 0) -> None:
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line_pt)
    fmt.space_before, fmt.space_after = Pt(before_pt), Pt(after_pt)
    # No hanging punctuation, no snapping to a document grid and no extra space between Chinese and
    # Latin letters or digits (autoSpaceDE/DN): the lines break as in the PDF, which draws none so
    # that its text is the stored text (templatetags/doctext.py).
    ppr = paragraph._p.get_or_add_pPr()
    for tag in ("overflowPunct", "autoSpaceDE", "autoSpaceDN", "snapToGrid"):
        _put(ppr, tag, _PPR_ORDER, val="0")


def _page(document, form: FormDoc | None = None, stamp: datetime.datetime | None = None) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGIN_MM["top"]), Mm(MARGIN_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGIN_MM["left"]), Mm(MARGIN_MM["right"])
    section.header_distance = section.footer_distance = Mm(HEADER_MM)
    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    # Chinese text: the word processor picks Simplified Chinese glyphs and line-breaking rules.
    for lang in document.styles.element.iter(qn("w:lang")):
        lang.set(qn("w:eastAsia"), "zh-CN")
    if form is not None:
        _headers(section, form)
        _properties(document, form, stamp)


def _field(paragraph, code: str, shown: str, *, font=None, size=None) -> None:
    """A PAGE or NUMPAGES field, computed by the word processor; in 仿宋 五号 unless `font(run, size)`
    sets another."""
    size = size or Pt(SMALL_PT)

    def styled(run):
        if font is None:
            _font(run, BODY_FONT, size)
        else:
            font(run, size)
        return run

    def run_with(element):
        styled(paragraph.add_run())._element.append(element)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {code} "
    run_with(instr)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    styled(paragraph.add_run(shown))
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _page_number(paragraph) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(paragraph, SMALL_LINE_PT)
    add_text(paragraph, "第 ", BODY_FONT, Pt(SMALL_PT))
    _field(paragraph, "PAGE", "1")
    add_text(paragraph, " 页 共 ", BODY_FONT, Pt(SMALL_PT))
    _field(paragraph, "NUMPAGES", "1")
    add_text(paragraph, " 页", BODY_FONT, Pt(SMALL_PT))


def _headers(section, form: FormDoc) -> None:
    section.different_first_page_header_footer = True
    first = section.first_page_header.paragraphs[0]
    _spacing(first, SMALL_LINE_PT)
    later_headers = [section.header]
    if form.kind == "letter":
        # Odd and even pages number on opposite sides (GB/T 9704 §7.5): the even pages' header and
        # footer are their own, the continuation header the same on both.
        section.part.document.settings.odd_and_even_pages_header_footer = True
        later_headers.append(section.even_page_header)
    for header in later_headers:
        later = header.paragraphs[0]
        later.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _spacing(later, SMALL_LINE_PT)
        add_text(later, form.continuation, BODY_FONT, Pt(SMALL_PT))
    if form.kind == "letter":
        official_page_numbers(section)
        return
    _page_number(section.first_page_footer.paragraphs[0])
    _page_number(section.footer.paragraphs[0])


def official_page_numbers(section) -> None:
    """Every page of `section` numbered as GB/T 9704-2012 §7.5 numbers an official document: — N — (a
    PAGE field) in 4号宋体, PAGE_NUMBER_GAP_MM under the text area, at the outer side (right on odd
    pages, left on even ones, one character in). Used by the letters and the monthly report; its
    PDF twin is the template documents/_page_number.css."""
    section.part.document.settings.odd_and_even_pages_header_footer = True
    # The footer's line sits PAGE_NUMBER_GAP_MM under the text area: its distance from the page's
    # lower edge is the bottom margin less that gap and one line of the number.
    bottom_mm = section.bottom_margin.mm if section.bottom_margin is not None else MARGIN_MM["bottom"]
    section.footer_distance = Mm(bottom_mm - PAGE_NUMBER_GAP_MM - PAGE_NUMBER_PT * 25.4 / 72)
    footers = [(section.first_page_footer, True)] if section.different_first_page_header_footer else []
    footers += [(section.footer, True), (section.even_page_footer, False)]
    for footer, odd in footers:
        _letter_page_number(footer.paragraphs[0], odd=odd)


def _letter_page_number(paragraph, *, odd: bool) -> None:
    """ — N — in 4号宋体 (GB/T 9704 §7.5), right with one character's space on an odd page, left on
    an even one."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    _spacing(paragraph, PAGE_NUMBER_PT)
    fmt = paragraph.paragraph_format
    fmt.right_indent, fmt.left_indent = (Pt(PAGE_NUMBER_PT), Pt(0)) if odd else (Pt(0), Pt(PAGE_NUMBER_PT))
    size = Pt(PAGE_NUMBER_PT)
    _song(paragraph.add_run("— "), size)
    _field(paragraph, "PAGE", "1", font=_song, size=size)
    _song(paragraph.add_run(" —"), size)


def _song(run, size) -> None:
    """宋体 for every script of the run: the page number's digits and dashes are 宋体 too."""
    run.font.size = size
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), SONG_FONT)


def _properties(document, form: FormDoc, stamp: datetime.datetime | None = None) -> None:
    """Core properties: the bureau wrote it, at `stamp` (an aware datetime; default now), not
    python-docx in 2013. python-docx writes the time as given with a Z: it is given in UTC."""
    now = (stamp or timezone.now()).astimezone(datetime.UTC).replace(microsecond=0, tzinfo=None)
    props = document.core_properties
    props.author = props.last_modified_by = clean(form.author)
    props.title = clean(f"{form.title} {form.number}")
    props.subject = clean(form.title)
    props.created = props.modified = props.last_printed = now
    props.revision = 1
    props.comments = props.keywords = props.category = ""


def _paragraph(container, text: str, *, size_pt: float = FORM_PT, line_pt: float = FORM_LINE_PT,
               align: str = "left", indent: bool = False, font: str = BODY_FONT, bold: bool = False,
               right_indent_pt: float = 0):
    paragraph = container.add_paragraph()
    paragraph.alignment = ALIGN[align]
    _spacing(paragraph, line_pt)
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size_pt * 2)
    if right_indent_pt:
        paragraph.paragraph_format.right_indent = Pt(right_indent_pt)
    add_text(paragraph, text, font, Pt(size_pt), bold)
    return paragraph


def _title_and_number(document, form: FormDoc) -> None:
    body = document._body
    title = body.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(title, TITLE_LINE_PT)
    add_text(title, form.title, TITLE_FONT, TITLE_SIZE)
    meta = body.add_paragraph()
    _spacing(meta, FORM_LINE_PT)
    meta.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)
    # A letter is dated under its signature (GB/T 9704 §7.3.5); a form at the right of its 编号 line.
    add_text(meta, f"编号：{form.number}" + (f"\t{form.date_text}" if form.kind == "form" else ""), BODY_FONT, BODY_SIZE)


# The table of a form is written as WordprocessingML text and parsed once: python-docx's cell by cell
# API costs ten times more for the same XML (the DOCX figure of `make bench`).
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_JC = {"left": "left", "right": "right", "center": "center", "justify": "both"}


def _run_xml(text: str, font: str, half_points: int) -> str:
    runs = []
    for run_text, symbol in _runs(text):
        latin = EMOJI_FONT if symbol else LATIN_FONT
        east = EMOJI_FONT if symbol else font
        runs.append(f'<w:r><w:rPr><w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:cs="{latin}" w:eastAsia="{east}"/>'
                    f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/></w:rPr>'
                    f'<w:t xml:space="preserve">{xml_escape(run_text)}</w:t></w:r>')
    return "".join(runs)


def _para_xml(text: str, align: str) -> str:
    line = round(FORM_LINE_PT * 20)
    return (f'<w:p><w:pPr><w:overflowPunct w:val="0"/><w:autoSpaceDE w:val="0"/><w:autoSpaceDN w:val="0"/>'
            f'<w:snapToGrid w:val="0"/>'
            f'<w:spacing w:before="0" w:after="0" w:line="{line}" w:lineRule="exact"/><w:jc w:val="{_JC[align]}"/></w:pPr>'
            f'{_run_xml(text, BODY_FONT, round(FORM_PT * 2))}</w:p>')


def _cell_xml(width: int, lines: list[str], align: str, *, span: int = 1, sign: str = "",
              more: list[tuple[list[str], str]] | None = None) -> str:
    paragraphs = "".join(_para_xml(line, align) for line in lines or [""])
    if sign:
        paragraphs += _para_xml(sign, "right")
    for text_lines, signed in more or []:  # 补充意见 under the first opinion, each with its signer and date
        paragraphs += "".join(_para_xml(line, align) for line in text_lines)
        if signed:
            paragraphs += _para_xml(signed, "right")
    grid = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{grid}<w:vAlign w:val="center"/></w:tcPr>'
            f'{paragraphs}</w:tc>')


def _form_table(document, form: FormDoc) -> None:
    total = _twips(TEXT_WIDTH_MM)
    widths = [round(total * share / 100) for share in COLUMN_WIDTHS]
    widths[-1] = total - sum(widths[:-1])
    edge = f'w:val="single" w:sz="{round(BORDER_PT * 8)}" w:space="0" w:color="000000"'
    pad_v, pad_h = _twips(CELL_PAD_MM[0]), _twips(CELL_PAD_MM[1])
    rows = []
    for row in form.rows:
        cells = _cell_xml(widths[0], row.label_lines, "center")
        if row.label2 is not None:
            cells += (_cell_xml(widths[1], row.value_lines, "left") + _cell_xml(widths[2], row.label2.split("\n"), "center")
                      + _cell_xml(widths[3], row.value2_lines, "left"))
        else:
            cells += _cell_xml(sum(widths[1:]), row.value_lines, "left", span=3, sign=row.sign, more=row.more_blocks)
        height = round(row_height_pt(row.lines) * 20)
        rows.append(f'<w:tr><w:trPr><w:trHeight w:val="{height}" w:hRule="atLeast"/></w:trPr>{cells}</w:tr>')
    xml = (f'<w:tbl {_W}><w:tblPr><w:tblW w:w="{total}" w:type="dxa"/><w:jc w:val="center"/>'
           f'<w:tblInd w:w="0" w:type="dxa"/><w:tblBorders>'
           + "".join(f"<w:{side} {edge}/>" for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
           + f'</w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar><w:top w:w="{pad_v}" w:type="dxa"/>'
           f'<w:left w:w="{pad_h}" w:type="dxa"/><w:bottom w:w="{pad_v}" w:type="dxa"/><w:right w:w="{pad_h}" w:type="dxa"/>'
           f'</w:tblCellMar><w:tblLook w:val="0000"/></w:tblPr><w:tblGrid>'
           + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid>" + "".join(rows) + "</w:tbl>")
    document._body._body.sectPr.addprevious(parse_xml(xml))  # the body's last child is its w:sectPr


def row_height_pt(lines: int) -> float:
    """The least height of a table row of `lines` text lines, padding included (both renderers)."""
    return lines * FORM_LINE_PT + 2 * CELL_PAD_MM[0] * 72 / 25.4


def _letter(document, form: FormDoc) -> None:
    body = document._body
    for para in form.body_before():
        _paragraph(body, para.text, size_pt=LETTER_PT, line_pt=form.line_pt, align=para.align, indent=para.indent)
    for para in form.body:
        _paragraph(body, para.text, size_pt=LETTER_PT, line_pt=form.line_pt, align=para.align,
                   indent=para.indent, bold=para.bold)
    for para in form.closing():
        _paragraph(body, para.text, size_pt=LETTER_PT, line_pt=form.line_pt, align=para.align,
                   right_indent_pt=LETTER_PT * 2 if para.align == "right" else 0)
    if form.note:
        _paragraph(body, form.note, size_pt=FORM_PT, line_pt=FORM_LINE_PT, align="left")


# The fonts the documents name (GB/T 9704), as a font table declares them: a GB2312 face (charset 86)
# of its family. With them, and the text's East Asian language declared Chinese (zh-CN), a machine
# without the font substitutes a Simplified Chinese serif face; without them LibreOffice chose a
# Japanese sans face (Noto Sans CJK JP), whose glyphs differ from the Chinese ones.
_FONT_TABLE = {
    BODY_FONT: ("仿宋", "02010609030101010101", "modern", "fixed"),
    TITLE_FONT: ("FZXiaoBiaoSong-B05S", "02000000000000000000", "script", "variable"),
}


def official_document():
    """A python-docx Document whose text is Chinese (zh-CN, East Asian) and whose font table names
    the GB/T 9704 fonts: every DOCX the system writes starts from it."""
    document = Document()
    rpr = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")
    for rel in document.part.rels.values():
        if rel.reltype == RT.FONT_TABLE:
            _declare_fonts(rel.target_part)
    return document


def _declare_fonts(part) -> None:
    entries = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:panose1 w:val="{panose}"/><w:charset w:val="86"/>'
        f'<w:family w:val="{family}"/><w:pitch w:val="{pitch}"/></w:font>'
        for name, (alt, panose, family, pitch) in _FONT_TABLE.items())
    xml = part.blob.decode("utf-8")
    part._blob = xml.replace("</w:fonts>", entries + "</w:fonts>").encode("utf-8")


def render_docx(form: FormDoc, *, stamp: datetime.datetime | None = None) -> bytes:
    """The DOCX of a form or letter. `stamp` (aware): the moment it says it was made — its core
    properties and the times of its parts —, so that the case file's copy, made at its archiving,
    is the same bytes whenever it is built again (casefile.build_archive); default now."""
    document = official_document()
    _page(document, form, stamp)
    # python-docx's template starts with an empty paragraph; the title takes its place.
    for paragraph in list(document.paragraphs):
        paragraph._p.getparent().remove(paragraph._p)
    _title_and_number(document, form)
    for para in form.before:
        _paragraph(document._body, para.text, align=para.align, indent=para.indent)
    if form.kind == "letter":
        _letter(document, form)
    else:
        _form_table(document, form)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue() if stamp is None else restamped(buffer.getvalue(), stamp)


def restamped(package: bytes, stamp: datetime.datetime) -> bytes:
    """An OOXML package (a ZIP) with every part's time set to `stamp` in local time (python-docx
    writes the moment of saving), its parts, their order and their bytes unchanged."""
    when = timezone.localtime(stamp).timetuple()[:6]
    source = zipfile.ZipFile(io.BytesIO(package))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            part = zipfile.ZipInfo(info.filename, date_time=when)
            part.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(part, source.read(info))
    return buffer.getvalue()


__all__ = ["render_docx", "add_text", "official_page_numbers", "BODY_FONT", "TITLE_FONT", "Para"]
