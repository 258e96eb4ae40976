"""Schema migrations (Alembic, shipped inside the package): upgrade to head, report the revision.

Checking that a database is current is one cheap query against :data:`HEAD_REVISION`; Alembic itself (and
Mako, and its per-dialect DDL modules: about a tenth of a second) is imported only when a database has to
be upgraded, hence the imports inside the functions that run Alembic.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text

from clo_xl.persistence.engine import engine as engine_for
from clo_xl.persistence.failures import database_errors

if TYPE_CHECKING:
    from alembic.config import Config

#: advisory-lock key serialising schema upgrades (any constant unique to clo-xl)
UPGRADE_LOCK = 0x0C10C1

#: the newest revision under ``alembic/versions`` (a new revision updates it;
#: ``tests/persistence/test_schema.py`` checks it is Alembic's own head)
HEAD_REVISION = "0006"


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the packaged ``alembic/`` folder and ``url``."""
    from alembic.config import Config

    here = Path(str(resources.files("clo_xl.persistence")))
    cfg = Config(str(here / "alembic.ini"))
    cfg.set_main_option("script_location", str(here / "alembic"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    return HEAD_REVISION


def current_revision(eng: Engine) -> str | None:
    with database_errors("reading the schema revision", wrote=False), eng.connect() as conn:
        return revision_on(conn)


def upgrade(url: str, revision: str = "head") -> str | None:
    """Apply every pending migration (idempotent); returns the revision now current."""
    from alembic import command

    eng = engine_for(url)
    cfg = alembic_config(url)
    with database_errors("schema upgrade"), eng.begin() as conn:
        # one upgrader at a time: concurrent first runs on a new database wait, then find it current
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": UPGRADE_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return current_revision(eng)


def upgrade_on(conn: Connection, url: str, revision: str = "head") -> None:
    """Upgrade inside the caller's transaction (a dry run rolls the schema back with everything else)."""
    from alembic import command

    cfg = alembic_config(url)
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)


def revision_on(conn: Connection) -> str | None:
    """The revision recorded in ``alembic_version`` (Alembic's table, found on the search path as Alembic
    finds it); None on a database Alembic never touched. Safe inside a transaction (no failing statement)."""
    if conn.execute(text("SELECT to_regclass('alembic_version') IS NULL")).scalar_one():
        return None
    found = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return str(found[0]) if len(found) == 1 else None


def ensure_current(url: str) -> None:
    """Upgrade when the database is behind head (the first command on a new database creates the schema)."""
    if current_revision(engine_for(url)) != HEAD_REVISION:
        upgrade(url)
