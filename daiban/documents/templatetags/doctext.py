"""Template filters of the PDF documents: user text cleaned, escaped, emoji drawn in the emoji font."""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from daiban.documents.safe import clean, emoji_runs

register = template.Library()

# No space is drawn between Chinese characters and Latin letters or digits: the DOCX turns Word's
# autoSpaceDE/DN off (docx._spacing), so both break lines alike, and the PDF's text is the stored text
# ("2026年12月1日" is found in it; a THIN SPACE drawn there was a character of the text layer).


# LibreOffice keeps a full-width comma or stop with a short run of Latin letters or digits after it
# (，2025年), and breaks a Latin word only at spaces (not after the / of a URL): word joiners tell
# Pango the same. A run too long for a line is broken by overflow-wrap in both.
_JOIN = re.compile("(?<=[\u3001\u3002\uff0c\uff1a\uff1b\uff01\uff1f\uff09\u300d\u300f\u3011])"
                   "(?=[A-Za-z0-9]{1,20}(?![A-Za-z0-9]))|(?<=[!-~][/:?&=#%_.,;)])(?=[!-~])")


def _spaced(run: str) -> str:
    return escape(_JOIN.sub("\u2060", run))


@register.filter
def doctext(value: object) -> SafeString:
    """Escaped text; emoji sequences in <span class="emoji"> (Noto Color Emoji), never a box.

    The whole is one <span class="t">: with `.t { line-height: 0 }` the line boxes take the exact
    line height of their block (the word processor's "exactly N pt"), whatever fallback font a
    character needs: otherwise the taller CJK font metrics would add a point to every line."""
    text = clean(value)
    inner = "".join(
        f'<span class="emoji">{escape(run)}</span>' if is_emoji else _spaced(run) for run, is_emoji in emoji_runs(text)
    )
    return mark_safe(f'<span class="t">{inner}</span>')  # noqa: S308 (every run is escaped above)


@register.filter
def css_string(value: object) -> SafeString:
    """A CSS string literal for @page margin boxes (quotes, backslashes and line ends escaped)."""
    text = clean(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")
    return mark_safe(f'"{text}"')  # noqa: S308


@register.filter
def docplain(value: object) -> str:
    """The same cleaned text without markup, for where no markup belongs: the <title>, which becomes
    the PDF's Title (viewers and records systems show it as it is)."""
    return clean(value)
