"""Shared test helpers: where the checkout, the sample workbook and the brief's legacy folder are; the
markers that keep ``make test-fast`` free of PostgreSQL servers.

``make test-fast`` deselects ``postgres``, ``libreoffice`` and ``slow``. A test gets ``postgres``
automatically when it uses a server fixture (:data:`SERVER_FIXTURES`, directly or through another
fixture); in the fast lane a test that starts the embedded server anyway fails with the marker to add,
instead of quietly making the fast lane slow.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
LEGACY_DIR = REPO_ROOT.parent / "shared" / "legacy"
SAMPLE_WORKBOOK = REPO_ROOT / "workbook" / "TradeHypo.xlsm"
if str(REPO_ROOT) not in sys.path:  # `workbook/` is a folder of scripts beside src/, not an installed package
    sys.path.insert(0, str(REPO_ROOT))
# the suite's CLI runs log to a file of its own, not the developer's operational log
os.environ.setdefault("CLO_XL_LOG_FILE", str(Path(tempfile.gettempdir()) / "clo-xl-tests.jsonl"))


#: fixtures that start (or need) an embedded PostgreSQL server; a test using any of them is ``postgres``
SERVER_FIXTURES = frozenset({"pg_server", "migrated_template"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if SERVER_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)


def pytest_configure(config: pytest.Config) -> None:
    if "not postgres" not in (config.option.markexpr or ""):
        return
    from clo_xl.persistence import server

    def refuse(*_args: object, **_kwargs: object) -> None:
        pytest.fail("this test starts the embedded PostgreSQL server: mark it @pytest.mark.postgres")

    server.start_embedded = refuse  # type: ignore[assignment]


@pytest.fixture(scope="session")
def legacy_dir() -> Path:
    """``../shared/legacy`` beside the checkout; tests that need it skip with a reason when it is absent."""
    if not (LEGACY_DIR / "mag17_assets.json").is_file():
        pytest.skip(f"legacy data folder not found at {LEGACY_DIR} (it ships with the brief, not the repo)")
    return LEGACY_DIR


@pytest.fixture(scope="session")
def sample_book():  # type: ignore[no-untyped-def]
    """The seeded sample data behind ``workbook/TradeHypo.xlsm`` (``workbook.generate_sample.generate()``)."""
    from workbook.generate_sample import generate

    return generate()


@pytest.fixture(scope="session")
def sample_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed sample workbook, or one built now by ``workbook/build.py`` when it is not there."""
    if SAMPLE_WORKBOOK.is_file():
        return SAMPLE_WORKBOOK
    try:
        from workbook.build import build
    except ImportError as exc:
        pytest.skip(f"no sample workbook and workbook/build.py is not importable: {exc}")
    return build(tmp_path_factory.mktemp("sample") / "TradeHypo.xlsm")


@pytest.fixture
def workbook_copy(sample_workbook: Path, tmp_path: Path) -> Iterator[Path]:
    """A private copy of the sample workbook a test may change."""
    path = tmp_path / sample_workbook.name
    shutil.copyfile(sample_workbook, path)
    yield path
