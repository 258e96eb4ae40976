"""The embedded default database: starts, is reused (also by a second process), stops cleanly; the
explicit-URL route (``--database-url`` / ``CLO_XL_DATABASE_URL``) reaches the same server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil
import pytest
import sqlalchemy as sa

from clo_xl.errors import ConfigurationError
from clo_xl.persistence.engine import database_url, engine, normalise_url, redact
from clo_xl.persistence.server import DATABASE_NAME, EmbeddedServer, data_dir, pgdata_dir, start_embedded

pytestmark = pytest.mark.postgres


def _child(code: str, data: Path) -> str:
    env = {**os.environ, "CLO_XL_DATA_DIR": str(data)}
    env.pop("CLO_XL_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_data_folder_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CLO_XL_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_dir() == (tmp_path / "xdg" / "clo-xl").resolve()
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data_dir() == (tmp_path / "home" / ".local" / "share" / "clo-xl").resolve()
    monkeypatch.setenv("CLO_XL_DATA_DIR", str(tmp_path / "mine"))
    assert pgdata_dir() == (tmp_path / "mine" / "pg").resolve()


def test_embedded_server_starts_in_the_data_folder(pg_server: EmbeddedServer, pg_data_dir: Path) -> None:
    assert pg_server.pgdata == (pg_data_dir / "pg").resolve()
    assert (pg_server.pgdata / "PG_VERSION").exists()
    assert psutil.Process(pg_server.pid).is_running()
    with engine(pg_server.url).connect() as conn:
        assert conn.execute(sa.text("SELECT current_database()")).scalar_one() == DATABASE_NAME


def test_default_url_reuses_the_running_server(
    pg_server: EmbeddedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLO_XL_DATABASE_URL", raising=False)
    assert database_url(None) == pg_server.url
    assert start_embedded() is start_embedded()


def test_second_process_joins_the_same_server_and_leaves_it_running(
    pg_server: EmbeddedServer, pg_data_dir: Path
) -> None:
    code = (
        "from clo_xl.persistence.server import start_embedded; "
        "from clo_xl.persistence.engine import engine; import sqlalchemy as sa; s = start_embedded(); "
        "c = engine(s.url).connect(); print(s.pid, c.execute(sa.text('select 41 + 1')).scalar_one())"
    )
    pid, answer = _child(code, pg_data_dir).split()
    assert int(pid) == pg_server.pid  # same postmaster: reused, not a second server
    assert answer == "42"
    # the child has exited; the server it joined still serves this process
    assert psutil.Process(pg_server.pid).is_running()
    with engine(pg_server.url).connect() as conn:
        assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1


def test_last_process_stops_the_server_cleanly() -> None:
    data = Path(tempfile.mkdtemp(prefix="clo-xl-test-own-"))  # outside pytest's 0700 temp root
    try:
        _stops_cleanly(data)
    finally:
        shutil.rmtree(data, ignore_errors=True)


def _stops_cleanly(data: Path) -> None:
    code = "from clo_xl.persistence.server import start_embedded; print(start_embedded().pid)"
    pid = int(_child(code, data))
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert not (data / "pg" / "postmaster.pid").exists()  # pg_ctl stop removes it; a crash would not
    # the next run finds the initialised folder and starts again on it (reuse of the data, no initdb)
    assert (data / "pg" / "PG_VERSION").exists()
    assert int(_child(code, data)) > 0


def test_explicit_url_route(pg_server: EmbeddedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = pg_server.url.replace("postgresql+psycopg://", "postgresql://")
    monkeypatch.setenv("CLO_XL_DATABASE_URL", plain)
    assert database_url(None) == pg_server.url
    assert database_url("postgres://other:pw@host/db") == "postgresql+psycopg://other:pw@host/db"
    with engine(database_url(None)).connect() as conn:
        assert conn.execute(sa.text("SELECT current_database()")).scalar_one() == DATABASE_NAME


def test_bad_urls_are_configuration_errors() -> None:
    with pytest.raises(ConfigurationError):
        normalise_url("sqlite:///x.db")
    with pytest.raises(ConfigurationError):
        normalise_url("not a url")
    assert redact("postgresql+psycopg://ops:s3cret@db:5432/clo") == "postgresql+psycopg://ops:***@db:5432/clo"
    assert (
        redact("postgresql+psycopg://postgres:@/clo_xl?host=/s")
        == "postgresql+psycopg://postgres:@/clo_xl?host=/s"
    )
