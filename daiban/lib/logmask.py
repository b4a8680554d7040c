"""A logging filter that masks ID-number-like and phone-like digit runs before anything is written.

The code never logs personal data on purpose (SMS backends mask the number, request bodies are not
logged); this is the safety net for the message nobody thought about: an exception text carrying a
submitted value, a library's debug line. 《个人信息保护法》 Art. 51: measures against leaks.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from urllib.parse import unquote

# Seven or more digits in a row (ID numbers, mobile and fixed-line numbers, bank cards), an 18-digit
# ID ending in X, or a number typed in groups: a mobile "138 1234 5678" / "138-1234-5678" / "138.1234.5678",
# an ID "150626 19820828 0167" or "150626 1982 0828 0167". "+" is a space in a query string.
_SEP = r"[ +.\-]"
_RUNS = re.compile(
    r"(?<![0-9])(?:"
    rf"1[3-9][0-9]{_SEP}[0-9]{{4}}{_SEP}[0-9]{{4}}"
    rf"|[0-9]{{6}}{_SEP}(?:[0-9]{{8}}|[0-9]{{4}}{_SEP}[0-9]{{4}}){_SEP}[0-9]{{3}}[0-9Xx]"
    r"|[0-9]{7,}[Xx]?"
    r")(?![0-9])"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# A petition's query code in an address (`?code=…` of the public API and old tracking links): whoever
# holds it sees the petition's progress and may rate it, so an access log must not keep it.
# Up to the next parameter, quote or " HTTP/" (a decoded "%20" may sit inside a typed code).
# A search (`q=`, the audit page's `target=`) or a filter by name holds what staff typed to find a
# person, often the name itself.
_QUERY_CODE = re.compile(r"([?&;](?:code|query_code|q|name|petitioner|petitioner_name|id_number|phone|target)=)"
                         r"[^&;\"'\n]*?(?=[&;\"'\n]| HTTP/|$)", re.IGNORECASE)
# The ticket of the portal's QR code in its address (/track/<number>/qr/<ticket>/, portal.views.qr): it
# is spent once used and void an hour after it was opened, and is masked all the same.
_QR_TICKET = re.compile(r"(/track/[^/\s\"']+/qr/)[^/\s\"'?#]+")
# The same code in a message's text ("…编号WS-2026-000001，查询码FRWKPL7L84。": the receipt SMS, which the
# console SMS backend logs).
_QUERY_CODE_TEXT = re.compile(r"(查询码[：:\s]*)[0-9A-Za-z]{4,32}")
# A UUID (task and job ids in the worker's log) is not personal data, though its first group can be
# eight digits: UUIDs are kept whole so that a job can still be found from its log line.
_UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")


def mask(text: str) -> str:
    """Replace every ID- or phone-like digit run in `text` with a marker giving only its length
    (UUIDs excepted), and a query code or a search in an address (`code=…`, `q=…`) with a marker. Read as people type numbers: full-width digits are folded (NFKC) and a
    percent-encoded query string (an access log's request line) is decoded first; control characters
    that decoding brings are written as \\xNN, so a request cannot forge log lines."""
    if "%" in text:
        decoded = unquote(text, errors="replace")
        if decoded != text:
            text = _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", decoded)
    text = unicodedata.normalize("NFKC", text)
    text = _QUERY_CODE.sub(r"\1[已屏蔽]", text)
    text = _QUERY_CODE_TEXT.sub(r"\1[已屏蔽]", text)
    text = _QR_TICKET.sub(r"\1[已屏蔽]", text)
    parts, kept = [], 0
    for found in _UUID.finditer(text):
        parts.append(_mask_runs(text[kept:found.start()]))
        parts.append(found.group(0))
        kept = found.end()
    parts.append(_mask_runs(text[kept:]))
    return "".join(parts)


def _mask_runs(text: str) -> str:
    return _RUNS.sub(lambda m: f"[已屏蔽{len(m.group(0))}位]", text)


class MaskPersonalData(logging.Filter):
    """Rewrites the record's message (and its exception text) with the digit runs masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = str(record.msg)
        record.msg, record.args = mask(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask(record.exc_text)
        return True
