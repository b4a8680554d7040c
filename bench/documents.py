"""`make bench`, documents (issue 13): one form PDF ≤ 300 ms, one DOCX ≤ 50 ms, the whole archive of a
case with 10 attachments ≤ 10 s, the ledger of 100,000 petitions ≤ 30 s and ≤ 300 MB.

Uses the bench database of bench/run.py (var/bench.sqlite3 unless BENCH_DATABASE_URL is set) and fills
it the same way when it is empty. The ledger runs in a child process (bench/ledger.py); its peak
memory is that child's own, read with getrusage(RUSAGE_CHILDREN) after it ends.
"""

from __future__ import annotations

import datetime
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "daiban.settings")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402

from bench.data import generate  # noqa: E402
from daiban.documents import services  # noqa: E402
from daiban.documents.casefile import build_archive  # noqa: E402
from daiban.documents.docx import render_docx  # noqa: E402
from daiban.documents.forms import disposition_form  # noqa: E402
from daiban.documents.pdf import form_pdf  # noqa: E402
from daiban.org.models import User  # noqa: E402
from daiban.petitions.models import Disposition, Petition  # noqa: E402
from daiban.petitions.selectors import PetitionerView, petitioner_view  # noqa: E402


def _person(petition: Petition) -> PetitionerView:
    return petitioner_view(petition, None)


def median_ms(fn, runs: int) -> float:
    fn()  # warm up (fonts, templates)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def report(label: str, value: float, target: float, unit: str) -> tuple[str, float, float]:
    print(f"{label:<44} {value:10.1f} {unit:<3} 目标 ≤ {target:g} {unit}   {'达标' if value <= target else '未达标'}")
    return label, value, target


def case_with_attachments(count: int = 10) -> Petition:
    """A petition with dispositions and `count` attachments (PDF and PNG), made once and reused."""
    petition = Petition.objects.filter(dispositions__isnull=False, attachments__isnull=False).distinct().first()
    if petition is None or petition.attachments.count() < count:
        petition = petition or Petition.objects.filter(dispositions__isnull=False).order_by("id").first()
        user = User.objects.get(username="center")
        pdf = form_pdf(disposition_form(services.load_case(petition.pk).dispositions.all()[0], person=_person(petition)))
        from io import BytesIO

        from PIL import Image

        for i in range(count - petition.attachments.count()):
            if i % 2:
                image = BytesIO()
                Image.new("RGB", (800 + i, 600), (200, 220, 240)).save(image, "PNG")
                data, name = image.getvalue(), f"现场照片{i}.png"
            else:
                data, name = pdf + f"% {i}".encode(), f"来信扫描{i}.pdf"
            services.store_attachment(petition, SimpleUploadedFile(name, data), kind="document", user=user)
    return services.load_case(petition.pk)


def ledger() -> list[tuple[str, float, float]]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "ledger.py")], capture_output=True, text=True,  # noqa: S603
                         check=True, env=os.environ.copy()).stdout.split()
    wall = time.perf_counter() - start
    peak_mb = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024  # kB on Linux
    rows, seconds = int(out[0]), float(out[1])
    print(f"台账：{rows} 行（子进程用时 {wall:.1f} 秒，含启动）")
    return [report("台账 ledger.xlsx（秒）", seconds, 30, "s"), report("台账峰值内存（子进程 ru_maxrss）", peak_mb, 300, "MB")]


def main() -> int:
    call_command("migrate", verbosity=0)
    call_command("load_demo", quiet=True)
    generate(int(os.environ.get("BENCH_PETITIONS", 100_000)))
    print(f"\n文书（issue 13）：信访事项 {Petition.objects.count()} 件")
    disposition = Disposition.objects.select_related("petition").order_by("id").first()
    case = services.load_case(disposition.petition_id)
    form = disposition_form(case.dispositions.all()[0], person=_person(case))
    results = [
        report("处置单 PDF（中位数）", median_ms(lambda: form_pdf(form), 15), 300, "ms"),
        report("处置单 DOCX（中位数）", median_ms(lambda: render_docx(form), 40), 50, "ms"),
    ]
    petition = case_with_attachments(10)
    start = time.perf_counter()
    data = build_archive(petition)
    results.append(report(f"案卷 archive.zip（10个附件，{len(data) / 1e6:.1f} MB）", time.perf_counter() - start, 10, "s"))
    results += ledger()
    missed = [r for r in results if r[1] > r[2]]
    print(f"（{datetime.date.today()}，{len(results) - len(missed)}/{len(results)} 项达标）")
    return 1 if missed and os.environ.get("BENCH_STRICT") else 0


if __name__ == "__main__":
    sys.exit(main())
