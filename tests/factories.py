"""Test data that looks like the bureau's: valid ID numbers, Chinese complaints."""

from __future__ import annotations

import datetime
import itertools

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_serial = itertools.count()


def id_number(born: str | None = None, region: str = "150626", serial: int | None = None) -> str:
    """A valid 18-digit ID number (region 150626 is 乌审旗). Given `serial`, the person of that serial
    born `born` (default 1970-01-01, as the tests' literal numbers such as 15062619700101123X); without
    it, a new person on each call, born from 1980-01-01 on (a day per 1,000 serials) unless `born` is
    given: never one of those. (The counter used to run through 1970-01-01's serials too and wrapped at
    1,000, so a long run gave a test's `serial=95` to another petitioner of the same test.)"""
    if serial is None:
        n = next(_serial)
        serial = n % 1000
        if born is None:
            born = (datetime.date(1980, 1, 1) + datetime.timedelta(days=n // 1000)).strftime("%Y%m%d")
    first17 = f"{region}{born or '19700101'}{serial % 1000:03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]
    return first17 + check


COMPLAINT = "我家位于嘎鲁图镇沙尔利格嘎查的承包草场约300亩，2025年被修建公路征用，至今未收到征地补偿款，请求有关部门尽快落实补偿。"
PARAPHRASE = "本人在嘎鲁图镇沙尔利格嘎查有300亩承包草场，去年修公路时被征用了，到现在征地补偿款一分也没拿到，希望尽快给予补偿。"
OTHER_MATTER = "我申请办理宅基地不动产登记已经三个月，登记中心一直说材料不全，要求尽快给我办理不动产权证书。"


def petition_body(**overrides) -> dict:
    body = {
        "channel": "visit",
        "source": "self",
        "petitioner": {"name": "张三", "id_number": id_number(), "phone": "13912345678", "address": "嘎鲁图镇沙尔利格嘎查"},
        "content": COMPLAINT,
    }
    petitioner = overrides.pop("petitioner", None)
    if petitioner:
        body["petitioner"] = {**body["petitioner"], **petitioner}
    body.update(overrides)
    return body


def png_bytes(width: int = 4, height: int = 3) -> bytes:
    """A real PNG (Pillow), small: attachments are accepted only if they decode."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_bytes(pages: int = 1) -> bytes:
    """A real PDF of blank A4 pages (pypdf)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def login(username: str):
    """A test client signed in as the demo user `username` (no password, no second factor)."""
    from django.test import Client

    from daiban.org.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client
