"""Untrusted text at the boundary: one cleaning for every field a person or another system types.

Portal forms, the 12345 hotline's API calls and staff typing all arrive here first (the API's
parser, the forms' base class and the services' validators call the same functions), so a field
added later is cleaned without anyone remembering to. What is done, per kind of character:

| kind | what happens | why |
|---|---|---|
| Unicode composition | NFC | one spelling per character, so equal names compare equal |
| line breaks `\\r\\n`, `\\r`, VT, FF, NEL, U+2028/2029 | become `\\n` (multi-line text) or a space (one-line fields) | Word pastes VT as its line break and FF as a page break |
| tab | kept in multi-line text, a space in one-line fields | |
| other C0 controls, NUL, DEL, C1 controls | removed | invisible; XML (DOCX, XLSX) cannot hold them; PostgreSQL refuses NUL |
| lone surrogates, noncharacters (U+FFFE/FFFF of every plane, U+FDD0–FDEF) | removed | not text: they cannot be encoded to UTF-8 or written to XML |
| bidirectional overrides and isolates (U+202A–202E, U+2066–2069) | removed | they make a name or number read differently on screen than it is stored |
| byte-order mark and zero-width space (U+FEFF, U+200B) | removed | pasted noise that splits words in search and dedupe |
| bidirectional marks (U+200E/200F, U+061C), word joiner and invisible operators (U+2060–2064), deprecated format controls (U+206A–206F), soft hyphen (U+00AD) | removed | invisible: a name typed with one is stored unlike the same name typed without, and reads the same on every page and letter |
| zero-width joiner and non-joiner (U+200C/200D), Mongolian free variation selectors and vowel separator (U+180B–180F), variation selectors | kept | they shape emoji and Mongolian script; search ignores them (search.py) |
| a value of only invisible characters: joiners, variation selectors, format controls, combining marks without a letter, Hangul fillers (U+115F, U+1160, U+3164, U+FFA0), the blank Braille pattern U+2800, spaces | the whole value becomes empty | a name or complaint of "\\u200d" reads as nothing on every page, so a required field must refuse it like an empty one |
| replacement character U+FFFD | the field is refused by name (forms, the API's text types, intake, notes) | Django decodes bytes that are not UTF-8 as U+FFFD, another system's failed decoding leaves it: what was there is lost |

Nothing is silently shortened: text longer than its field, or empty after cleaning where a value is
required, is refused with 400 naming the field (the services' validators). Digits in ID numbers and
phone numbers get their own, stricter normalisation (NFKC) in `daiban.lib.identity`.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

# Characters that mean "new line" in pasted text.
_BREAKS = re.compile("\r\n|[\r\u000b\u000c\u0085\u2028\u2029]")
# Everything removed outright (see the table above). \t and \n are handled by the caller's kind.
_REMOVED = re.compile(
    "[\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f"
    "\u202a-\u202e\u2066-\u2069\ufeff\u200b\u200e\u200f\u061c\u00ad\u2060-\u2064\u206a-\u206f"
    "\ufdd0-\ufdef\ufffe\uffff"
    "\ud800-\udfff]"
)
# Noncharacters of the supplementary planes: U+1FFFE, U+1FFFF, … U+10FFFF.
_PLANE_NONCHARS = re.compile("[" + "".join(f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}"
                                           for p in range(1, 17)) + "]")
_SPACES = re.compile(r"[ \t\u3000]+")
# Letters that draw nothing: the Hangul fillers and the blank Braille pattern.
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Categories that draw nothing on their own: combining marks (variation selectors among them), format
# controls (joiners, tags), spaces and separators, controls.
_UNSEEN = frozenset({"Mn", "Me", "Cf", "Zs", "Zl", "Zp", "Cc"})


def _nothing_seen(value: str) -> bool:
    """True when no character of `value` draws anything (see the table above)."""
    return all(ch in _FILLERS or unicodedata.category(ch) in _UNSEEN for ch in value)


def _strip_unsafe(value: str) -> str:
    value = _REMOVED.sub("", value)
    value = _PLANE_NONCHARS.sub("", value)
    # NFC after removal: a lone surrogate cannot be normalised.
    return unicodedata.normalize("NFC", value)


def clean_text(value: str | None) -> str:
    """Multi-line text (content, notes, results, opinions): safe characters, `\\n` line breaks,
    trailing spaces of each line and blank lines at either end removed. None → ""."""
    if value is None:
        return ""
    value = _BREAKS.sub("\n", str(value))
    value = _strip_unsafe(value)
    lines = [line.rstrip(" \t\u3000") for line in value.split("\n")]
    value = "\n".join(lines).strip("\n").strip()
    return "" if _nothing_seen(value) else value


def clean_line(value: str | None) -> str:
    """One-line text (names, addresses, numbers, titles, file names): as clean_text, with every
    line break and run of spaces or tabs made one space, and no space at either end. None → ""."""
    if value is None:
        return ""
    value = _BREAKS.sub("\n", str(value)).replace("\n", " ")
    value = _SPACES.sub(" ", _strip_unsafe(value)).strip()
    return "" if _nothing_seen(value) else value


def has_unsafe(value: str) -> bool:
    """True when `value` holds a character that clean_* would remove (controls, surrogates,
    noncharacters, bidi controls) other than tab and newline."""
    probe = value.replace("\t", "").replace("\n", "")
    return bool(_REMOVED.search(probe) or _PLANE_NONCHARS.search(probe) or _BREAKS.search(probe))


def clean_any(value: Any, *, skip: frozenset[str] = frozenset()) -> Any:
    """Clean every string inside decoded JSON (dicts, lists) as multi-line text, leaving numbers,
    booleans and keys alone; `skip` names keys whose values stay as sent (passwords).

    Multi-line cleaning keeps the line breaks a one-line field will then refuse or fold in its own
    validator (clean_line, idempotent on what this returns)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_any(v, skip=skip) for v in value]
    if isinstance(value, Mapping):
        return {k: (v if k in skip else clean_any(v, skip=skip)) for k, v in value.items()}
    return value


# What Django puts in place of bytes that are not UTF-8, and what a garbled paste or another
# system's failed decoding carries: whatever was there is lost, so a field holding it is refused.
UNDECODABLE = "\ufffd"
UNDECODABLE_MESSAGE = "含有无法识别的字符“\ufffd”（编码错误），请删除后重新输入"


# What the documents lay out in reasonable time. A complaint of 10,000 characters of prose is about
# 300 lines and its agency form's PDF takes 1–4 s; one cut into 5,000 one-character lines took 21 s
# and 5,000 colour emoji 33 s, on every opening of its forms and case file (a worker blocked that
# long, at will, from the portal). Multi-line text beyond these is refused by name, never cut.
MAX_LINES = 500
MAX_EMOJI = 300
_PICTOGRAPHS = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF]")


def layout_refusal(value: Any) -> str | None:
    """Why multi-line `value` cannot be stored (without the field's name), or None: more than
    MAX_LINES lines or MAX_EMOJI emoji (pictographs; a ZWJ family counts each person)."""
    if not isinstance(value, str):
        return None
    lines = value.count("\n") + 1
    if lines > MAX_LINES:
        return f"分行过多（{lines}行），最多{MAX_LINES}行，请合并段落后重新输入"
    emoji = len(_PICTOGRAPHS.findall(value))
    if emoji > MAX_EMOJI:
        return f"表情符号过多（{emoji}个），最多{MAX_EMOJI}个"
    return None


def undecodable(value: Any) -> bool:
    """True when `value` is text holding U+FFFD (see UNDECODABLE)."""
    return isinstance(value, str) and UNDECODABLE in value


def _before(clean: Any) -> Any:
    def run(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if undecodable(value):
            # Named by the field in Chinese (daiban.lib.validation.MESSAGES["undecodable"]).
            raise PydanticCustomError("undecodable", UNDECODABLE_MESSAGE)
        cleaned = clean(value)
        if clean is clean_text and (refusal := layout_refusal(cleaned)) is not None:
            # Named by the field in Chinese (daiban.lib.validation.MESSAGES["layout"]).
            raise PydanticCustomError("layout", "{refusal}", {"refusal": refusal})
        return cleaned

    return run


# For pydantic schemas: the same cleaning as a type. It runs before the type's own checks, so a
# length limit counts the cleaned text and a value of only control characters is empty. Text
# holding U+FFFD is refused (error type "undecodable").
CleanText = Annotated[str, BeforeValidator(_before(clean_text))]
CleanLine = Annotated[str, BeforeValidator(_before(clean_line))]


class CleanFormMixin:
    """For Django forms: every submitted text value is cleaned before the fields see it (one-line
    fields with clean_line, text areas with clean_text); password fields and files stay as sent.
    Put it first among the bases: `class IntakeForm(CleanFormMixin, forms.Form)`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form: Any = self  # a Django form (this is its mixin)
        self._undecodable: list[str] = []  # fields holding U+FFFD, refused in full_clean
        self._unlaid: dict[str, str] = {}  # text areas refused by layout_refusal, in full_clean
        from django.core.validators import MaxLengthValidator

        for name, field in form.fields.items():
            # A browser cuts pasted text at maxlength without a word; without it, the field's own
            # check refuses the whole text by name and nothing typed is lost.
            field.widget.attrs.pop("maxlength", None)
            if getattr(field, "max_length", None):  # Django's own message reads 确保该变量包含不超过…
                field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)] + [
                    MaxLengthValidator(field.max_length, message=f"{field.label or name}不能超过%(limit_value)d字"
                                                                 "（现有%(show_value)d字）")]
        if not form.is_bound:
            return
        from django import forms

        data = form.data.copy()
        for name, field in form.fields.items():
            key = form.add_prefix(name)
            widget = field.widget
            if isinstance(widget, (forms.PasswordInput, forms.FileInput)) or key not in data:
                continue
            clean = clean_text if isinstance(widget, forms.Textarea) else clean_line
            if hasattr(data, "setlist"):
                data.setlist(key, [clean(v) if isinstance(v, str) else v for v in data.getlist(key)])
            elif isinstance(data.get(key), str):
                data[key] = clean(data[key])
            values = data.getlist(key) if hasattr(data, "getlist") else [data.get(key)]
            if any(undecodable(v) for v in values):
                self._undecodable.append(name)
            elif clean is clean_text and (refusal := next(filter(None, map(layout_refusal, values)), None)):
                self._unlaid[name] = refusal
        form.data = data

    def full_clean(self) -> None:
        """The fields' own checks, then each field that holds U+FFFD is refused by name: Django
        decodes a post's bytes that are not UTF-8 as U+FFFD, and kept, the stored text would
        silently lose what was typed there."""
        super().full_clean()  # type: ignore[misc]
        form: Any = self
        if not hasattr(form, "cleaned_data"):
            return
        for name in self._undecodable:
            if name in form.fields and name not in form.errors:
                form.add_error(name, f"{form.fields[name].label or ''}{UNDECODABLE_MESSAGE}")
        for name, refusal in self._unlaid.items():
            if name in form.fields and name not in form.errors:
                form.add_error(name, f"{form.fields[name].label or ''}{refusal}")


# Keys whose values are never changed: secrets must reach the check exactly as typed.
_KEEP = ("password", "csrfmiddlewaretoken", "otp", "token")


def _clean_querydict(data: Any) -> Any:
    cleaned = data.copy()
    for key in cleaned:
        if any(word in key.lower() for word in _KEEP):
            continue
        cleaned.setlist(key, [clean_text(v) if isinstance(v, str) else v for v in cleaned.getlist(key)])
    return cleaned


def _is_utf8(charset: str) -> bool:
    try:
        return codecs.lookup(charset).name == "utf-8"
    except LookupError:
        return False


class CleanInputMiddleware:
    """Every query string and form post of the pages (staff, portal, admin) is cleaned with
    clean_text before a view sees it, so a view that reads request.GET or request.POST directly
    gets clean text too. The API has its own parser (daiban.api.main.CleanParser) and is skipped.
    A body that cannot be parsed (or a form in another charset than UTF-8) is 400 here."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        if not request.path.startswith("/api/"):
            from django.core.exceptions import BadRequest
            from django.http import QueryDict
            from django.http.multipartparser import MultiPartParserError
            from django.shortcuts import render
            from django.utils.datastructures import MultiValueDict

            if request.encoding and request.encoding.lower() != "utf-8" and _is_utf8(request.encoding):
                request.encoding = "utf-8"  # "utf8", "UTF8": UTF-8 by another name, which Django refuses
            request.GET = _clean_querydict(request.GET)
            if request.method == "POST" and request.content_type in (
                "application/x-www-form-urlencoded", "multipart/form-data",
            ):
                try:
                    request.POST = _clean_querydict(request.POST)
                except (MultiPartParserError, BadRequest):
                    # A body that cannot be parsed, or a form declared in another charset than UTF-8
                    # (Django refuses those): read once here, so no later reader (DEBUG's error page
                    # included) meets it again.
                    request._post, request._files = QueryDict(), MultiValueDict()
                    return render(request, "400.html", status=400, context={
                        "message": "提交的内容格式不正确（表单须为UTF-8编码），请返回上一页重新填写后提交。"})
        return self.get_response(request)
