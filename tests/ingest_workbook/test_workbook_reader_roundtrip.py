"""generate → save (XlsxWriter) → read (python-calamine) gives back the same data and domain objects.

Cell addresses asserted below come from the legacy cell map (COMPLIANCE_SPEC §1.3, §1.5), not from the
reader's own layout module.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from workbook.generate_sample import SampleBook

from clo_xl.errors import Location
from clo_xl.ingest.assets import parse_assets, parse_holdings
from clo_xl.ingest.deal_inputs import parse_deal_inputs
from clo_xl.ingest.raw import RawTable
from clo_xl.ingest.workbook import WorkbookData, assets_table, deal_document, load_deal, read_workbook
from clo_xl.portfolio.pool import Holding


def norm(value: Any) -> Any:
    """Blank text is an empty cell; containers compared element-wise."""
    if isinstance(value, dict):
        return {k: norm(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [norm(v) for v in value]
    return None if value == "" else value


@pytest.fixture(scope="module")
def book(built: tuple[SampleBook, Path]) -> SampleBook:
    return built[0]


@pytest.fixture(scope="module")
def data(built_workbook: Path) -> WorkbookData:
    return read_workbook(built_workbook)


def test_all_assets_round_trip(book: SampleBook, data: WorkbookData) -> None:
    assert len(data.assets) == len(book.assets) == 1000
    headers = tuple(data.assets.headers)
    assert headers[21] == "Country " and headers[28] == "Delayed Drawdown "
    assert [dict(r) for r in data.assets.rows] == norm(list(book.assets))
    # row 17 of the sheet is the 16th asset; its Coupon Spread is column K
    loc = data.assets.locate(15, "Coupon Spread")
    assert (loc.sheet, loc.cell, loc.column) == ("All Assets", "K17", "Coupon Spread")


def test_deal_documents_round_trip(book: SampleBook, data: WorkbookData) -> None:
    assert list(data.deals) == list(book.deals)
    for deal, doc in book.deals.items():
        expected = norm({k: v for k, v in doc.items() if k != "holdings"})
        assert dict(data.deals[deal].data) == expected, deal
        assert [dict(r) for r in data.holdings[deal].rows] == norm(doc["holdings"])


def test_same_domain_objects(book: SampleBook, data: WorkbookData) -> None:
    assert parse_assets(data.assets) == parse_assets(assets_table(book.assets))
    for deal, doc in book.deals.items():
        from_file = parse_deal_inputs(data.deals[deal])
        from_memory = parse_deal_inputs(deal_document(doc))
        assert from_file == from_memory, deal
        held = parse_holdings(data.holdings[deal])
        assert held == tuple(Holding(b, p) for b, p in book.holdings[deal])


def test_values_are_located_to_the_legacy_cells(data: WorkbookData, built_workbook: Path) -> None:
    doc = data.deals["Mag 17"]
    file = str(built_workbook)
    sheet = "Mag 17 Inputs"
    # COMPLIANCE_SPEC §1.5: C3 analysis date, K4 current LIBOR, L:Q thresholds from row 4,
    # F:I accounts (row 5 = Collection), R:S quality inputs from R3, AK:AR tranche matrix (row 7 balances)
    assert doc.locate("analysis_date") == Location(file, sheet, "C3", "Analysis date", 3)
    assert doc.locate("current_libor").cell == "K4"
    assert doc.locate("test_thresholds[3].threshold").cell == "O7"
    assert doc.locate("test_thresholds[0].test_number").cell == "L4"
    assert doc.locate("accounts[1].principal").cell == "I5"
    assert doc.locate("quality_test_inputs.WARF Factor").cell == "S6"
    assert doc.locate("quality_test_inputs.JR OC Denominator").cell == "S8"
    assert doc.locate("tranches[1].Current_Balance").cell == "AL7"
    assert doc.locate("objective_weights[1].weight").cell == "W5"
    assert data.holdings["Mag 17"].locate(0, "Par Amount").cell == "E4"
    rm = data.run_model
    assert rm.locate("analysis_date").cell == "C8" and rm.locate("deal").cell == "C9"
    assert rm.locate("hypo_trades[0].Par").cell == "M11"


def _records(value: object) -> list[dict[str, object]]:
    """A raw block's list of records, refused when it is anything else."""
    assert isinstance(value, list) and all(isinstance(r, dict) for r in value), repr(value)
    return value


def _number(value: object) -> float:
    assert isinstance(value, int | float) and not isinstance(value, bool), repr(value)
    return float(value)


def test_run_model_controls_and_trades(book: SampleBook, data: WorkbookData) -> None:
    rm = data.run_model.data
    assert rm["analysis_date"] == date(2016, 3, 23) and rm["deal"] == "Mag 17"
    assert rm["incremental_loan_size"] == 750_000 and rm["ranking_transaction"] == "Buy"
    trades = [tuple(t.values()) for t in _records(rm["hypo_trades"])]
    assert trades == [tuple(None if v is None else v for v in t) for t in book.trades]
    assert rm["collateral_par"] == sum(p for _, p in book.holdings["Mag 17"])
    assets, holdings, inputs = load_deal(data, "Mag 17")
    assert len(assets) == 1000 and len(holdings) == 195
    assert [(t.brs_id, t.par, t.price) for t in inputs.trades] == [
        (b, par, price) for d, b, _, par, price in book.trades if d == "Mag 17"
    ]
    assert inputs.holidays[0] == date(2002, 1, 1)


def test_reference_tables(data: WorkbookData) -> None:
    ref = data.reference
    libor = ref["libor_rates"].rows[0]
    # the legacy key is the date serial followed by the series name (COMPLIANCE_SPEC §1.2 LIBOR_Rates)
    quoted = libor["Date"]
    assert isinstance(quoted, date)
    serial = (quoted - date(1899, 12, 30)).days
    assert libor["CUSIP"] == f"{serial}{libor['Sec Desc1']}"
    assert [r["Deals"] for r in ref["deals"].rows][:2] == ["All", "Mag 6"]
    tm = ref["transition_matrix"].rows
    assert len(tm) == 18
    for row in tm:
        assert sum(_number(row[k]) for k in list(row)[1:]) == pytest.approx(1.0, abs=1e-5)
    assert "Moody's Rating" in data.filter_lists["filter_fields"]


def test_load_deal_from_path(built_workbook: Path) -> None:
    _, _, inputs = load_deal(built_workbook, "Mag 6")
    assert inputs.deal == "Mag 6" and inputs.principal_cash < 0  # negative collection principal, §1.5
    assert [t.test_number for t in inputs.thresholds][:4] == [1, 2, 3, 4]


def test_legacy_spellings_and_missing_names_still_load(small_workbook: Path, tmp_path: Path) -> None:
    """A legacy-saved workbook: other header spellings, 'Country' without its trailing space, and no
    named ranges at all (the reader falls back to the legacy cell map). Formulas are saved as their values
    (openpyxl cannot recalculate, and a formula without a saved result is refused, see the broken tests)."""
    wb = openpyxl.load_workbook(small_workbook, data_only=True)
    ws = wb["Mag 17 Inputs"]
    ws["F3"] = "Account Number"
    ws["U3"] = "Current Results"
    wb["All Assets"]["V1"] = "Country"
    for name in list(wb.defined_names):
        del wb.defined_names[name]
    for sheet in wb.worksheets:
        for name in list(sheet.defined_names):
            del sheet.defined_names[name]
    out = tmp_path / "legacy.xlsx"
    wb.save(out)
    original = read_workbook(small_workbook)
    legacy = read_workbook(out)
    assert not legacy.names
    assert legacy.deals["Mag 17"].data == original.deals["Mag 17"].data
    assert list(legacy.assets.rows) == list(original.assets.rows)
    assert isinstance(legacy.holdings["Mag 17"], RawTable)
    assert list(legacy.holdings["Mag 17"].rows) == list(original.holdings["Mag 17"].rows)


def test_unnamed_cash_flow_blocks_elsewhere_are_absent_not_errors(
    small_workbook: Path, tmp_path: Path
) -> None:
    """The cash-flow blocks' addresses are inferred: a legacy sheet without their names and with other
    content there loads, with those blocks empty (the compliance inputs are unaffected)."""
    wb = openpyxl.load_workbook(small_workbook, data_only=True)
    ws = wb["Mag 17 Inputs"]
    for name in list(ws.defined_names):
        if name in {"CLOInputs", "DateInputs"}:
            del ws.defined_names[name]
    ws["Z3"] = "Payment date helper"
    ws["AC3"] = 45000
    out = tmp_path / "legacy_cf.xlsx"
    wb.save(out)
    doc = read_workbook(out).deals["Mag 17"].data
    assert doc["clo_inputs"] == [] and doc["date_inputs"] == {}
    assert len(_records(doc["test_thresholds"])) == 37


@pytest.mark.parametrize("seed", [1, 2024])
def test_round_trip_holds_for_other_seeds(seed: int, tmp_path: Path) -> None:
    """Not a property of one lucky book: other seeds (small books) read back exactly as generated."""
    from workbook.build import prepare, write

    book, tabs = prepare(seed, n_assets=240, with_tabs=False)
    data = read_workbook(write(book, tabs, tmp_path / f"seed{seed}.xlsx", with_vba=False))
    assert [dict(r) for r in data.assets.rows] == norm(list(book.assets))
    for deal, doc in book.deals.items():
        assert dict(data.deals[deal].data) == norm({k: v for k, v in doc.items() if k != "holdings"}), deal
    assert parse_assets(data.assets) == parse_assets(assets_table(book.assets))


@pytest.mark.libreoffice
def test_a_copy_saved_by_libreoffice_reads_the_same(built_workbook: Path, tmp_path: Path) -> None:
    """Another application's writer (LibreOffice re-saves every cell, name and style) changes nothing the
    reader returns: the layout, not XlsxWriter's quirks, is what the reader relies on."""
    import os
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    cmd = [soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--norestore",
           "--convert-to", "xlsx", "--outdir", str(tmp_path), str(built_workbook)]  # fmt: skip
    env = {**os.environ, "HOME": str(tmp_path)}
    subprocess.run(cmd, check=True, timeout=240, capture_output=True, env=env)
    ours, theirs = read_workbook(built_workbook), read_workbook(tmp_path / "TradeHypo.xlsx")
    assert list(theirs.assets.rows) == list(ours.assets.rows)
    assert {d: doc.data for d, doc in theirs.deals.items()} == {d: doc.data for d, doc in ours.deals.items()}
    assert theirs.run_model.data == ours.run_model.data
    assert {k: list(t.rows) for k, t in theirs.reference.items()} == {
        k: list(t.rows) for k, t in ours.reference.items()
    }
