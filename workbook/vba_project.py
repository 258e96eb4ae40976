"""The VBA project of ``TradeHypo.xlsm``, assembled from text, and the Run Model buttons bound to it.

``vba_project_bin(sheet_count)`` returns the ``vbaProject.bin`` that ``workbook/build.py`` hands to
XlsxWriter. It starts from the Office-authored project inside the pinned xlwings package's
``quickstart_standalone.xlsm`` (the standalone ``xlwings`` module, identical to the shipped
``xlwings.bas``, and the ``Dictionary`` class), drops its sample ``Module1``, adds one document module per
sheet (code names ``Sheet1``…``SheetN``, as XlsxWriter names them), and adds the text modules kept in
``workbook/vba/``:

* ``clo_xl_macros.bas``: the project's macros, one ``RunPython`` per button (hand-written);
* ``xlwings_udfs.bas``: the CLO_ wrappers, generated headless by xlwings' own "Import Functions" code
  from ``clo_xl.excel.udfs`` (golden file);
* ``clo_xl_udf_help.bas``: ``Application.MacroOptions`` calls registering the function-wizard help
  (generated from the same docstrings; golden file).

pyopenvba edits the project and zeroes the compiled-code cache, so Excel recompiles from the source text.

Usage::

    python workbook/vba_project.py --regenerate-udfs   # rewrite the two generated golden files
    python workbook/vba_project.py --check             # exit 1 if the golden files are stale
    python workbook/vba_project.py --write-bin out.bin [--sheets 16]
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import xlwings

VBA_DIR = Path(__file__).resolve().parent / "vba"
MACROS_BAS = VBA_DIR / "clo_xl_macros.bas"
UDFS_BAS = VBA_DIR / "xlwings_udfs.bas"
HELP_BAS = VBA_DIR / "clo_xl_udf_help.bas"
TEMPLATE = Path(xlwings.__file__).resolve().parent / "quickstart_standalone.xlsm"

#: the Run Model sheet's document-module base (Excel worksheet) and the template's sample module.
_SHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
_TEMPLATE_SAMPLE_MODULE = "Module1"


@dataclass(frozen=True)
class Button:
    """A form button on ``Run Model`` bound to a macro of ``clo_xl_macros.bas``."""

    cell: str
    macro: str
    caption: str
    width: int = 150
    height: int = 24

    def options(self) -> dict[str, object]:
        """The options dict for XlsxWriter's ``worksheet.insert_button(cell, options)``."""
        return {"macro": self.macro, "caption": self.caption, "width": self.width, "height": self.height}


#: the Run Model buttons, in the order they appear (column P, right of the hypo table J:N).
BUTTONS: tuple[Button, ...] = (
    Button("P8", "RunCompliance", "Run Compliance"),
    Button("P10", "RunHypo", "Run Hypo"),
    Button("P12", "RunRankings", "Run Rankings"),
    Button("P14", "RunRebalancing", "Run Rebalancing"),
    Button("P16", "RunCashFlows", "Run Cash Flows"),
    Button("P18", "RunCreditMigration", "Run Credit Migration"),
    Button("P20", "RunAnalytics", "Run Analytics"),
    Button("P23", "RefreshFromDB", "Refresh from DB"),
    Button("P25", "SaveToDB", "Save to DB"),
    Button("P28", "RunValidate", "Validate"),
    Button("P30", "DeleteOutputTabs", "Delete Output Tabs"),
)

#: the ``xlwings.conf`` sheet (column A key, column B value, from A1). Only keys WITH a value: xlwings treats
#: a key that is present but blank as set (``GetConfigFromSheet``), so a blank ``Interpreter_Win`` or
#: ``PYTHONPATH`` row would override the interpreter the analyst chose on the xlwings ribbon. An analyst who
#: prefers the sheet adds ``Interpreter_Win`` (or ``Interpreter_Mac``) with the full path of their Python.
XLWINGS_CONF: tuple[tuple[str, str], ...] = (
    ("UDF Modules", "clo_xl.excel.udfs"),
    ("Use UDF Server", "True"),
    ("Show Console", "False"),
    ("ADD_WORKBOOK_TO_PYTHONPATH", "False"),
)
if any(not value.strip() for _, value in XLWINGS_CONF):  # pragma: no cover - guarded by the test suite too
    raise AssertionError("xlwings.conf keys must carry a value (a blank key overrides the ribbon)")


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def generated_modules() -> dict[Path, str]:
    """The text of the generated golden files, produced now from ``clo_xl.excel.udfs``."""
    from clo_xl.excel.vba_generation import generate, help_module

    udfs_bas, meta = generate()
    return {
        UDFS_BAS: udfs_bas.replace("\r\n", "\n"),
        HELP_BAS: help_module(meta).replace("\r\n", "\n"),
    }


def regenerate_udfs() -> list[Path]:
    """Rewrite the generated golden files; returns the paths written."""
    written = []
    for path, text in generated_modules().items():
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


def stale_generated_files() -> list[Path]:
    """Golden files whose committed text differs from what generation gives now."""
    return [p for p, text in generated_modules().items() if not p.is_file() or p.read_text("utf-8") != text]


def document_module_names(sheet_count: int) -> list[str]:
    """The sheet code names XlsxWriter writes for a workbook of ``sheet_count`` sheets."""
    return [f"Sheet{i}" for i in range(1, sheet_count + 1)]


def vba_project_bin(sheet_count: int = 16) -> bytes:
    """The ``vbaProject.bin`` for a workbook of ``sheet_count`` worksheets (code names Sheet1…SheetN).

    ``sheet_count`` must be the number of worksheets the built workbook has, so that every sheet's code
    name has its document module, as in a file Excel saved.
    """
    import pyopenvba
    from pyopenvba import VBAModuleKind
    from pyopenvba._new_project import document_header

    with tempfile.TemporaryDirectory(prefix="clo-xl-vba-") as tmp:
        work = Path(tmp) / "project.xlsm"
        shutil.copyfile(TEMPLATE, work)
        with pyopenvba.ExcelFile(work) as book:
            project = book.vba_project()
            present = {name.casefold() for name in project.module_names()}
            wanted = [n for n in document_module_names(sheet_count) if n.casefold() not in present]
            # pyopenvba declares a module "Document=" in the PROJECT stream when its name is a document.
            book._document_names |= {n.casefold() for n in wanted}
            for name in wanted:
                project.add_module(name, document_header(name, _SHEET_BASE), kind=VBAModuleKind.other)
            if _TEMPLATE_SAMPLE_MODULE.casefold() in present:
                project.delete_module(_TEMPLATE_SAMPLE_MODULE)
            for path in (MACROS_BAS, HELP_BAS, UDFS_BAS):
                project.add_module(path.stem, _crlf(path.read_text("utf-8")))
            out = Path(tmp) / "built.xlsm"
            book.save(out)
        with pyopenvba.ExcelFile(out) as built:
            problems = built.validate()
            if problems:
                raise RuntimeError("VBA project failed validation: " + "; ".join(problems))
            return built.vba_project_bytes()


def vba_project_stream(sheet_count: int = 16) -> io.BytesIO:
    """:func:`vba_project_bin` as the stream ``workbook.add_vba_project(..., is_stream=True)`` expects."""
    return io.BytesIO(vba_project_bin(sheet_count))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regenerate-udfs", action="store_true", help="rewrite the generated .bas files")
    parser.add_argument("--check", action="store_true", help="exit 1 if a generated .bas file is stale")
    parser.add_argument("--write-bin", type=Path, help="write vbaProject.bin to this path")
    parser.add_argument("--sheets", type=int, default=16, help="number of worksheets (document modules)")
    args = parser.parse_args(argv)
    if args.regenerate_udfs:
        for path in regenerate_udfs():
            print(f"wrote {path}")
    if args.check:
        stale = stale_generated_files()
        for path in stale:
            print(f"stale: {path} (run python workbook/vba_project.py --regenerate-udfs)", file=sys.stderr)
        if stale:
            return 1
    if args.write_bin:
        args.write_bin.write_bytes(vba_project_bin(args.sheets))
        print(f"wrote {args.write_bin}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
