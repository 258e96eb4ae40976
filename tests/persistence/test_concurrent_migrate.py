"""A migration and analysts' saves at the same time, on the real embedded server, two threads each.

``clo-xl migrate`` loads in one REPEATABLE READ transaction. Before the fix any save committed to a row the
migration also wrote made PostgreSQL refuse the migration at commit (0 of 8 migrations got through in the
50-session load run). The load now starts with ``LOCK TABLE clo.deal IN EXCLUSIVE MODE`` before its
snapshot (``clo_xl.persistence.locks``): a save that arrives during the load waits, then is refused as
stale (the migration changed its deal) with who/what/when; a save already in flight makes the load wait,
and the load's snapshot then includes it. Both sides complete; nothing is lost; no retry is needed.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from clo_xl.errors import ConcurrencyError
from clo_xl.ingest.raw import RawTable
from clo_xl.persistence import repository
from clo_xl.persistence.content import WorkbookContent
from clo_xl.persistence.engine import engine
from clo_xl.persistence.migration import migrate_content
from clo_xl.persistence.repository import refresh_deal, save_deal
from clo_xl.persistence.synthetic import synthetic_book

pytestmark = pytest.mark.postgres

WAIT = 60.0  # seconds: a bound on every wait, so a regression fails instead of hanging


@pytest.fixture(scope="module")
def book() -> WorkbookContent:
    return synthetic_book(80, 2, 30, seed=5)


@pytest.fixture
def loaded(db_url: str, book: WorkbookContent, tmp_path: Path) -> str:
    assert migrate_content(book, db_url, backup_path=tmp_path / "pre.zip").status == "loaded"
    return db_url


def _with_par(content: WorkbookContent, deal: str, index: int, par: float) -> WorkbookContent:
    table: RawTable = content.holdings[deal]
    rows = [dict(r) for r in table.rows]
    rows[index]["Par Amount"] = par
    holdings = dict(content.holdings)
    holdings[deal] = replace(table, rows=tuple(rows))
    return replace(content, holdings=holdings)


def _edited(doc: dict[str, Any], edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(json.dumps(doc))
    edit(copy)
    return copy


def _wait_for_lock_wait(url: str, query_start: str) -> None:
    """Block until a backend whose query starts with ``query_start`` is waiting on a lock."""
    deadline = time.monotonic() + WAIT
    with engine(url).connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND query ILIKE :q"
                ),
                {"q": query_start + "%"},
            ).scalar_one()
            conn.rollback()
            if waiting:
                return
            time.sleep(0.05)
    raise AssertionError(f"no backend waited on a lock running {query_start!r} within {WAIT} s")


def _deal_version(url: str, deal: str) -> int:
    with engine(url).connect() as conn:
        found = conn.execute(sa.text("SELECT row_version FROM clo.deal WHERE deal = :d"), {"d": deal})
        return int(found.scalar_one())


def test_a_save_during_the_load_waits_then_is_refused_as_stale_and_redone(
    loaded: str, book: WorkbookContent, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLO_XL_ACTOR", "ops.carol")
    alice = refresh_deal(loaded, "Syn 1")  # alice's workbook, at version 1
    assert alice.version == 1
    new_threshold = 0.0825  # test_threshold position 3 (index 2) is 0.075 in the synthetic deal
    alice_edit = _edited(alice.document, lambda d: d["test_thresholds"][2].update(threshold=new_threshold))
    outcome: dict[str, Any] = {}

    def alice_saves() -> None:
        try:
            outcome["version"] = save_deal(loaded, alice_edit, expected_version=1, actor="alice")
        except Exception as exc:  # the assertion below names it
            outcome["error"] = exc

    saver = threading.Thread(target=alice_saves)

    def progress(step: str, fraction: float) -> None:
        if step == "load":  # inside the migration's transaction, its lock held
            saver.start()
            _wait_for_lock_wait(loaded, "SELECT row_version, sheet_name FROM clo.deal")

    # the operator's workbook changes the par of Syn 1's first holding (the same deal alice saves)
    report = migrate_content(
        _with_par(book, "Syn 1", 0, 1_234_567.0), loaded, backup_path=tmp_path / "m.zip", progress=progress
    )
    saver.join(WAIT)
    assert not saver.is_alive()
    assert report.status == "loaded", report.error
    assert report.bumped_deals == ["Syn 1"] and report.warnings == []  # one attempt, no retry
    # alice's save waited for the load, then saw version 2 and was refused saying who changed what
    refused = outcome.get("error")
    assert isinstance(refused, ConcurrencyError), outcome
    message = str(refused)
    assert "ops.carol" in message and "changed holding (position 1," in message and "→ 1234567" in message
    assert "refreshed at version 1 but the database is at version 2" in message
    # she refreshes, re-applies her edit and saves: both changes are in the database, nothing lost
    current = refresh_deal(loaded, "Syn 1")
    assert current.version == 2 and current.document["holdings"][0]["par"] == 1_234_567.0
    redone = _edited(current.document, lambda d: d["test_thresholds"][2].update(threshold=new_threshold))
    assert save_deal(loaded, redone, expected_version=2, actor="alice") == 3
    final = refresh_deal(loaded, "Syn 1").document
    assert final["holdings"][0]["par"] == 1_234_567.0
    assert final["test_thresholds"][2]["threshold"] == new_threshold


def test_a_save_in_flight_makes_the_load_wait_and_the_load_sees_it(
    loaded: str, book: WorkbookContent, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLO_XL_ACTOR", "ops.carol")
    bob = refresh_deal(loaded, "Syn 2")
    bob_par = 2_222_222.0
    bob_edit = _edited(bob.document, lambda d: d["holdings"][2].update(par=bob_par))
    wrote, release = threading.Event(), threading.Event()
    real_bump = repository.bump_changed_deals

    def bump_then_pause(conn: sa.Connection, actor: str) -> list[str]:
        bumped = real_bump(conn, actor)
        wrote.set()  # bob's rows are written, his transaction still open
        release.wait(WAIT)
        return bumped

    monkeypatch.setattr(repository, "bump_changed_deals", bump_then_pause)
    outcome: dict[str, Any] = {}

    def bob_saves() -> None:
        try:
            outcome["version"] = save_deal(loaded, bob_edit, expected_version=1, actor="bob")
        except Exception as exc:
            outcome["error"] = exc

    def operator_migrates() -> None:
        # the operator's workbook changes another Syn 2 holding; bob's row keeps the workbook's par
        changed = _with_par(book, "Syn 2", 0, 3_333_333.0)
        outcome["report"] = migrate_content(changed, loaded, backup_path=tmp_path / "m.zip")

    saver = threading.Thread(target=bob_saves)
    migrator = threading.Thread(target=operator_migrates)
    try:
        saver.start()
        assert wrote.wait(WAIT)
        migrator.start()
        _wait_for_lock_wait(loaded, "LOCK TABLE clo.deal")  # the load waits for bob's transaction
    finally:
        release.set()
        saver.join(WAIT)
        migrator.join(WAIT)
    assert not saver.is_alive() and not migrator.is_alive()
    assert outcome.get("version") == 2, outcome.get("error")
    report = outcome["report"]
    assert report.status == "loaded", report.error
    assert report.warnings == []  # no serialisation failure, no retry: the snapshot came after bob's commit
    assert _deal_version(loaded, "Syn 2") == 3  # 1 → 2 (bob) → 3 (the load)
    with engine(loaded).connect() as conn:
        logged = conn.execute(
            sa.text(
                "SELECT actor, (before->>'par')::float8, (after->>'par')::float8 FROM audit.change_log "
                "WHERE table_name = 'clo.holding' AND operation = 'UPDATE' AND row_key->>'deal' = 'Syn 2' "
                "AND (row_key->>'position')::int = 3 ORDER BY change_id"
            )
        ).all()
    original = float(str(book.holdings["Syn 2"].rows[2]["Par Amount"]))
    # bob's save is in the trail, and the load's change starts from bob's par: it read his commit
    assert [tuple(r) for r in logged] == [("bob", original, bob_par), ("ops.carol", bob_par, original)]


class _SerializationFailure(Exception):
    """Stands in for psycopg's SerializationFailure: what PostgreSQL says when a writer outside clo-xl
    (which does not take the lock) updated a row under the load."""

    sqlstate = "40001"


def _refuse_first(monkeypatch: pytest.MonkeyPatch, times: int) -> list[int]:
    """Make the load step fail ``times`` times with a serialisation failure; returns its calls."""
    from clo_xl.persistence import migration

    real = migration.sync_tables
    calls: list[int] = []

    def sync(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) <= times:
            raise sa.exc.OperationalError(
                "UPDATE clo.holding ...", {}, _SerializationFailure("could not serialize")
            )
        return real(*args, **kwargs)

    monkeypatch.setattr(migration, "sync_tables", sync)
    return calls


def test_a_serialisation_failure_re_runs_the_whole_load_once(
    loaded: str, book: WorkbookContent, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLO_XL_DATA_DIR", str(tmp_path / "data"))
    calls = _refuse_first(monkeypatch, 1)
    report = migrate_content(_with_par(book, "Syn 1", 0, 1_234_567.0), loaded, parity=False)
    assert report.status == "loaded", report.error
    assert (
        len(calls) == 2 and len(report.warnings) == 1 and report.warnings[0].startswith("attempt 1 refused")
    )
    # the rolled-back attempt's backup is gone; the report names the one backup of the attempt that loaded
    backups = sorted((tmp_path / "data" / "backups").glob("pre-migrate-*.zip"))
    assert backups == [Path(report.backup or "")]
    assert refresh_deal(loaded, "Syn 1").document["holdings"][0]["par"] == 1_234_567.0


def test_a_load_refused_every_time_gives_up_and_changes_nothing(
    loaded: str, book: WorkbookContent, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clo_xl.persistence.fingerprint import schema_digest
    from clo_xl.persistence.migration import ATTEMPTS

    with engine(loaded).connect() as conn:
        before = schema_digest(conn)
    calls = _refuse_first(monkeypatch, ATTEMPTS)
    report = migrate_content(
        _with_par(book, "Syn 1", 0, 1_234_567.0), loaded, backup_path=tmp_path / "m.zip", parity=False
    )
    assert report.status == "rejected" and "could not serialize" in str(report.error)
    assert len(calls) == ATTEMPTS == 3
    assert report.clo_digest_after == before
