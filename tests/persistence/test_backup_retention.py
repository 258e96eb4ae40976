"""Retention of pre-migrate backups: the newest CLO_XL_BACKUP_KEEP (default 20) are kept, the one just
written never deleted; manual and operator-placed backups are never touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from clo_xl.errors import ConfigurationError
from clo_xl.persistence.content import WorkbookContent
from clo_xl.persistence.engine import engine
from clo_xl.persistence.fingerprint import schema_digest
from clo_xl.persistence.migration import migrate_content
from clo_xl.persistence.retention import DEFAULT_KEEP, backup_keep, pre_migrate_backups, prune_backups
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
