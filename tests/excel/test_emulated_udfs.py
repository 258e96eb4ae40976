"""Every ``CLO_`` worksheet function, typed into a cell of the emulated Excel, against the database.

Each formula is evaluated the way Excel with the xlwings add-in does it: the VBA wrapper read from the built
workbook hands its arguments to xlwings' real ``udfs.call_udf`` (conversions, the caller range), inside the
application's calculating mode, where a write, a save, a sheet change or any ``.api`` use raises. The
database holds the migrated sample workbook; the independent route is the command line run in its own
process on the same workbook (``clo-xl compliance/cashflows --workbook … --json``): the stored deal must
give the same figures.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import xlwings as xw
from tests.excel.emulated_vba import EmulatedExcel

from clo_xl.excel.deal_cache import STORED
from clo_xl.persistence.engine import engine

pytestmark = [pytest.mark.postgres, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

DEAL = "Mag 17"
SHEET = "UDFs"


def cli(*args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "clo_xl.cli", *args, "--json"], capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr
    document: dict[str, Any] = json.loads(out.stdout)
    return document


@pytest.fixture(scope="module")
def compliance_doc(sample_workbook: Path) -> dict[str, Any]:
    return cli("compliance", "--workbook", str(sample_workbook), "--deal", DEAL)


@pytest.fixture(scope="module")
def cashflow_doc(sample_workbook: Path) -> dict[str, Any]:
    return cli("cashflows", "--workbook", str(sample_workbook), "--deal", DEAL)


@pytest.fixture
def sheet(excel: EmulatedExcel, stored: str, sample_workbook: Path) -> Iterator[xw.Sheet]:
    """A fresh sheet in the emulated sample workbook, UDFs pointed at the migrated database."""
    book = excel.open(sample_workbook)
    yield book.sheets.add(SHEET)
    assert excel.app.violations == [], excel.app.violations


def enter(ws: xw.Sheet, cell: str, formula: str) -> Any:
    """Type a formula into a cell (Excel evaluates it at once in automatic mode) and read the cell back."""
    ws.range(cell).formula = formula
    return ws.range(cell).value


def spill(ws: xw.Sheet, cell: str, formula: str) -> list[list[Any]]:
    ws.range(cell).formula = formula
    rows: list[list[Any]] = ws.range(cell).expand("table").options(ndim=2).value
    return rows


def by_number(doc: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {int(t["number"]): t for t in doc["tests"]}


def test_every_udf_of_the_built_workbook_is_evaluated_while_excel_calculates(
    excel: EmulatedExcel, sheet: xw.Sheet
) -> None:
    wrappers = excel.project(sheet.book).udf_wrappers()
    assert {
        "CLO_TEST",
        "CLO_TESTS",
        "CLO_WARF",
        "CLO_WAS",
        "CLO_WAL",
        "CLO_DIVERSITY",
        "CLO_OC",
        "CLO_IC",
        "CLO_HYPO",
        "CLO_CASHFLOWS",
        "CLO_DERIVE_RATING",
        "CLO_RATING_FACTOR",
    } <= set(wrappers)
    assert all(w.module == "clo_xl.excel.udfs" for w in wrappers.values())
    formulas = {
        "CLO_TEST": '=CLO_TEST("Mag 17", 36)', "CLO_TESTS": '=CLO_TESTS("Mag 17")',
        "CLO_WARF": '=CLO_WARF("Mag 17")', "CLO_WAS": '=CLO_WAS("Mag 17")', "CLO_WAL": '=CLO_WAL("Mag 17")',
        "CLO_DIVERSITY": '=CLO_DIVERSITY("Mag 17")', "CLO_OC": '=CLO_OC("Mag 17", "E")',
        "CLO_IC": '=CLO_IC("Mag 17", "D")', "CLO_HYPO": '=CLO_HYPO("Mag 17", \'Run Model\'!K11:N11)',
        "CLO_CASHFLOWS": '=CLO_CASHFLOWS("Mag 17")',
        "CLO_DERIVE_RATING": "=CLO_DERIVE_RATING('Mag 17 Inputs'!D4)",
        "CLO_RATING_FACTOR": '=CLO_RATING_FACTOR("B2")',
    }  # fmt: skip
    assert set(formulas) == set(wrappers), "a CLO_ function this test does not type into a cell"
    for i, (name, formula) in enumerate(sorted(formulas.items())):
        sheet.range((1 + 60 * i, 1)).formula = formula
        value = sheet.range((1 + 60 * i, 1)).value
        assert not (isinstance(value, str) and value.startswith(("#CLO!", "ExcelRuleError"))), (name, value)
    evaluated = {function for _, function in excel.calculator.evaluations}  # type: ignore[union-attr]
    assert evaluated == set(formulas)


def test_compliance_figures_equal_the_command_line(sheet: xw.Sheet, compliance_doc: dict[str, Any]) -> None:
    tests = by_number(compliance_doc)
    assert enter(sheet, "A1", '=CLO_WARF("Mag 17")') == tests[36]["result"]
    assert enter(sheet, "A2", '=CLO_WAL("mag 17")') == tests[35]["result"]  # deal names in any case
    assert enter(sheet, "A3", '=CLO_DIVERSITY("Mag 17")') == tests[37]["result"]
    was = next(tests[n]["result"] for n in (32, 39, 46) if n in tests)
    assert enter(sheet, "A4", '=CLO_WAS("Mag 17")') == was
    for row, (number, field, key) in enumerate(
        [(7, "result", "result"), (7, "threshold", "threshold"), (7, "pass", "pass"),
         (14, "numerator", "numerator"), (14, "denominator", "denominator"), (1, "name", "name")], start=5
    ):  # fmt: skip
        assert enter(sheet, f"A{row}", f'=CLO_TEST("Mag 17", {number}, "{field}")') == tests[number][key]
    table = spill(sheet, "C1", '=CLO_TESTS("Mag 17")')
    assert table[0][:6] == ["Test Num", "Test Name", "Min/Max", "Threshold", "Result", "Pass/Fail"]
    assert len(table) - 1 == len(compliance_doc["tests"])  # one spilled row per test
    for line, test in zip(table[1:], compliance_doc["tests"], strict=True):
        assert line[0] == test["number"] and line[1] == test["name"] and line[4] == test["result"]
        assert line[5] == ("Pass" if test["pass"] else "Fail")


def test_every_test_of_every_deal_function_equals_the_command_line_while_excel_calculates(
    excel: EmulatedExcel, sheet: xw.Sheet, compliance_doc: dict[str, Any]
) -> None:
    """Each compliance test through ``CLO_TEST`` (result, threshold, verdict), and ``CLO_TESTS`` column by
    column, equal the command line's document on the same deal; every value computed inside Excel's
    calculating mode (the calculator's ``App.calculating``), where any write, save or ``.api`` would raise."""
    tests = compliance_doc["tests"]
    assert len(tests) > 30
    before = len(excel.calculator.evaluations)  # type: ignore[union-attr]
    for row, test in enumerate(tests, start=1):
        for column, field in enumerate(("result", "threshold", "pass"), start=1):
            cell = sheet.range((row, column))
            cell.formula = f'=CLO_TEST("Mag 17", {test["number"]}, "{field}")'
            assert cell.value == test[field], (test["number"], field, cell.value)
    evaluations = excel.calculator.evaluations[before:]  # type: ignore[union-attr]
    assert len(evaluations) == 3 * len(tests) and {f for _, f in evaluations} == {"CLO_TEST"}
    table = spill(sheet, "E1", '=CLO_TESTS("Mag 17")')
    header, rows = table[0], table[1:]
    assert header == ["Test Num", "Test Name", "Min/Max", "Threshold", "Result", "Pass/Fail", "Numerator",
                      "Denominator", "Comment", "Comments on Pass/Fail"]  # fmt: skip
    assert len(rows) == len(tests)
    for line, test in zip(rows, tests, strict=True):
        assert line[0] == test["number"] and line[1] == test["name"] and line[2] == test["min_max"]
        assert line[3] == test["threshold"] and line[4] == test["result"]
        assert line[5] == (None if test["pass"] is None else "Pass" if test["pass"] else "Fail")
        assert line[6] == test["numerator"] and line[7] == test["denominator"]
        assert line[8] == test["comment"] and line[9] == test["pass_fail_comment"]


def test_coverage_on_both_dates_equals_the_command_line(
    sheet: xw.Sheet, compliance_doc: dict[str, Any], cashflow_doc: dict[str, Any]
) -> None:
    """Every class's OC and IC ratio: on the analysis date as ``clo-xl compliance`` reports it, projected at
    the first payment date as ``clo-xl cashflows`` reports its first period's tests."""
    analysis = {
        (t["kind"], t["class"].removeprefix("Class ").strip()): t["ratio"]
        for t in compliance_doc["coverage_tests"]
        if t["class"]  # a deal-level test (interest diversion) has no class
    }
    first = cashflow_doc["periods"][0]["tests"]
    projected = {
        (t["kind"], t["name"].removeprefix("Class ").rsplit(" ", 1)[0]): t["ratio"]
        for t in first
        if t["kind"] in ("OC", "IC")
    }
    assert {k for k, _ in analysis} == {"OC", "IC"} and len(projected) >= 4
    cells: list[tuple[str, str, str | None, float]] = [
        (kind, tranche, "analysis date", ratio) for (kind, tranche), ratio in analysis.items()
    ]
    cells += [(kind, tranche, None, ratio) for (kind, tranche), ratio in projected.items()]
    for row, (kind, tranche, basis, ratio) in enumerate(cells, start=1):
        argument = f', "{basis}"' if basis else ""
        value = enter(sheet, f"A{row}", f'=CLO_{kind}("Mag 17", "{tranche}"{argument})')
        assert value == pytest.approx(ratio, rel=1e-12), (kind, tranche, basis, value)
    assert enter(sheet, "B1", '=CLO_OC("Mag 17", "Z")').startswith(
        "#CLO! deal 'Mag 17' has no OC test for class 'Z'"
    )


def test_hypo_equals_the_command_line(sheet: xw.Sheet, sample_workbook: Path, tmp_path: Path) -> None:
    rows = sheet.book.sheets["Run Model"].range("J11:N39").value  # Deal, BRS ID, Transaction, Par, Price
    at = 11 + next(i for i, r in enumerate(rows) if r[0] == DEAL)
    trade = rows[at - 11]
    trades = tmp_path / "trades.csv"
    with trades.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Deal", "BRS ID", "Transaction Buy/Sale", "Par", "Price"])
        writer.writerow(trade)
    doc = cli("compliance", "--workbook", str(sample_workbook), "--deal", DEAL, "--hypo", str(trades))
    table = spill(sheet, "A1", f"=CLO_HYPO(\"Mag 17\", 'Run Model'!K{at}:N{at})")
    assert table[0] == ["Test Num", "Test Name", "Threshold", "Result", "Pass/Fail", "Hypo Result",
                        "Hypo Pass/Fail", "Difference"]  # fmt: skip
    for row, test in zip(table[1:], doc["tests"], strict=False):
        assert row[0] == test["number"] and row[3] == test["result"] and row[5] == test["hypo_result"]
    assert table[-1][0] == "Objective" and table[-1][5] == doc["hypo_objective"]


def test_cash_flows_equal_the_command_line_with_real_dates(
    sheet: xw.Sheet, cashflow_doc: dict[str, Any]
) -> None:
    table = spill(sheet, "A1", '=CLO_CASHFLOWS("Mag 17")')
    header, rows = table[0], table[1:]
    periods = cashflow_doc["periods"]
    assert len(rows) == len(periods) > 4
    dates = [r[header.index("Payment Date")] for r in rows]
    assert all(isinstance(d, datetime) for d in dates)  # real dates, not ISO text
    assert [d.date().isoformat() for d in dates] == [p["payment_date"] for p in periods]
    interest = [r[header.index("Interest Proceeds")] for r in rows]
    assert interest == pytest.approx([p["interest_proceeds"] for p in periods], abs=0.005)
    stressed = spill(sheet, "Z1", '=CLO_CASHFLOWS("Mag 17",,0.05)')  # an omitted argument is VBA's Missing
    assert stressed[1][header.index("Principal Proceeds")] != rows[0][header.index("Principal Proceeds")]


def test_ratings(sheet: xw.Sheet) -> None:
    assert enter(sheet, "A1", '=CLO_RATING_FACTOR("b2")') == 2720.0  # Moody's published factor for B2
    assets = sheet.book.sheets["All Assets"]
    header = assets.range("A1").expand("right").value
    ids, column = header.index("BLKRockID"), header.index("Moody's Rating-21")  # the legacy's own derivation
    rated = [(r[ids], r[column]) for r in assets.range("A2").resize(60, len(header)).value if r[column]]
    for row, (brs_id, rating) in enumerate(rated[:3], start=4):
        assert enter(sheet, f"A{row}", f'=CLO_DERIVE_RATING("{brs_id}")') == rating
    assert enter(sheet, "A3", '=CLO_DERIVE_RATING("NOT-AN-ID")').startswith("#CLO! unknown BLKRockID")


def test_a_deal_not_in_the_database_says_how_to_load_it(sheet: xw.Sheet) -> None:
    text = enter(sheet, "A1", '=CLO_WARF("Mag 99")')
    assert text.startswith(
        "#CLO! deal 'Mag 99' is not in the database: load it with Save to DB or `clo-xl migrate"
    )
    assert "\n" not in text and len(text) <= 130


def test_one_cheap_query_per_call_and_the_deal_is_loaded_once(sheet: xw.Sheet, stored: str) -> None:
    enter(sheet, "A1", '=CLO_WARF("Mag 17")')
    loads = STORED.loads
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    sa.event.listen(engine(stored), "before_cursor_execute", count)
    try:
        assert isinstance(enter(sheet, "A2", '=CLO_WAL("Mag 17")'), float)
        assert isinstance(enter(sheet, "A3", '=CLO_TEST("Mag 17", 7)'), float)
    finally:
        sa.event.remove(engine(stored), "before_cursor_execute", count)
    assert len(statements) == 2 and all("row_version" in s for s in statements)  # the stamp, nothing else
    assert STORED.loads == loads


def test_heavy_functions_stay_out_of_the_function_wizard(excel: EmulatedExcel, sheet: xw.Sheet) -> None:
    assert enter(sheet, "A1", '=CLO_RATING_FACTOR("B2")') == 2720.0
    udfs = sys.modules["clo_xl.excel.udfs"]  # imported by call_udf under xlwings' real decorators
    for name, function in vars(udfs).items():
        if name.startswith("CLO_"):
            info = function.__xlfunc__
            assert info["call_in_wizard"] is (name == "CLO_RATING_FACTOR"), name
            assert not info["ret"]["options"].get("expand"), name  # native dynamic arrays only
    text = excel.project(sheet.book).modules["xlwings_udfs"]
    assert (
        text.count('Application.CommandBars("Standard").Controls(1).Enabled')
        == len([n for n in vars(udfs) if n.startswith("CLO_")]) - 1
    )


def test_dates_in_documents_become_dates() -> None:
    from clo_xl.excel.udfs import cashflow_table

    period = {"period": 1, "payment_date": "2016-04-15", "interest_proceeds": 1.0, "principal_proceeds": 2.0,
              "tranches": []}  # fmt: skip
    header, rows = cashflow_table({"periods": [period]})
    value = rows[0][header.index("Payment Date")]
    assert type(value) is datetime and value == datetime(2016, 4, 15)  # a date cell, not the text
