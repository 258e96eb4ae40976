"""PostgreSQL fixtures shared by the hardening tests (corpus, faults, security): the embedded server of
:mod:`clo_xl.persistence.server`, started once per test session in a temporary data folder, and fresh
databases at schema head cloned from a migrated template (the pattern of ``tests/persistence``).

Each ``conftest.py`` of ``tests/corpus``, ``tests/faults`` and ``tests/security`` imports these fixtures; the
server folder is shared, so one server serves all three.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from clo_xl.persistence import schema
from clo_xl.persistence.engine import engine
from clo_xl.persistence.fingerprint import schema_digest
from clo_xl.persistence.server import EmbeddedServer, start_embedded, stop_embedded

TEMPLATE = "clo_hardening_template"


def url_for(server: EmbeddedServer, database: str) -> str:
    return server.url.replace("/clo_xl?", f"/{database}?")


def admin(server: EmbeddedServer) -> sa.Connection:
    return engine(server.admin_url).connect().execution_options(isolation_level="AUTOCOMMIT")


@dataclass(frozen=True)
class DbState:
    """What "the database is unchanged" means: schema ``clo`` checksums and the audit change-log size."""

    clo_digest: str
    change_log_rows: int


def db_state(url: str) -> DbState:
    with engine(url).connect() as conn:
        digest = schema_digest(conn, "clo")
        changes = int(conn.execute(sa.text("SELECT count(*) FROM audit.change_log")).scalar_one())
    return DbState(digest, changes)


def create_database(server: EmbeddedServer, template: str | None = TEMPLATE) -> str:
    name = f"h_{uuid.uuid4().hex[:12]}"
    with admin(server) as conn:
        clause = f" TEMPLATE {template}" if template else ""
        conn.execute(sa.text(f"CREATE DATABASE {name}{clause}"))
    return url_for(server, name)


def drop_database(server: EmbeddedServer, url: str) -> None:
    engine(url).dispose()
    name = url.split("?")[0].rsplit("/", 1)[1]
    with admin(server) as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[EmbeddedServer]:
    # outside pytest's own temp root: pytest resets ``pytest-of-<user>`` to 0700 and prunes old session
    # folders whenever another session starts, which would lock out (or delete) the running server
    folder = Path(tempfile.mkdtemp(prefix="clo-xl-hardening-pg-"))
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("CLO_XL_DATABASE_URL", raising=False)
        server = start_embedded(folder / "pg")
        try:
            yield server
        finally:
            stop_embedded(folder / "pg")
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def template_url(pg_server: EmbeddedServer) -> str:
    with admin(pg_server) as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {TEMPLATE}"))
    url = url_for(pg_server, TEMPLATE)
    schema.upgrade(url)
    engine(url).dispose()
    return url


@pytest.fixture
def db_url(pg_server: EmbeddedServer, template_url: str) -> Iterator[str]:
    """A fresh database at schema head for one test (dropped afterwards)."""
    url = create_database(pg_server)
    yield url
    drop_database(pg_server, url)
