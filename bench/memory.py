"""Peak memory of a child process, the child's own: `run(cmd)` → (CompletedProcess, peak MB).

Linux carries a process's maximum resident size across fork and exec: at exec the kernel folds the
old image's high-water mark into the process's `maxrss`. A child started from a 300 MB benchmark
process therefore reports at least 300 MB, whether read with getrusage(RUSAGE_SELF) in the child or
getrusage(RUSAGE_CHILDREN) in the parent — which is how the benchmark once printed 344 MB for a
ledger that peaks at 118 MB.

So the work runs as the child of a fresh, small launcher (`python -c`, importing nothing but the
standard library): the work inherits the launcher's few MB, not the benchmark's size, and the
launcher reports getrusage(RUSAGE_CHILDREN).ru_maxrss after the work ended, through a pipe of its
own. The figure is the peak of the work process (or of the largest of its own children), never
less than an empty Python's ~10 MB.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

# The launcher: runs argv[2:] with the inherited stdin/stdout/stderr, writes the peak in kB to the
# file descriptor argv[1], exits with the work's status.
_LAUNCHER = (
    "import os, resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[2:])\n"
    "os.write(int(sys.argv[1]), str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss).encode())\n"
    "sys.exit(code)\n"
)


def run(cmd: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: str | Path | None = None,
        timeout: float | None = None) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run `cmd` (its output captured as text) and return it with its peak resident memory in MB.

    The exit status is the work's; the caller checks it. Linux only (ru_maxrss in kB)."""
    read_fd, write_fd = os.pipe()
    try:
        done = subprocess.run(  # noqa: S603 (the benchmark's own commands)
            [sys.executable, "-c", _LAUNCHER, str(write_fd), *cmd], env=dict(env) if env is not None else None,
            cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False, pass_fds=(write_fd,))
        os.close(write_fd)
        write_fd = -1
        chunks = []
        while chunk := os.read(read_fd, 64):
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        if write_fd >= 0:
            os.close(write_fd)
    raw = b"".join(chunks).decode()
    return done, int(raw) / 1024 if raw else float("nan")
