"""Text made safe for every writer of the system (DOCX, PDF, XLSX, CSV, ZIP member names, headers).

Input is cleaned at the boundary too (issue 9), but each writer must survive any string already in
the database: rows written before the cleaning existed, imports, the admin. So every writer passes
user text through one of these helpers:

- `clean`: removes what XML 1.0 (DOCX, XLSX), HTML (PDF) and UTF-8 cannot carry: C0 controls other
  than tab and newline (CR becomes a newline), DEL and C1 controls, lone surrogates, U+FFFE/U+FFFF
  and the other noncharacters. Never raises.
- `sheet_text`: a cleaned string that a spreadsheet keeps as text (see `xlsx_cell`).
- `csv_text`: OWASP's CSV-injection rule: a cell starting with = + - @ tab or CR gets a leading '.
- `zip_name`: one path component, no traversal, no separators, no control characters.
- `ascii_filename`: the ASCII fallback of a download's file name (RFC 6266).
- `emoji_runs`: text split into plain and emoji runs, so renderers can draw emoji with an emoji font.
"""

from __future__ import annotations

import re
import unicodedata

from daiban.lib.xlsx import formula_like

# C0 except \t and \n, DEL, C1; surrogates; the noncharacters U+FDD0–FDEF and U+xFFFE/U+xFFFF.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17))
    + "]"
)
_NAME_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def clean(value: object) -> str:
    """Any value as a string every writer can carry. None is ''. Never raises.

    Vertical tab and form feed (pasted from Word) become a space, so words do not run together."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text.isascii() and text.isprintable():
        return text  # the common case, without a regex pass
    if _UNSAFE.search(text) is None and "\r" not in text:
        return text  # most Chinese text: one scan, no copy
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", " ").replace("\x0c", " ")
    return _UNSAFE.sub("", text)


def sheet_text(value: object) -> str:
    """User text for a spreadsheet cell (written as a string cell by the caller, never a formula)."""
    return clean(value)


def csv_text(value: object) -> str:
    """User text for a CSV cell: a leading = + - @ tab or CR (after spaces, full-width too: lib.xlsx.
    formula_like) is defused with a ' (OWASP CSV injection)."""
    text = clean(value)
    return "'" + text if formula_like(text) else text


# Linux and macOS file systems take at most 255 bytes per name: a ZIP member of 90 Chinese characters
# (270 bytes in UTF-8) would not extract ("File name too long").
NAME_BYTES = 240


# Names Windows reserves for devices, whatever the extension (CON.png opens the console, not a file):
# a file saved or extracted under one fails or writes nowhere.
_RESERVED = re.compile(r"^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)", re.IGNORECASE)


def windows_safe(name: str) -> str:
    """`name` with a leading underscore when its stem is a device name Windows reserves (CON, PRN,
    AUX, NUL, CONIN$, CONOUT$, COM1–9, LPT1–9, any extension); else unchanged."""
    return f"_{name}" if _RESERVED.match(name) else name


def zip_name(value: object, *, fallback: str = "文件", limit: int = 80) -> str:
    """One safe path component for a ZIP member: no directories, no '..', no control characters,
    no characters Windows refuses, at most `limit` characters and NAME_BYTES bytes of UTF-8 (the
    extension is kept)."""
    text = unicodedata.normalize("NFC", clean(value))
    text = text.replace("\n", " ").replace("\t", " ")
    text = windows_safe(_NAME_UNSAFE.sub("_", text).strip("._ "))
    if not text:
        return fallback
    if len(text) > limit or len(text.encode()) > NAME_BYTES:
        stem, dot, ext = text.rpartition(".")
        ext = ext if dot and 0 < len(ext) <= 8 else ""
        stem = (stem if ext else text)[: limit - len(ext) - 1]
        suffix = f".{ext}" if ext else ""
        while len((stem + suffix).encode()) > NAME_BYTES:
            stem = stem[:-1]
        text = stem.rstrip("._ ") + suffix
    return text


# Words of the system's document names, for the ASCII fallback of a download's name.
_ASCII_WORDS = {
    "信访事项代办单": "daibandan", "信访事项处置单": "chuzhidan", "案卷": "anjuan", "台账": "taizhang",
    "月报": "yuebao", "信访代办服务室工作流程图": "liuchengtu", "工作流程图": "liuchengtu", "代办员公示": "daibanyuan-gongshi", "受理告知书": "shouli-gaozhishu",
    "不予代办告知书": "buyu-daiban-gaozhishu", "告知按法定途径解决告知书": "fading-tujing-gaozhishu",
    "延期办理告知书": "yanqi-gaozhishu", "处理意见书": "chuli-yijianshu", "复查意见书": "fucha-yijianshu",
    "复核意见书": "fuhe-yijianshu", "回访记录": "huifang-jilu", "案件办理情况": "banli-qingkuang",
}


def ascii_filename(filename: str) -> str:
    """`WS-2026-000004-信访事项代办单.pdf` → `WS-2026-000004-daibandan.pdf`: known words become
    their pinyin, other non-ASCII characters are dropped, quotes and separators never pass, and a
    device name Windows reserves (CON, NUL, COM1, …) keeps a leading underscore (windows_safe)."""
    text = clean(filename)
    for word, ascii_word in sorted(_ASCII_WORDS.items(), key=lambda item: -len(item[0])):
        text = text.replace(word, f"-{ascii_word}-")
    stem, dot, ext = text.rpartition(".")
    if not dot:
        stem, ext = text, ""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem)
    stem = re.sub(r"-{2,}", "-", stem).strip("-._") or "document"
    ext = re.sub(r"[^A-Za-z0-9]", "", ext)[:8]
    # The device names Windows reserves get their underscore back here (the strip above took it off
    # "_CON.png"): a browser saving under the ASCII name must not be handed CON.png either.
    return windows_safe(f"{stem[:120]}.{ext}" if ext else stem[:120])


# Emoji: pictographs, dingbats and symbols with emoji presentation, joined by ZWJ, with skin-tone
# modifiers, variation selector 16, keycaps, tags and flags. ☑ and □ are the forms' check boxes,
# drawn in the text font, so they are left out.
_PICTO = (
    "\U0001F000-\U0001FAFF\u2600-\u2610\u2612-\u27BF\u2B00-\u2BFF\u2300-\u23FF\u2190-\u21FF"
    "\u3030\u303D\u3297\u3299\u00A9\u00AE\u203C\u2049\u2122\u2139"
)
_EMOJI = re.compile(
    f"(?:[0-9#*]\ufe0f?\u20e3|[\U0001F1E6-\U0001F1FF]{{2}}|[{_PICTO}][\ufe0f\U0001F3FB-\U0001F3FF]*"
    f"(?:\u200d[{_PICTO}][\ufe0f\U0001F3FB-\U0001F3FF]*)*[\U000E0020-\U000E007F]*)"
)
_ONLY_TEXT_STYLE = re.compile("[\u2190-\u21FF\u2300-\u23FF\u00A9\u00AE\u2122\u2139\u203C\u2049\u2B00-\u2BFF]")


def emoji_runs(text: str) -> list[tuple[str, bool]]:
    """[(run, is_emoji)]: emoji sequences apart from the text around them. Symbols that are emoji
    only when followed by U+FE0F (arrows, ©, ™) stay text unless they carry it."""
    runs: list[tuple[str, bool]] = []
    position = 0
    for match in _EMOJI.finditer(text):
        found = match.group(0)
        if _ONLY_TEXT_STYLE.fullmatch(found):
            continue
        if match.start() > position:
            runs.append((text[position:match.start()], False))
        if runs and runs[-1][1] and match.start() == position:
            # Sequences side by side are one run: one <span> (one DOCX run) for a row of emoji, not
            # one each (5,000 emoji in a complaint took the PDF 50 s to lay out, span by span).
            runs[-1] = (runs[-1][0] + found, True)
        else:
            runs.append((found, True))
        position = match.end()
    if position < len(text):
        runs.append((text[position:], False))
    return runs


def has_emoji(text: str) -> bool:
    return any(is_emoji for _, is_emoji in emoji_runs(text))
