"""Schema migrations (Alembic, shipped inside the package): upgrade to head, report the revision."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from clo_xl.persistence.engine import engine as engine_for
from clo_xl.persistence.failures import database_errors

#: advisory-lock key serialising schema upgrades (any constant unique to clo-xl)
UPGRADE_LOCK = 0x0C10C1


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the packaged ``alembic/`` folder and ``url``."""
    here = Path(str(resources.files("clo_xl.persistence")))
    cfg = Config(str(here / "alembic.ini"))
    cfg.set_main_option("script_location", str(here / "alembic"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config("postgresql+psycopg:///unused"))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(eng: Engine) -> str | None:
    with database_errors("reading the schema revision", wrote=False), eng.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(url: str, revision: str = "head") -> str | None:
    """Apply every pending migration (idempotent); returns the revision now current."""
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
    cfg = alembic_config(url)
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)


def revision_on(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def ensure_current(url: str) -> None:
    """Upgrade when the database is behind head (the first command on a new database creates the schema)."""
    if current_revision(engine_for(url)) != head_revision():
        upgrade(url)
