"""Documents (issue 13): one 处置单 PDF ≤ 300 ms, its DOCX ≤ 50 ms, the case file (archive.zip) of a
case with 10 attachments ≤ 10 s. The ledger of 100,000 petitions is bench/ledger.py's figure.

A figure module (bench/README.md): measured on the run's data set, in its child process. The ten
attachments are stored for the measurement under a temporary PRIVATE_ROOT (deleted after) and their
rows are removed with the run's other writes, so the data set and its files stay as generated.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable

from bench.core import Ctx, Figure, at_most

ORDER = 55
ATTACHMENTS = 10


def _attach(petition, count: int, pdf: bytes) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from daiban.documents import services
    from daiban.org.models import User

    user = User.objects.get(username="center")
    for i in range(count):
        if i % 2:
            image = io.BytesIO()
            Image.new("RGB", (800 + i, 600), (200, 220, 240)).save(image, "PNG")
            data, name = image.getvalue(), f"现场照片{i}.png"
        else:
            data, name = pdf + f"% {i}".encode(), f"来信扫描{i}.pdf"
        services.store_attachment(petition, SimpleUploadedFile(name, data), kind="document", user=user)


def figures(ctx: Ctx) -> Iterable[Figure]:
    from django.test import override_settings

    from daiban.documents import services
    from daiban.documents.casefile import build_archive
    from daiban.documents.docx import render_docx
    from daiban.documents.forms import disposition_form
    from daiban.documents.pdf import form_pdf
    from daiban.petitions.models import Disposition
    from daiban.petitions.selectors import petitioner_view

    if ctx.size != max(ctx.sizes):  # the same work at every size: measured once
        return
    disposition = Disposition.objects.order_by("id").first()
    if disposition is None:
        return
    case = services.load_case(disposition.petition_id)
    form = disposition_form(case.dispositions.all()[0], person=petitioner_view(case, None))
    if ctx.wanted("documents: 处置单 PDF"):
        yield ctx.measure("documents: 处置单 PDF", lambda: form_pdf(form), runs=min(ctx.runs, 15),
                          targets=[at_most(300, "#13")])
    if ctx.wanted("documents: 处置单 DOCX"):
        yield ctx.measure("documents: 处置单 DOCX", lambda: render_docx(form), runs=min(ctx.runs, 41),
                          targets=[at_most(50, "#13")])
    if ctx.wanted(f"documents: archive.zip, {ATTACHMENTS} attachments"):
        with tempfile.TemporaryDirectory() as private, override_settings(PRIVATE_ROOT=private):
            _attach(case, ATTACHMENTS, form_pdf(form))
            full = services.load_case(case.pk)
            size = len(build_archive(full))
            yield ctx.measure(f"documents: archive.zip, {ATTACHMENTS} attachments", lambda: build_archive(full),
                              runs=3, warmup=0, targets=[at_most(10_000, "#13")],
                              note=f"{size / 1e6:.1f} MB, {full.dispositions.count()} 处置单")
