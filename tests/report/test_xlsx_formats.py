"""XLSX outputs read back with openpyxl: number formats per column, a frozen header, a filter, widths, and
dates that stay dates (also in a shaded row)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from clo_xl.report.formats import Column, Kind, excel_number_format, format_value, infer_kind
from clo_xl.report.xlsx import SheetSpec, write_workbook


def _book(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path)


@pytest.fixture
def written(tmp_path: Path) -> Path:
    columns = [
        Column("Asset"),
        Column("Par", Kind.MONEY),
        Column("Spread", Kind.RATIO, decimals=2),
        Column("Maturity", Kind.DATE),
        Column("Holdings", Kind.INTEGER),
        Column("Pass", Kind.PASS_FAIL),
        Column("WARF", Kind.NUMBER, decimals=2),
    ]
    rows: list[list[object]] = [
        ["SYN000001", 12_088_300.50292697, 0.0375, date(2024, 6, 15), 3, True, 2634.1739],
        ["SYN000002", 1_000_000.0, 0.041, date(2025, 1, 31), 1, False, 2800.0],
        ["SYN000003", None, float("nan"), datetime(2026, 3, 1, 12, 30), 0, True, None],
    ]
    return write_workbook(
        tmp_path / "out.xlsx",
        {"Assets": SheetSpec(columns, rows, row_styles=[None, "break", "ok"], notes=("⚠ Q19 note",))},
    )


def test_each_column_carries_its_number_format(written: Path) -> None:
    ws = _book(written)["Assets"]
    assert ws["B2"].number_format == "#,##0.00;-#,##0.00" and ws["B2"].value == pytest.approx(
        12088300.50292697
    )
    assert ws["C2"].number_format == "0.00%" and ws["C2"].value == pytest.approx(0.0375)  # a number, not text
    assert ws["D2"].number_format == "yyyy-mm-dd" and ws["D2"].is_date
    assert ws["E2"].number_format == "#,##0"
    assert ws["G2"].number_format == "#,##0.00"
    assert ws["F2"].value is True  # booleans stay booleans


def test_dates_stay_dates_in_shaded_rows(written: Path) -> None:
    ws = _book(written)["Assets"]
    shaded = ws["D3"]  # row 3 is the "break" row
    assert shaded.is_date and shaded.value == datetime(2025, 1, 31)
    assert shaded.number_format == "yyyy-mm-dd"
    assert shaded.fill.fgColor.rgb.endswith("FDE2E2")
    assert ws["B3"].number_format == "#,##0.00;-#,##0.00" and ws["B3"].fill.fgColor.rgb.endswith("FDE2E2")
    # a datetime in a date column keeps the column's date format and its value
    assert ws["D4"].is_date and ws["D4"].value == datetime(2026, 3, 1, 12, 30)


def test_header_frozen_filtered_and_columns_wide_enough(written: Path) -> None:
    ws = _book(written)["Assets"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:G4"
    assert ws["A1"].font.bold
    # the money column fits "12,088,300.50" (13 characters) plus padding
    assert ws.column_dimensions["B"].width >= 13
    assert ws["A6"].value == "⚠ Q19 note"  # notes under the table, after one blank row


def test_nan_is_an_empty_cell(written: Path) -> None:
    ws = _book(written)["Assets"]
    assert ws["C4"].value is None and ws["B4"].value is None


def test_bare_headers_get_a_kind_from_their_values(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "plain.xlsx",
        {"T": (["when", "amount", "count", "ratio"], [[date(2020, 1, 1), 1234.5, 3, 0.25]])},
    )
    ws = _book(path)["T"]
    assert ws["A2"].is_date and ws["A2"].number_format == "yyyy-mm-dd"
    assert ws["B2"].number_format == excel_number_format(Kind.MONEY)
    assert ws["C2"].number_format == "#,##0"
    assert ws["D2"].number_format == excel_number_format(Kind.NUMBER)


def test_the_shared_vocabulary_reads_like_an_analyst_writes() -> None:
    assert format_value(396_680_874.44, Kind.MONEY) == "396,680,874.44"
    assert format_value(0.025, Kind.RATIO) == "2.500%"
    assert format_value(0.0321015, Kind.RATIO, 2) == "3.21%"
    assert format_value(date(2016, 7, 20), Kind.DATE) == "2016-07-20"
    assert format_value(True, Kind.PASS_FAIL) == "Pass" and format_value(False, Kind.PASS_FAIL) == "FAIL"
    assert format_value(None, Kind.MONEY) == "" and format_value(float("nan"), Kind.RATIO) == ""
    assert format_value(325.0, Kind.BPS) == "325.0 bp"
    assert infer_kind([1.5, 2_500.25]) is Kind.MONEY and infer_kind([0.1, 0.2]) is Kind.NUMBER
