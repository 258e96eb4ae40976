"""Workbook ingest speed cases (issue 13's goals, built by issue 12): ``clo-xl bench --only workbook_ingest``
(the packaged ``ingest`` area times the same reading on an extract, from the wheel).

* read and derive 10,000 assets (goal: within 3x its floor): the sample workbook grown to 10,000 assets
  (``bench/big_workbook.py``: the sample's rows and copies under new IDs), read, validated and typed, and
  every asset's derived ratings and compliance columns built; beside the floor of reading the same
  ``All Assets`` cells raw with python-calamine (no typing, no checks, no derivation), checked to find the
  same 10,000 asset IDs. Issue 13's "under 0.5 s" is the extract's route (the packaged ``ingest`` area's
  case, 0.35 s CPU on 2026-12-03); from the workbook, python-calamine's raw read of All Assets alone takes
  ~0.36 s, and the package checks, every other sheet and the validation come on top (0.93 s that day), so
  this case is held to its floor instead;
* ``clo-xl migrate`` of the sample workbook (goal: under 2 s of wall time on an idle machine): read,
  validate, back up and load into an empty database, as ``bench_persistence``'s case of the same work;
  beside the floor of reading every sheet's cells raw and COPYing every non-empty row, as text, into a
  temporary table of the same database in one transaction (the disk and database work with no typing,
  no checks, no backup), checked to find as many assets as the migration loaded;
* the same as the command an operator types, ``clo-xl migrate`` of the sample re-run on a database that
  already holds it (each run a fresh process: start-up, imports, the embedded-server check, the
  pre-migrate backup, every level, the reports), the goal's own measure; beside the floor of the raw load
  above run in a fresh process too, checked to find as many assets.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any, cast

from bench.bench_persistence import BACKUPS, SAMPLE, _database, migrate_sample, sample_url
from bench.big_workbook import grow
from python_calamine import CalamineWorkbook

from clo_xl.api import DealSession
from clo_xl.benchmarks import Case
from clo_xl.ingest.workbook import read_workbook
from clo_xl.persistence.engine import engine
from clo_xl.persistence.migration import MigrationReport

ASSETS = 10_000


@cache
def big_workbook() -> Path:
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / "clo-xl-bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"sample-{ASSETS}-assets.xlsm"
    return path if path.is_file() else grow(ASSETS, path)


def read_and_derive() -> DealSession:
    """Read the workbook (every check) and build every asset's derived ratings and columns."""
    session = DealSession.from_workbook(read_workbook(big_workbook()), "Mag 17")
    session.engine().columns(session.pool)
    return session


def raw_cells() -> list[str]:
    """The floor: All Assets' cell values as python-calamine reads them, the IDs of column A."""
    rows = CalamineWorkbook.from_path(str(big_workbook())).get_sheet_by_name("All Assets").to_python()
    return [str(r[0]) for r in rows[1:] if r and r[0] not in (None, "")]


def check(session: DealSession, ids: list[str]) -> None:
    assert session.universe is not None
    assert [a.brs_id for a in session.universe.assets] == ids, "the reader and the raw cells differ"


def raw_load(url: str | None = None) -> int:
    """The migrate floor: every sheet's cells raw, each non-empty row COPYed as text into a temporary
    table, in one transaction rolled back at the end. Returns the rows of All Assets after the header."""
    book = CalamineWorkbook.from_path(str(SAMPLE))
    assets = 0
    with engine(url or sample_url()).connect() as conn:
        raw = cast(Any, conn.connection.dbapi_connection)
        with raw.cursor() as cur:
            cur.execute("CREATE TEMP TABLE floor_cells (sheet text, line int, cells text[]) ON COMMIT DROP")
            with cur.copy("COPY floor_cells (sheet, line, cells) FROM STDIN") as copy:
                for name in book.sheet_names:
                    for k, row in enumerate(book.get_sheet_by_name(name).to_python()):
                        cells = ["" if v is None else str(v) for v in row]
                        if any(cells):
                            copy.write_row((name, k, cells))
                            assets += name == "All Assets" and k > 0 and bool(cells[0])
        conn.rollback()
    return assets


def check_migrate(report: MigrationReport, assets: int) -> None:
    assert report.assets == assets, f"migrate loaded {report.assets} assets, the raw rows hold {assets}"


REPOSITORY = Path(__file__).resolve().parents[1]


@cache
def command_url() -> str:
    """A database of its own for the command case (its warm-up run loads the sample; timed runs re-run)."""
    return _database("clo_xl_bench_cli")


def migrate_command() -> dict[str, Any]:
    """``clo-xl migrate SAMPLE --json`` in a fresh process (as the console script runs it)."""
    options = ["--json", "--database-url", command_url(), "--report", str(BACKUPS / "migrate-command")]
    options += ["--backup", str(BACKUPS / "command.zip")]
    command = [sys.executable, "-m", "clo_xl.cli", "migrate", str(SAMPLE), *options]
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr.strip().splitlines()[-1:]
    return cast(dict[str, Any], json.loads(proc.stdout))


def raw_load_command() -> int:
    """The floor of the command case: :func:`raw_load` in a fresh process (the same start-up to pay)."""
    code = "import sys; from bench.bench_workbook_ingest import raw_load; print(raw_load(sys.argv[1]))"
    proc = subprocess.run(
        [sys.executable, "-c", code, command_url()],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPOSITORY,
    )
    return int(proc.stdout.split()[-1])


def check_command(document: dict[str, Any], assets: int) -> None:
    assert document["status"] in ("loaded", "unchanged"), document.get("error")
    assert document["assets"] == assets, (
        f"migrate loaded {document['assets']} assets, the raw rows hold {assets}"
    )


def cases() -> list[Case]:
    return [
        Case(
            f"read and derive {ASSETS:,} assets (grown sample workbook)",
            read_and_derive,
            max_ratio=3.0,
            floor=raw_cells,
            check=check,
            repeat=5,
            note="All Assets' cells read raw by python-calamine: no typing, no checks, no derivation",
        ),
        Case(
            "migrate the sample workbook (read, validate, back up, load)",
            migrate_sample,
            target_s=2.0,
            floor=raw_load,
            check=check_migrate,
            repeat=5,
            note="every sheet's cells read raw and COPYed as text rows into a temporary table",
        ),
        Case(
            "clo-xl migrate of the sample, re-run (a fresh process: start-up, backup, every level, reports)",
            migrate_command,
            target_s=2.0,
            floor=raw_load_command,
            check=check_command,
            repeat=5,
            note="the raw load above, in a fresh process too",
        ),
    ]
