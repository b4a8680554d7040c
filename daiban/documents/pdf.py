"""HTML → PDF with WeasyPrint, embedding subsets of free fonts: Noto Serif CJK SC (OFL) for Chinese,
Liberation Serif (OFL, metric-compatible with Times New Roman, the DOCX's Latin font) for Latin,
Noto Color Emoji (OFL) for emoji, Noto Sans Mongolian (OFL) for the traditional Mongolian script.

Every PDF of the system goes through render_pdf, so they share one page set-up and one font stack.
The forms and letters take their measures from layout.py, as docx.py does.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from daiban.documents import layout
from daiban.documents.layout import FormDoc

# The system fonts that are embedded. Debian: fonts-noto-cjk, fonts-liberation2, fonts-noto-color-emoji, fonts-noto-core,
# fonts-hanazono.
PDF_FONT = "Noto Serif CJK SC"
# Noto Sans Mongolian (fonts-noto-core): Wushen Banner is in Inner Mongolia, and names and places in
# the traditional script vanished from every PDF without a font that has it. HanaMinB (fonts-hanazono)
# draws the rare characters of names beyond the BMP (CJK Extension B and after: 𠀀, 𪚥), which Noto
# CJK does not have: without it they printed as nothing, and the one missing glyph made WeasyPrint
# re-encode the Latin font so that the number and the ID number could no longer be found in the file.
FONT_STACK = ('"Times New Roman", "Liberation Serif", "Noto Serif CJK SC", "Noto Sans CJK SC", "HanaMinB", '
              '"Noto Sans Mongolian", serif')
EMOJI_STACK = '"Noto Color Emoji", "Noto Serif CJK SC"'
# Each family the PDFs need, with what it draws (checks.pdf_fonts warns at start-up when one is missing).
REQUIRED_FONTS = {"Noto Serif CJK SC": "中文", "Liberation Serif": "西文", "Noto Color Emoji": "表情符号",
                  "Noto Sans Mongolian": "蒙古文", "HanaMinB": "生僻字（CJK扩展B区及以后）"}


_FONT_CONFIG = None


def _font_config():
    """One font configuration per process: the system fonts are looked up and loaded once, not on
    every document (the CJK font is large)."""
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        from weasyprint.text.fonts import FontConfiguration

        _FONT_CONFIG = FontConfiguration()
    return _FONT_CONFIG


def _rendered(template: str, context: dict, *, base_url: str | None = None, url_fetcher=None):
    """The WeasyPrint document laid out (its `pages` counted, `write_pdf` to print it). `url_fetcher`:
    a weasyprint.URLFetcher serving what the template refers to (image_pages: images from memory)."""
    from weasyprint import HTML  # imported here: it loads Pango, which only document requests need

    html = render_to_string(template, {**context, "pdf_font": PDF_FONT, "font_stack": FONT_STACK,
                                       "emoji_stack": EMOJI_STACK})
    return HTML(string=html, base_url=base_url or str(settings.MEDIA_ROOT),
                url_fetcher=url_fetcher).render(font_config=_font_config())


def render_pdf(template: str, context: dict, *, base_url: str | None = None) -> bytes:
    return _rendered(template, context, base_url=base_url).write_pdf()


def measures() -> dict:
    """layout.py's measures for the templates, in CSS units."""
    from daiban.documents.docx import row_height_pt

    return {
        "margin": layout.MARGIN_MM, "title_pt": layout.TITLE_PT, "title_line_pt": layout.TITLE_LINE_PT,
        "form_pt": layout.FORM_PT, "form_line_pt": layout.FORM_LINE_PT, "letter_pt": layout.LETTER_PT,
        "letter_line_pt": layout.LETTER_LINE_PT, "small_pt": layout.SMALL_PT, "small_line_pt": layout.SMALL_LINE_PT,
        "pad_v": layout.CELL_PAD_MM[0], "pad_h": layout.CELL_PAD_MM[1], "border_pt": layout.BORDER_PT,
        "widths": layout.COLUMN_WIDTHS, "row_pt": row_height_pt,
        "page_number_pt": layout.PAGE_NUMBER_PT, "page_number_gap": layout.PAGE_NUMBER_GAP_MM,
    }


def _form_document(form: FormDoc):
    from daiban.documents.docx import row_height_pt

    rows = [(row, row_height_pt(row.lines) - 2 * layout.CELL_PAD_MM[0] * 72 / 25.4) for row in form.rows]
    return _rendered("documents/form.html",
                     {"form": form, "rows": rows, "m": {**measures(), "letter_line_pt": form.line_pt}})


def fit_letter(form: FormDoc):
    """A one-page letter that runs onto a second page by a few lines (its contact note, or the seal and
    the date, alone there) gets the first of layout.LETTER_TIGHTER_LINE_PT that puts it on one page
    (GB/T 9704-2012 §7.3.5.4: the line spacing may be adjusted so the closing fits), set on
    `form.line_pt` for the DOCX too (docx._letter). A letter that fits, one of more than two pages at
    the standard 22 lines (whose every page would lose lines to save its last), one no tightening puts
    on one page, and a form are left as they are. Returns the laid-out document at the pitch kept
    (None for a form, which this does not lay out)."""
    if form.kind != "letter":
        return None
    form.line_pt = layout.LETTER_LINE_PT
    document = _form_document(form)
    if len(document.pages) == 2:
        for line_pt in layout.LETTER_TIGHTER_LINE_PT:
            form.line_pt = line_pt
            tighter = _form_document(form)
            if len(tighter.pages) == 1:
                return tighter
        form.line_pt = layout.LETTER_LINE_PT
    return document


def form_pdf(form: FormDoc) -> bytes:
    """The PDF of a form or a letter (a letter fitted first: fit_letter)."""
    return (fit_letter(form) or _form_document(form)).write_pdf()
