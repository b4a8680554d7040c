"""Write the ledger of every petition in the bench database; print seconds, rows and peak memory.

Run by bench/run.py in its own process, so that the peak resident memory is the ledger's alone.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "daiban.settings")

import django  # noqa: E402

django.setup()

import datetime  # noqa: E402

from daiban.documents.services import ledger_file  # noqa: E402
from daiban.org.models import User  # noqa: E402
from daiban.petitions.models import Petition  # noqa: E402

rows = Petition.objects.count()
start = time.perf_counter()
handle, _ = ledger_file(User.objects.get(username="center"), start=datetime.date(2000, 1, 1), end=datetime.date.today())
size = handle.seek(0, 2)
seconds = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{rows} {seconds:.2f} {peak_mb:.0f} {size}")
