"""A strict emulation of desktop Excel, registered with xlwings as its ``"excel"`` engine.

There is no Excel here, so the tests drive xlwings' **real** API (``xlwings.main``: ``Book``, ``Sheet``,
``Range``, ``Names``, ``App``) and its **real** conversion code over this module, which takes the place of
the platform layer xlwings calls ``impl`` (``xlwings/_xlwindows.py`` on Windows, ``_xlmac.py`` on macOS).
It is registered the way xlwings registers those: ``xlwings.engines.add(Engine(impl=engine))`` and
activated; for the UDF path it is also installed as ``xlwings._xlwindows``, the module
``xlwings.udfs.call_udf`` and ``Book.caller()`` reach for.

The workbook is read from its file (values, formulas, number formats, defined names, hidden and protected
sheets) by a small reader of its own (zipfile + ElementTree), independent of clo-xl's readers. Writes stay
in memory: a saved file is the analyst's decision, and a button that saves fails here.

What Excel refuses, this refuses (:class:`ExcelRuleError`, recorded in :attr:`App.violations` too, so a
caller that swallows the error still fails the test):

* **rectangular writes only**: a 2-D value must have exactly the target range's shape;
* **no text Excel would convert**: ``Range.Value = "96.0132%"`` (or "1,234", "TRUE", "2016-03-23", "=...")
  becomes a number, a boolean, a date or a formula in Excel, depending on the locale; refused unless the
  cell is formatted as text (``@``) or the text carries Excel's ``'`` prefix (stored without it, as text);
* **case-insensitive sheet names** (a clash is refused), Excel's sheet-name rules (31 characters, no
  ``[]:*?/\\``), no deleting a sheet while alerts are on (the confirmation dialog would block), no hiding or
  deleting the last visible sheet;
* **absolute references in names**: a defined name refers to ``$``-anchored cells (a relative one would be
  read relative to the active cell);
* **protected sheets** refuse writes with Excel's message;
* **calculating mode**: while a worksheet function runs (:meth:`App.calculating`), any write, format,
  sheet change, name change, save, app-state change or ``.api`` use raises. Reads are allowed.

``.api`` is the platform's object model. ``platform="windows"`` emulates the few COM members clo-xl may use
cosmetically (``Tab.Color``, ``ProtectContents``, ``Activate``, ``ActiveWindow`` freeze panes,
``CalculateFull``) and raises ``AttributeError`` for any other name, as late-bound COM does;
``platform="mac"`` has none of them (an AppleScript reference), so every ``.api`` use raises. Each use is
logged in :attr:`App.api_calls`.

Recalculation: ``App.calculate()`` (Excel's ``Calculate``) recomputes *dirty* formulas only (entered, or
with a changed argument cell); ``.api.CalculateFull()`` recomputes all. Formulas are evaluated by a hook the
VBA layer installs (:mod:`tests.excel.emulated_vba`), inside :meth:`App.calculating`.
"""

from __future__ import annotations

import contextlib
import math
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from xml.etree import ElementTree

from xlwings import base_classes

from clo_xl.xlsx import column_index as col_index
from clo_xl.xlsx import column_letter as col_name

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p": "http://schemas.openxmlformats.org/package/2006/relationships",
}
EPOCH = datetime(1899, 12, 30)
#: COM error values (CVErr) as pywin32 hands them over; the first seven are xlwings' own table
ERRORS: dict[str, int] = {
    "#DIV/0!": -2146826281,
    "#N/A": -2146826246,
    "#NAME?": -2146826259,
    "#NULL!": -2146826288,
    "#NUM!": -2146826252,
    "#REF!": -2146826265,
    "#VALUE!": -2146826273,
    "#SPILL!": -2146826243,
    "#CALC!": -2146826238,
}
ERROR_TEXT = {code: text for text, code in ERRORS.items()}
PROTECTED_MESSAGE = (
    "The cell or chart you're trying to change is on a protected sheet. To make a change, unprotect the "
    "sheet. You might be requested to enter a password."
)
BUILTIN_FORMATS = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%", 11: "0.00E+00",
    12: "# ?/?", 13: "# ??/??", 14: "m/d/yyyy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "m/d/yyyy h:mm", 37: "#,##0 ;(#,##0)",
    38: "#,##0 ;[Red](#,##0)", 39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)", 45: "mm:ss",
    46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0", 49: "@",
}  # fmt: skip
MISSING = -2147352572  # DISP_E_PARAMNOTFOUND: an omitted optional VBA argument
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
_NUMBER_TEXT = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?%?$")
_DATE_TEXT = re.compile(
    r"^(\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2})?)?|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|"
    r"\d{1,2}-[A-Za-z]{3}(-\d{2,4})?|\d{1,2}:\d{2}(:\d{2})?)$"
)
_REF = re.compile(
    r"^(?:(?:'((?:[^']|'')+)'|([^'!]+))!)?(\$?)([A-Z]{1,3})(\$?)(\d+)(?::(\$?)([A-Z]{1,3})(\$?)(\d+))?$"
)


class ExcelRuleError(Exception):
    """Something Excel (or xlwings over Excel) refuses; the COM error a user would see."""


class Calculator(Protocol):
    """Evaluates a book's formulas (installed by the VBA layer, which knows the UDF wrappers)."""

    def calculate(self, book: Book, *, full: bool) -> None: ...

    def cells_changed(self, book: Book, sheet: SheetState, positions: Sequence[tuple[int, int]]) -> None: ...

    def formula_entered(self, book: Book, sheet: SheetState, position: tuple[int, int]) -> None: ...


# -- small helpers ---------------------------------------------------------------------------------------


def is_date_format(code: str) -> bool:
    """Excel shows numbers in this format as dates/times (quoted text and [colour] codes ignored)."""
    if code in ("General", "@"):
        return False
    plain = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code.split(";")[0])
    return bool(re.search(r"[dmyhs]", plain, re.I)) and not re.search(r"[0#?]", plain)


def excel_would_convert(text: str) -> str | None:
    """What Excel's ``Range.Value = text`` would turn ``text`` into in a General cell, or None."""
    t = text.strip()
    if not t:
        return None
    if t.startswith("="):
        return "a formula"
    if t.upper() in ("TRUE", "FALSE"):
        return "a boolean"
    if _NUMBER_TEXT.match(t.replace(" ", "")) and any(ch.isdigit() for ch in t):
        return "a number"
    if _DATE_TEXT.match(t):
        return "a date"
    return None


def serial_to_datetime(serial: float) -> datetime:
    return EPOCH + timedelta(days=serial)


@dataclass
class CellData:
    """One cell: its value (float, str, bool, datetime, an error code int, or None), formula, format."""

    value: Any = None
    formula: str | None = None
    number_format: str = "General"
    bold: bool = False
    spill_of: tuple[int, int] | None = None  # the anchor whose dynamic array spilled here

    @property
    def empty(self) -> bool:
        return self.value is None and self.formula is None


# -- reading the workbook file ---------------------------------------------------------------------------


@dataclass
class SheetState:
    name: str
    cells: dict[tuple[int, int], CellData] = field(default_factory=dict)
    visible: bool = True
    protected: bool = False
    tab_color: int | None = None
    column_widths: dict[int, float] = field(default_factory=dict)
    frozen_at: tuple[int, int] | None = None

    def cell(self, r: int, c: int) -> CellData:
        found = self.cells.get((r, c))
        if found is None:
            found = CellData()
            self.cells[(r, c)] = found
        return found


@dataclass
class NameState:
    name: str
    refers_to: str  # "='Sheet'!$A$1:$B$2"
    scope: str | None  # sheet name for a sheet-scoped name


def _text(el: ElementTree.Element | None) -> str:
    return "".join(el.itertext()) if el is not None else ""


def read_package(path: Path) -> tuple[list[SheetState], list[NameState]]:
    """Sheets (values, formulas, number formats, state, protection) and defined names of a workbook."""
    with zipfile.ZipFile(path) as z:
        workbook = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("p:Relationship", NS)}
        strings: list[str] = []
        if "xl/sharedStrings.xml" in z.namelist():
            sst = ElementTree.fromstring(z.read("xl/sharedStrings.xml"))
            strings = [_text(si) for si in sst.findall("m:si", NS)]
        formats = _cell_formats(ElementTree.fromstring(z.read("xl/styles.xml")))
        sheets: list[SheetState] = []
        for s in workbook.findall("m:sheets/m:sheet", NS):
            target = targets[s.get(f"{{{NS['r']}}}id")]
            part = target.lstrip("/") if target.startswith("/") else "xl/" + target
            state = SheetState(s.get("name", ""), visible=s.get("state", "visible") == "visible")
            _read_sheet(ElementTree.fromstring(z.read(part)), state, strings, formats)
            sheets.append(state)
    names: list[NameState] = []
    for dn in workbook.findall("m:definedNames/m:definedName", NS):
        local = dn.get("localSheetId")
        scope = sheets[int(local)].name if local is not None else None
        names.append(NameState(dn.get("name", ""), "=" + (dn.text or ""), scope))
    return sheets, names


def _cell_formats(styles: ElementTree.Element) -> list[str]:
    custom = {
        int(f.get("numFmtId", "0")): f.get("formatCode", "General")
        for f in styles.iter(f"{{{NS['m']}}}numFmt")
    }
    xfs = styles.find("m:cellXfs", NS)
    out = []
    for xf in xfs.findall("m:xf", NS) if xfs is not None else []:
        fid = int(xf.get("numFmtId", "0"))
        out.append(custom.get(fid) or BUILTIN_FORMATS.get(fid, "General"))
    return out


def _read_sheet(xml: ElementTree.Element, state: SheetState, strings: list[str], formats: list[str]) -> None:
    state.protected = (p := xml.find("m:sheetProtection", NS)) is not None and p.get("sheet") in ("1", "true")
    for c in xml.iter(f"{{{NS['m']}}}c"):
        m = re.match(r"([A-Z]+)(\d+)", c.get("r", ""))
        if m is None:
            continue
        cell = CellData(number_format=formats[int(c.get("s", "0"))] if formats else "General")
        kind = c.get("t", "n")
        f = c.find("m:f", NS)
        if f is not None and f.text:
            cell.formula = "=" + f.text
        v = c.find("m:v", NS)
        raw = v.text if v is not None else None
        if kind == "s" and raw is not None:
            cell.value = strings[int(raw)]
        elif kind == "inlineStr":
            cell.value = _text(c.find("m:is", NS))
        elif kind == "str":
            cell.value = raw
        elif kind == "b" and raw is not None:
            cell.value = raw in ("1", "true")
        elif kind == "e" and raw is not None:
            cell.value = ERRORS.get(raw, ERRORS["#VALUE!"])
        elif raw is not None:
            number = float(raw)
            cell.value = serial_to_datetime(number) if is_date_format(cell.number_format) else number
        if cell.value == "":
            cell.value = None
        if not cell.empty or cell.number_format != "General":
            state.cells[(int(m.group(2)), col_index(m.group(1)))] = cell


# -- .api ------------------------------------------------------------------------------------------------

#: the COM members the Windows emulation knows, per object kind (anything else: AttributeError)
COM_MEMBERS: dict[str, frozenset[str]] = {
    "Worksheet": frozenset({"Tab", "ProtectContents", "Activate", "Name"}),
    "Tab": frozenset({"Color"}),
    "Application": frozenset({"CalculateFull", "ActiveWindow", "Version"}),
    "Window": frozenset({"FreezePanes", "SplitRow", "SplitColumn", "ScrollRow", "ScrollColumn"}),
    "Workbook": frozenset({"Name"}),
    "Range": frozenset({"Address"}),
}


class Api:
    """What ``.api`` returns: a late-bound COM object (Windows) or an AppleScript reference (macOS)."""

    def __init__(self, app: App, kind: str, target: Any) -> None:
        object.__setattr__(self, "_app", app)
        object.__setattr__(self, "_kind", kind)
        object.__setattr__(self, "_target", target)

    def _use(self, member: str) -> None:
        app: App = object.__getattribute__(self, "_app")
        kind: str = object.__getattribute__(self, "_kind")
        if member == "CLSID":  # read by xlwings itself to marshal a Range across threads (udfs.ComRange)
            return
        app.api_calls.append(f"{kind}.{member}")
        app.check_mutable(f"use .api ({kind}.{member})")
        if app.platform != "windows":
            raise AttributeError(f"{kind}.{member}: .api is an AppleScript reference on macOS (no COM names)")
        if member not in COM_MEMBERS.get(kind, frozenset()):
            raise AttributeError(f"<unknown>.{member}: Object doesn't support this property or method")

    def __getattr__(self, member: str) -> Any:
        self._use(member)
        target = object.__getattribute__(self, "_target")
        app: App = object.__getattribute__(self, "_app")
        kind: str = object.__getattribute__(self, "_kind")
        if member == "CLSID":
            return "{00020846-0000-0000-C000-000000000046}"
        if kind == "Worksheet":
            if member == "Tab":
                return Api(app, "Tab", target)
            if member == "ProtectContents":
                return target.state.protected
            if member == "Activate":
                return target.activate
            if member == "Name":
                return target.name
        if kind == "Tab" and member == "Color":
            return target.state.tab_color
        if kind == "Application":
            if member == "CalculateFull":
                return lambda: app.recalculate(full=True)
            if member == "ActiveWindow":
                return Api(app, "Window", app)
            if member == "Version":
                return "16.0"
        if kind == "Window":
            return getattr(app, f"window_{member}", 0)
        if member in ("Name", "Address"):
            return getattr(target, member.lower())
        raise AttributeError(member)  # pragma: no cover - every known member is handled above

    def __setattr__(self, member: str, value: Any) -> None:
        self._use(member)
        target = object.__getattribute__(self, "_target")
        app: App = object.__getattribute__(self, "_app")
        kind: str = object.__getattribute__(self, "_kind")
        if kind == "Tab" and member == "Color":
            target.state.tab_color = int(value)
        elif kind == "Window" and member == "FreezePanes":
            sheet = app.active_sheet()
            if sheet is not None:
                sheet.frozen_at = (app.window_SplitRow, app.window_SplitColumn) if value else None
        elif kind == "Window":
            setattr(app, f"window_{member}", value)
        else:
            raise AttributeError(f"{kind}.{member} is read-only")


# -- the impl layer --------------------------------------------------------------------------------------


class Engine:
    """The ``"excel"`` engine: what ``xlwings.engines["excel"].impl`` is on Windows."""

    def __init__(self) -> None:
        self.apps_list: list[App] = []

    @property
    def apps(self) -> Apps:
        return Apps(self)

    @property
    def name(self) -> str:
        return "excel"

    @property
    def type(self) -> str:
        return "desktop"

    @staticmethod
    def prepare_xl_data_element(x: Any, options: Any) -> Any:
        """Python value → what COM would carry (Windows: dates as COM time, NaN and None as "")."""
        if isinstance(x, datetime):
            return x.replace(tzinfo=None)
        if isinstance(x, date):
            return datetime(x.year, x.month, x.day)
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return ""
        if hasattr(x, "item") and not isinstance(x, list | tuple | str):  # numpy scalars
            return x.item()
        return x

    @staticmethod
    def clean_value_data(
        data: Sequence[Sequence[Any]],
        datetime_builder: Callable[..., Any],
        empty_as: Any,
        number_builder: Callable[[float], Any] | None,
        err_to_str: bool,
    ) -> list[list[Any]]:
        def clean(v: Any) -> Any:
            if v in ("", None):
                return empty_as
            if isinstance(v, datetime):
                return datetime_builder(
                    year=v.year, month=v.month, day=v.day, hour=v.hour, minute=v.minute, second=v.second,
                    microsecond=v.microsecond,
                )  # fmt: skip
            if isinstance(v, int) and not isinstance(v, bool) and v in ERROR_TEXT:
                return ERROR_TEXT[v] if err_to_str else None
            if number_builder is not None and isinstance(v, float):
                return number_builder(v)
            return v

        return [[clean(v) for v in row] for row in data]


class Apps(base_classes.Apps):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def keys(self) -> list[int]:
        return [a.pid for a in self.engine.apps_list]

    def add(self, spec: Any = None, add_book: Any = None, xl: Any = None, visible: Any = None) -> App:
        raise ExcelRuleError("the emulation opens workbooks with EmulatedExcel.open(path)")

    @staticmethod
    def cleanup() -> None:
        return None

    def __iter__(self) -> Iterator[App]:
        return iter(list(self.engine.apps_list))

    def __len__(self) -> int:
        return len(self.engine.apps_list)

    def __getitem__(self, pid: int) -> App:
        for app in self.engine.apps_list:
            if app.pid == pid:
                return app
        raise KeyError(pid)


class App(base_classes.App):
    """One Excel instance: its books, state (screen updating, calculation, status bar, alerts) and the
    rule book (calculating mode, violations, ``.api`` log)."""

    _next_pid = 4242
    hwnd_value: int

    def __init__(self, engine: Engine | None = None, *, platform: str = "windows", xl: Any = None) -> None:
        if xl is not None:  # xlwings' Book.caller() on Windows: App(xl=hwnd) finds the running instance
            found = next((a for a in ENGINE.apps_list if a.hwnd_value == int(xl)), None)
            if found is None:
                raise ExcelRuleError(f"no Excel window {xl}")
            self.__dict__ = found.__dict__
            return
        self.engine = engine or ENGINE
        self.platform = platform
        App._next_pid += 1
        self.pid_value = App._next_pid
        self.hwnd_value = self.pid_value * 10
        self.books_list: list[Book] = []
        self.screen_updating_value = True
        self.calculation_value = "automatic"
        self.display_alerts_value = True
        self.enable_events_value = True
        self.interactive_value = True
        self.status_bar_value: str | bool = False
        self.alerts: list[tuple[str, str]] = []
        self.violations: list[str] = []
        self.api_calls: list[str] = []
        self.calculating_depth = 0
        self.calculator: Calculator | None = None
        self.window_SplitRow = 0
        self.window_SplitColumn = 0
        self.window_ScrollRow = 1
        self.window_ScrollColumn = 1
        self.engine.apps_list.append(self)

    # -- the rules -------------------------------------------------------------------------------
    def refuse(self, message: str) -> ExcelRuleError:
        self.violations.append(message)
        return ExcelRuleError(message)

    def check_mutable(self, what: str) -> None:
        if self.calculating_depth:
            raise self.refuse(
                f"Excel is calculating: a worksheet function cannot {what} (xlwings: a UDF can't interact "
                "with the book while Excel is busy)"
            )

    @contextlib.contextmanager
    def calculating(self) -> Iterator[None]:
        """Excel evaluating worksheet functions: writes, saves, sheet changes and ``.api`` raise."""
        self.calculating_depth += 1
        try:
            yield
        finally:
            self.calculating_depth -= 1

    @property
    def automatic(self) -> bool:
        return self.calculation_value == "automatic"

    def recalculate(self, *, full: bool) -> None:
        """``Calculate`` (dirty formulas) or ``CalculateFull`` (all formulas), by the installed calculator."""
        if self.calculator is not None:
            for book in list(self.books_list):
                self.calculator.calculate(book, full=full)

    def cells_changed(self, book: Book, sheet: SheetState, positions: Sequence[tuple[int, int]]) -> None:
        """Cells were written: formulas reading them are dirty (and recalculated in automatic mode)."""
        if self.calculator is not None:
            self.calculator.cells_changed(book, sheet, positions)

    def formula_entered(self, book: Book, sheet: SheetState, position: tuple[int, int]) -> None:
        if self.calculator is not None:
            self.calculator.formula_entered(book, sheet, position)

    def active_sheet(self) -> SheetState | None:
        for book in self.books_list:
            return book.active_sheet
        return None

    # -- impl interface --------------------------------------------------------------------------
    @property
    def api(self) -> Api:
        return Api(self, "Application", self)

    @property
    def pid(self) -> int:
        return self.pid_value

    @property
    def hwnd(self) -> int:
        return self.hwnd_value

    @property
    def books(self) -> Books:
        return Books(self)

    @property
    def version(self) -> str:
        return "16.0"

    @property
    def visible(self) -> bool:
        return True

    @visible.setter
    def visible(self, value: bool) -> None:
        self.check_mutable("change the application's visibility")

    @property
    def screen_updating(self) -> bool:
        return self.screen_updating_value

    @screen_updating.setter
    def screen_updating(self, value: bool) -> None:
        self.check_mutable("switch screen updating")
        self.screen_updating_value = bool(value)

    @property
    def display_alerts(self) -> bool:
        return self.display_alerts_value

    @display_alerts.setter
    def display_alerts(self, value: bool) -> None:
        self.check_mutable("switch alerts")
        self.display_alerts_value = bool(value)

    @property
    def enable_events(self) -> bool:
        return self.enable_events_value

    @enable_events.setter
    def enable_events(self, value: bool) -> None:
        self.check_mutable("switch events")
        self.enable_events_value = bool(value)

    @property
    def interactive(self) -> bool:
        return self.interactive_value

    @interactive.setter
    def interactive(self, value: bool) -> None:
        self.check_mutable("switch interactive mode")
        self.interactive_value = bool(value)

    @property
    def calculation(self) -> str:
        return self.calculation_value

    @calculation.setter
    def calculation(self, value: str) -> None:
        self.check_mutable("change the calculation mode")
        if value not in ("automatic", "manual", "semiautomatic"):
            raise self.refuse(f"calculation must be automatic, manual or semiautomatic, not {value!r}")
        if not self.books_list:
            raise self.refuse("Method 'Calculation' of object '_Application' failed (no workbook open)")
        was = self.calculation_value
        self.calculation_value = value
        if value == "automatic" and was != "automatic":
            self.recalculate(full=False)  # back to automatic: Excel calculates what became dirty

    def calculate(self) -> None:
        self.check_mutable("start a recalculation")
        self.recalculate(full=False)

    @property
    def status_bar(self) -> str | bool:
        return self.status_bar_value

    @status_bar.setter
    def status_bar(self, value: str | bool) -> None:
        self.check_mutable("write the status bar")
        self.status_bar_value = False if value is False else str(value)

    def alert(self, prompt: str, title: str, buttons: str, mode: str | None, callback: Any) -> str:
        self.check_mutable("show a message box")
        self.alerts.append((title, prompt))
        return "ok"

    @property
    def selection(self) -> Range | None:
        return None

    def activate(self, steal_focus: bool = False) -> None:
        return None

    @property
    def startup_path(self) -> str:
        return ""

    @property
    def path(self) -> str:
        return ""

    @property
    def cut_copy_mode(self) -> bool:
        return False

    @cut_copy_mode.setter
    def cut_copy_mode(self, value: bool) -> None:
        self.check_mutable("change the cut/copy mode")

    def quit(self) -> None:
        self.engine.apps_list.remove(self)

    def kill(self) -> None:
        self.quit()


class Books(base_classes.Books):
    def __init__(self, app: App) -> None:
        self.app = app

    @property
    def api(self) -> Api:
        return Api(self.app, "Workbooks", self)

    @property
    def active(self) -> Book | None:
        return self.app.books_list[0] if self.app.books_list else None

    def __call__(self, name_or_index: int | str) -> Book:
        if isinstance(name_or_index, int):
            return self.app.books_list[name_or_index - 1]
        for book in self.app.books_list:
            if book.name.lower() == str(name_or_index).lower():
                return book
        raise KeyError(name_or_index)

    def __len__(self) -> int:
        return len(self.app.books_list)

    def __iter__(self) -> Iterator[Book]:
        return iter(list(self.app.books_list))

    def add(self) -> Book:
        raise ExcelRuleError("the emulation opens workbooks with EmulatedExcel.open(path)")


class Book(base_classes.Book):
    """A workbook backed by its file (read once, changed in memory)."""

    def __init__(self, xl: Any = None, *, app: App | None = None, path: Path | None = None) -> None:
        if isinstance(xl, Book):  # xlwings wraps a COM workbook it was handed (BOOK_CALLER, Dispatch)
            self.__dict__ = xl.__dict__
            return
        assert app is not None and path is not None
        self.app_impl = app
        self.path = path
        sheets, names = read_package(path)
        self.sheet_states: list[SheetState] = sheets
        self.name_states: list[NameState] = names
        self.active_sheet: SheetState | None = next((s for s in sheets if s.visible), None)
        app.books_list.append(self)

    @property
    def api(self) -> Api:
        return Api(self.app_impl, "Workbook", self)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def fullname(self) -> str:
        return str(self.path)

    @property
    def sheets(self) -> Sheets:
        return Sheets(self)

    @property
    def app(self) -> App:
        return self.app_impl

    @property
    def names(self) -> Names:
        return Names(self, None)

    def close(self) -> None:
        self.app_impl.books_list.remove(self)

    def save(self, path: str | None = None, password: str | None = None) -> None:
        self.app_impl.check_mutable("save the workbook")
        raise self.app_impl.refuse("a button saved the workbook: saving is the analyst's decision")

    def activate(self) -> None:
        return None

    def state(self, name: str) -> SheetState:
        """The sheet called ``name`` (case-insensitive, as Excel looks sheets up)."""
        for s in self.sheet_states:
            if s.name.lower() == name.lower():
                return s
        raise KeyError(name)


class Sheets(base_classes.Sheets):
    def __init__(self, book: Book) -> None:
        self.book = book

    @property
    def api(self) -> Api:
        return Api(self.book.app_impl, "Worksheets", self)

    @property
    def active(self) -> Sheet:
        assert self.book.active_sheet is not None
        return Sheet(self.book, self.book.active_sheet)

    def __call__(self, name_or_index: int | str) -> Sheet:
        if isinstance(name_or_index, int):
            return Sheet(self.book, self.book.sheet_states[name_or_index - 1])
        try:
            return Sheet(self.book, self.book.state(str(name_or_index)))
        except KeyError:
            raise ExcelRuleError(f"Subscript out of range: no sheet '{name_or_index}'") from None

    def __len__(self) -> int:
        return len(self.book.sheet_states)

    def __iter__(self) -> Iterator[Sheet]:
        return iter([Sheet(self.book, s) for s in self.book.sheet_states])

    def add(self, before: Sheet | None = None, after: Sheet | None = None, name: str | None = None) -> Sheet:
        app = self.book.app_impl
        app.check_mutable("add a sheet")
        names = [s.name for s in self.book.sheet_states]
        if name is None:
            i = len(names) + 1
            while f"Sheet{i}".lower() in (n.lower() for n in names):
                i += 1
            name = f"Sheet{i}"
        check_sheet_name(app, name, names)
        state = SheetState(name)
        if after is not None:
            index = self.book.sheet_states.index(after.state) + 1
        elif before is not None:
            index = self.book.sheet_states.index(before.state)
        else:
            index = self.book.sheet_states.index(self.book.active_sheet) if self.book.active_sheet else 0
        self.book.sheet_states.insert(index, state)
        self.book.active_sheet = state
        return Sheet(self.book, state)


def check_sheet_name(app: App, name: str, existing: Sequence[str]) -> None:
    if (
        not name
        or len(name) > 31
        or _SHEET_NAME_BAD.search(name)
        or name.startswith("'")
        or name.endswith("'")
    ):
        raise app.refuse(f"'{name}' is not a valid sheet name (1-31 characters, none of []:*?/\\)")
    if name.lower() == "history":
        raise app.refuse("'History' is a reserved sheet name")
    clash = next((n for n in existing if n.lower() == name.lower()), None)
    if clash is not None:
        raise app.refuse(f"That name is already taken: '{clash}' (sheet names are case-insensitive)")


class Sheet(base_classes.Sheet):
    def __init__(self, book: Book, state: SheetState) -> None:
        self.book_impl = book
        self.state = state

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sheet) and other.state is self.state

    def __hash__(self) -> int:
        return id(self.state)

    @property
    def app(self) -> App:
        return self.book_impl.app_impl

    def writable(self, what: str) -> None:
        self.app.check_mutable(what)
        if self.state.protected:
            raise self.app.refuse(f"'{self.state.name}': {PROTECTED_MESSAGE}")

    @property
    def api(self) -> Api:
        return Api(self.app, "Worksheet", self)

    @property
    def name(self) -> str:
        return self.state.name

    @name.setter
    def name(self, value: str) -> None:
        self.app.check_mutable("rename a sheet")
        check_sheet_name(
            self.app, value, [s.name for s in self.book_impl.sheet_states if s is not self.state]
        )
        self.state.name = value

    @property
    def names(self) -> Names:
        return Names(self.book_impl, self.state.name)

    @property
    def book(self) -> Book:
        return self.book_impl

    @property
    def index(self) -> int:
        return self.book_impl.sheet_states.index(self.state) + 1

    def range(self, arg1: Any, arg2: Any = None) -> Range:
        """``range("A1:B2")``, ``range("A1", "B2")``, ``range((r, c))``, ``range((r1, c1), (r2, c2))``."""
        r1, c1, r2, c2 = _corners(arg1)
        if arg2 is not None:
            _, _, r2, c2 = _corners(arg2)
        top, bottom, left, right = min(r1, r2), max(r1, r2), min(c1, c2), max(c1, c2)
        return Range((self, top, left, bottom - top + 1, right - left + 1))

    @property
    def cells(self) -> Range:
        return Range((self, 1, 1, 1048576, 16384))

    def activate(self) -> None:
        self.app.check_mutable("activate a sheet")
        if not self.state.visible:
            raise self.app.refuse(f"'{self.state.name}' is hidden: a hidden sheet cannot be activated")
        self.book_impl.active_sheet = self.state

    def select(self) -> None:
        self.activate()

    def clear_contents(self) -> None:
        self.writable("clear a sheet")
        for c in self.state.cells.values():
            c.value, c.formula = None, None

    def clear_formats(self) -> None:
        self.writable("clear formats")
        for c in self.state.cells.values():
            c.number_format, c.bold = "General", False

    def clear(self) -> None:
        self.writable("clear a sheet")
        self.state.cells.clear()

    def autofit(self, axis: str | None = None) -> None:
        self.app.check_mutable("autofit columns")

    def delete(self) -> None:
        app = self.app
        app.check_mutable("delete a sheet")
        if app.display_alerts_value:
            raise app.refuse(
                f"deleting '{self.state.name}' with alerts on: Excel asks 'Microsoft Excel will permanently "
                "delete this sheet' and the macro waits for the analyst"
            )
        visible = [s for s in self.book_impl.sheet_states if s.visible]
        if visible == [self.state]:
            raise app.refuse("A workbook must contain at least one visible worksheet")
        self.book_impl.sheet_states.remove(self.state)
        self.book_impl.name_states = [n for n in self.book_impl.name_states if n.scope != self.state.name]
        if self.book_impl.active_sheet is self.state:
            self.book_impl.active_sheet = next(s for s in self.book_impl.sheet_states if s.visible)

    def copy(self, before: Any, after: Any) -> None:
        raise NotImplementedError

    @property
    def used_range(self) -> Range:
        used = [k for k, c in self.state.cells.items() if not c.empty or c.number_format != "General"]
        if not used:
            return Range((self, 1, 1, 1, 1))
        rows = [r for r, _ in used]
        cols = [c for _, c in used]
        return Range((self, min(rows), min(cols), max(rows) - min(rows) + 1, max(cols) - min(cols) + 1))

    @property
    def visible(self) -> bool:
        return self.state.visible

    @visible.setter
    def visible(self, value: bool) -> None:
        self.app.check_mutable("hide or show a sheet")
        if not value and [s for s in self.book_impl.sheet_states if s.visible] == [self.state]:
            raise self.app.refuse("A workbook must contain at least one visible worksheet")
        self.state.visible = bool(value)


def _corners(arg: Any) -> tuple[int, int, int, int]:
    if isinstance(arg, Range):
        return arg.row, arg.column, arg.row + arg.shape[0] - 1, arg.column + arg.shape[1] - 1
    if isinstance(arg, str):
        return parse_address(arg)
    r, c = arg
    return int(r), int(c), int(r), int(c)


def parse_address(address: str) -> tuple[int, int, int, int]:
    m = _REF.match(address.strip().replace("$", "$"))
    if m is None:
        raise ExcelRuleError(f"not a range address: {address!r}")
    r1, c1 = int(m.group(6)), col_index(m.group(4))
    r2 = int(m.group(10)) if m.group(10) else r1
    c2 = col_index(m.group(8)) if m.group(8) else c1
    return r1, c1, r2, c2


class Font:
    def __init__(self, rng: Range) -> None:
        self.rng = rng

    @property
    def api(self) -> Api:
        return Api(self.rng.sheet_impl.app, "Font", self)

    @property
    def bold(self) -> bool | None:
        flags = {c.bold for c in self.rng.cell_data()}
        return flags.pop() if len(flags) == 1 else None

    @bold.setter
    def bold(self, value: bool) -> None:
        self.rng.sheet_impl.writable("format cells")
        for c in self.rng.cell_data(create=True):
            c.bold = bool(value)

    @property
    def italic(self) -> bool:
        return False

    @property
    def size(self) -> float:
        return 11.0

    @property
    def color(self) -> tuple[int, int, int]:
        return (0, 0, 0)

    @property
    def name(self) -> str:
        return "Calibri"


class Range(base_classes.Range):
    """A rectangle of a sheet: (sheet, row, column, rows, columns), 1-based."""

    def __init__(self, xl: Any) -> None:
        if isinstance(xl, Range):  # xlwings wrapping a COM range it was handed (Application.Caller, args)
            xl = xl.coords
        self.sheet_impl: Sheet = xl[0]
        self.coords_value: tuple[Sheet, int, int, int, int] = xl

    @property
    def coords(self) -> tuple[Sheet, int, int, int, int]:
        return self.coords_value

    @property
    def api(self) -> Api:
        return Api(self.sheet_impl.app, "Range", self)

    @property
    def sheet(self) -> Sheet:
        return self.sheet_impl

    def __len__(self) -> int:
        return self.shape[0] * self.shape[1]

    @property
    def row(self) -> int:
        return self.coords_value[1]

    @property
    def column(self) -> int:
        return self.coords_value[2]

    @property
    def shape(self) -> tuple[int, int]:
        return self.coords_value[3], self.coords_value[4]

    @property
    def max_cells_per_read(self) -> int | None:
        return None

    @property
    def max_cells_per_write(self) -> int | None:
        return None

    def positions(self) -> Iterator[tuple[int, int]]:
        _, r, c, nr, nc = self.coords_value
        for i in range(r, r + nr):
            for j in range(c, c + nc):
                yield i, j

    def cell_data(self, create: bool = False) -> list[CellData]:
        cells = self.sheet_impl.state.cells
        if create:
            return [self.sheet_impl.state.cell(r, c) for r, c in self.positions()]
        return [cells.get(p) or CellData() for p in self.positions()]

    def _grid(self, pick: Callable[[CellData], Any]) -> Any:
        _, r, c, nr, nc = self.coords_value
        cells = self.sheet_impl.state.cells
        rows = tuple(
            tuple(pick(cells.get((i, j)) or CellData()) for j in range(c, c + nc)) for i in range(r, r + nr)
        )
        return rows[0][0] if nr == 1 and nc == 1 else rows

    @property
    def raw_value(self) -> Any:
        return self._grid(lambda cell: cell.value)

    @raw_value.setter
    def raw_value(self, data: Any) -> None:
        sheet = self.sheet_impl
        sheet.writable("write cells")
        nr, nc = self.shape
        if isinstance(data, list | tuple):
            if len(data) != nr or any(not isinstance(row, list | tuple) or len(row) != nc for row in data):
                shapes = sorted({len(row) if isinstance(row, list | tuple) else 1 for row in data})
                raise sheet.app.refuse(
                    f"'{sheet.name}'!{self.address}: a {nr}x{nc} range cannot take {len(data)} rows of "
                    f"{'/'.join(map(str, shapes))} cells (writes must be rectangular, one block)"
                )
            rows = [list(row) for row in data]
        else:
            rows = [[data] * nc for _ in range(nr)]
        checked = [[self._checked(i, j, v) for j, v in enumerate(row)] for i, row in enumerate(rows)]
        for (i, j), value in zip(self.positions(), (v for row in checked for v in row), strict=True):
            cell = sheet.state.cell(i, j)
            cell.formula = None
            cell.spill_of = None
            cell.value = value
            if isinstance(value, datetime) and cell.number_format == "General":
                cell.number_format = "m/d/yyyy h:mm" if value.time() != datetime.min.time() else "m/d/yyyy"
        sheet.app.cells_changed(sheet.book_impl, sheet.state, list(self.positions()))

    def _checked(self, i: int, j: int, value: Any) -> Any:
        sheet = self.sheet_impl
        r, c = self.row + i, self.column + j
        where = f"'{sheet.name}'!{col_name(c)}{r}"
        if value == "" or value is None:
            return None
        if isinstance(value, bool | float | int | datetime):
            if isinstance(value, float) and not math.isfinite(value):
                raise sheet.app.refuse(f"{where}: {value!r} is not a number Excel can hold")
            return float(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if isinstance(value, str) and value.startswith("'"):
            return value[1:] or None  # Excel's text prefix: the rest is stored as text, unconverted
        if isinstance(value, str):
            fmt = (sheet.state.cells.get((r, c)) or CellData()).number_format
            becomes = excel_would_convert(value)
            if becomes and fmt != "@":
                raise sheet.app.refuse(
                    f"{where}: Excel would turn the text {value!r} into {becomes} (locale-dependent); write "
                    "numbers as numbers with a number format, or format the cell as text"
                )
            if len(value) > 32767:
                raise sheet.app.refuse(f"{where}: text longer than 32,767 characters")
            return value
        raise sheet.app.refuse(
            f"{where}: objects of type {type(value).__name__} cannot be converted to a COM VARIANT"
        )

    def clear_contents(self) -> None:
        self.sheet_impl.writable("clear cells")
        for cell in self.cell_data(create=True):
            cell.value, cell.formula, cell.spill_of = None, None, None

    def clear_formats(self) -> None:
        self.sheet_impl.writable("clear formats")
        for cell in self.cell_data(create=True):
            cell.number_format, cell.bold = "General", False

    def clear(self) -> None:
        self.sheet_impl.writable("clear cells")
        for p in list(self.positions()):
            self.sheet_impl.state.cells.pop(p, None)

    @property
    def formula(self) -> Any:
        return self._grid(
            lambda cell: cell.formula or ("" if cell.value is None else _formula_text(cell.value))
        )

    @formula.setter
    def formula(self, value: Any) -> None:
        sheet = self.sheet_impl
        sheet.writable("enter formulas")
        if self.shape != (1, 1):
            raise sheet.app.refuse("the emulation enters one formula at a time")
        cell = sheet.state.cell(self.row, self.column)
        text = str(value)
        if text.startswith("="):
            cell.formula, cell.value = text, None
            sheet.app.formula_entered(sheet.book_impl, sheet.state, (self.row, self.column))
        else:
            self.raw_value = text

    @property
    def formula2(self) -> Any:
        return self.formula

    @formula2.setter
    def formula2(self, value: Any) -> None:
        self.formula = value

    @property
    def number_format(self) -> str | None:
        formats = {c.number_format for c in self.cell_data()}
        return formats.pop() if len(formats) == 1 else None

    @number_format.setter
    def number_format(self, value: str) -> None:
        self.sheet_impl.writable("format cells")
        for cell in self.cell_data(create=True):
            cell.number_format = value

    @property
    def font(self) -> Font:
        return Font(self)

    def get_address(self, row_absolute: bool, col_absolute: bool, external: bool) -> str:
        _, r, c, nr, nc = self.coords_value
        dr, dc = ("$" if row_absolute else ""), ("$" if col_absolute else "")
        first = f"{dc}{col_name(c)}{dr}{r}"
        last = f"{dc}{col_name(c + nc - 1)}{dr}{r + nr - 1}"
        address = first if (nr, nc) == (1, 1) else f"{first}:{last}"
        if external:
            quoted = self.sheet_impl.name.replace("'", "''")
            return f"[{self.sheet_impl.book_impl.name}]'{quoted}'!{address}"
        return address

    @property
    def address(self) -> str:
        return self.get_address(True, True, False)

    @property
    def current_region(self) -> Range:
        return self

    def end(self, direction: Any) -> Range:
        d = {
            1: "left",
            2: "right",
            3: "up",
            4: "down",
            -4159: "left",
            -4161: "right",
            -4162: "up",
            -4121: "down",
        }
        way = d.get(direction, direction)
        r, c = self.row, self.column
        dr, dc = {"down": (1, 0), "up": (-1, 0), "right": (0, 1), "left": (0, -1)}[way]
        cells = self.sheet_impl.state.cells

        def filled(i: int, j: int) -> bool:
            found = cells.get((i, j))
            return found is not None and not found.empty

        if filled(r + dr, c + dc):
            while r + dr >= 1 and c + dc >= 1 and filled(r + dr, c + dc):
                r, c = r + dr, c + dc
        else:
            r, c = r + dr, c + dc
            while 1 <= r <= 1048576 and 1 <= c <= 16384 and not filled(r, c):
                if r + dr < 1 or c + dc < 1 or r + dr > 1048576 or c + dc > 16384:
                    break
                r, c = r + dr, c + dc
        return Range((self.sheet_impl, max(r, 1), max(c, 1), 1, 1))

    @property
    def column_width(self) -> float:
        return self.sheet_impl.state.column_widths.get(self.column, 8.43)

    @column_width.setter
    def column_width(self, value: float) -> None:
        self.sheet_impl.app.check_mutable("set column widths")
        for j in range(self.column, self.column + self.shape[1]):
            self.sheet_impl.state.column_widths[j] = float(value)

    def autofit(self, axis: str | None = None) -> None:
        self.sheet_impl.app.check_mutable("autofit columns")

    @property
    def merge_cells(self) -> bool:
        return False

    @property
    def has_array(self) -> bool:
        return False

    def __call__(self, *args: Any) -> Range:
        """``Range.Item``: (row, column) from the top-left cell, or the n-th cell row by row (1-based)."""
        if len(args) == 2:
            return Range((self.sheet_impl, self.row + args[0] - 1, self.column + args[1] - 1, 1, 1))
        i, j = divmod(args[0] - 1, self.shape[1])
        return Range((self.sheet_impl, self.row + i, self.column + j, 1, 1))

    @property
    def name(self) -> Name | None:
        return None

    @name.setter
    def name(self, value: str) -> None:
        raise ExcelRuleError("the emulation does not name ranges from Range.name; use Book.names.add")


def _formula_text(value: Any) -> str:
    """``Range.Formula`` of a constant cell: its text, as COM returns it."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int) and value in ERROR_TEXT:
        return ERROR_TEXT[value]
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return f"{value.month}/{value.day}/{value.year}"
    return str(value)


class Names(base_classes.Names):
    """Defined names: every name of the book (``book.names``) or one sheet's scope (``sheet.names``)."""

    def __init__(self, book: Book, scope: str | None) -> None:
        self.book = book
        self.scope = scope

    def _states(self) -> list[NameState]:
        if self.scope is None:
            return list(self.book.name_states)
        return [n for n in self.book.name_states if n.scope == self.scope]

    @property
    def api(self) -> Api:
        return Api(self.book.app_impl, "Names", self)

    def __call__(self, name_or_index: int | str) -> Name:
        states = self._states()
        if isinstance(name_or_index, int):
            return Name(self.book, states[name_or_index - 1])
        for n in states:
            if (
                Name(self.book, n).name.lower() == str(name_or_index).lower()
                or n.name.lower() == str(name_or_index).lower()
            ):
                return Name(self.book, n)
        raise KeyError(name_or_index)

    def contains(self, name_or_index: int | str) -> bool:
        try:
            self(name_or_index)
        except (KeyError, IndexError):
            return False
        return True

    def __len__(self) -> int:
        return len(self._states())

    def __iter__(self) -> Iterator[Name]:
        return iter([Name(self.book, n) for n in self._states()])

    def add(self, name: str, refers_to: str) -> Name:
        app = self.book.app_impl
        app.check_mutable("add a name")
        check_reference(app, refers_to)
        for n in self.book.name_states:
            if n.name.lower() == name.lower() and n.scope == self.scope:
                n.refers_to = refers_to
                return Name(self.book, n)
        state = NameState(name, refers_to, self.scope)
        self.book.name_states.append(state)
        return Name(self.book, state)


def check_reference(app: App, refers_to: str) -> None:
    """A name's reference must be ``=`` then absolute cells (``'Sheet'!$A$1:$B$2``)."""
    if not refers_to.startswith("="):
        raise app.refuse(f"a name's reference starts with '=': {refers_to!r}")
    m = _REF.match(refers_to[1:])
    if m is None:
        raise app.refuse(f"not a cell reference: {refers_to!r}")
    anchors = [m.group(3), m.group(5)] + ([m.group(7), m.group(9)] if m.group(8) else [])
    if not all(anchors):
        raise app.refuse(
            f"{refers_to!r} is relative: Excel reads a relative reference in a name from the active cell "
            "(use $ on every row and column)"
        )


class Name(base_classes.Name):
    def __init__(self, book: Book, state: NameState) -> None:
        self.book = book
        self.state = state

    @property
    def api(self) -> Api:
        return Api(self.book.app_impl, "Name", self)

    def delete(self) -> None:
        self.book.app_impl.check_mutable("delete a name")
        self.book.name_states.remove(self.state)

    @property
    def name(self) -> str:
        if self.state.scope is None:
            return self.state.name
        scope = self.state.scope
        quoted = f"'{scope.replace(chr(39), chr(39) * 2)}'" if re.search(r"[^A-Za-z0-9_]", scope) else scope
        return f"{quoted}!{self.state.name}"

    @name.setter
    def name(self, value: str) -> None:
        self.book.app_impl.check_mutable("rename a name")
        self.state.name = value

    @property
    def refers_to(self) -> str:
        return self.state.refers_to

    @refers_to.setter
    def refers_to(self, value: str) -> None:
        app = self.book.app_impl
        app.check_mutable("change a name")
        check_reference(app, value)
        self.state.refers_to = value

    @property
    def refers_to_range(self) -> Range:
        m = _REF.match(self.state.refers_to[1:])
        assert m is not None
        sheet_name = (m.group(1) or "").replace("''", "'") or m.group(2)
        sheet = Sheet(self.book, self.book.state(sheet_name))
        return sheet.range(self.state.refers_to[1:].rpartition("!")[2])


# -- the module xlwings reaches for as ``xlwings._xlwindows`` ------------------------------------------

ENGINE = Engine()
BOOK_CALLER: Any = None
N_COM_ATTEMPTS = 0


def is_range_instance(xl_range: Any) -> bool:
    """``udfs.call_udf``: is this UDF argument a Range (a reference) rather than a value?"""
    return isinstance(xl_range, Range)


# xlwings' main.App reads ``app.impl.engine`` for conversions: the emulated App has the attribute directly.
