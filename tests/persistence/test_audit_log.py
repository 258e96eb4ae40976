"""``clo-xl db log`` and the run history: real start times, the code's commit, each run with the changes of
its transaction, and changes made outside clo-xl listed on their own."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from clo_xl.cli import main
from clo_xl.persistence.content import WorkbookContent
from clo_xl.persistence.engine import engine
from clo_xl.persistence.migration import migrate_content
from clo_xl.persistence.synthetic import synthetic_book

pytestmark = pytest.mark.postgres

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def book() -> WorkbookContent:
    return synthetic_book(60, 2, 20, seed=5)


def _log(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> list[dict[str, Any]]:
    assert main(["db", "log", "--database-url", url, *args, "--json"]) == 0
    return list(json.loads(capsys.readouterr().out)["entries"])


def test_a_migration_is_one_run_with_a_real_duration_and_its_changes(
    db_url: str, book: WorkbookContent, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = migrate_content(book, db_url, backup_path=tmp_path / "b.zip")
    with engine(db_url).connect() as conn:
        started, finished, version, txid = conn.execute(
            sa.text("SELECT started_at, finished_at, code_version, transaction_id FROM audit.run_log")
        ).one()
        assets = conn.execute(sa.text("SELECT count(*) FROM clo.asset")).scalar_one()
        logged_txids = set(
            conn.execute(sa.text("SELECT DISTINCT transaction_id FROM audit.change_log")).scalars()
        )
    assert finished > started  # the start is taken before the work, not at insert time
    # the logged span is the load's own transaction, inside the command's wall time (which also holds
    # the backup and the report): not more than it, and most of it, whatever the machine's load
    logged = (finished - started).total_seconds()
    assert 0.25 * report.seconds <= logged <= report.seconds + 0.05
    commit = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    if commit:  # a checkout: the commit is part of the code version
        assert f"(git {commit}" in version
    assert logged_txids == {txid}  # every change of the load was made by the run's own transaction

    (entry,) = _log(capsys, db_url)
    assert entry["type"] == "run" and entry["kind"] == "migrate" and entry["status"] == "loaded"
    assert entry["duration_s"] == pytest.approx(report.seconds, rel=0.1, abs=0.05)
    assert entry["changes"]["clo.asset"] == {"INSERT": assets} == {"INSERT": 60}  # the synthetic book's 60
    assert entry["changes"]["clo.deal"] == {"INSERT": 2}


def test_an_edit_outside_clo_xl_is_listed_as_changes_without_a_run(
    db_url: str, book: WorkbookContent, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    migrate_content(book, db_url, backup_path=tmp_path / "b.zip")
    with engine(db_url).begin() as conn:
        conn.execute(sa.text("SELECT set_config('clo.actor', 'dba-jane', true)"))
        conn.execute(sa.text("UPDATE clo.asset SET market_value = 55.5 WHERE asset_id = 'SYN000003'"))
        conn.execute(sa.text("UPDATE clo.asset SET market_value = 56.5 WHERE asset_id = 'SYN000004'"))
    entries = _log(capsys, db_url)
    assert [e["type"] for e in entries] == ["change", "run"]  # newest first
    change = entries[0]
    assert change["actor"] == "dba-jane" and change["changes"] == {"clo.asset": {"UPDATE": 2}}

    assert [e["type"] for e in _log(capsys, db_url, "--only", "runs")] == ["run"]
    assert [e["type"] for e in _log(capsys, db_url, "--only", "CHANGES")] == ["change"]
    assert _log(capsys, db_url, "--actor", "dba-jane") == [change]
    assert _log(capsys, db_url, "--kind", "backup") == []
    assert _log(capsys, db_url, "--since", "2999-01-01") == []
    assert len(_log(capsys, db_url, "--limit", "1")) == 1


def test_readable_log_and_status_show_who_when_what_and_duration(
    db_url: str, book: WorkbookContent, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    migrate_content(book, db_url, backup_path=tmp_path / "b.zip")
    assert main(["db", "log", "--database-url", db_url]) == 0
    out = capsys.readouterr().out
    assert "migrate" in out and "loaded" in out and " s " in out and "+60" not in out.split("clo.asset")[0]
    assert "clo.asset +60" in out
    assert main(["db", "status", "--database-url", db_url]) == 0
    status = capsys.readouterr().out
    assert "Recent runs" in status and "migrate" in status


def test_a_bad_since_is_a_usage_error_in_one_line(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "log", "--database-url", db_url, "--since", "yesterday"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "--since" in err[0]
