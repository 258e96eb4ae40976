"""Fixtures of the Excel-bridge tests: a PostgreSQL database holding the migrated sample, and the emulated
Excel (xlwings' real API over a strict engine, see ``emulated_excel.py`` and ``emulated_vba.py``).

The embedded server runs in a data folder outside pytest's own temp root (see tests/persistence/conftest.py
for why). The sample workbook is migrated once into a template database; a test that writes gets its own
clone (``CREATE DATABASE … TEMPLATE``); ``CLO_XL_DATABASE_URL`` points the UDFs and the buttons at it.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.excel.emulated_vba import EmulatedExcel

from clo_xl.excel.deal_cache import STORED


@pytest.fixture(scope="session")
def migrated_template(sample_workbook: Path) -> Iterator[tuple[str, str]]:
    """A fresh embedded server whose ``clo_xl`` database holds the migrated sample; (its URL, admin URL)."""
    from clo_xl.persistence.engine import dispose_engines, engine
    from clo_xl.persistence.migration import migrate_workbook
    from clo_xl.persistence.server import start_embedded, stop_embedded

    folder = Path(tempfile.mkdtemp(prefix="clo-xl-excel-db-"))
    try:
        server = start_embedded(folder / "pgdata")
        report = migrate_workbook(sample_workbook, server.url, backup_path=folder / "before.zip")
        assert report.status == "loaded", report
        engine(server.url).dispose()  # a template database must have no open connection
        yield server.url, server.admin_url
    finally:
        dispose_engines()
        stop_embedded(folder / "pgdata")
        shutil.rmtree(folder, ignore_errors=True)


def _clone(template: tuple[str, str]) -> str:
    from clo_xl.persistence.engine import engine

    url, admin = template
    name = f"x_{uuid.uuid4().hex[:12]}"
    with engine(admin).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name} TEMPLATE clo_xl"))
    return url.replace("/clo_xl?", f"/{name}?")


def _drop(url: str, admin: str) -> None:
    from clo_xl.persistence.engine import engine

    engine(url).dispose()
    name = sa.engine.make_url(url).database
    with engine(admin).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture
def migrated(migrated_template: tuple[str, str]) -> Iterator[str]:
    """A private copy of the migrated database for one test (it may write)."""
    url = _clone(migrated_template)
    yield url
    _drop(url, migrated_template[1])


@pytest.fixture(scope="session")
def shared_db(migrated_template: tuple[str, str]) -> Iterator[str]:
    """One copy of the migrated database for the tests that only read it."""
    url = _clone(migrated_template)
    yield url
    _drop(url, migrated_template[1])


def _udfs_on(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``CLO_XL_DATABASE_URL`` → ``url`` with the UDF cache empty before and after."""
    monkeypatch.setenv("CLO_XL_DATABASE_URL", url)
    STORED.clear()
    yield url
    STORED.clear()


@pytest.fixture
def stored(shared_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The UDFs on the shared migrated database (read only)."""
    yield from _udfs_on(shared_db, monkeypatch)


@pytest.fixture
def stored_private(migrated: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The UDFs on a private migrated database the test may change."""
    yield from _udfs_on(migrated, monkeypatch)


@pytest.fixture
def excel() -> Iterator[EmulatedExcel]:
    """xlwings over the strict emulation of Windows Excel (restored afterwards)."""
    with EmulatedExcel(platform="windows") as emulated:
        yield emulated


@pytest.fixture
def mac_excel() -> Iterator[EmulatedExcel]:
    """xlwings over the emulation of Excel for Mac (``.api`` is an AppleScript reference: no COM names)."""
    with EmulatedExcel(platform="mac") as emulated:
        yield emulated
