"""Broken workbooks: each kind of bad cell raises one IngestError naming file, sheet, cell, column header,
value and reason. Broken copies are made with openpyxl from a small built workbook (legacy layout)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook.workbook import Workbook

from clo_xl.errors import IngestError
from clo_xl.ingest.workbook import load_deal, read_workbook

Edit = Callable[[Workbook], None]


def broken_copy(source: Path, tmp_path: Path, edit: Edit, *, values_only: bool = True) -> Path:
    """Copy of ``source`` with ``edit`` applied. ``values_only`` saves formulas as their values (openpyxl
    cannot recalculate, and the reader refuses a formula with no saved result)."""
    wb = openpyxl.load_workbook(source, data_only=values_only)
    edit(wb)
    out = tmp_path / "broken.xlsx"
    wb.save(out)
    return out


def error_of(path: Path, *, deal: str | None = None) -> IngestError:
    with pytest.raises(IngestError) as info:
        if deal is None:
            read_workbook(path)
        else:
            load_deal(path, deal)
    return info.value


def set_cell(sheet: str, cell: str, value: object) -> Edit:
    def edit(wb: Workbook) -> None:
        wb[sheet][cell] = value

    return edit


# (id, edit, deal for load_deal or None for read_workbook, sheet, cell, column, value, reason fragment)
CASES: list[tuple[str, Edit, str | None, str, str | None, str | None, object, str]] = [
    ("na_error_in_assets", set_cell("All Assets", "K17", "#N/A"), None,
     "All Assets", "K17", "Coupon Spread", "#N/A", "formula error #N/A"),
    ("ref_error_in_threshold", set_cell("Mag 17 Inputs", "O7", "#REF!"), None,
     "Mag 17 Inputs", "O7", "Threshold", "#REF!", "formula error #REF!"),
    ("text_in_number_column", set_cell("All Assets", "J10", "quarterly"), None,
     "All Assets", "J10", "Payment Frequency", "quarterly", "expected a number, got text"),
    ("date_as_text_in_assets", set_cell("All Assets", "H12", "2021-09-17"), None,
     "All Assets", "H12", "Maturity", "2021-09-17", "date stored as text"),
    ("date_as_text_on_deal_sheet", set_cell("Mag 17 Inputs", "C4", "7/20/2016"), None,
     "Mag 17 Inputs", "C4", "Next Payment Date", "7/20/2016", "date stored as text"),
    ("moved_asset_header", set_cell("All Assets", "V1", "Seniority"), None,
     "All Assets", "V1", "Country ", "Seniority", "missing or moved header"),
    ("missing_threshold_header", set_cell("Mag 17 Inputs", "L3", None), None,
     "Mag 17 Inputs", "L3", "Test Number", None, "missing or moved header"),
    ("text_in_holding_par", set_cell("Mag 17 Inputs", "E10", "two million"), None,
     "Mag 17 Inputs", "E10", "Par Amount", "two million", "expected a number, got text"),
    ("bad_boolean", set_cell("All Assets", "BP5", "maybe"), None,
     "All Assets", "BP5", "PMT EOM", "maybe", "TRUE or FALSE"),
    ("duplicate_quality_label", set_cell("Mag 17 Inputs", "R5", "WARF Factor"), None,
     "Mag 17 Inputs", "R6", "Quality Test Inputs", "WARF Factor", "appears twice"),
    # parser errors, located through the reader's cell map
    ("text_threshold", set_cell("Mag 17 Inputs", "O8", "ten percent"), "Mag 17",
     "Mag 17 Inputs", "O8", "Threshold", "ten percent", "expected a number"),
    ("duplicate_test_number", set_cell("Mag 17 Inputs", "L6", 1), "Mag 17",
     "Mag 17 Inputs", "L6", "Test Number", 1, "appears twice"),
    ("text_in_trade_par", set_cell("Run Model", "M11", "lots"), "Mag 6",
     "Run Model", "M11", "Par", "lots", "expected a number"),
    ("text_account_interest", set_cell("Mag 17 Inputs", "H5", "n/a"), "Mag 17",
     "Mag 17 Inputs", "H5", "Interest", "n/a", "expected a number"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("edit", "deal", "sheet", "cell", "column", "value", "reason"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_broken_cell_is_located(
    small_workbook: Path,
    tmp_path: Path,
    edit: Edit,
    deal: str | None,
    sheet: str,
    cell: str | None,
    column: str | None,
    value: object,
    reason: str,
) -> None:
    path = broken_copy(small_workbook, tmp_path, edit)
    err = error_of(path, deal=deal)
    loc = err.location
    assert (loc.file, loc.sheet, loc.cell, loc.column) == (str(path), sheet, cell, column)
    assert err.value == value
    assert reason in err.reason
    message = str(err)
    assert str(path) in message and sheet in message and (cell is None or cell in message)
    assert err.exit_code == 2


def test_merged_cells_inside_a_table(small_workbook: Path, tmp_path: Path) -> None:
    path = broken_copy(small_workbook, tmp_path, lambda wb: wb["All Assets"].merge_cells("B5:C5"))
    err = error_of(path)
    assert (err.location.sheet, err.location.cell, err.value) == ("All Assets", "B5", "B5:C5")
    assert "merged cells" in err.reason


def test_missing_sheet(small_workbook: Path, tmp_path: Path) -> None:
    def drop(wb: Workbook) -> None:
        del wb["All Assets"]

    err = error_of(broken_copy(small_workbook, tmp_path, drop))
    assert err.location.sheet == "All Assets" and err.location.cell is None
    assert "missing sheet 'All Assets'" in err.reason


def test_missing_deal_sheet_for_load_deal(small_workbook: Path) -> None:
    err = error_of(small_workbook, deal="Mag 5")
    assert err.location.sheet == "Mag 5 Inputs" and "missing sheet" in err.reason


def test_formula_without_saved_result(small_workbook: Path, tmp_path: Path) -> None:
    """openpyxl keeps C3's formula (=DealAnalysisDate) but writes no cached value: refused, located."""
    path = broken_copy(small_workbook, tmp_path, lambda wb: None, values_only=False)
    err = error_of(path)
    assert (err.location.sheet, err.location.cell) == ("Mag 6 Inputs", "C3")
    assert "no saved result" in err.reason


def test_good_small_copy_reads(small_workbook: Path, tmp_path: Path) -> None:
    """Control: the same openpyxl round trip without an edit reads cleanly."""
    data = read_workbook(broken_copy(small_workbook, tmp_path, lambda wb: None))
    assert data.deals["Mag 17"].data["analysis_date"] == date(2016, 3, 23)
    assert len(data.assets) == 220


def test_asset_correlation_reads_and_locates_bad_cells(small_workbook: Path, tmp_path: Path) -> None:
    from clo_xl.ingest.workbook import read_asset_correlation

    ids, matrix = read_asset_correlation(small_workbook)
    assert len(ids) == matrix.shape[0] == matrix.shape[1] > 10
    assert matrix[0, 0] == 1.0 and matrix[0, 1] == 0.3  # the legacy sample's 0.3 off the diagonal
    path = broken_copy(small_workbook, tmp_path, set_cell("Asset Correlation", "C3", "high"))
    with pytest.raises(IngestError) as info:
        read_asset_correlation(path)
    assert (info.value.location.sheet, info.value.location.cell, info.value.value) == (
        "Asset Correlation",
        "C3",
        "high",
    )
    path = broken_copy(small_workbook, tmp_path, set_cell("Asset Correlation", "D2", 0.5))
    with pytest.raises(IngestError, match="symmetric"):
        read_asset_correlation(path)


def _insert_asset_gap(wb: Workbook) -> None:
    wb["All Assets"].insert_rows(100)


def _blank_holding(wb: Workbook) -> None:
    wb["Mag 17 Inputs"]["D10"] = None
    wb["Mag 17 Inputs"]["E10"] = None


def _extra_deal_sheet(wb: Workbook) -> None:
    wb.create_sheet("Mag18 Inputs")


def _drop_listed_deal(wb: Workbook) -> None:
    del wb["Mag 17 Inputs"]


# structural problems a legacy run would survive silently (rows dropped, a sheet ignored or taken as a deal)
STRUCTURE: list[tuple[str, Edit, str, str | None, str | None, object, str]] = [
    ("duplicate_asset_header", set_cell("All Assets", "BS1", "Coupon Spread"),
     "All Assets", "BS1", "Coupon Spread", "Coupon Spread", "header appears twice (also column K)"),
    ("blank_row_inside_all_assets", _insert_asset_gap,
     "All Assets", "A100", "BLKRockID", None, "blank row 100 inside the All Assets table"),
    ("blank_row_inside_holdings", _blank_holding,
     "Mag 17 Inputs", "D10", "BLKRockID", None, "blank row 10 inside the Deal Collateral block"),
    ("absurd_holding_par", set_cell("Mag 17 Inputs", "E5", 1.0e15),
     "Mag 17 Inputs", "E5", "Par Amount", 1.0e15, "not plausible"),
    ("sheet_for_an_unlisted_deal", _extra_deal_sheet,
     "Mag18 Inputs", None, None, "Mag18 Inputs", "not a deal of the Deals list"),
    ("listed_deal_without_sheet", _drop_listed_deal,
     "Mag 17 Inputs", None, None, "Mag 17", "is in the Deals list"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("edit", "sheet", "cell", "column", "value", "reason"),
    [c[1:] for c in STRUCTURE],
    ids=[c[0] for c in STRUCTURE],
)
def test_structural_problem_is_refused(
    small_workbook: Path,
    tmp_path: Path,
    edit: Edit,
    sheet: str,
    cell: str | None,
    column: str | None,
    value: object,
    reason: str,
) -> None:
    path = broken_copy(small_workbook, tmp_path, edit)
    err = error_of(path)
    assert (err.location.file, err.location.sheet, err.location.cell, err.location.column) == (
        str(path),
        sheet,
        cell,
        column,
    )
    assert err.value == value
    assert reason in err.reason


def test_encrypted_workbook_is_recognised(tmp_path: Path) -> None:
    path = tmp_path / "locked.xlsm"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504)  # an OLE/CFB container header
    err = error_of(path)
    assert err.location.file == str(path) and "password-protected" in err.reason


def test_xlsx_named_xlsm_is_refused(small_workbook: Path, tmp_path: Path) -> None:
    path = tmp_path / "renamed.xlsm"
    path.write_bytes(small_workbook.read_bytes())
    err = error_of(path)
    assert "macro-free .xlsx workbook named .xlsm" in err.reason
