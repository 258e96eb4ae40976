"""Fixtures for the sample-workbook tests: the generated book and a freshly built file."""

from __future__ import annotations

from pathlib import Path

import pytest

# tests/conftest.py puts the checkout on sys.path and provides ``sample_book``
from workbook.generate_sample import SampleBook


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[SampleBook, Path]:
    """What ``python workbook/build.py OUT`` writes (full size, VBA, output tabs), and the book behind it."""
    from workbook.build import prepare, write

    book, tabs = prepare()
    return book, write(book, tabs, tmp_path_factory.mktemp("built") / "TradeHypo.xlsm")


@pytest.fixture(scope="session")
def built_workbook(built: tuple[SampleBook, Path]) -> Path:
    return built[1]
