"""Fixtures of the bad-input corpus: the valid base workbook and the embedded PostgreSQL server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .pg import db_url, pg_server, template_url

__all__ = ["base_workbook", "db_url", "pg_server", "template_url"]

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_WORKBOOK = REPO_ROOT / "workbook" / "TradeHypo.xlsm"


@pytest.fixture(scope="session")
def base_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed sample workbook; before it is committed, the same file built by ``workbook/build.py``."""
    if SAMPLE_WORKBOOK.is_file():
        return SAMPLE_WORKBOOK
    out = tmp_path_factory.mktemp("base") / "TradeHypo.xlsm"
    build = REPO_ROOT / "workbook" / "build.py"
    if not build.is_file():
        pytest.skip(
            "no sample workbook: workbook/TradeHypo.xlsm is not committed and workbook/build.py is absent"
        )
    subprocess.run([sys.executable, str(build), str(out)], check=True, capture_output=True, timeout=300)
    return out
