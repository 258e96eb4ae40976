"""The VBA side of the emulated Excel: the built workbook's own macros, UDF wrappers and ``xlwings.conf``.

Everything here is read from the **built** ``.xlsm`` (its VBA project through olevba), never from the text
sources in ``workbook/vba``:

* :meth:`VbaProject.macros` — each button macro of ``clo_xl_macros``, its ``RunPython`` command string and
  whether an error handler guards it;
* :meth:`VbaProject.udf_wrappers` — each ``Function CLO_…`` of ``xlwings_udfs``: the Python module and
  function it calls and its argument list;
* :func:`get_config` — ``xlwings.bas``'s ``GetConfigFromSheet``: a key present on the ``xlwings.conf``
  sheet counts as set even when its value is blank.

:class:`EmulatedExcel` installs :mod:`tests.excel.emulated_excel` as xlwings' ``"excel"`` engine and as
``xlwings._xlwindows``, imports ``xlwings.udfs`` (with stand-ins for the pywin32 modules it imports) and
re-imports the UDF module under xlwings' real decorators. Then:

* :meth:`EmulatedExcel.press` runs a button the way ``RunPython`` does with "Use UDF Server" on
  (``xlwings._xlwindows.BOOK_CALLER = ThisWorkbook`` then the command string in the UDF server process),
  or off (a fresh ``sys.argv`` with ``--wb``/``--from_xl=1``/``--hwnd`` for ``Book.caller()``);
* the calculator evaluates each cell formula that is one ``CLO_`` call through the real
  ``xlwings.udfs.call_udf``, with the arguments the VBA wrapper hands over (literals as values, references
  as Range objects, an omitted optional argument as VBA's ``Missing``, ``Application.Caller`` as the
  calling cell), inside the application's calculating mode; an array result spills as a native dynamic
  array (``#SPILL!`` when a neighbouring cell is in the way).
"""

from __future__ import annotations

import contextlib
import importlib
import re
import sys
import types
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import xlwings as xw
from oletools.olevba import VBA_Parser
from tests.excel import emulated_excel as emu

UDF_MODULE = "clo_xl.excel.udfs"
_SUB = re.compile(r"^Public Sub (\w+)\(\)\s*\n(.*?)^End Sub", re.M | re.S)
_RUN_PYTHON = re.compile(r'RunPython\s+"((?:[^"]|"")*)"')
_FUNCTION = re.compile(r"^Function (CLO_\w+)\(([^)]*)\)(.*?)^End Function", re.M | re.S)
_CALL_UDF = re.compile(
    r'XLPy\.CallUDF\("([^"]+)", "([^"]+)", Array\(([^)]*)\), ThisWorkbook, Application\.Caller\)'
)
_CALL = re.compile(r"^=\s*(CLO_\w+)\((.*)\)\s*$", re.S)


@dataclass(frozen=True)
class Macro:
    name: str
    command: str  # the RunPython string, VBA quotes undone
    guarded: bool  # an On Error handler is active when RunPython runs (a start-up failure → message box)


@dataclass(frozen=True)
class UdfWrapper:
    name: str
    module: str
    function: str
    arguments: tuple[str, ...]  # as in the VBA signature
    optional: frozenset[str]
    passes_caller: bool  # the Array(...) ends with Nothing for xlwings to fill with the caller


@dataclass
class VbaProject:
    modules: dict[str, str]

    @classmethod
    def from_workbook(cls, path: Path) -> VbaProject:
        parser = VBA_Parser(str(path))
        try:
            if not parser.detect_vba_macros():
                return cls({})  # a macro-free workbook
            return cls({Path(name).stem: code for _, _, name, code in parser.extract_macros()})
        finally:
            parser.close()

    def macros(self) -> dict[str, Macro]:
        out: dict[str, Macro] = {}
        for name, body in _SUB.findall(self.modules.get("clo_xl_macros", "")):
            calls = _RUN_PYTHON.findall(body)
            if len(calls) != 1:
                continue
            before = body[: body.index("RunPython")]
            guarded = re.search(r"^\s*On Error GoTo \w+", before, re.M) is not None
            out[name] = Macro(name, calls[0].replace('""', '"'), guarded)
        return out

    def udf_wrappers(self) -> dict[str, UdfWrapper]:
        out: dict[str, UdfWrapper] = {}
        for name, signature, body in _FUNCTION.findall(self.modules.get("xlwings_udfs", "")):
            call = _CALL_UDF.search(body)
            if call is None:
                continue
            parts = [a.strip() for a in signature.split(",") if a.strip()]
            args = tuple(a.removeprefix("Optional ").strip() for a in parts)
            optional = frozenset(
                a.removeprefix("Optional ").strip() for a in parts if a.startswith("Optional")
            )
            passed = [a.strip() for a in call.group(3).split(",")]
            out[name] = UdfWrapper(
                name, call.group(1), call.group(2), args, optional, passed[-1] == "Nothing"
            )
        return out


def get_config(book: emu.Book) -> dict[str, Any]:
    """``GetConfigFromSheet``: upper-cased keys from A1 down to the last contiguous key, values from B."""
    try:
        sheet = book.state("xlwings.conf")
    except KeyError:
        return {}
    out: dict[str, Any] = {}
    r = 1
    while (cell := sheet.cells.get((r, 1))) is not None and not cell.empty:
        key = str(cell.value).upper()
        if key in out:
            raise emu.ExcelRuleError(f"xlwings.conf: duplicate key {key} (Scripting.Dictionary.Add fails)")
        value = sheet.cells.get((r, 2))
        out[key] = "" if value is None or value.value is None else value.value
        r += 1
    return out


# -- formulas ---------------------------------------------------------------------------------------------


def split_arguments(text: str) -> list[str]:
    args: list[str] = []
    current: list[str] = []
    depth, quoted = 0, False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        elif not quoted and ch == "," and depth == 0:
            args.append("".join(current).strip())
            current = []
            i += 1
            continue
        current.append(ch)
        i += 1
    args.append("".join(current).strip())
    return [] if args == [""] else args


@dataclass
class Formula:
    function: str
    arguments: list[str]
    references: list[tuple[str, int, int, int, int]] = field(default_factory=list)  # sheet, r1, c1, r2, c2


def parse_formula(text: str, own_sheet: str) -> Formula | None:
    m = _CALL.match(text)
    if m is None:
        return None
    args = split_arguments(m.group(2))
    refs = []
    for a in args:
        ref = emu._REF.match(a)
        if ref is not None and not a.startswith('"'):
            sheet = (ref.group(1) or "").replace("''", "'") or ref.group(2) or own_sheet
            r1, c1, r2, c2 = emu.parse_address(a.rpartition("!")[2])
            refs.append((sheet, r1, c1, r2, c2))
    return Formula(m.group(1).upper(), args, refs)


class UdfCalculator:
    """Evaluates ``=CLO_…(...)`` cells through the real ``xlwings.udfs.call_udf``, as Excel with the
    xlwings add-in does: the VBA wrapper's arguments, the caller range, calculating mode, native spill."""

    def __init__(self, wrappers: dict[str, UdfWrapper], udfs_module: types.ModuleType) -> None:
        self.wrappers = wrappers
        self.udfs = udfs_module
        self.dirty: set[tuple[int, str, int, int]] = set()
        self.evaluations: list[tuple[str, str]] = []  # (cell, function)

    # -- Calculator protocol ---------------------------------------------------------------------------
    def calculate(self, book: emu.Book, *, full: bool) -> None:
        for sheet in list(book.sheet_states):
            for (r, c), cell in sorted(sheet.cells.items()):
                if cell.formula and (full or (id(book), sheet.name, r, c) in self.dirty):
                    self.evaluate(book, sheet, (r, c))

    def cells_changed(
        self, book: emu.Book, sheet: emu.SheetState, positions: Sequence[tuple[int, int]]
    ) -> None:
        changed = set(positions)
        for other in book.sheet_states:
            for (r, c), cell in list(other.cells.items()):
                formula = parse_formula(cell.formula, other.name) if cell.formula else None
                if formula is None:
                    continue
                for name, r1, c1, r2, c2 in formula.references:
                    if name.lower() == sheet.name.lower() and any(
                        r1 <= i <= r2 and c1 <= j <= c2 for i, j in changed
                    ):
                        self.dirty.add((id(book), other.name, r, c))
                        if book.app_impl.automatic:
                            self.evaluate(book, other, (r, c))
                        break

    def formula_entered(self, book: emu.Book, sheet: emu.SheetState, position: tuple[int, int]) -> None:
        self.dirty.add((id(book), sheet.name, *position))
        if book.app_impl.automatic:
            self.evaluate(book, sheet, position)

    # -- evaluation -------------------------------------------------------------------------------------
    def evaluate(self, book: emu.Book, sheet: emu.SheetState, position: tuple[int, int]) -> None:
        self.dirty.discard((id(book), sheet.name, *position))
        cell = sheet.cells[position]
        formula = parse_formula(cell.formula or "", sheet.name)
        if formula is None:
            return  # not a CLO_ call: the cached value stays (Excel would compute it)
        app = book.app_impl
        self.evaluations.append(
            (f"'{sheet.name}'!{emu.col_name(position[1])}{position[0]}", formula.function)
        )
        wrapper = self.wrappers.get(formula.function)
        if wrapper is None:
            self._store(book, sheet, position, emu.ERRORS["#NAME?"])
            return
        caller = emu.Range((emu.Sheet(book, sheet), position[0], position[1], 1, 1))
        with app.calculating():
            try:
                args = self._arguments(book, sheet, wrapper, formula)
                result = self._call(book, wrapper, args, caller)
            except Exception as exc:  # the wrapper's "failed: CLO_X = Err.Description"
                result = f"{type(exc).__name__}: {exc}"
        self._store(book, sheet, position, result)

    def _arguments(
        self, book: emu.Book, sheet: emu.SheetState, wrapper: UdfWrapper, formula: Formula
    ) -> list[Any]:
        if len(formula.arguments) > len(wrapper.arguments):
            raise emu.ExcelRuleError(f"{formula.function}: too many arguments (#VALUE!)")
        values: list[Any] = []
        for i, name in enumerate(wrapper.arguments):
            text = formula.arguments[i] if i < len(formula.arguments) else ""
            if text == "":
                if name not in wrapper.optional:
                    raise emu.ExcelRuleError(f"{formula.function}: argument {name} is required")
                values.append(emu.MISSING)
            else:
                values.append(self._literal(book, sheet, text))
        if wrapper.passes_caller:
            values.append(None)  # VBA's Nothing: xlwings puts the caller range there
        return values

    def _literal(self, book: emu.Book, sheet: emu.SheetState, text: str) -> Any:
        if text.startswith('"') and text.endswith('"'):
            return text[1:-1].replace('""', '"')
        if text.upper() in ("TRUE", "FALSE"):
            return text.upper() == "TRUE"
        with contextlib.suppress(ValueError):
            return float(text)
        ref = emu._REF.match(text)
        if ref is None:
            raise emu.ExcelRuleError(f"cannot evaluate the argument {text!r} (#VALUE!)")
        name = (ref.group(1) or "").replace("''", "'") or ref.group(2) or sheet.name
        target = emu.Sheet(book, book.state(name))
        return target.range(text.rpartition("!")[2])

    def _call(self, book: emu.Book, wrapper: UdfWrapper, args: list[Any], caller: emu.Range) -> Any:
        module = importlib.import_module(wrapper.module)
        func = getattr(module, wrapper.function)
        info = getattr(func, "__xlfunc__", None)
        if info is None:
            raise emu.ExcelRuleError(f"{wrapper.function} is not an xlwings UDF (no @xw.func)")
        if info["ret"]["options"].get("expand"):
            raise book.app_impl.refuse(
                f"{wrapper.function}: @xw.ret(expand=...) is xlwings' legacy dynamic-array emulation; in "
                "Excel 365 it rewrites the native spill as a CSE array formula over neighbouring cells"
            )
        return self.udfs.call_udf(wrapper.module, wrapper.function, args, book, caller)

    def _store(self, book: emu.Book, sheet: emu.SheetState, anchor: tuple[int, int], result: Any) -> None:
        """Write a result as Excel does: one value, or a native dynamic array spilling from the anchor."""
        for cell in list(sheet.cells.values()):
            if cell.spill_of == anchor:
                cell.value, cell.spill_of = None, None
        rows = result if isinstance(result, list | tuple) else [[result]]
        rows = [list(r) if isinstance(r, list | tuple) else [r] for r in rows] or [[None]]
        height, width = len(rows), max(len(r) for r in rows)
        r0, c0 = anchor
        blocked = any(
            not (cell := sheet.cells.get((r0 + i, c0 + j), emu.CellData())).empty and cell.spill_of != anchor
            for i in range(height)
            for j in range(width)
            if (i, j) != (0, 0)
        )
        if blocked:
            sheet.cells[anchor].value = emu.ERRORS["#SPILL!"]
            return
        for i, row in enumerate(rows):
            for j in range(width):
                value = _cell_result(row[j] if j < len(row) else None)
                target = sheet.cell(r0 + i, c0 + j)
                target.value = value
                if (i, j) != (0, 0):
                    target.spill_of = anchor


def _cell_result(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, bool | datetime):
        return value
    if isinstance(value, str):
        return str(value)  # COM carries the text of a str subclass (an enum's value)
    if isinstance(value, int | float):
        return float(value)
    return emu.ERRORS["#VALUE!"]  # not a COM VARIANT


# -- installing the emulation into xlwings ----------------------------------------------------------------


def _pywin32_stand_ins() -> dict[str, types.ModuleType]:
    """The pywin32 names ``xlwings.udfs`` imports; COM marshalling of a Range is the identity here."""
    pythoncom = types.ModuleType("pythoncom")
    pythoncom.CoInitialize = lambda: None  # type: ignore[attr-defined]
    pythoncom.IID_IDispatch = "IID_IDispatch"  # type: ignore[attr-defined]
    pythoncom.CoMarshalInterThreadInterfaceInStream = lambda iid, obj: obj  # type: ignore[attr-defined]
    pythoncom.CoGetInterfaceAndReleaseStream = lambda stream, iid: stream  # type: ignore[attr-defined]
    pywintypes = types.ModuleType("pywintypes")
    pywintypes.com_error = type("com_error", (Exception,), {})  # type: ignore[attr-defined]
    pywintypes.IID = lambda text: text  # type: ignore[attr-defined]
    pywintypes.TimeType = datetime  # type: ignore[attr-defined]
    win32com = types.ModuleType("win32com")
    client = types.ModuleType("win32com.client")
    client.Dispatch = lambda obj, resultCLSID=None: obj  # type: ignore[attr-defined]
    win32com.client = client  # type: ignore[attr-defined]
    com_server = types.ModuleType("xlwings.com_server")
    com_server.loop = None  # type: ignore[attr-defined]  # only async UDFs use the server's event loop
    return {
        "pythoncom": pythoncom,
        "pywintypes": pywintypes,
        "win32com": win32com,
        "win32com.client": client,
        "xlwings.com_server": com_server,
        "xlwings._xlwindows": emu,  # type: ignore[dict-item]
    }


class EmulatedExcel:
    """xlwings over the emulated Excel; use as a context manager (it restores xlwings afterwards)."""

    def __init__(self, *, platform: str = "windows") -> None:
        self.platform = platform
        self.app = emu.App(emu.ENGINE, platform=platform)
        self.projects: dict[str, VbaProject] = {}
        self._saved_modules: dict[str, Any] = {}
        self._saved_attrs: dict[str, Any] = {}
        self._saved_active: Any = None
        self.udfs: types.ModuleType | None = None
        self.calculator: UdfCalculator | None = None

    # -- install / uninstall ------------------------------------------------------------------------
    def __enter__(self) -> EmulatedExcel:
        stand_ins = _pywin32_stand_ins()
        names = [*stand_ins, "xlwings.udfs", UDF_MODULE]
        self._saved_modules = {k: sys.modules.get(k) for k in names}
        self._saved_attrs = {
            k: getattr(xw, k, None) for k in ("func", "arg", "ret", "sub", "script", "_xlwindows")
        }
        self._saved_active = xw.engines.active
        sys.modules.update(stand_ins)
        xw._xlwindows = emu  # type: ignore[attr-defined]
        if "excel" not in xw.engines.engines_by_name:
            xw.engines.add(xw.main.Engine(impl=emu.ENGINE))
        xw.engines.active = xw.engines["excel"]  # type: ignore[assignment]
        sys.modules.pop("xlwings.udfs", None)
        udfs = importlib.import_module("xlwings.udfs")
        udfs.udf_modules.clear()
        udfs.cache.clear()
        xw.func, xw.arg, xw.ret = udfs.xlfunc, udfs.xlarg, udfs.xlret  # type: ignore[assignment]
        xw.sub = xw.script = udfs.xlsub  # type: ignore[assignment]
        sys.modules.pop(UDF_MODULE, None)  # re-imported under the real decorators by call_udf
        self.udfs = udfs
        return self

    def __exit__(self, *exc: object) -> None:
        for book in list(self.app.books_list):
            book.close()
        if self.app in emu.ENGINE.apps_list:
            emu.ENGINE.apps_list.remove(self.app)
        emu.BOOK_CALLER = None
        for name, module in self._saved_modules.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
        for name, value in self._saved_attrs.items():
            if value is None:
                if hasattr(xw, name):
                    delattr(xw, name)
            else:
                setattr(xw, name, value)
        xw.engines.active = self._saved_active
        if hasattr(xw.Book, "_mock_caller"):
            del xw.Book._mock_caller

    # -- workbooks ------------------------------------------------------------------------------------
    def open(self, path: Path) -> xw.Book:
        """Open ``path`` in the emulated Excel; its VBA project becomes the calculator's wrappers."""
        project = VbaProject.from_workbook(path)
        self.projects[path.name.lower()] = project
        book = emu.Book(app=self.app, path=path)
        assert self.udfs is not None, "use EmulatedExcel as a context manager"
        self.calculator = UdfCalculator(project.udf_wrappers(), self.udfs)
        self.app.calculator = self.calculator
        return xw.Book(impl=book)

    def project(self, book: xw.Book) -> VbaProject:
        return self.projects[book.name.lower()]

    def press(self, book: xw.Book, macro: str) -> None:
        """Run a button's macro: its ``RunPython`` string read from the workbook's VBA, as xlwings runs it."""
        found = self.project(book).macros().get(macro)
        if found is None:
            raise AssertionError(f"no RunPython macro {macro} in {book.name}")
        config = get_config(book.impl)
        if str(config.get("USE UDF SERVER", "False")).strip().lower() == "true":
            emu.BOOK_CALLER = (
                book.impl
            )  # XLPy.SetAttr XLPy.Module("xlwings._xlwindows"), "BOOK_CALLER", ThisWorkbook
            try:
                exec(found.command, {"__name__": "__xlwings_runpython__"})
            finally:
                emu.BOOK_CALLER = None
            return
        saved = sys.argv
        sys.argv = ["python", f"--wb={book.name}", "--from_xl=1", f"--hwnd={self.app.hwnd}"]
        try:
            exec(found.command, {"__name__": "__xlwings_runpython__"})
        finally:
            sys.argv = saved

    def calculate_full(self) -> None:
        """Ctrl+Alt+F9."""
        self.app.recalculate(full=True)


@contextlib.contextmanager
def emulated_excel(platform: str = "windows") -> Iterator[EmulatedExcel]:
    with EmulatedExcel(platform=platform) as excel:
        yield excel
