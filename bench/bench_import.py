"""UCI import speed on SQLite and PostgreSQL, against a bare insert of the same rows.

    .venv/bin/python bench/bench_import.py                      # both backends
    .venv/bin/python bench/bench_import.py --backends sqlite --runs 5

Two workloads: 10,000 generated sale rows (1,250 invoices, 900 products, 700
customers) and, when ../shared/data sits next to the repo, the two real UCI
files together (7,501 rows). Each run imports into a fresh migrated database
with ``run_import`` (what ``tactful import uci`` runs). Absolute times drift on
a shared machine, so every time is also given as a ratio of a baseline measured
the same way on the same fresh database: the csv module reads the same files
and one transaction inserts every row unchanged into a table of text columns.
Times are medians of ``--runs`` runs. The goals are the limits the import tests
used to assert: 10k rows under 8 s, the real files under 15 s.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from sqlalchemy import Column, MetaData, Table, Text, create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from tactful.importer.runner import EXIT_OK, run_import  # noqa: E402
from tactful.store.database import get_engine, session_factory  # noqa: E402
from tactful.store.migrate import upgrade  # noqa: E402

PG_ADMIN_URL = os.environ.get("TACTFUL_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
REAL_FILES = ("online_retail_sample.csv", "online_retail_r_export.csv")
HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"


@dataclass(frozen=True)
class Workload:
    label: str
    paths: list[Path]
    rows: int
    goal_seconds: float


def generated_file(folder: Path, rows: int = 10_000) -> Path:
    """Sale rows shaped like the UCI file: 8 lines per invoice, one customer per invoice."""
    lines = [HEADER]
    for n in range(rows):
        invoice = 600000 + n // 8
        customer = 13000 + invoice % 700
        lines.append(
            f"{invoice},{20000 + n % 900},ITEM {n % 900},{1 + n % 5},2011-01-01 10:00,1.25,{customer}.0,UK\n"
        )
    path = folder / f"generated-{rows}.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return path


class Databases:
    """Fresh migrated databases of one backend, copied from a template migrated once."""

    def __init__(self, backend: str, folder: Path) -> None:
        self.backend = backend
        self._folder = folder
        self._count = 0
        self._admin = (
            create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
            if backend == "postgresql"
            else None
        )
        self._prefix = f"tactful_bench_import_{os.getpid()}"
        self._template = self._new_database(template=None)
        upgrade(self._template)
        # The template must have no open connection for CREATE DATABASE ... TEMPLATE.
        self._forget_engines()

    def _pg_url(self, name: str) -> str:
        return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    def _pg(self, sql: str) -> None:
        assert self._admin is not None
        with self._admin.connect() as connection:
            connection.execute(text(sql))

    def _new_database(self, template: str | None) -> str:
        self._count += 1
        if self.backend == "sqlite":
            path = self._folder / f"shop-{self._count}.db"
            if template is not None:
                shutil.copyfile(make_url(template).database or "", path)
            return f"sqlite:///{path}"
        name = f"{self._prefix}_{self._count}"
        suffix = f' TEMPLATE "{make_url(template).database}"' if template else ""
        self._pg(f'CREATE DATABASE "{name}"{suffix}')
        return self._pg_url(name)

    @staticmethod
    def _forget_engines() -> None:
        for engine_of in (get_engine, session_factory):
            engine_of.cache_clear()

    @contextmanager
    def fresh(self) -> Iterator[str]:
        url = self._new_database(self._template)
        try:
            yield url
        finally:
            # Cached engines keep pools open; the drop below ends their connections.
            self._forget_engines()
            self._drop(url)

    def _drop(self, url: str) -> None:
        if self.backend == "sqlite":
            Path(make_url(url).database or "").unlink(missing_ok=True)
        else:
            self._pg(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def close(self) -> None:
        self._drop(self._template)
        if self._admin is not None:
            self._admin.dispose()


def import_files(url: str, paths: list[Path]) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = run_import("uci", [str(path) for path in paths], url, quiet=True, out=out, err=err)
    if code != EXIT_OK:
        raise RuntimeError(f"import failed with exit code {code}:\n{err.getvalue()}")


def insert_unchanged(url: str, paths: list[Path]) -> None:
    """The baseline: the same rows read with the csv module, written as they are."""
    engine = get_engine(url, 120)
    table = Table("bench_raw_rows", MetaData(), *(Column(f"c{index}", Text) for index in range(9)))
    table.create(engine)
    with engine.begin() as connection:
        for path in paths:
            with path.open(newline="", encoding="utf-8") as handle:
                reader = csv.reader(handle)
                next(reader)
                rows = [{f"c{index}": value for index, value in enumerate(row[:9])} for row in reader]
            connection.execute(insert(table), rows)


def median_seconds(databases: Databases, runs: int, work: Callable[[str], None]) -> float:
    times: list[float] = []
    for _ in range(runs):
        with databases.fresh() as url:
            started = time.perf_counter()
            work(url)
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        workloads = [Workload("10k generated rows", [generated_file(folder)], 10_000, 8.0)]
        if all((SHARED_DATA / name).exists() for name in REAL_FILES):
            workloads.append(
                Workload("real UCI files (both)", [SHARED_DATA / name for name in REAL_FILES], 7_501, 15.0)
            )
        else:
            print(f"real files skipped: {SHARED_DATA} not found (it sits next to the repo)")
        print(f"{'backend':<12}{'workload':<24}{'baseline s':>11}{'import s':>10}{'x base':>8}  goal")
        missed = 0
        for backend in args.backends.split(","):
            databases = Databases(backend, folder)
            try:
                for workload in workloads:
                    base = median_seconds(
                        databases, args.runs, partial(insert_unchanged, paths=workload.paths)
                    )
                    took = median_seconds(databases, args.runs, partial(import_files, paths=workload.paths))
                    verdict = "ok" if took < workload.goal_seconds else "TOO SLOW"
                    missed += took >= workload.goal_seconds
                    print(
                        f"{backend:<12}{workload.label:<24}{base:>11.3f}{took:>10.3f}{took / base:>8.1f}"
                        f"  < {workload.goal_seconds:.0f} s [{verdict}]"
                    )
            finally:
                databases.close()
        return 1 if missed else 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
