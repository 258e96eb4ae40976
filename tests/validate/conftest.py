"""Fixtures for the parallel-run tests: the sample workbook (committed, or built from the generator)."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # `workbook/` is a folder of scripts beside src/, not an installed package
    sys.path.insert(0, str(REPO_ROOT))
SAMPLE_WORKBOOK = REPO_ROOT / "workbook" / "TradeHypo.xlsm"


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
