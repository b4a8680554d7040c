"""The 页号 of a case file (一案一档) are on its pages: the 卷内目录 lists each item's 页号 (its first
page, "起-止" when it has several), and every filed PDF page carries its number at its upper right
(DA/T 22-2015 / GB/T 9705-2008: 页号 upper right on the front), read back with pypdf as an
archivist checking the file would: page N of the file says N, where the 卷内目录 says it is.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

from pypdf import PdfReader, PdfWriter

from tests.factories import png_bytes
from tests.test_documents import finished  # noqa: F401  (fixture)


def _upload(api_client, petition_id: int, name: str, data: bytes, kind: str = "document"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = api_client.client.post(f"/api/v1/petitions/{petition_id}/attachments",
                               {"file": SimpleUploadedFile(name, data), "kind": kind}, **api_client.headers)
    assert r.status_code == 201, r.content
    return r


def _odd_pdf() -> bytes:
    """Three pages as scanners make them: A4 portrait, A4 landscape, and a portrait page turned by
    /Rotate 90 (seen as landscape)."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_blank_page(842, 595)
    writer.add_blank_page(595, 842).rotate(90)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _numbers_at_upper_right(page) -> list[str]:
    """The runs of digits drawn in the upper right tenth of `page` as seen (its /Rotate applied)."""
    found: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, font, size):
        if text.strip().isdigit():
            x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            found.append((text.strip(), x, y))

    page.extract_text(visitor_text=visit)
    box = page.cropbox
    width, height = float(box.width), float(box.height)
    if int(page.get("/Rotate", 0)) % 180:
        width, height = height, width
    return [t for t, x, y in found if x - float(box.left) > width * 0.75 and y - float(box.bottom) > height * 0.9]


def _archive(api, petition_id: int) -> tuple[zipfile.ZipFile, str]:
    """The case file as build_archive makes it now (the API's download serves the worker's preview,
    kept by a key that tests in one session with frozen time can share)."""
    from daiban.documents import services

    data = services.build_archive(services.load_case(petition_id))
    archive = zipfile.ZipFile(io.BytesIO(data))
    root = archive.namelist()[0].split("/", 1)[0]
    return archive, root


def test_every_filed_page_carries_the_page_number_the_index_lists(api, finished):  # noqa: F811
    """Actor: the archivist of the bureau checking a sealed case file: the 卷内目录 (PDF and CSV) says
    where each item starts; every PDF page of the items, the agency's own documents and the
    petitioner's scanned PDFs alike (landscape and turned pages too), says its number at its upper
    right, and the numbers run on without a gap from item to item."""
    pid = finished["id"]
    agent = api("agent1")
    _upload(agent, pid, "补偿协议（扫描件）.pdf", _odd_pdf())
    _upload(agent, pid, "现场照片.png", png_bytes(6, 4), kind="photo")
    archive, root = _archive(api, pid)
    rows = list(csv.DictReader(io.StringIO(archive.read(f"{root}/00c-卷内目录.csv").decode("utf-8-sig"))))
    assert len(rows) >= 5
    page = 1
    pdf_pages = 0
    for row in rows:
        assert row["文件"], row  # every item is in the file
        data = archive.read(f"{root}/{row['文件']}")
        if row["文件"].endswith(".pdf"):
            pages = PdfReader(io.BytesIO(data)).pages
            count = len(pages)
            for offset, filed in enumerate(pages):
                assert _numbers_at_upper_right(filed) == [str(page + offset)], (row["题名"], offset)
                assert str(page + offset) in filed.extract_text()
            pdf_pages += count
        else:
            count = 1  # an image that could not be printed as a page: filed as it came (未能加盖页号)
        expected = str(page) if count == 1 else f"{page}-{page + count - 1}"
        assert row["页号"] == expected, (row["题名"], row["页号"], expected)
        page += count
    assert pdf_pages >= 7  # the scanned PDF's three pages among them
    # The 卷内目录's PDF lists the same 页号 as its CSV, row by row.
    index = "".join(p.extract_text() for p in PdfReader(io.BytesIO(archive.read(f"{root}/00b-卷内目录.pdf"))).pages)
    flat = re.sub(r"\s+", "", index)
    for row in rows:
        assert row["页号"] in flat
    # The cover counts every page the items carry numbers for.
    cover = re.sub(r"\s+", "", PdfReader(io.BytesIO(archive.read(f"{root}/00a-案卷封面.pdf"))).pages[0].extract_text())
    assert str(page - 1) in cover
    # The DOCX working copies are outside the page count: not numbered as filed pages.
    assert all(not n.split("/", 1)[1].startswith("工作文件") or n.endswith(".docx") for n in archive.namelist())


def test_the_uploaded_pdf_stays_as_uploaded_and_a_file_built_again_is_the_same(api, finished):  # noqa: F811
    """The numbers are printed on the filed copy: the upload in storage keeps its bytes and SHA-256
    (the 卷内备考表 does not call it altered), and building the file again gives the same bytes."""
    from daiban.documents.models import Attachment
    from daiban.documents.storage import attachment_bytes

    pid = finished["id"]
    original = _odd_pdf()
    _upload(api("agent1"), pid, "协议.pdf", original)
    first, root = _archive(api, pid)
    attachment = Attachment.objects.get(petition_id=pid, name="协议.pdf")
    assert attachment_bytes(attachment) == original
    filed = next(n for n in first.namelist() if n.endswith("协议（文件）.pdf") or "协议" in n and n.endswith(".pdf"))
    assert first.read(filed) != original
    note = "".join(p.extract_text() for p in PdfReader(io.BytesIO(first.read(next(
        n for n in first.namelist() if n.endswith("卷内备考表.pdf"))))).pages)
    assert "不一致" not in note and "未能加盖页号" not in note
    again, _ = _archive(api, pid)
    assert first.read(filed) == again.read(filed)


def test_a_pdf_that_cannot_be_numbered_is_filed_as_it_came_and_said(api, finished, monkeypatch):  # noqa: F811
    """A PDF that cannot be written again (uploads refuse encrypted ones; a malformed page may still
    fail): filed as it came, its 备注 says 未能加盖页号, and the archive is still made."""
    import pypdf

    pid = finished["id"]
    scan = _odd_pdf()
    _upload(api("agent1"), pid, "扫描件.pdf", scan)

    def fail(self, *args, **kwargs):
        raise pypdf.errors.PdfReadError("damaged content stream")

    monkeypatch.setattr(pypdf.PageObject, "merge_transformed_page", fail)
    archive, root = _archive(api, pid)
    rows = list(csv.DictReader(io.StringIO(archive.read(f"{root}/00c-卷内目录.csv").decode("utf-8-sig"))))
    row = next(r for r in rows if "扫描件" in r["题名"])
    assert row["备注"] == "未能加盖页号" and row["页号"]
    assert archive.read(f"{root}/{row['文件']}") == scan
    note = "".join(p.extract_text() for p in PdfReader(io.BytesIO(archive.read(next(
        n for n in archive.namelist() if n.endswith("卷内备考表.pdf"))))).pages)
    assert "未能加盖页号" in re.sub(r"\s+", "", note)
