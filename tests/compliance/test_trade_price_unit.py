"""A trade price's unit is stated and checked: above 1 in points, at most 1 a fraction of par, blank the
asset's mark; a price strictly between 1 and 2 (1.015 typed for 101.5 % of par) is refused, naming the cell,
instead of being read as 1.015 % of par."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clo_xl.cli import main
from clo_xl.compliance.hypo import apply_trades
from clo_xl.enums import TransactionType
from clo_xl.errors import InputRejected
from clo_xl.ingest.extract import read_trades
from clo_xl.portfolio.pool import Pool, Trade, Universe, price_unit_problem

from .helpers import asset

A = asset("A", market_value=98.0)
POOL = Pool.from_holdings(Universe((A,)), [])


@pytest.mark.parametrize("price", [1.015, 1.5, 1.999])
def test_ambiguous_prices_are_refused(price: float) -> None:
    problem = price_unit_problem(price)
    assert problem is not None and f"enter {price * 100:g} (points)" in problem
    with pytest.raises(ValueError, match="ambiguous"):
        Trade("A", TransactionType.BUY, 1e6, price)


@pytest.mark.parametrize(
    "price, fraction", [(None, 0.98), (0.0, 0.98), (0.985, 0.985), (1.0, 1.0), (2.0, 0.02), (101.5, 1.015)]
)
def test_the_unit_rule(price: float | None, fraction: float) -> None:
    assert price_unit_problem(price) is None
    _, cash, (done,) = apply_trades(POOL, 10e6, [Trade("A", TransactionType.BUY, 1e6, price)])
    assert done.price == pytest.approx(fraction)
    assert cash == pytest.approx(10e6 - 1e6 * fraction)  # 101.5 costs 1,015,000 per million of par


def test_trades_file_names_the_cell(tmp_path: Path) -> None:
    path = tmp_path / "trades.csv"
    path.write_text(
        "Deal,BRS ID,Transaction,Par,Price\nMag 17,A,Buy,1000000,101.5\nMag 17,A,Buy,1000000,1.015\n"
    )
    with pytest.raises(InputRejected) as caught:
        read_trades(path)
    (problem,) = caught.value.problems
    assert "1.015 is ambiguous" in str(problem) and "101.5" in str(problem)


def test_hypo_states_the_unit(
    sample_workbook: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "trades.csv"
    path.write_text(
        "Deal,BRS ID,Transaction,Par,Price\n"
        "Mag 17,BRSJU9ZW3,Buy,1000000,101.5\n"
        "Mag 17,BRSJU9ZW3,Buy,1000000,0.995\n"
        "Mag 17,BRSJU9ZW3,Buy,1000000,\n"
    )
    args = ["hypo", "--workbook", str(sample_workbook), "--deal", "Mag 17", "--trades", str(path)]
    assert main([*args, "--json"]) == 0
    trades = json.loads(capsys.readouterr().out)["trades"]
    assert [t["price_unit"] for t in trades] == ["points", "fraction", "market value"]
    assert [t["executed_price"] for t in trades][:2] == pytest.approx([1.015, 0.995])
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "101.5 pts" in out and "0.995 of par" in out and "101.500%" in out
    path.write_text("Deal,BRS ID,Transaction,Par,Price\nMag 17,BRSJU9ZW3,Buy,1000000,1.015\n")
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "1.015 is ambiguous" in err
