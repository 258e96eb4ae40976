"""Generate the ``xlwings_udfs`` VBA module headless, with xlwings' own generator.

On Windows, Excel's xlwings ribbon "Import Functions" imports the UDF module and writes one VBA wrapper
per ``@xw.func``. Here the same code (``xlwings.udfs.import_udfs``) runs without Excel: stand-in modules
for ``pythoncom``, ``pywintypes`` and ``win32com.client`` let ``xlwings.udfs`` import, ``xw.func/arg/ret``
are re-bound to the real decorators before the UDF module is (re)imported, and a fake workbook captures
the ``.bas`` file xlwings would have imported into the VBA project. The text is the golden file
``workbook/vba/xlwings_udfs.bas`` (regenerate with ``python workbook/vba_project.py --regenerate-udfs``).

The function-wizard descriptions (``Application.MacroOptions``) can only be applied inside Excel; the
project's macro module registers them when the workbook opens (see ``workbook/vba/clo_xl_macros.bas``).
"""

from __future__ import annotations

import importlib
import io
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

UDF_MODULE = "clo_xl.excel.udfs"


class _ComError(Exception):
    pass


class _FakeComponents:
    def __init__(self, sink: dict[str, str]) -> None:
        self.sink = sink

    def __call__(self, name: str) -> str:
        raise _ComError(name)  # "no module named xlwings_udfs yet"

    def Remove(self, component: object) -> None:
        pass

    def Import(self, path: str) -> None:
        self.sink["bas"] = Path(path).read_text(encoding="utf-8")


class _FakeApplication:
    Version = "16.0"

    def MacroOptions(self, *args: object, **kwargs: object) -> None:
        pass


class _FakeBook:
    """Just enough of an Excel COM workbook for ``import_udfs``."""

    Name = "TradeHypo.xlsm"

    def __init__(self, sink: dict[str, str]) -> None:
        self.VBProject = types.SimpleNamespace(VBComponents=_FakeComponents(sink))
        self.Application = _FakeApplication()


@contextmanager
def _windows_stand_ins() -> Iterator[Any]:
    """Import ``xlwings.udfs`` with stand-ins for the Windows-only modules, then restore ``sys.modules``."""
    import xlwings as xw

    saved_modules = {
        k: sys.modules.get(k) for k in ("pythoncom", "pywintypes", "win32com", "win32com.client")
    }
    saved_decorators = {k: getattr(xw, k) for k in ("func", "arg", "ret", "sub", "script")}
    pythoncom = types.ModuleType("pythoncom")
    pythoncom.CoInitialize = lambda: None  # type: ignore[attr-defined]
    pywintypes = types.ModuleType("pywintypes")
    pywintypes.com_error = _ComError  # type: ignore[attr-defined]
    win32com = types.ModuleType("win32com")
    client = types.ModuleType("win32com.client")
    client.Dispatch = lambda *a, **k: None  # type: ignore[attr-defined]
    win32com.client = client  # type: ignore[attr-defined]
    sys.modules.update(
        {"pythoncom": pythoncom, "pywintypes": pywintypes, "win32com": win32com, "win32com.client": client}
    )
    try:
        udfs = importlib.import_module("xlwings.udfs")
        xw.func, xw.arg, xw.ret = udfs.xlfunc, udfs.xlarg, udfs.xlret
        xw.sub = xw.script = udfs.xlsub
        yield udfs
    finally:
        for name, module in saved_modules.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
        sys.modules.pop("xlwings.udfs", None)
        for name, value in saved_decorators.items():
            setattr(xw, name, value)


@dataclass(frozen=True)
class UdfMeta:
    """What the function wizard shows for one UDF: description, category and argument help."""

    name: str
    description: str
    category: str
    args: tuple[tuple[str, str], ...]  # (name, help) of the arguments Excel sees


def generate(module_name: str = UDF_MODULE) -> tuple[str, list[UdfMeta]]:
    """The ``xlwings_udfs`` module text xlwings' "Import Functions" would create, and the wizard help.

    The UDF module is imported afresh under the real decorators and removed from ``sys.modules``
    afterwards, so the ordinary (no-op decorated) module is what the rest of the process keeps using.
    """
    sink: dict[str, str] = {}
    saved = sys.modules.pop(module_name, None)
    try:
        with _windows_stand_ins() as udfs:
            udfs.udf_modules.clear()
            module = importlib.import_module(module_name)
            udfs.udf_modules[module_name] = {"filename": module.__file__, "filetime": None, "module": module}
            with redirect_stdout(io.StringIO()):  # xlwings prints "Imported functions from ..."
                udfs.import_udfs(module_name, _FakeBook(sink))
            meta = [_meta(getattr(module, n).__xlfunc__) for n in sorted(dir(module)) if _is_udf(module, n)]
    finally:
        sys.modules.pop(module_name, None)
        if saved is not None:
            sys.modules[module_name] = saved
    if "bas" not in sink:
        raise RuntimeError("xlwings did not produce an xlwings_udfs module")
    return sink["bas"], meta


def _is_udf(module: types.ModuleType, name: str) -> bool:
    return hasattr(getattr(module, name), "__xlfunc__")


def _meta(xlfunc: dict[str, Any]) -> UdfMeta:
    doc = " ".join(str(xlfunc["ret"]["doc"]).split())
    args = tuple((a["name"], " ".join(str(a["doc"]).split())) for a in xlfunc["args"] if not a["vba"])
    return UdfMeta(xlfunc["name"], doc, str(xlfunc["category"]), args)


def _vba_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def help_module(meta: list[UdfMeta]) -> str:
    """A VBA module that registers the function-wizard help of every UDF (``Application.MacroOptions``).

    xlwings applies these only when "Import Functions" runs inside Excel; the built workbook calls
    ``RegisterCloXlFunctionHelp`` from ``Auto_Open`` so analysts see the help without importing anything.
    """
    lines = [
        'Attribute VB_Name = "clo_xl_udf_help"',
        "'Autogenerated by workbook/vba_project.py from clo_xl.excel.udfs - changes will be lost.",
        "Option Explicit",
        "",
        "Public Sub RegisterCloXlFunctionHelp()",
        "    On Error Resume Next",
    ]
    for m in meta:
        # one statement per UDF, continued over lines (VBA lines stop at 1,023 characters)
        lines.append(f'    Application.MacroOptions Macro:="\'" & ThisWorkbook.Name & "\'!{m.name}", _')
        lines.append(f"        Description:={_vba_string(m.description[:255])}, _")
        if m.args:
            lines.append(f"        Category:={_vba_string(m.category)}, ArgumentDescriptions:=Array( _")
            docs = [f"            {_vba_string(doc[:255])}" for _, doc in m.args]
            lines.append(", _\n".join(docs) + ")")
        else:
            lines.append(f"        Category:={_vba_string(m.category)}")
    lines += ["    On Error GoTo 0", "End Sub", ""]
    return "\r\n".join(lines).replace("\n", "\r\n").replace("\r\r\n", "\r\n")
