"""Persistence tests run on a real PostgreSQL: the embedded server, started once for the session in a
temporary data folder. Each test that writes gets its own database cloned from a migrated template."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from clo_xl.persistence import schema
from clo_xl.persistence.engine import dispose_engines, engine
from clo_xl.persistence.server import EmbeddedServer, start_embedded, stop_embedded

TEMPLATE = "clo_test_template"


def _url_for(server: EmbeddedServer, database: str) -> str:
    return server.url.replace("/clo_xl?", f"/{database}?")


def _admin(server: EmbeddedServer) -> sa.Connection:
    return engine(server.admin_url).connect().execution_options(isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_data_dir() -> Iterator[Path]:
    """A data folder outside pytest's own temp root: pytest resets ``pytest-of-<user>`` to mode 0700 at
    every session start, which would lock out the ``pgserver`` system user PostgreSQL runs as under root."""
    folder = Path(tempfile.mkdtemp(prefix="clo-xl-test-data-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server(pg_data_dir: Path) -> Iterator[EmbeddedServer]:
    """The embedded server in a temporary data folder (``CLO_XL_DATA_DIR``) for the whole session."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CLO_XL_DATA_DIR", str(pg_data_dir))
        mp.delenv("CLO_XL_DATABASE_URL", raising=False)
        server = start_embedded()
        yield server
        dispose_engines()
        stop_embedded()


@pytest.fixture(scope="session")
def template_url(pg_server: EmbeddedServer) -> str:
    """A database migrated to head, cloned by :func:`db_url`."""
    with _admin(pg_server) as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {TEMPLATE}"))
    url = _url_for(pg_server, TEMPLATE)
    schema.upgrade(url)
    engine(url).dispose()
    return url


@pytest.fixture
def db_url(pg_server: EmbeddedServer, template_url: str) -> Iterator[str]:
    """A fresh database at schema head for one test (dropped afterwards)."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with _admin(pg_server) as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}"))
    url = _url_for(pg_server, name)
    yield url
    engine(url).dispose()
    with _admin(pg_server) as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture
def empty_db_url(pg_server: EmbeddedServer) -> Iterator[str]:
    """A fresh database with no schema at all (for migration tests)."""
    name = f"e_{uuid.uuid4().hex[:12]}"
    with _admin(pg_server) as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    url = _url_for(pg_server, name)
    yield url
    engine(url).dispose()
    with _admin(pg_server) as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
