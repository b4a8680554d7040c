"""A self-hosted image CAPTCHA (SVG digits with noise), asked for after a few submissions from one
client. No third-party service: bureau networks are often offline."""

from __future__ import annotations

import hashlib
import secrets
import time

KEY = "portal_captcha"
TTL = 600


def _digest(answer: str) -> str:
    return hashlib.sha256(answer.encode()).hexdigest()


def new_challenge(session) -> str:
    digits = "".join(secrets.choice("23456789") for _ in range(4))
    session[KEY] = {"hash": _digest(digits), "at": time.time()}
    return _svg(digits)


def check(session, answer: str) -> bool:
    """One try per challenge: right or wrong, it is used up."""
    stored = session.pop(KEY, None)
    if not stored or time.time() - stored["at"] > TTL:
        return False
    return secrets.compare_digest(stored["hash"], _digest((answer or "").strip()))


def _svg(digits: str) -> str:
    rnd = secrets.SystemRandom()
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="140" height="48" viewBox="0 0 140 48" role="img" '
             'aria-label="验证码图片"><rect width="140" height="48" fill="#f1f3f5"/>']
    for _ in range(6):
        parts.append(f'<line x1="{rnd.randint(0, 140)}" y1="{rnd.randint(0, 48)}" x2="{rnd.randint(0, 140)}" '
                     f'y2="{rnd.randint(0, 48)}" stroke="#{rnd.randint(0x555555, 0xaaaaaa):06x}" stroke-width="1.5"/>')
    for i, digit in enumerate(digits):
        x, y, angle = 18 + i * 30 + rnd.randint(-4, 4), 34 + rnd.randint(-5, 5), rnd.randint(-25, 25)
        parts.append(f'<text x="{x}" y="{y}" font-size="28" font-family="monospace" font-weight="bold" '
                     f'fill="#{rnd.randint(0x102040, 0x604080):06x}" transform="rotate({angle} {x} {y})">{digit}</text>')
    parts.append("</svg>")
    return "".join(parts)
