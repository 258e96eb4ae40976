"""Shared test helpers: where the checkout and the brief's legacy folder are."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
LEGACY_DIR = REPO_ROOT.parent / "shared" / "legacy"
SAMPLE_WORKBOOK = REPO_ROOT / "workbook" / "TradeHypo.xlsm"


@pytest.fixture(scope="session")
def legacy_dir() -> Path:
    """``../shared/legacy`` beside the checkout; tests that need it skip with a reason when it is absent."""
    if not (LEGACY_DIR / "mag17_assets.json").is_file():
        pytest.skip(
            f"legacy data folder not found at {LEGACY_DIR} (it ships with the project brief, not the repo)"
        )
    return LEGACY_DIR
