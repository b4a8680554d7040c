"""HTML → PDF with WeasyPrint, embedding a subset of a free CJK font (Noto Serif CJK SC, OFL).

Every PDF of the system goes through render_pdf, so they share one page set-up and one font stack.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from daiban.documents.layout import COLUMN_WIDTHS, ROW_LINE_MM, FormDoc

# The system font that is embedded. Debian: fonts-noto-cjk (see README); any OFL CJK serif works.
PDF_FONT = "Noto Serif CJK SC"


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango, which only document requests need

    html = render_to_string(template, {**context, "pdf_font": PDF_FONT})
    return HTML(string=html, base_url=str(settings.MEDIA_ROOT)).write_pdf()


def form_pdf(form: FormDoc) -> bytes:
    return render_pdf("documents/form.html", {"form": form, "widths": COLUMN_WIDTHS, "line_mm": ROW_LINE_MM})
