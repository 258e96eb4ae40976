"""Retention of the automatic pre-migrate backups in ``<data dir>/backups``.

Every ``clo-xl migrate`` writes ``pre-migrate-<UTC time>.zip`` there before it loads (the rollback point), so
they pile up. After each one is written, only the newest ``CLO_XL_BACKUP_KEEP`` (default 20) pre-migrate
backups are kept, counting the one just written, which is never deleted. "Newest" is by the UTC time stamp
in the file name (microseconds, sortable), not by the file's mtime, which a copy or restore can change.

Only the automatic pre-migrate backups in the default folder are pruned: backups written by ``clo-xl db
backup`` (``clo-*.zip``), backups written to a path the operator chose (``--backup``) and any other file are
never touched.

A backup is a rollback point only once its load committed. Until then a sidecar
``pre-migrate-<time>.zip.pending`` (written before the backup, holding the migrating process's id) says the
run is in flight; the run removes it after its commit (and the whole backup after a rollback). What a killed
run leaves (a ``.part`` file, often 0 bytes, or a complete backup still marked pending, whose process is
gone and whose run the database did not record) is removed by the next migrate's retention and never
counted among the kept.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from clo_xl.errors import ConfigurationError

ENV_VAR = "CLO_XL_BACKUP_KEEP"
DEFAULT_KEEP = 20
PREFIX = "pre-migrate-"


def backup_keep() -> int:
    """How many pre-migrate backups to keep: ``CLO_XL_BACKUP_KEEP`` (a whole number >= 1), default 20."""
    raw = os.environ.get(ENV_VAR, "").strip()
    if not raw:
        return DEFAULT_KEEP
    try:
        keep = int(raw)
    except ValueError:
        keep = 0
    if keep < 1:
        raise ConfigurationError(
            f"{ENV_VAR}={raw!r}: the number of pre-migrate backups to keep must be a whole number >= 1 "
            f"(default {DEFAULT_KEEP}); nothing was loaded"
        )
    return keep


PENDING = ".pending"
PARTIAL = ".part"


def pending_marker(backup: Path) -> Path:
    return backup.with_name(backup.name + PENDING)


def mark_pending(backup: Path) -> None:
    """Say that ``backup`` belongs to a load in flight (this process); written before the backup itself."""
    backup.parent.mkdir(parents=True, exist_ok=True)
    pending_marker(backup).write_text(f"{os.getpid()}\n", encoding="ascii")


def clear_pending(backup: Path) -> None:
    """The load of ``backup`` committed: it is a rollback point from now on."""
    pending_marker(backup).unlink(missing_ok=True)


def pre_migrate_backups(folder: Path) -> list[Path]:
    """The pre-migrate backups in ``folder`` that are rollback points (complete, of a committed load), oldest
    first (by the time stamp in the name)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"{PREFIX}*.zip") if p.is_file() and not pending_marker(p).exists())


def _writer_alive(marker: Path) -> bool:
    """Whether the process named in a pending marker still runs (an unreadable marker: assume it does not)."""
    try:
        pid = int(marker.read_text(encoding="ascii").strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return False
    return True


def abandoned_files(
    folder: Path, written: Path | None = None, committed: Callable[[Path], bool] | None = None
) -> list[Path]:
    """What killed loads left in ``folder``: partial ``.part`` files and backups still marked pending whose
    process is gone (and, when ``committed`` can tell, whose load the database did not record), with their
    markers. ``written`` (the current run's backup) is never among them."""
    if not folder.is_dir():
        return []
    current = written.resolve() if written is not None else None
    out: list[Path] = []
    for marker in sorted(folder.glob(f"{PREFIX}*.zip{PENDING}")):
        backup = marker.with_name(marker.name.removesuffix(PENDING))
        if backup.resolve() == current or _writer_alive(marker):
            continue
        if committed is not None and backup.is_file() and committed(backup):
            marker.unlink(missing_ok=True)  # killed after its commit: a real rollback point
            continue
        out.extend(p for p in (backup, backup.with_name(backup.name + PARTIAL), marker) if p.exists())
    for part in sorted(folder.glob(f"{PREFIX}*.zip{PARTIAL}")):
        backup = part.with_name(part.name.removesuffix(PARTIAL))
        in_flight = pending_marker(backup).exists() and _writer_alive(pending_marker(backup))
        if part not in out and backup.resolve() != current and not in_flight:
            out.append(part)
    return out


def prune_backups(written: Path, keep: int, committed: Callable[[Path], bool] | None = None) -> list[Path]:
    """Delete what killed loads left (:func:`abandoned_files`), then all but the newest ``keep`` pre-migrate
    backups beside ``written`` (which is always kept and counts as one of them; abandoned files never
    count); returns the deleted paths: the abandoned files, then the pruned backups, oldest first."""
    if keep < 1:
        raise ValueError("keep must be >= 1")
    written = written.resolve()
    abandoned = abandoned_files(written.parent, written, committed)
    for path in abandoned:
        path.unlink(missing_ok=True)
    others = [p for p in pre_migrate_backups(written.parent) if p.resolve() != written]
    doomed = others[: max(len(others) - (keep - 1), 0)]
    for path in doomed:
        path.unlink(missing_ok=True)
    return abandoned + doomed
