"""A connection killed in the middle of a load leaves clo unchanged and a rerun succeeds; hypothetical
trades are stored and read back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from clo_xl.enums import TransactionType
from clo_xl.errors import DatabaseError
from clo_xl.persistence.engine import engine
from clo_xl.persistence.fingerprint import table_checksums
from clo_xl.persistence.migration import migrate_content
from clo_xl.persistence.repository import add_hypo_trades, hypo_trades
from clo_xl.persistence.synthetic import synthetic_book
from clo_xl.portfolio.pool import Trade

pytestmark = pytest.mark.postgres


def test_backend_killed_mid_load_changes_nothing_and_rerun_succeeds(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clo_xl.persistence import migration

    book = synthetic_book(60, 2, 20, seed=9)
    with engine(db_url).connect() as conn:
        before = table_checksums(conn, "clo")
    real = migration.bump_changed_deals

    def killed(conn: sa.Connection, actor: str) -> Any:
        # rows are written but not committed: terminate this very session, as a crash or an admin would
        with engine(db_url).connect() as admin:
            pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
            admin.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        return real(conn, actor)

    monkeypatch.setattr(migration, "bump_changed_deals", killed)
    report = migrate_content(book, db_url, backup_path=tmp_path / "b1.zip")
    assert report.status == "rejected"
    assert isinstance(report.error, DatabaseError)
    engine(db_url).dispose()  # drop the dead pooled connection
    with engine(db_url).connect() as conn:
        assert table_checksums(conn, "clo") == before
    monkeypatch.setattr(migration, "bump_changed_deals", real)
    assert migrate_content(book, db_url, backup_path=tmp_path / "b2.zip").status == "loaded"


def test_hypo_trades_round_trip(db_url: str, tmp_path: Path) -> None:
    assert (
        migrate_content(synthetic_book(20, 1, 5), db_url, backup_path=tmp_path / "b.zip").status == "loaded"
    )
    trades = (
        Trade("SYN000001", TransactionType.BUY, 2_000_000.0, 99.5, "Syn 1"),
        Trade("SYN000002", TransactionType.SALE, 1_000_000.0, None, "Syn 1"),
    )
    ids = add_hypo_trades(db_url, "Syn 1", trades, actor="carol")
    assert len(ids) == 2 and ids[0] < ids[1]
    assert hypo_trades(db_url, "Syn 1") == trades
    with pytest.raises(DatabaseError, match="neither Buy nor Sale"):
        add_hypo_trades(db_url, "Syn 1", [Trade("SYN000003", None, 1.0)])
    assert len(hypo_trades(db_url, "Syn 1")) == 2
    with engine(db_url).connect() as conn:
        actors = conn.execute(
            sa.text("SELECT DISTINCT actor FROM audit.change_log WHERE table_name = 'clo.hypo_trade'")
        ).scalars()
        assert list(actors) == ["carol"]


def test_save_with_a_dropped_connection_is_a_database_error(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clo_xl.persistence import repository

    assert (
        migrate_content(synthetic_book(30, 1, 10), db_url, backup_path=tmp_path / "b.zip").status == "loaded"
    )
    stored = repository.refresh_deal(db_url, "Syn 1")
    doc = dict(stored.document)
    doc["current_libor"] = 0.0123
    real = repository.sync_tables

    def dropped(conn: sa.Connection, loads: Any, *, actor: str) -> Any:
        with engine(db_url).connect() as admin:
            pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
            admin.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        return real(conn, loads, actor=actor)

    monkeypatch.setattr(repository, "sync_tables", dropped)
    with pytest.raises(DatabaseError, match="saving Syn 1 failed, nothing was written"):
        repository.save_deal(db_url, doc, expected_version=stored.version, actor="dave")
    engine(db_url).dispose()
    monkeypatch.setattr(repository, "sync_tables", real)
    assert repository.refresh_deal(db_url, "Syn 1").version == stored.version
    assert (
        repository.save_deal(db_url, doc, expected_version=stored.version, actor="dave") == stored.version + 1
    )
