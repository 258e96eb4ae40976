"""Retention of pre-migrate backups: the newest CLO_XL_BACKUP_KEEP (default 20) are kept, the one just
written never deleted; manual and operator-placed backups are never touched; what killed loads left (0-byte
or partial ``.part`` files, complete backups of loads that never committed) is removed and never counted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from clo_xl.errors import ConfigurationError
from clo_xl.persistence.content import WorkbookContent
from clo_xl.persistence.engine import engine
from clo_xl.persistence.fingerprint import schema_digest
from clo_xl.persistence.migration import migrate_content
from clo_xl.persistence.retention import (
    DEFAULT_KEEP,
    abandoned_files,
    backup_keep,
    mark_pending,
    pending_marker,
    pre_migrate_backups,
    prune_backups,
)
from clo_xl.persistence.synthetic import synthetic_book


def _stamp(i: int) -> str:
    """The i-th time stamp in the backup naming scheme (one second apart, sortable)."""
    return f"20261127T10{i // 60:02d}{i % 60:02d}000000Z"


def _files(folder: Path, names: list[str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(b"zip")
    return [folder / n for n in names]


def test_keeps_the_newest_n_and_never_touches_other_files(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    pre = _files(folder, [f"pre-migrate-{_stamp(i)}.zip" for i in range(25)])
    manual = _files(folder, ["clo-20261127T000000000000Z.zip", "pre-migrate-notes.txt", "mine.zip"])
    deleted = prune_backups(pre[-1], 20)
    # 25 pre-migrate backups, keep 20: the 5 oldest (stamps 0..4) go, in order
    assert deleted == pre[:5]
    assert pre_migrate_backups(folder) == pre[5:]
    assert all(p.exists() for p in manual)


def test_the_backup_just_written_is_kept_even_if_not_the_newest_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    older, written, future = _files(folder, [f"pre-migrate-{_stamp(i)}.zip" for i in (1, 2, 3)])
    # keep 2 = the one just written + the newest other one (the "future" stamp, e.g. a skewed clock)
    assert prune_backups(written, 2) == [older]
    assert pre_migrate_backups(folder) == [written, future]
    assert prune_backups(written, 1) == [future]
    assert pre_migrate_backups(folder) == [written]


def test_fewer_backups_than_the_limit_deletes_nothing(tmp_path: Path) -> None:
    pre = _files(tmp_path, [f"pre-migrate-{_stamp(i)}.zip" for i in range(3)])
    assert prune_backups(pre[-1], 20) == []
    assert all(p.exists() for p in pre)


@pytest.mark.parametrize(("raw", "expected"), [(None, DEFAULT_KEEP), ("", 20), ("5", 5), (" 1 ", 1)])
def test_keep_from_the_environment(monkeypatch: pytest.MonkeyPatch, raw: str | None, expected: int) -> None:
    if raw is None:
        monkeypatch.delenv("CLO_XL_BACKUP_KEEP", raising=False)
    else:
        monkeypatch.setenv("CLO_XL_BACKUP_KEEP", raw)
    assert backup_keep() == expected


@pytest.mark.parametrize("raw", ["0", "-3", "ten", "2.5"])
def test_a_bad_keep_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("CLO_XL_BACKUP_KEEP", raw)
    with pytest.raises(ConfigurationError, match="CLO_XL_BACKUP_KEEP"):
        backup_keep()


@pytest.mark.postgres
def test_migrate_prunes_its_pre_migrate_backups(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book: WorkbookContent = synthetic_book(40, 1, 10, seed=9)
    monkeypatch.setenv("CLO_XL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CLO_XL_BACKUP_KEEP", "2")
    folder = tmp_path / "data" / "backups"
    manual = _files(folder, ["clo-20200101T000000000000Z.zip"])[0]
    written = []
    for _ in range(3):  # a backup before every load, even of an unchanged book
        report = migrate_content(book, db_url, parity=False)
        assert report.status in ("loaded", "unchanged"), report.error
        assert report.backup is not None
        written.append(Path(report.backup))
    assert pre_migrate_backups(folder) == written[1:]  # the first went when the third was written
    assert manual.exists()
    assert any("deleted 1 pre-migrate backup" in w for w in report.warnings)


def _dead_pid() -> int:
    """The id of a process that has exited (a killed migrate's, as its pending marker still names it)."""
    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(proc.stdout)


def _killed_run(folder: Path, stamp: str, *, complete: bool) -> list[Path]:
    """What ``kill -9`` leaves: the pending marker of a dead process and either the complete backup or a
    0-byte ``.part`` (killed while the backup was being written)."""
    backup = folder / f"pre-migrate-{stamp}.zip"
    mark_pending(backup)
    pending_marker(backup).write_text(f"{_dead_pid()}\n", encoding="ascii")
    left = backup if complete else backup.with_name(backup.name + ".part")
    left.write_bytes(b"zip" if complete else b"")
    return [left, pending_marker(backup)]


def test_killed_runs_are_removed_and_never_counted(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    real = _files(folder, [f"pre-migrate-{_stamp(i)}.zip" for i in range(20)])
    killed = [
        *_killed_run(folder, _stamp(30), complete=True),
        *_killed_run(folder, _stamp(31), complete=False),
    ]
    orphan_part = _files(folder, [f"pre-migrate-{_stamp(32)}.zip.part"])[0]  # an older version's leftover
    orphan_part.write_bytes(b"")
    written = _files(folder, [f"pre-migrate-{_stamp(40)}.zip"])[0]
    deleted = prune_backups(written, 20)
    # the three killed leftovers go; of the 21 real backups (20 + the one just written) only the oldest goes:
    # the killed runs' backups, newer than all 20, did not push out any real rollback point
    assert set(deleted) == {*killed, orphan_part, real[0]}
    assert pre_migrate_backups(folder) == [*real[1:], written]
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in [*real[1:], written])


def test_a_load_in_flight_and_a_committed_one_are_kept(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    in_flight = folder / f"pre-migrate-{_stamp(1)}.zip"
    mark_pending(in_flight)  # this process: alive
    in_flight.with_name(in_flight.name + ".part").write_bytes(b"")
    committed = _killed_run(folder, _stamp(2), complete=True)[0]  # killed after its commit
    written = _files(folder, [f"pre-migrate-{_stamp(3)}.zip"])[0]
    assert abandoned_files(folder, written, committed=lambda p: p == committed) == []
    assert prune_backups(written, 20, committed=lambda p: p == committed) == []
    assert not pending_marker(committed).exists()  # recognised as a rollback point from now on
    assert pre_migrate_backups(folder) == [committed, written]
    assert pending_marker(in_flight).exists()


@pytest.mark.postgres
def test_migrate_removes_what_killed_loads_left(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book: WorkbookContent = synthetic_book(40, 1, 10, seed=9)
    monkeypatch.setenv("CLO_XL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CLO_XL_BACKUP_KEEP", "2")
    folder = tmp_path / "data" / "backups"
    first = migrate_content(book, db_url, parity=False)
    assert first.status == "loaded" and first.backup is not None
    assert not pending_marker(Path(first.backup)).exists()  # committed: a rollback point
    killed = [
        *_killed_run(folder, "20990101T000000000000Z", complete=True),
        *_killed_run(folder, "20990101T000001000000Z", complete=False),
    ]
    report = migrate_content(book, db_url, parity=False)
    assert report.status == "unchanged" and report.backup is not None
    assert not any(p.exists() for p in killed)
    assert pre_migrate_backups(folder) == [Path(first.backup), Path(report.backup)]  # the 2 kept are real
    assert any("left by interrupted loads" in w for w in report.warnings)


@pytest.mark.postgres
def test_a_refused_load_leaves_no_backup(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A load that rolls back is no rollback point: its backup and marker go with it."""
    monkeypatch.setenv("CLO_XL_DATA_DIR", str(tmp_path / "data"))
    book: WorkbookContent = synthetic_book(40, 1, 10, seed=9)
    assert migrate_content(book, db_url, parity=False).status == "loaded"
    folder = tmp_path / "data" / "backups"
    before = sorted(folder.iterdir())

    def interrupt(step: str, fraction: float) -> None:
        if step == "load":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        migrate_content(book, db_url, parity=False, progress=interrupt)
    assert sorted(folder.iterdir()) == before


@pytest.mark.postgres
def test_a_bad_keep_refuses_the_migrate_before_anything_is_written(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLO_XL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CLO_XL_BACKUP_KEEP", "none")
    with engine(db_url).connect() as conn:
        before = schema_digest(conn)
    report = migrate_content(synthetic_book(40, 1, 10, seed=9), db_url, parity=False)
    assert report.status == "rejected" and isinstance(report.error, ConfigurationError)
    assert "CLO_XL_BACKUP_KEEP" in str(report.error)
    assert not (tmp_path / "data" / "backups").exists()
    with engine(db_url).connect() as conn:
        assert schema_digest(conn) == before
