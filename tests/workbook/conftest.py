"""Fixtures for the sample-workbook tests: the generated book and a freshly built file."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # `workbook/` is a folder of scripts beside src/, not an installed package
    sys.path.insert(0, str(REPO_ROOT))

from workbook.generate_sample import SampleBook, generate  # noqa: E402


@pytest.fixture(scope="session")
def sample_book() -> SampleBook:
    return generate()


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[SampleBook, Path]:
    """What ``python workbook/build.py OUT`` writes (full size, VBA, output tabs), and the book behind it."""
    from workbook.build import prepare, write

    book, tabs = prepare()
    return book, write(book, tabs, tmp_path_factory.mktemp("built") / "TradeHypo.xlsm")


@pytest.fixture(scope="session")
def built_workbook(built: tuple[SampleBook, Path]) -> Path:
    return built[1]
