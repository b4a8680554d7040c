"""Image attachments in the case file (一案一档) are filed as pages that carry their 页号 (DA/T 22-2015:
photos filed in a 卷 are mounted on sheets with the 页号): each image on an A4 page of its own, fitted
and centred, never drawn larger than it is, upright as its EXIF says, captioned with its name and
upload day; the upload itself kept byte for byte in 原件/. An image that cannot be printed (a
decompression bomb, a damaged or animated file) is filed as it came, its 备注 saying 未能加盖页号, and
the case file is still made. Read back with pypdf and pdfplumber as the archivist checking it would.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from pypdf import PdfReader

from tests.test_archive_page_numbers import _archive, _numbers_at_upper_right, _upload
from tests.test_documents import finished  # noqa: F401  (fixture)

A4 = (595.3, 841.9)  # points


def _image(mode: str, size: tuple[int, int], color, fmt: str, **save) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def _turned_jpeg() -> bytes:
    """A phone photo stored 400×300 whose EXIF says "turn 90° clockwise" (orientation 6): seen 300×400.
    Its left half red, so the upright copy has red on top."""
    from PIL import Image

    image = Image.new("RGB", (400, 300), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 200, 300))
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif, quality=95)
    return buffer.getvalue()


def _rows(archive: zipfile.ZipFile, root: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read(f"{root}/00c-卷内目录.csv").decode("utf-8-sig"))))


def _flat(data: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def _store_raw(petition_id: int, name: str, data: bytes, content_type: str = "image/png"):
    """An image in storage as no upload would let in today (kept before the checks, or altered since)."""
    import hashlib
    import uuid

    from django.core.files.base import ContentFile

    from daiban.documents.models import Attachment
    from daiban.documents.storage import private_storage

    stored = private_storage().save(f"attachments/test-raw-{uuid.uuid4().hex}.bin", ContentFile(data))
    return Attachment.objects.create(petition_id=petition_id, kind=Attachment.Kind.PHOTO, name=name,
                                     content_type=content_type, size=len(data),
                                     sha256=hashlib.sha256(data).hexdigest(), stored_name=stored)


def test_each_photo_is_a_numbered_page_and_the_original_is_kept(api, finished):  # noqa: F811
    """Actor: the archivist checking the sealed file: the 卷内目录 points at each photo's page, which
    says its 页号 at the upper right, shows the photo upright, fitted and centred, not blown up, with
    its name and upload day under it; 备注 says the original is kept, and 原件/ holds it unchanged."""
    import pdfplumber

    from daiban.documents.models import Attachment

    pid = finished["id"]
    agent = api("agent1")
    photos = {"承包地现场.jpg": _turned_jpeg(), "小图标.png": _image("RGB", (6, 4), (200, 30, 30), "PNG"),
              "宽幅截图.png": _image("RGB", (3000, 1000), (10, 120, 10), "PNG")}
    for name, data in photos.items():
        _upload(agent, pid, name, data, kind="photo")
    archive, root = _archive(api, pid)
    rows = _rows(archive, root)
    page = 1
    for row in rows:
        data = archive.read(f"{root}/{row['文件']}")
        pages = PdfReader(io.BytesIO(data)).pages  # every filed item is a PDF now, the photos too
        for offset, filed in enumerate(pages):
            assert _numbers_at_upper_right(filed) == [str(page + offset)], row["题名"]
        page += len(pages)
    assert page - 1 == sum(int(r["页号"].split("-")[-1]) - int(r["页号"].split("-")[0]) + 1 for r in rows)
    for name, data in photos.items():
        row = next(r for r in rows if name in r["题名"])
        assert row["文件"].endswith(".pdf") and row["备注"] == "原图另存于“原件”文件夹", row
        original = f"{root}/原件/{row['文件'].rsplit('.', 1)[0]}.{name.rsplit('.', 1)[1]}"
        assert archive.read(original) == data  # byte for byte: the EXIF (and its place, if any) kept there
        filed = archive.read(f"{root}/{row['文件']}")
        reader = PdfReader(io.BytesIO(filed))
        assert len(reader.pages) == 1 and row["页号"].isdigit()
        day = Attachment.objects.get(petition_id=pid, name=name).uploaded_at
        from django.utils import timezone

        local = timezone.localtime(day).date()
        text = re.sub(r"\s+", "", reader.pages[0].extract_text())
        assert name in text and f"{local.year}年{local.month}月{local.day}日上传" in text and row["页号"] in text
        with pdfplumber.open(io.BytesIO(filed)) as pdf:
            sheet = pdf.pages[0]
            assert (round(float(sheet.width), 1), round(float(sheet.height), 1)) == A4
            [drawn] = sheet.images
            centre = (drawn["x0"] + drawn["x1"]) / 2
            assert abs(centre - float(sheet.width) / 2) < 1, name
            if name == "小图标.png":  # 6×4 pixels at 96 dpi: 4.5 × 3 pt, not blown up to the page
                assert abs(drawn["width"] - 4.5) < 0.1 and abs(drawn["height"] - 3) < 0.1
            elif name == "宽幅截图.png":  # wider than the text area: fitted to its 170 mm
                assert abs(drawn["width"] - 170 / 25.4 * 72) < 0.5 and abs(drawn["height"] - drawn["width"] / 3) < 0.5
            else:  # upright: 300 wide, 400 high, red on top (the EXIF turn applied)
                image = reader.pages[0].images[0].image.convert("RGB")
                assert image.size == (300, 400)
                top, bottom = image.getpixel((150, 20)), image.getpixel((150, 380))
                assert top[0] > 200 and top[2] < 60 and bottom[2] > 200 and bottom[0] < 60, (top, bottom)
                assert drawn["height"] > drawn["width"]
    # The 卷内目录's PDF says so too; the 备考表 says the originals are outside the page count.
    assert "原图另存于“原件”文件夹" in _flat(archive.read(f"{root}/00b-卷内目录.pdf"))
    note = _flat(archive.read(f"{root}/99-卷内备考表.pdf"))
    assert "图片附件3件各打印为一页归档" in note and "未能加盖页号" not in note
    cover = _flat(archive.read(f"{root}/00a-案卷封面.pdf"))
    assert f"{page - 1}页" in cover or str(page - 1) in cover
    # Built again: the same bytes (the case file is frozen by its SHA-256).
    again, _ = _archive(api, pid)
    assert [archive.read(n) for n in archive.namelist()] == [again.read(n) for n in again.namelist()]


def test_scanner_images_are_printed_as_they_look(api, finished):  # noqa: F811
    """CMYK JPEG, 16-bit grey PNG and a PNG with transparency (a screenshot, a scanner's output):
    each on its numbered page, in 8-bit colour, the transparent part white."""
    from PIL import Image

    pid = finished["id"]
    agent = api("agent1")
    grey16 = Image.new("I;16", (40, 30), 40000)
    buffer = io.BytesIO()
    grey16.save(buffer, format="PNG")
    images = {
        "印刷稿.jpg": _image("CMYK", (60, 40), (0, 255, 255, 0), "JPEG"),  # red in CMYK
        "扫描灰度.png": buffer.getvalue(),
        "透明截图.png": _image("RGBA", (50, 50), (0, 0, 0, 0), "PNG"),
    }
    for name, data in images.items():
        _upload(agent, pid, name, data, kind="photo")
    archive, root = _archive(api, pid)
    rows = _rows(archive, root)
    for name in images:
        row = next(r for r in rows if name in r["题名"])
        assert row["文件"].endswith(".pdf") and "未能加盖页号" not in row["备注"], row
        page = PdfReader(io.BytesIO(archive.read(f"{root}/{row['文件']}"))).pages[0]
        assert _numbers_at_upper_right(page) == [row["页号"]]
        pixel = page.images[0].image.convert("RGB").getpixel((10, 10))
        if name == "印刷稿.jpg":
            assert pixel[0] > 200 and pixel[1] < 80 and pixel[2] < 80, pixel
        elif name == "扫描灰度.png":  # 40000 of 65535: a mid grey, not clipped to white
            assert 140 < pixel[0] < 170, pixel
        else:
            assert pixel == (255, 255, 255), pixel


def _animated_png() -> bytes:
    from PIL import Image

    frames = [Image.new("RGB", (20, 20), c) for c in ((255, 0, 0), (0, 255, 0))]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="PNG", save_all=True, append_images=frames[1:], duration=100)
    return buffer.getvalue()


def _animated_gif() -> bytes:
    from PIL import Image

    frames = [Image.new("P", (20, 20), c) for c in (1, 2)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    return buffer.getvalue()


def _bomb() -> bytes:
    """A PNG of 20000 × 20000 grey pixels (400 megapixels) that zips to a few hundred kilobytes."""
    import struct
    import zlib

    width = height = 20000
    row = b"\x00" * (width + 1)  # filter byte and pixels
    squeeze = zlib.compressobj(9)
    raw = b"".join(squeeze.compress(row) for _ in range(height)) + squeeze.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


@pytest.mark.parametrize("name,make,content_type", [
    ("动图.png", _animated_png, "image/png"),
    ("动图.gif", _animated_gif, "image/png"),
    ("超大图.png", _bomb, "image/png"),
    ("截断.jpg", lambda: _image("RGB", (300, 200), (1, 2, 3), "JPEG")[:-400], "image/jpeg"),
], ids=["apng", "gif", "bomb", "truncated"])
def test_an_image_that_cannot_be_printed_is_filed_as_it_came(api, finished, name, make, content_type):  # noqa: F811
    """Kept before the checks or altered since: an animated image (one frame is not the file), a
    decompression bomb, a truncated photo. The case file is made, the image filed as it came (no
    原件 copy: it is the item), its 备注 says so, and the page numbers run on past it."""
    pid = finished["id"]
    data = make()
    _store_raw(pid, name, data, content_type)
    _upload(api("agent1"), pid, "其后的照片.png", _image("RGB", (8, 8), (0, 0, 0), "PNG"), kind="photo")
    archive, root = _archive(api, pid)
    rows = _rows(archive, root)
    row = next(r for r in rows if name in r["题名"])
    assert not row["文件"].endswith(".pdf") and archive.read(f"{root}/{row['文件']}") == data
    assert "未能加盖页号" in row["备注"] or "文件损坏" in row["备注"], row
    assert "原图另存" not in row["备注"]
    assert not any(n.startswith(f"{root}/原件/") and name.rsplit(".", 1)[0] in n for n in archive.namelist())
    note = _flat(archive.read(next(n for n in archive.namelist() if n.endswith("卷内备考表.pdf"))))
    assert row["备注"].split("；")[0] in note
    after = next(r for r in rows if "其后的照片" in r["题名"])
    page = PdfReader(io.BytesIO(archive.read(f"{root}/{after['文件']}"))).pages[0]
    assert _numbers_at_upper_right(page) == [after["页号"]]
    assert any(n.startswith(f"{root}/原件/") and "其后的照片" in n for n in archive.namelist())


def test_a_truncated_photo_is_refused_at_upload_even_after_a_pdf_was_made(api, finished):  # noqa: F811
    """WeasyPrint, once imported (any PDF made in the process), tells Pillow to load truncated
    images: the upload check still refuses a photo cut off in transfer (it would be kept with its
    missing part grey), and Pillow's setting is left as WeasyPrint wants it."""
    import weasyprint  # noqa: F401  (what a PDF made earlier in the process has done)
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    whole = _image("RGB", (300, 200), (1, 2, 3), "JPEG")
    from django.core.files.uploadedfile import SimpleUploadedFile

    agent = api("agent1")
    r = agent.client.post(f"/api/v1/petitions/{finished['id']}/attachments",
                          {"file": SimpleUploadedFile("截断.jpg", whole[:-400]), "kind": "photo"}, **agent.headers)
    assert r.status_code == 400 and "图片已损坏或无法打开" in r.json()["error"]["fields"]["file"], r.content
    assert ImageFile.LOAD_TRUNCATED_IMAGES
    _upload(agent, finished["id"], "完整.jpg", whole, kind="photo")
