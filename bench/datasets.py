"""Benchmark data sets: one per database, profile, size and schema fingerprint, generated once and reused.

SQLite: var/bench/<profile>-<size>-<fingerprint>.sqlite3. PostgreSQL: a database
<prefix>_<profile>_<size>_<fingerprint> on the server of BENCH_POSTGRES_URL (prefix BENCH_PG_PREFIX,
default daiban_bench). A missing data set starts as a copy of the largest smaller one of the same
kind (a file copy, or CREATE DATABASE … TEMPLATE) and is extended: 1,000,000 is 100,000 plus
900,000. The fingerprint hashes every table's columns and the generator's version: a new or changed
column (any stream's) makes a fresh data set; a new index or other migration is applied to the
reused one in place (bench/prepare.py), and a data set whose migrations were renamed is remade.
This module runs without Django (the orchestrator); the work runs in child processes.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
GENERATOR_VERSION = "6"  # bump when bench/data.py changes what it generates, or the stored features it writes (5: stored features of series; 6: features read follow-ups and sides)


def fingerprint() -> str:
    """The hash of every table's columns and the generator's version (bench/prepare.py computes it
    in a child, so this process stays free of Django)."""
    out = subprocess.run([sys.executable, "-m", "bench.prepare", "--fingerprint"], cwd=ROOT, capture_output=True,  # noqa: S603
                         text=True, check=True, env={**os.environ, "DJANGO_DEBUG": "0"})
    return out.stdout.strip().splitlines()[-1]


def size_label(size: int) -> str:
    if size % 1_000_000 == 0:
        return f"{size // 1_000_000}m"
    if size % 1000 == 0:
        return f"{size // 1000}k"
    return str(size)


def postgres_server() -> str | None:
    url = os.environ.get("BENCH_POSTGRES_URL")
    if url:
        return url
    probe = subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"], check=False)  # noqa: S607
    return "postgres://postgres@127.0.0.1:5432/postgres" if probe.returncode == 0 else None


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


@dataclass(frozen=True)
class DataSet:
    database: str  # "sqlite" | "postgresql"
    profile: str
    size: int
    fp: str

    @property
    def name(self) -> str:
        if self.database == "sqlite":
            return f"{self.profile}-{size_label(self.size)}-{self.fp}"
        prefix = os.environ.get("BENCH_PG_PREFIX", "daiban_bench")
        return f"{prefix}_{self.profile}_{size_label(self.size)}_{self.fp}"

    @property
    def path(self) -> Path:
        return VAR / f"{self.name}.sqlite3"

    @property
    def url(self) -> str:
        if self.database == "sqlite":
            return f"sqlite:///{self.path}"
        server = postgres_server()
        if server is None:
            raise RuntimeError("PostgreSQL does not answer: set BENCH_POSTGRES_URL=postgres://…")
        return _with_db(server, self.name)


# --- looking into data sets without Django -------------------------------------------------------

def _pg(sql: str, params: tuple = (), dbname: str = "postgres", autocommit: bool = True) -> list[tuple]:
    import psycopg

    with psycopg.connect(_with_db(postgres_server(), dbname), autocommit=autocommit) as conn:
        cur = conn.execute(sql, params)
        return cur.fetchall() if cur.description else []


def exists(ds: DataSet) -> bool:
    if ds.database == "sqlite":
        return ds.path.exists()
    return bool(_pg("SELECT 1 FROM pg_database WHERE datname = %s", (ds.name,)))


def meta(ds: DataSet) -> dict[str, str]:
    """The data set's bench_meta ({} if it has none yet)."""
    try:
        if ds.database == "sqlite":
            with sqlite3.connect(ds.path) as conn:
                return dict(conn.execute("SELECT key, value FROM bench_meta").fetchall())
        return dict(_pg("SELECT key, value FROM bench_meta", dbname=ds.name))
    except Exception:  # noqa: BLE001 (no table yet: a data set being created)
        return {}


def ready(ds: DataSet) -> bool:
    m = meta(ds)
    return int(m.get("generated", 0)) >= ds.size and "analyzed" in m


def siblings(ds: DataSet) -> list[DataSet]:
    """Data sets of the same database and profile on disk/server (any size, any fingerprint)."""
    found = []
    if ds.database == "sqlite":
        for path in VAR.glob(f"{ds.profile}-*.sqlite3"):
            m = re.fullmatch(rf"{ds.profile}-(\w+)-([0-9a-f]{{8}})", path.stem)
            if m:
                found.append(DataSet(ds.database, ds.profile, _parse_size(m.group(1)), m.group(2)))
    else:
        prefix = os.environ.get("BENCH_PG_PREFIX", "daiban_bench")
        for (name,) in _pg("SELECT datname FROM pg_database WHERE datname LIKE %s", (f"{prefix}_{ds.profile}_%",)):
            m = re.fullmatch(rf"{prefix}_{ds.profile}_(\w+)_([0-9a-f]{{8}})", name)
            if m:
                found.append(DataSet(ds.database, ds.profile, _parse_size(m.group(1)), m.group(2)))
    return found


def _parse_size(label: str) -> int:
    if label.endswith("m"):
        return int(label[:-1]) * 1_000_000
    if label.endswith("k"):
        return int(label[:-1]) * 1000
    return int(label)


# --- making one ------------------------------------------------------------------------------------

def ensure(ds: DataSet, log=print) -> DataSet:
    """Make the data set ready (migrated, generated to its size and analysed), reusing what exists."""
    VAR.mkdir(parents=True, exist_ok=True)
    if exists(ds) and ready(ds):
        log(f"数据集 {ds.name}：沿用")
    elif not exists(ds):
        bases = sorted((s for s in siblings(ds) if s.fp == ds.fp and s.size < ds.size and ready(s)), key=lambda s: s.size)
        if bases:
            base = bases[-1]
            log(f"数据集 {ds.name}：由 {base.name} 复制后补足")
            if ds.database == "sqlite":
                with sqlite3.connect(base.path) as src, sqlite3.connect(ds.path) as dst:
                    src.backup(dst)
            else:
                _pg(f'CREATE DATABASE "{ds.name}" TEMPLATE "{base.name}"')
        else:
            log(f"数据集 {ds.name}：新建")
            if ds.database == "postgresql":
                _pg(f'CREATE DATABASE "{ds.name}"')
    else:
        log(f"数据集 {ds.name}：继续生成")
    env = {**os.environ, "DATABASE_URL": ds.url, "DJANGO_DEBUG": "0"}
    code = subprocess.call([sys.executable, "-m", "bench.prepare", ds.profile, str(ds.size)], cwd=ROOT, env=env)  # noqa: S603
    if code == 3:  # it holds migrations the code no longer has (renumbered at a merge): start again
        log(f"数据集 {ds.name}：迁移已改名或删除，重新生成")
        drop(ds)
        return ensure(ds, log)
    if code != 0 or not ready(ds):
        raise RuntimeError(f"生成数据集 {ds.name} 失败（退出码 {code}）")
    return ds


def stale(database: str, fp: str) -> list[DataSet]:
    out = []
    for profile in ("history", "open"):
        probe = DataSet(database, profile, 0, fp)
        out += [s for s in siblings(probe) if s.fp != fp]
    return out


def drop(ds: DataSet) -> None:
    if ds.database == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(str(ds.path) + suffix).unlink(missing_ok=True)
    else:
        _pg(f'DROP DATABASE IF EXISTS "{ds.name}"')
