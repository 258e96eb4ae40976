"""The Run Model buttons as commands (rankings, rebalance, credit-migration, hypo) on the sample workbook:
exit codes, JSON documents with ``warnings``, the Run Model settings used by default, readable output that
shows what the JSON holds. The figures themselves are checked in tests/compliance (hand-worked pools)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clo_xl.cli import main


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_rankings_take_the_run_model_settings(
    sample_workbook: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = run_json(capsys, "rankings", "--workbook", str(sample_workbook), "--deal", "mag 17")
    # Run Model of the sample: E8 750,000, E10 Buy, buy filter "Moody's Rating WARF<=B3 and Market Value>=95"
    assert doc["deal"] == "Mag 17" and doc["side"] == "Buy" and doc["step"] == 750_000.0
    assert doc["buy_filter"] == "Moody's Rating WARF<=B3 and Market Value>=95.0"
    assert all(c["market_value"] >= 95.0 for c in doc["candidates"])
    scores = [c["objective"] for c in doc["candidates"]]
    assert scores == sorted(scores, reverse=True)  # buys best first
    assert isinstance(doc["warnings"], list) and doc["warnings"]
    sale = run_json(capsys, "rankings", "--workbook", str(sample_workbook), "--deal", "Mag 17",
                    "--side", "sale", "--sale-filter", "", "--convention", "corrected")  # fmt: skip
    assert sale["side"] == "Sale" and sale["warnings"] == []
    sale_scores = [c["objective"] for c in sale["candidates"]]
    assert sale_scores == sorted(sale_scores)  # sales worst first


def test_rebalance_document_and_table(sample_workbook: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["rebalance", "--workbook", str(sample_workbook), "--deal", "Mag 17", "--convention", "corrected",
            "--sale-target", "1500000", "--buy-target", "3000000"]  # fmt: skip
    doc = run_json(capsys, *args)
    bought = sum(t["executed_par"] for t in doc["purchases"])
    assert bought == pytest.approx(sum(a["par"] for a in doc["purchases_by_asset"]))
    assert 0 < bought <= 3_000_000.0 + 1e-6
    # par build = Σ (par − cash) over buys + Σ (cash − par) over sales, from the trade lists themselves
    by_hand = sum(t["executed_par"] + t["cash_change"] for t in doc["purchases"]) + sum(
        t["cash_change"] - t["executed_par"] for t in doc["sales"]
    )
    assert doc["par_build"] == pytest.approx(by_hand)
    assert doc["liquidation_price"] == 0.7  # the sample's CFInputs "Liquidation Price"
    assert doc["warnings"] == []
    assert main([*args, "--liquidation-price", "0.95", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["liquidation_price"] == 0.95
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Assets purchased" in out and "Par build" in out and "after" in out


def test_hypo_command_uses_the_run_model_trades(
    sample_workbook: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = run_json(capsys, "hypo", "--workbook", str(sample_workbook), "--deal", "Mag 17")
    assert [t["brs_id"] for t in doc["trades"]] == [
        "BRSJU9ZW3",
        "BRSV3JWEC",
        "BRSKQ42DW",
    ]  # Run Model J11:N13
    assert doc["mode"] == "pool" and "warnings" in doc
    ind = run_json(capsys, "hypo", "--workbook", str(sample_workbook), "--deal", "Mag 17", "--individual")
    assert len(ind["individual"]) == 3
    assert main(["hypo", "--workbook", str(sample_workbook), "--deal", "Mag 17", "--individual"]) == 0
    out = capsys.readouterr().out
    for i, block in enumerate(ind["individual"], start=1):  # every trade of --individual is shown
        assert f"trade {i} of 3: {block['label']}" in out
    assert "Threshold after" in out and "Hypo comment" in out


def test_credit_migration(sample_workbook: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["credit-migration", "--workbook", str(sample_workbook), "--deal", "Mag 17", "--paths", "3",
            "--seed", "7", "--workers", "1"]  # fmt: skip
    doc = run_json(capsys, *args)
    assert len(doc["paths"]) == 3 and doc["migration"]["seed"] == 7
    assert len(doc["migration"]["cdr"]) == len(doc["migration"]["step_dates"])
    assert "warnings" in doc
    assert main([*args, "--paths", "0"]) == 2


def test_unknown_deal_lists_the_deals(sample_workbook: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rankings", "--workbook", str(sample_workbook), "--deal", "Mag 99"]) == 2
    err = capsys.readouterr().err
    assert "Mag 6" in err and "Mag 17" in err and "All Assets" not in err


@pytest.mark.parametrize("command", ["rankings", "rebalance"])
@pytest.mark.parametrize("price", ["70", "0", "-0.5"])
def test_liquidation_price_is_a_decimal_of_par(
    sample_workbook: Path, capsys: pytest.CaptureFixture[str], command: str, price: str
) -> None:
    args = [command, "--workbook", str(sample_workbook), "--deal", "Mag 17", "--liquidation-price", price]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "decimal of par (0.70 = 70 %)" in err
    assert ("enter 0.7" in err) == (price == "70")
