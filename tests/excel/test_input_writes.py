"""Values written into input sheets of a workbook file (what Refresh from DB does headless).

Checked against the raw package: formulas and their cached values stay, cell styles stay (a date cell
reads back as a date through python-calamine), other sheets' parts are byte-for-byte unchanged, and a
sheet-scoped name can be grown.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from pathlib import Path

from python_calamine import CalamineWorkbook

from clo_xl.excel.file_workbook import FileWorkbook
from clo_xl.excel.xlsx_package import patch_cells
from clo_xl.xlsx import excel_serial

SHEET = "Mag 17 Inputs"
PART = "xl/worksheets/sheet11.xml"  # the 11th sheet of the sample


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_excel_serial_matches_excel() -> None:
    # Excel: 1900-01-01 is serial 1 only through the fake 1900-02-29; from 1900-03-01 (61) on the 1899-12-30
    # epoch holds. 2016-03-23 is 42452 (=DATE(2016,3,23) in Excel), noon adds half a day.
    assert excel_serial(date(2016, 3, 23)) == 42452.0
    assert excel_serial(datetime(2016, 3, 23, 12)) == 42452.5
    assert excel_serial(date(1900, 3, 1)) == 61.0


def test_patch_cells_keeps_formulas_and_styles() -> None:
    xml = (
        '<worksheet><dimension ref="A1:C2"/><sheetData>'
        '<row r="1" spans="1:3"><c r="A1" s="4"><v>42000</v></c><c r="B1"><f>A1+1</f><v>42001</v></c></row>'
        '<row r="2"><c r="C2" t="s"><v>3</v></c></row></sheetData></worksheet>'
    )
    out, kept = patch_cells(
        xml, {(1, 1): date(2016, 3, 23), (1, 2): 5.0, (2, 3): "x", (4, 2): 7, (1, 3): None}
    )
    assert kept == ["B1"]
    assert '<c r="A1" s="4"><v>42452.0</v></c>' in out  # date as a serial in the cell's own (date) style
    assert "<f>A1+1</f><v>42001</v>" in out  # formula and cached value untouched
    assert '<c r="C2" t="inlineStr"><is><t>x</t></is></c>' in out
    assert '<row r="4"><c r="B4"><v>7</v></c></row>' in out
    assert '<dimension ref="A1:C4"/>' in out and "spans" not in out.split('<row r="2"')[0]
    rows = re.findall(r'<row r="(\d+)"', out)
    assert rows == sorted(rows, key=int)


def test_file_workbook_input_writes(workbook_copy: Path) -> None:
    before = _parts(workbook_copy)
    book = FileWorkbook(workbook_copy)
    assert book.name_address(SHEET, "DealCollateral") == "D4:E198"
    kept = book.write_inputs(SHEET, "R3", [["Current LIBOR", 0.5], ["Reinvestment Target Balance", 1.0]])
    assert kept == ["S3"]  # S3 = K4 stays a formula
    assert book.write_inputs(SHEET, "C3", [[date(2016, 6, 30)]]) == ["C3"]  # a formula: kept
    assert book.write_inputs(SHEET, "AD4", [[date(2016, 3, 10)]]) == []  # a date-formatted value cell
    book.write_inputs(SHEET, "E4", [[9_999_999.0]])
    assert book.read_range(SHEET, "E4")[0][0] == 9_999_999.0  # pending writes are visible to reads
    book.resize_name(SHEET, "DealCollateral", "D4:E210")
    book.save()
    after = _parts(workbook_copy)
    changed = {n for n in before if before[n] != after.get(n)}
    assert changed == {PART, "xl/workbook.xml"}  # VBA project, styles, other sheets untouched
    assert "'Mag 17 Inputs'!$D$4:$E$210" in after["xl/workbook.xml"].decode()
    sheet = after[PART].decode()
    assert "<f>K4</f>" in sheet and "<f>SUM(AK7:AQ7)</f>" in sheet and "<f>DealAnalysisDate</f>" in sheet
    cells = (
        CalamineWorkbook.from_path(str(workbook_copy))
        .get_sheet_by_name(SHEET)
        .to_python(skip_empty_area=False)
    )
    assert cells[3][4] == 9_999_999.0 and cells[3][18] == 1.0
    assert cells[3][29] == date(2016, 3, 10)  # written as a serial in the cell's date format
    assert cells[2][18] != 0.5  # S3 kept its formula's cached value
    assert FileWorkbook(workbook_copy).name_address(SHEET, "DealCollateral") == "D4:E210"


def test_output_tab_dates_are_excel_dates_in_one_added_style(workbook_copy: Path) -> None:
    def date_styles(path: Path) -> list[str]:
        styles = _parts(path)["xl/styles.xml"].decode()
        fmt = re.search(r'<numFmt numFmtId="(\d+)" formatCode="yyyy-mm-dd"/>', styles)
        if fmt is None:
            return []
        xfs = styles.split("<cellXfs")[1].split("</cellXfs>")[0]
        return re.findall(rf'<xf\b[^>]*numFmtId="{fmt.group(1)}"[^>]*/>', xfs)

    assert date_styles(workbook_copy) == []  # the sample has no ISO date style
    for name in ("Deal CF-A", "Deal CF-B"):
        book = FileWorkbook(workbook_copy)
        book.create_sheet(name)
        book.write_table(name, "B1", [["Payment Date"], [date(2016, 7, 20)]])
        book.save()
    assert len(date_styles(workbook_copy)) == 1  # the date style added once, then reused
    grid = (
        CalamineWorkbook.from_path(str(workbook_copy))
        .get_sheet_by_name("Deal CF-B")
        .to_python(skip_empty_area=False)
    )
    assert grid[1][1] == date(2016, 7, 20)
