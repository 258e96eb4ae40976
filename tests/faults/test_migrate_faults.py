"""Faults during ``clo-xl migrate`` and "Save to DB": the loading connection terminated at several points,
the embedded server stopped mid-load, and a full disk. Each time the command refuses cleanly (exit 2, no
traceback; a ``DatabaseError`` for the save), the database is exactly as before (schema ``clo`` checksums and
the audit change log), and a rerun succeeds.

The load under test is a real change (a database holding the sample workbook receives a workbook with edited
pars and spreads), so a partial write would show in the checksums.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from clo_xl.cli import main
from clo_xl.errors import DatabaseError
from clo_xl.persistence.engine import dispose_engines, engine
from clo_xl.persistence.fingerprint import table_checksums
from clo_xl.persistence.repository import refresh_deal, save_deal
from clo_xl.persistence.server import EmbeddedServer, start_embedded, stop_embedded
from corpus.cases import ASSETS, DEAL_SHEET, asset_cell, held_asset_row
from corpus.pg import admin, create_database, db_state, drop_database, url_for
from corpus.xlsx_edit import Package

from .injection import counting, terminator

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

LOADED = "clo_faults_loaded"


def edited_workbook(base: Path, target: Path) -> Path:
    """The sample with real changes: three Mag 17 pars and one asset's spread."""
    pkg = Package(base)
    for ref in ("E4", "E5", "E6"):
        value = pkg.get(DEAL_SHEET, ref)
        assert isinstance(value, float)
        pkg.set(DEAL_SHEET, ref, value + 250_000.0)
    row = held_asset_row(pkg)
    pkg.set(ASSETS, asset_cell("Coupon Spread", row), 0.0411)
    return pkg.save(target)


def migrate(
    workbook: Path, url: str, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["migrate", str(workbook), "--database-url", url, "--json", *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_clean_refusal(code: int, out: str, err: str) -> None:
    assert "Traceback" not in out + err
    assert code == 2, f"exit {code}: {err[-1500:]}"
    doc = json.loads(out)
    assert doc.get("error") or doc.get("status") == "rejected", doc


@pytest.fixture(autouse=True)
def _quiet_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CLO_XL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


@pytest.fixture(scope="module")
def loaded_template(pg_server: EmbeddedServer, template_url: str, base_workbook: Path) -> Iterator[str]:
    """A database template holding the migrated sample workbook."""
    with admin(pg_server) as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {LOADED} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {LOADED} TEMPLATE clo_hardening_template"))
    url = url_for(pg_server, LOADED)
    code = main(["migrate", str(base_workbook), "--database-url", url, "--json"])
    assert code == 0, "the sample workbook must migrate for the fault tests to mean anything"
    engine(url).dispose()
    yield LOADED
    with admin(pg_server) as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {LOADED} WITH (FORCE)"))


@pytest.fixture
def loaded_db(pg_server: EmbeddedServer, loaded_template: str) -> Iterator[str]:
    url = create_database(pg_server, template=loaded_template)
    yield url
    drop_database(pg_server, url)


@pytest.fixture(scope="module")
def load_statements(
    pg_server: EmbeddedServer,
    loaded_template: str,
    base_workbook: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> int:
    """How many SQL statements a clean migration of the edited workbook sends (the fault points are
    fractions of it)."""
    folder = tmp_path_factory.mktemp("count")
    url = create_database(pg_server, template=loaded_template)
    try:
        with counting() as counter:
            code = main(
                [
                    "migrate",
                    str(edited_workbook(base_workbook, folder / "edited.xlsm")),
                    "--database-url",
                    url,
                    "--report",
                    str(folder / "r"),
                    "--backup",
                    str(folder / "b.zip"),
                ]
            )
        assert code == 0
        return counter.count
    finally:
        drop_database(pg_server, url)


@pytest.mark.parametrize("fraction", [0.05, 0.3, 0.6, 0.9, 1.0])
def test_connection_terminated_mid_migrate(
    fraction: float,
    pg_server: EmbeddedServer,
    loaded_db: str,
    load_statements: int,
    base_workbook: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    workbook = edited_workbook(base_workbook, tmp_path / "edited.xlsm")
    before = db_state(loaded_db)
    at = max(1, round(load_statements * fraction))
    with counting(at, terminator(pg_server.admin_url)) as counter:
        code, out, err = migrate(workbook, loaded_db, capsys)
    assert counter.fired, f"the fault at statement {at} of {load_statements} never fired"
    assert_clean_refusal(code, out, err)
    dispose_engines()
    assert db_state(loaded_db) == before
    code, out, err = migrate(workbook, loaded_db, capsys)
    assert code == 0, err[-1500:]
    assert json.loads(out)["status"] == "loaded"
    assert db_state(loaded_db) != before


def test_commit_refused_when_the_connection_dies_at_commit(
    pg_server: EmbeddedServer,
    loaded_db: str,
    base_workbook: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The connection is terminated right before COMMIT: the server never saw the commit, nothing lands."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    workbook = edited_workbook(base_workbook, tmp_path / "edited.xlsm")
    before = db_state(loaded_db)
    kill = terminator(pg_server.admin_url)
    fired: list[int] = []

    def on_commit(conn: sa.Connection) -> None:
        if not fired and conn.engine.url.database == sa.engine.make_url(loaded_db).database:
            pid = int(conn.connection.dbapi_connection.info.backend_pid)  # type: ignore[union-attr]
            fired.append(pid)
            kill(pid)

    event.listen(Engine, "commit", on_commit)
    try:
        code, out, err = migrate(workbook, loaded_db, capsys)
    finally:
        event.remove(Engine, "commit", on_commit)
    assert fired
    assert_clean_refusal(code, out, err)
    dispose_engines()
    assert db_state(loaded_db) == before
    code, out, err = migrate(workbook, loaded_db, capsys)
    assert code == 0, err[-1500:]


def _limited_child(limit_bytes: int) -> None:  # runs in the child before exec
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-large write fails with EFBIG instead of killing
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))


def _cli_in_child(args: list[str], cwd: Path, limit_bytes: int | None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "clo_xl.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        preexec_fn=(lambda: _limited_child(limit_bytes)) if limit_bytes else None,
    )


def test_full_disk_during_the_pre_load_backup(loaded_db: str, base_workbook: Path, tmp_path: Path) -> None:
    """A file-size limit (RLIMIT_FSIZE) on the migrate process: its pre-load backup cannot be written, as on a
    full disk. The load must not go ahead without its backup."""
    workbook = edited_workbook(base_workbook, tmp_path / "edited.xlsm")
    before = db_state(loaded_db)
    backup = tmp_path / "backups" / "pre.zip"
    args = ["migrate", str(workbook), "--database-url", loaded_db, "--backup", str(backup), "--json"]
    proc = _cli_in_child(args, tmp_path, limit_bytes=64 * 1024)
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.returncode == 2, proc.stderr[-1500:]
    assert db_state(loaded_db) == before
    assert not backup.exists()
    proc = _cli_in_child(args, tmp_path, limit_bytes=None)
    assert proc.returncode == 0, proc.stderr[-1500:]
    assert backup.is_file()
    assert db_state(loaded_db) != before


def _backup_under_full_disk(db: str, folder: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    target = folder / "nightly.zip"
    args = ["db", "backup", str(target), "--database-url", db, "--json"]
    return _cli_in_child(args, folder, limit_bytes=64 * 1024), target


def test_full_disk_during_db_backup_then_a_rerun_succeeds(loaded_db: str, tmp_path: Path) -> None:
    before = db_state(loaded_db)
    proc, target = _backup_under_full_disk(loaded_db, tmp_path)
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert not target.exists(), "a truncated backup was left under the backup's own name"
    assert db_state(loaded_db) == before
    args = ["db", "backup", str(target), "--database-url", loaded_db, "--json"]
    proc = _cli_in_child(args, tmp_path, limit_bytes=None)
    assert proc.returncode == 0, proc.stderr[-1500:]
    assert target.is_file()


def test_full_disk_during_db_backup_is_a_clean_refusal(loaded_db: str, tmp_path: Path) -> None:
    proc, _target = _backup_under_full_disk(loaded_db, tmp_path)
    assert proc.returncode == 2, proc.stderr[-1500:]
    assert [p.name for p in tmp_path.glob("nightly.zip*")] == [], "a partial backup file was left behind"


# ------------------------------------------------------------------------------------------------
# Save to DB


def _edited_document(url: str) -> tuple[dict[str, object], int]:
    stored = refresh_deal(url, "Mag 17")
    doc = json.loads(json.dumps(stored.document, default=str))
    holdings = doc["holdings"]
    assert isinstance(holdings, list) and holdings
    first = holdings[0]
    key = "par" if "par" in first else "Par Amount"
    first[key] = float(first[key]) + 1_000_000.0
    return doc, stored.version


@pytest.mark.parametrize("at", [1, 4, 8])
def test_save_to_db_survives_a_dropped_connection(at: int, pg_server: EmbeddedServer, loaded_db: str) -> None:
    doc, version = _edited_document(loaded_db)
    before = db_state(loaded_db)
    with counting(at, terminator(pg_server.admin_url)) as counter, pytest.raises(DatabaseError) as info:
        save_deal(loaded_db, doc, expected_version=version, actor="fault.test")
    assert counter.fired
    dispose_engines()
    assert db_state(loaded_db) == before
    assert refresh_deal(loaded_db, "Mag 17").version == version
    new_version = save_deal(loaded_db, doc, expected_version=version, actor="fault.test")
    assert new_version == version + 1
    assert db_state(loaded_db) != before
    del info


def test_save_to_db_reports_a_dropped_connection_as_a_database_error(
    pg_server: EmbeddedServer, loaded_db: str
) -> None:
    doc, version = _edited_document(loaded_db)
    with counting(4, terminator(pg_server.admin_url)), pytest.raises(DatabaseError):
        save_deal(loaded_db, doc, expected_version=version, actor="fault.test")


# ------------------------------------------------------------------------------------------------
# the server itself stopped mid-load


def _wait_gone(pid: int, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    raise AssertionError(f"postmaster {pid} still running")


def test_server_stopped_mid_migrate(
    base_workbook: Path, tmp_path: Path, load_statements: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """A private embedded server is shut down in immediate mode (SIGQUIT to the postmaster: no checkpoint,
    crash recovery at the next start) halfway through a load; after the restart the database is as before
    and the load succeeds.

    The server's folder is outside pytest's temp root (as the corpus server's, ``corpus/pg.py``): a pytest
    session started meanwhile (another xdist worker, another checkout) resets ``pytest-of-<user>`` to 0700
    and prunes old session folders, so ``pg_ctl`` (run as the server's own user) lost access to
    ``global/pg_control`` at the restart: "Permission denied" under load."""
    root = Path(tempfile.mkdtemp(prefix="clo-xl-stopped-pg-"))
    folder = root / "pg"
    server = start_embedded(folder)
    try:
        url = server.url
        code, _, err = migrate(base_workbook, url, capsys)
        assert code == 0, err[-1500:]
        before = db_state(url)
        workbook = edited_workbook(base_workbook, tmp_path / "edited.xlsm")

        def stop_server(pid: int) -> None:
            os.kill(server.pid, signal.SIGQUIT)
            _wait_gone(server.pid)

        with counting(max(1, load_statements // 2), stop_server) as counter:
            code, out, err = migrate(workbook, url, capsys)
        assert counter.fired
        assert_clean_refusal(code, out, err)
        dispose_engines()
        with contextlib.suppress(Exception):  # pg_ctl stop on a dead server complains; it is down anyway
            stop_embedded(folder)  # release the dead handle
        server = start_embedded(folder)  # crash recovery
        url = server.url
        assert db_state(url) == before
        code, out, err = migrate(workbook, url, capsys)
        assert code == 0, err[-1500:]
        assert db_state(url) != before
        with engine(url).connect() as conn:
            assert sum(c.rows for c in table_checksums(conn, "clo").values()) > 1000
    finally:
        dispose_engines()
        with contextlib.suppress(Exception):
            stop_embedded(folder)
        shutil.rmtree(root, ignore_errors=True)


def _waiting_on_a_lock(pg_server: EmbeddedServer, database: str) -> bool:
    with admin(pg_server) as conn:
        found = conn.execute(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = :db AND wait_event_type = 'Lock' "
                "AND query NOT ILIKE '%pg_stat_activity%'"
            ),
            {"db": database},
        ).scalar_one()
    return int(found) > 0


def test_ctrl_c_during_a_load(
    pg_server: EmbeddedServer, loaded_db: str, base_workbook: Path, tmp_path: Path
) -> None:
    """A real SIGINT (what Ctrl-C sends) to ``clo-xl migrate --json`` in its own process while its load is
    under way: held on a row lock another session keeps on ``clo.asset``, after the pre-load backup was
    written. The run prints one ``error:`` line and one JSON error document, exits 130, the database is as
    before, and the interrupted load leaves no backup behind (it is no rollback point)."""
    workbook = edited_workbook(base_workbook, tmp_path / "edited.xlsm")
    before = db_state(loaded_db)
    database = loaded_db.split("?")[0].rsplit("/", 1)[1]
    data = tmp_path / "data"
    env = {**os.environ, "CLO_XL_DATA_DIR": str(data), "XDG_STATE_HOME": str(tmp_path / "state")}
    blocker = engine(loaded_db).connect()
    try:
        blocker.execute(sa.text("SELECT 1 FROM clo.asset FOR UPDATE"))  # held until the rollback below
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "clo_xl.cli",
                "migrate",
                str(workbook),
                "--database-url",
                loaded_db,
                "--json",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        deadline = time.monotonic() + 240
        while not _waiting_on_a_lock(pg_server, database):
            assert proc.poll() is None, f"migrate ended before its load blocked: {proc.communicate()}"
            assert time.monotonic() < deadline, "the load never reached the locked rows"
            time.sleep(0.2)
        assert list(data.glob("backups/pre-migrate-*.zip")), "the load runs after its backup"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        blocker.rollback()
        blocker.close()
    assert proc.returncode == 130, f"exit {proc.returncode}: {err[-1500:]}"
    assert "Traceback" not in out + err
    assert [line for line in err.splitlines() if line.strip()] == ["error: interrupted (Ctrl-C)"]
    doc = json.loads(out)
    assert doc["error"] == "Interrupted" and doc["message"] == "interrupted (Ctrl-C)"
    assert db_state(loaded_db) == before
    assert sorted(p.name for p in (data / "backups").iterdir()) == []
