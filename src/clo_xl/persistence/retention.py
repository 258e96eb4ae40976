"""Retention of the automatic pre-migrate backups in ``<data dir>/backups``.

Every ``clo-xl migrate`` writes ``pre-migrate-<UTC time>.zip`` there before it loads (the rollback point), so
they pile up. After each one is written, only the newest ``CLO_XL_BACKUP_KEEP`` (default 20) pre-migrate
backups are kept, counting the one just written, which is never deleted. "Newest" is by the UTC time stamp
in the file name (microseconds, sortable), not by the file's mtime, which a copy or restore can change.

Only the automatic pre-migrate backups in the default folder are pruned: backups written by ``clo-xl db
backup`` (``clo-*.zip``), backups written to a path the operator chose (``--backup``) and any other file are
never touched.
"""

from __future__ import annotations

import os
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


def pre_migrate_backups(folder: Path) -> list[Path]:
    """The pre-migrate backups in ``folder``, oldest first (by the time stamp in the name)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"{PREFIX}*.zip") if p.is_file())


def prune_backups(written: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` pre-migrate backups beside ``written`` (which is always kept and
    counts as one of them); returns the deleted paths, oldest first."""
    if keep < 1:
        raise ValueError("keep must be >= 1")
    written = written.resolve()
    others = [p for p in pre_migrate_backups(written.parent) if p.resolve() != written]
    doomed = others[: max(len(others) - (keep - 1), 0)]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed
