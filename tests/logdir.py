"""Loaded first (`-p tests.logdir` in pyproject's addopts), before Django reads its settings: the test
run logs into a directory of its own, not the developer's var/log, which `make run` writes to (the
tests' frozen clocks made its daily rotation create files dated in 2027, and their deliberate failures
read as errors there). Subprocesses the tests start (the worker, a second server) inherit it."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("DAIBAN_LOG_DIR", tempfile.mkdtemp(prefix="daiban-test-log-"))
