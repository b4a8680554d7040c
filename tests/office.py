"""LibreOffice as the tests' office suite: every DOCX and XLSX the system writes is converted to PDF
by `soffice --headless --convert-to pdf` and read back with pypdf, as a person opening it would see it.

Each conversion uses its own user profile (-env:UserInstallation) so parallel runs never collide.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

needs_office = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-writer libreoffice-calc")


def to_pdf(data: bytes, suffix: str) -> bytes:
    """The PDF LibreOffice makes of a .docx or .xlsx file."""
    assert SOFFICE, "soffice missing"
    with tempfile.TemporaryDirectory(prefix="daiban-office-") as work:
        folder = Path(work)
        source = folder / f"document.{suffix}"
        source.write_bytes(data)
        profile = (folder / "profile").as_uri()
        result = subprocess.run(  # noqa: S603 (fixed arguments)
            [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", "pdf",
             "--outdir", str(folder), str(source)],
            capture_output=True, timeout=180, check=False,
        )
        target = folder / "document.pdf"
        assert target.exists(), f"LibreOffice did not convert: {result.stdout!r} {result.stderr!r}"
        return target.read_bytes()


def to_pdf_many(files: dict[str, bytes]) -> dict[str, bytes]:
    """{name.docx|name.xlsx: bytes} → {name: PDF bytes}, in one LibreOffice start (it costs seconds)."""
    assert SOFFICE, "soffice missing"
    with tempfile.TemporaryDirectory(prefix="daiban-office-") as work:
        folder = Path(work)
        sources = []
        for i, (name, data) in enumerate(files.items()):
            path = folder / f"f{i}.{name.rsplit('.', 1)[-1]}"  # report.docx and report.xlsx must not meet as report.pdf
            path.write_bytes(data)
            sources.append(str(path))
        profile = (folder / "profile").as_uri()
        result = subprocess.run(  # noqa: S603 (fixed arguments)
            [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", "pdf",
             "--outdir", str(folder / "out"), *sources],
            capture_output=True, timeout=600, check=False,
        )
        converted = {}
        for i, name in enumerate(files):
            target = folder / "out" / f"f{i}.pdf"
            assert target.exists(), f"LibreOffice did not convert {name}: {result.stdout!r} {result.stderr!r}"
            converted[name] = target.read_bytes()
        return converted


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text without white space (vertical labels are one character a line)."""
    from pypdf import PdfReader

    return ["".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def chars_outside(pdf: bytes) -> list[tuple[int, str, float, float]]:
    """Characters drawn outside their page box: [(page, char, x, page width)]. Empty when all fit."""
    import pdfplumber

    outside = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, start=1):
            width, height = float(page.width), float(page.height)
            for char in page.chars:
                if char["text"].strip() and (char["x0"] < -0.5 or char["x1"] > width + 0.5
                                             or char["top"] < -0.5 or char["bottom"] > height + 0.5):
                    outside.append((number, char["text"], round(char["x1"], 1), width))
    return outside


def fonts_of(pdf: bytes, char: str) -> set[str]:
    """The fonts `char` is drawn with anywhere in the PDF (pdfplumber's fontname, subset prefix kept)."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return {c["fontname"] for page in document.pages for c in page.chars if c["text"] == char}
