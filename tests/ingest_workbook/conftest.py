"""Fixtures for the sample-workbook tests: the generated book and a freshly built file."""

from __future__ import annotations

from pathlib import Path

import pytest

# tests/conftest.py puts the checkout on sys.path and provides ``sample_book``
from workbook.generate_sample import SampleBook, generate


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[SampleBook, Path]:
    """What ``python workbook/build.py OUT`` writes (full size, VBA, output tabs), and the book behind it."""
    from workbook.build import prepare, write

    book, tabs = prepare()
    return book, write(book, tabs, tmp_path_factory.mktemp("built") / "TradeHypo.xlsm")


@pytest.fixture(scope="session")
def built_workbook(built: tuple[SampleBook, Path]) -> Path:
    return built[1]


SMALL_ASSETS = 220


@pytest.fixture(scope="session")
def small_book() -> SampleBook:
    return generate(n_assets=SMALL_ASSETS)


@pytest.fixture(scope="session")
def small_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small plain ``.xlsx`` of the same layout (220 assets, no VBA): quick to copy and break."""
    from workbook.build import build

    out = tmp_path_factory.mktemp("small") / "small.xlsx"
    return build(out, n_assets=SMALL_ASSETS, with_vba=False, with_tabs=False)
