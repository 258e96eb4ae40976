"""The analytics commands through the real CLI entry point: one JSON document, readable tables, exit 2 on
bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clo_xl.cli import main


@pytest.mark.slow  # many seconds of CPU (a break-even solve): make test runs it, make test-fast does not
def test_breakeven_json_shape(sample_workbook: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["breakeven", "--workbook", str(sample_workbook), "--deal", "Mag 17", "--cpr", "0.2", "--json"]
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert list(doc)[:4] == ["deal", "convention", "assumptions", "classes"] and "warnings" in doc
    assert doc["assumptions"]["cpr"] == 0.2
    e = next(c for c in doc["classes"] if c["class"] == "Class E")
    assert 0.0 < e["breakeven_cdr"] < 1.0 and e["iterations"] > 2


def test_breakeven_readable(sample_workbook: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["breakeven", "--workbook", str(sample_workbook), "--deal", "Mag 17"]) == 0
    out = capsys.readouterr().out
    assert "Break-even CDR" in out and "Class E" in out and "bisection rounds" in out


def test_collateral_report_json(sample_workbook: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["collateral-report", "--workbook", str(sample_workbook), "--deal", "Mag 17", "--json"]
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    first = doc["periods"][0]
    assert first["beginning_par"] == pytest.approx(414_000_000.0)
    assert {"scheduled_amortisation", "prepayments", "defaults", "recoveries", "losses", "reinvestment_par",
            "reinvestment_price", "ending_par", "principal_cash"} <= set(first)  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["breakeven", "--cpr", "20"], "--cpr must be a decimal between 0 and 1"),
        (["collateral-report", "--lag", "-3"], "--lag must be a number of months"),
        (["breakeven", "--workbook", "x.xlsm", "--deal", "Mag 17", "--as-of", "2"], "--as-of"),
    ],
)
def test_bad_options_exit_2(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*args, "--deal", "Mag 17"] if "--deal" not in args else args) == 2
    assert message in capsys.readouterr().err


def test_coverage_json_and_purchase_prices(
    sample_workbook: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prices = tmp_path / "prices.csv"
    # a purchase at 75 (points) makes the first held loan a discount obligation carried at 75% of par
    from clo_xl.api import DealSession

    session = DealSession.from_workbook(sample_workbook, "Mag 17")
    first = next(
        h for h in session.holdings if not next(a for a in session.assets if a.brs_id == h.brs_id).defaulted
    )
    prices.write_text(f"BLKRockID,Purchase Price\n{first.brs_id},75\n")
    args = ["coverage", "--workbook", str(sample_workbook), "--deal", "Mag 17", "--convention", "corrected"]
    assert main([*args, "--purchase-prices", str(prices), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    acpa = doc["adjusted_collateral_principal_amount"]
    assert acpa["discount_obligation_haircut"] == pytest.approx(first.par * 0.25)
    e = next(t for t in doc["analysis_date_tests"] if t["test"] == "Class E OC")
    assert e["numerator"] == pytest.approx(acpa["adjusted_collateral_principal_amount"])
    assert {"analysis_date_tests", "first_payment_date_tests", "warnings"} <= set(doc)


def test_compliance_shows_class_coverage_beside_test_38(
    sample_workbook: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["compliance", "--workbook", str(sample_workbook), "--deal", "Mag 17", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    tests = {(t["class"], t["kind"]): t for t in doc["coverage_tests"]}
    e = tests[("Class E", "OC")]
    assert round(e["ratio"], 4) == 1.0553 and e["pass"] is True
    assert {"trigger", "cushion", "cushion_pct"} <= set(e)
    assert ("Class B-2", "IC") in tests
    assert main(["compliance", "--workbook", str(sample_workbook), "--deal", "Mag 17"]) == 0
    out = capsys.readouterr().out.splitlines()
    at = next(i for i, line in enumerate(out) if "Junior OC Test" in line)
    assert "Class B-2 IC" in out[at + 1] and "cushion" in out[at + 1]


def test_trade_analytics_from_a_trades_file(
    sample_workbook: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trades = tmp_path / "trades.csv"
    trades.write_text("Deal,BRS ID,Transaction Buy/Sale,Par,Price\nMag 17,BRSJU9ZW3,Buy,2000000,99.5\n")
    args = [
        "trade-analytics",
        "--workbook",
        str(sample_workbook),
        "--deal",
        "Mag 17",
        "--trades",
        str(trades),
    ]
    assert main([*args, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["par_build"] == pytest.approx(10_000.0)
    assert [t["brs_id"] for t in doc["trades"]] == ["BRSJU9ZW3"]
    assert main([*args, "--rebalance", "--sale-target", "1000000"]) == 2
    assert "not both" in capsys.readouterr().err


def test_cashflows_vector_options_reproduce_the_constant_run(
    sample_workbook: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["cashflows", "--workbook", str(sample_workbook), "--deal", "Mag 17", "--json"]
    assert main([*base, "--cpr", "0.2", "--cdr", "0.03", "--severity", "0.4", "--lag", "6"]) == 0
    constant = json.loads(capsys.readouterr().out)
    vectors = ["--cpr-vector", "20", "--cdr-vector", "3,3,3", "--severity-vector", "40", "--lag-vector", "6"]
    assert main([*base, *vectors]) == 0
    vectored = json.loads(capsys.readouterr().out)
    assert vectored["periods"] == constant["periods"] and vectored["summary"] == constant["summary"]
    table = tmp_path / "vectors.csv"
    table.write_text("Period,CPR,CDR,Severity,Lag\n1,20,3,40,6\n2,20,3,40,6\n")
    assert main([*base, "--vectors", str(table)]) == 0
    from_file = json.loads(capsys.readouterr().out)
    assert from_file["periods"] == constant["periods"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cdr", "0.02", "--cdr-vector", "2"], "not both"),
        (["--cdr-vector", "2,x"], "comma-separated numbers"),
        (["--cdr-vector", "250"], "percentages between 0 and 100"),
        (["--default-timing", "50,50"], "go together"),
        (["--recovery-timing", "6:50,12:40"], "add up to 100%"),
        (["--call-price", "99"], "--call-price needs --call-date"),
        (["--call-date", "2019-13-01"], "YYYY-MM-DD"),
    ],
)
def test_scenario_option_errors(
    sample_workbook: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["collateral-report", "--workbook", str(sample_workbook), "--deal", "Mag 17", *args]) == 2
    assert message in capsys.readouterr().err
