"""The emulated Excel refuses what Excel (and xlwings over it) refuses: checked through xlwings' real API.

A bridge tested on a kind stand-in passes here and fails on first use in Excel; these tests pin the rules
the emulation enforces, each against the behaviour Excel documents (sources in ``emulated_excel.py``):
rectangular writes, text Excel would convert, case-insensitive sheet names, absolute references in names,
protected sheets, alerts on delete, and the calculating mode in which a worksheet function may read but
not write, save, change sheets or touch ``.api``.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
import xlwings as xw
from tests.excel.emulated_excel import ExcelRuleError
from tests.excel.emulated_vba import EmulatedExcel, parse_formula, split_arguments


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A two-sheet workbook: values, a date, a formula with its cached value, a relative and an absolute
    sheet-scoped name, and a protected sheet."""
    path = tmp_path / "small.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Inputs")
    ws.write_row(0, 0, ["Name", "Par"])
    ws.write_row(1, 0, ["A", 100.0])
    ws.write_datetime(2, 0, datetime(2016, 3, 23), wb.add_format({"num_format": "m/d/yyyy"}))
    ws.write_formula(3, 1, "=B2*2", None, 200.0)
    wb.define_name("Inputs!Block", "=Inputs!$A$1:$B$2")
    locked = wb.add_worksheet("Locked")
    locked.write(0, 0, "x")
    locked.protect()
    wb.close()
    return path


def test_reads_are_what_com_hands_xlwings(excel: EmulatedExcel, small: Path) -> None:
    book = excel.open(small)
    ws = book.sheets["inputs"]  # sheet names are case-insensitive in Excel
    assert ws.name == "Inputs"
    assert ws.range("A1:B2").value == [["Name", "Par"], ["A", 100.0]]
    assert ws.range("A3").value == datetime(2016, 3, 23)  # a date-formatted serial comes back as a date
    assert ws.range("B4").value == 200.0 and ws.range("B4").formula == "=B2*2"
    assert ws.used_range.address == "$A$1:$B$4"


def test_writes_must_be_rectangular(excel: EmulatedExcel, small: Path) -> None:
    ws = excel.open(small).sheets["Inputs"]
    with pytest.raises(Exception, match="same length"):  # xlwings' own conversion refuses a jagged list
        ws.range("D1").value = [["title"], [1.0, 2.0]]
    ws.range("D1").value = [["title", None], [1.0, 2.0]]  # padded: one block
    assert ws.range("D1:E2").value == [["title", None], [1.0, 2.0]]
    with pytest.raises(ExcelRuleError, match="rectangular"):
        ws.range("D1:E2").impl.raw_value = [[1.0], [2.0]]  # the engine checks the shape too


@pytest.mark.parametrize("text", ["96.0132%", "1,234.50", "TRUE", "2016-03-23", "3/23/2016", "=1+1", "0.000"])
def test_text_excel_would_convert_is_refused(excel: EmulatedExcel, small: Path, text: str) -> None:
    ws = excel.open(small).sheets["Inputs"]
    with pytest.raises(ExcelRuleError, match="would turn the text"):
        ws.range("D5").value = text
    ws.range("D5").number_format = "@"  # a text cell keeps it
    ws.range("D5").value = text
    assert ws.range("D5").value == text


def test_numbers_with_formats_and_dates(excel: EmulatedExcel, small: Path) -> None:
    ws = excel.open(small).sheets["Inputs"]
    ws.range("D1:D2").value = [[0.960132], [datetime(2026, 1, 2)]]
    ws.range("D1").number_format = "0.0000%"
    assert ws.range("D1").value == 0.960132 and ws.range("D1").number_format == "0.0000%"
    assert ws.range("D2").number_format == "m/d/yyyy"  # Excel formats a General cell that gets a date


def test_sheet_names_clash_case_insensitively(excel: EmulatedExcel, small: Path) -> None:
    book = excel.open(small)
    with pytest.raises(ValueError, match="already present"):  # xlwings' own check
        book.sheets.add("INPUTS")
    with pytest.raises(ExcelRuleError, match="already taken"):  # and Excel's
        book.sheets.add(None).name = "inputs"
    with pytest.raises(ExcelRuleError, match="not a valid sheet name"):
        book.sheets.add("a/b")


def test_deleting_a_sheet_with_alerts_on_would_wait_for_the_analyst(
    excel: EmulatedExcel, small: Path
) -> None:
    book = excel.open(small)
    with pytest.raises(ExcelRuleError, match="permanently delete"):
        book.sheets["Inputs"].delete()
    book.app.display_alerts = False
    book.sheets["Inputs"].delete()
    assert [s.name for s in book.sheets] == ["Locked"]
    with pytest.raises(ExcelRuleError, match="at least one visible"):
        book.sheets["Locked"].delete()


def test_names_must_be_absolute(excel: EmulatedExcel, small: Path) -> None:
    book = excel.open(small)
    block = next(n for n in book.sheets["Inputs"].names if n.name.endswith("!Block"))
    assert block.refers_to == "=Inputs!$A$1:$B$2"
    with pytest.raises(ExcelRuleError, match="relative"):
        block.refers_to = "='Inputs'!A1:B9"
    block.refers_to = "='Inputs'!$A$1:$B$9"
    assert block.refers_to_range.address == "$A$1:$B$9"


def test_a_protected_sheet_refuses_writes(excel: EmulatedExcel, small: Path) -> None:
    ws = excel.open(small).sheets["Locked"]
    with pytest.raises(ExcelRuleError, match="protected sheet"):
        ws.range("A1").value = "y"
    assert ws.api.ProtectContents is True  # Windows COM exposes it


def test_calculating_mode_allows_reads_only(excel: EmulatedExcel, small: Path) -> None:
    book = excel.open(small)
    ws = book.sheets["Inputs"]
    with excel.app.calculating():
        assert ws.range("B2").value == 100.0  # reading is allowed
        for attempt in (
            lambda: setattr(ws.range("C1"), "value", 1.0),
            lambda: setattr(ws.range("C1"), "number_format", "0.00"),
            lambda: book.sheets.add("New"),
            book.save,
            lambda: ws.api.Tab,
            lambda: setattr(book.app, "status_bar", "busy"),
            lambda: setattr(book.app, "calculation", "manual"),
        ):
            with pytest.raises(ExcelRuleError, match="calculating"):
                attempt()
    assert len(excel.app.violations) == 7  # recorded even where a caller swallows the error
    assert book.app.calculation == "automatic"


def test_api_is_platform_specific(mac_excel: EmulatedExcel, small: Path) -> None:
    ws = mac_excel.open(small).sheets["Inputs"]
    with pytest.raises(AttributeError, match="AppleScript"):
        ws.api.Tab.Color = 5287936
    assert mac_excel.app.api_calls == ["Worksheet.Tab"]


def test_a_button_that_saves_is_caught(excel: EmulatedExcel, small: Path) -> None:
    with pytest.raises(ExcelRuleError, match="saving is the analyst's decision"):
        excel.open(small).save()


def test_formula_arguments_as_the_vba_wrapper_receives_them() -> None:
    assert split_arguments('"Mag 17", 36, "a,b"') == ['"Mag 17"', "36", '"a,b"']
    assert split_arguments('"Mag 17",,0.02') == ['"Mag 17"', "", "0.02"]
    formula = parse_formula("=CLO_HYPO(\"Mag 17\", 'Run Model'!K11:N13)", "Sheet1")
    assert formula is not None and formula.function == "CLO_HYPO"
    assert formula.references == [("Run Model", 11, 11, 13, 14)]
    assert parse_formula("=SUM(A1:A3)", "Sheet1") is None


def test_xlwings_main_api_is_the_one_running(excel: EmulatedExcel, small: Path) -> None:
    book = excel.open(small)
    assert isinstance(book, xw.Book) and xw.engines.active is not None
    assert xw.engines.active.name == "excel" and type(book.impl).__module__.endswith("emulated_excel")


def test_a_function_that_touches_the_book_while_excel_calculates_is_caught(
    excel: EmulatedExcel, sample_workbook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review finding 1, end to end: the reviewed bridge's UDFs snapshot the workbook (``SaveCopyAs``) or
    write into it on a cache miss. Typed into a cell of the built workbook and evaluated through its VBA
    wrapper and xlwings' ``call_udf``, such a function fails here as it does in Excel, and the violation is
    recorded even though the function's own error handling turns it into text."""
    ws = excel.open(sample_workbook).sheets.add("UDFs")
    ws.range("A1").formula = '=CLO_RATING_FACTOR("B2")'
    assert ws.range("A1").value == 2720.0  # the real function: reads nothing but its argument
    module = sys.modules["clo_xl.excel.udfs"]  # as call_udf imported it, under xlwings' real decorators

    def snapshot(rating: Any) -> Any:
        xw.Book.caller().api.SaveCopyAs("snapshot.xlsm")  # what deal_cache did before the rewrite
        return 1.0

    def write(rating: Any) -> Any:
        xw.Book.caller().sheets["UDFs"].range("Z1").value = 1.0
        return 1.0

    for attempt, what in ((snapshot, "use .api (Workbook.SaveCopyAs)"), (write, "write cells")):
        monkeypatch.setattr(module, "CLO_RATING_FACTOR", xw.func(attempt))
        ws.range("A2").formula = '=CLO_RATING_FACTOR("B2")'
        refused = f"Excel is calculating: a worksheet function cannot {what}"
        assert refused in ws.range("A2").value and excel.app.violations[-1].startswith(refused)
    assert ws.range("Z1").value is None
    excel.app.violations.clear()
