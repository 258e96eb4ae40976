"""XlwingsWorkbook against a stand-in of the xlwings object model (there is no Excel here).

The stand-in implements only the calls XlwingsWorkbook makes (``sheets[...]``, ``range(...).options(ndim=2)
.value``, ``used_range.last_cell``, ``sheets.add(name, after=...)``, ``api.Tab.Color``, ``api.SaveCopyAs``,
``app.display_alerts``/``status_bar``), backed by the sample workbook's values, so a button handler can be
pressed through the live-Excel implementation end to end.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from python_calamine import CalamineWorkbook

from clo_xl.excel import handlers
from clo_xl.excel.cells import parse_range
from clo_xl.excel.workbook_access import WorkbookAccess
from clo_xl.excel.xlwings_workbook import XlwingsWorkbook


class FakeRange:
    def __init__(self, sheet: FakeSheet, address: str) -> None:
        self.sheet, self.address = sheet, address

    def options(self, **_: Any) -> FakeRange:
        return self

    @property
    def formula(self) -> list[list[Any]]:
        start, end = parse_range(self.address)
        return [
            [self.sheet.formulas.get((r, c), "") for c in range(start.column, end.column + 1)]
            for r in range(start.row, end.row + 1)
        ]

    @property
    def value(self) -> list[list[Any]]:
        start, end = parse_range(self.address)
        return [
            [self.sheet.cells.get((r, c)) for c in range(start.column, end.column + 1)]
            for r in range(start.row, end.row + 1)
        ]

    @value.setter
    def value(self, rows: Any) -> None:
        start, _ = parse_range(self.address)
        rows = rows if isinstance(rows, list) else [[rows]]
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                self.sheet.cells[(start.row + i, start.column + j)] = v


class FakeSheet:
    def __init__(self, book: FakeBook, name: str, cells: dict[tuple[int, int], Any]) -> None:
        self.book, self.name, self.cells = book, name, cells
        self.api = SimpleNamespace(Tab=SimpleNamespace(Color=None))
        self.formulas: dict[tuple[int, int], str] = {}
        self.names: list[SimpleNamespace] = []
        self.visible = True

    def range(self, first: Any, last: Any = None) -> FakeRange:
        if isinstance(first, tuple):
            from clo_xl.excel.cells import Cell

            return FakeRange(self, f"{Cell(*first).a1}:{Cell(*(last or first)).a1}")
        return FakeRange(self, first)

    @property
    def used_range(self) -> Any:
        rows = max((r for r, _ in self.cells), default=1)
        cols = max((c for _, c in self.cells), default=1)
        return SimpleNamespace(last_cell=SimpleNamespace(row=rows, column=cols))

    def delete(self) -> None:
        assert self.book.app.display_alerts is False, "deleting a sheet must not prompt the analyst"
        self.book.sheets.items.remove(self)


class FakeSheets:
    def __init__(self, book: FakeBook) -> None:
        self.book, self.items = book, []  # type: ignore[var-annotated]

    def __iter__(self) -> Any:
        return iter(list(self.items))

    def __getitem__(self, key: str | int) -> FakeSheet:
        if isinstance(key, int):
            return self.items[key]  # type: ignore[no-any-return]
        return next(s for s in self.items if s.name == key)

    def add(self, name: str, after: FakeSheet) -> FakeSheet:
        sheet = FakeSheet(self.book, name, {})
        self.items.insert(self.items.index(after) + 1, sheet)
        return sheet


class FakeBook:
    def __init__(self, path: Path) -> None:
        self.name = path.name
        self.path = path
        self.sheets = FakeSheets(self)
        self.app = SimpleNamespace(display_alerts=True, status_bar=None)
        self.api = SimpleNamespace(SaveCopyAs=lambda target: shutil.copyfile(path, target))
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            cells = {(r, c): v for r, row in enumerate(rows, 1) for c, v in enumerate(row, 1) if v != ""}
            self.sheets.items.append(FakeSheet(self, name, cells))


def test_a_button_through_the_live_excel_implementation(sample_workbook: Path) -> None:
    fake = FakeBook(sample_workbook)
    book = XlwingsWorkbook(fake)
    assert isinstance(book, WorkbookAccess)
    assert book.read_range("Mag 17 Inputs", "D3:E3") == [["BLKRockID", "Par Amount"]]
    deal = handlers.selected_deals(book)[0]
    result = handlers.run_compliance(book)  # the handler reads a SaveCopyAs snapshot, writes via COM calls
    tab = fake.sheets[f"Compliance-{deal}"]
    assert result.sheets == (tab.name,)
    assert tab.api.Tab.Color == 5287936  # the legacy green (BGR 0x50B000 = RGB 00B050)
    assert book.read_range(tab.name, "B1:C1") == [["Test Num", "Test Name"]]
    assert fake.sheets[-1] is tab  # new tabs go at the end
    book.notify("done")
    assert fake.app.status_bar == "done"
    deleted = handlers.delete_output_tabs(book).sheets
    assert tab.name in deleted and fake.app.display_alerts is True  # alerts restored afterwards


def test_input_writes_keep_formulas_and_names_resize(sample_workbook: Path) -> None:
    """The Refresh-from-DB primitives through the live-Excel implementation."""
    fake = FakeBook(sample_workbook)
    sheet = fake.sheets["Mag 17 Inputs"]
    sheet.formulas[(3, 19)] = "=K4"  # S3, as in the sample
    sheet.names.append(
        SimpleNamespace(name="'Mag 17 Inputs'!QualityTestInputs", refers_to="='Mag 17 Inputs'!$R$3:$S$11")
    )
    book = XlwingsWorkbook(fake)
    kept = book.write_inputs("Mag 17 Inputs", "R3", [["Current LIBOR", 0.05], ["Label", 7.0]])
    assert kept == ["S3"] and sheet.cells.get((3, 19)) != 0.05  # the formula cell was not written
    assert book.read_range("Mag 17 Inputs", "R4:S4") == [["Label", 7.0]]
    assert book.write_inputs("Mag 17 Inputs", "D4", [["X1", 1.0], ["X2", 2.0]]) == []  # one block write
    assert book.read_range("Mag 17 Inputs", "D4:E5") == [["X1", 1.0], ["X2", 2.0]]
    assert book.name_address("Mag 17 Inputs", "QualityTestInputs") == "R3:S11"
    book.resize_name("Mag 17 Inputs", "QualityTestInputs", "R3:S20")
    assert sheet.names[0].refers_to == "='Mag 17 Inputs'!R3:S20"
    assert book.name_address("Mag 17 Inputs", "Nope") is None
    book.create_sheet("clo-xl.state", tab_color=None, hidden=True)
    assert fake.sheets["clo-xl.state"].visible is False
