"""`clo-xl compliance --workbook PATH --deal NAME` on the committed sample workbook, for every deal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clo_xl.cli import main

WORKBOOK = Path(__file__).resolve().parents[2] / "workbook" / "TradeHypo.xlsm"
DEALS = ["Mag 6", "Mag 7", "Mag 8", "Mag 9", "Mag 11", "Mag 12", "Mag 14", "Mag 15", "Mag 16", "Mag 17"]


@pytest.mark.skipif(not WORKBOOK.is_file(), reason="the sample workbook has not been generated")
@pytest.mark.parametrize("deal", DEALS)
def test_every_deal_runs_from_the_workbook(deal: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compliance", "--workbook", str(WORKBOOK), "--deal", deal, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["deal"] == deal and doc["tests"]
    assert all(isinstance(t["pass"], bool) for t in doc["tests"])


@pytest.mark.skipif(not WORKBOOK.is_file(), reason="the sample workbook has not been generated")
def test_unknown_deal_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compliance", "--workbook", str(WORKBOOK), "--deal", "Mag 99"]) == 2
    assert "Mag 99" in capsys.readouterr().err
