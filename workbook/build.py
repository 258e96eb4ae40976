"""Build ``workbook/TradeHypo.xlsm`` from the seeded sample data: ``python workbook/build.py [OUT]``.

The sheets come from :func:`workbook.generate_sample.generate` (legacy layout, synthetic data), written
with XlsxWriter in the legacy sheet order, with the legacy named ranges (workbook-level and sheet-scoped on
every ``Mag N Inputs`` sheet) and an ``xlwings.conf`` sheet. When ``workbook/vba_project.py`` is importable
its ``vbaProject.bin`` is embedded and its buttons are placed on ``Run Model``. The legacy-style
``Compliance-<Deal>`` and ``HYPO-<Deal>-Output`` tabs are written for every deal as the legacy VBA wrote
them (``clo_xl.excel.tabs`` with ``legacy=True``). The output is deterministic: same seed, same cells
(document timestamps are fixed).
"""

from __future__ import annotations

import argparse
import importlib
import math
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import python_calamine  # noqa: E402
import xlsxwriter  # noqa: E402
from xlsxwriter.workbook import Workbook  # noqa: E402
from xlsxwriter.worksheet import Worksheet  # noqa: E402

from clo_xl.ingest import layout as L  # noqa: E402
from workbook.generate_sample import N_ASSETS, SEED, SampleBook, SheetData, generate  # noqa: E402

DEFAULT_OUT = ROOT / "workbook" / "TradeHypo.xlsm"
OUTPUT_TAB_COLOR = "#00B050"  # legacy tab colour 5287936 (BGR) = green
FIXED_TIMESTAMP = datetime(2016, 3, 23, 0, 0, 0)
Tabs = list[tuple[str, list[list[object]]]]
DEFAULT_XLWINGS_CONF: tuple[tuple[str, str], ...] = (("UDF Modules", "clo_xl.excel.udfs"),)


def log(msg: str) -> None:
    print(f"build: {msg}", file=sys.stderr)


class Formats:
    def __init__(self, wb: Workbook) -> None:
        self.date = wb.add_format({"num_format": "m/d/yyyy"})
        self.bold = wb.add_format({"bold": True})
        self.bold_date = wb.add_format({"bold": True, "num_format": "m/d/yyyy"})
        self.title = wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 2})
        self._wb = wb
        self._numbers: dict[str, Any] = {}

    def number(self, num_format: str) -> Any:
        if num_format not in self._numbers:
            self._numbers[num_format] = self._wb.add_format({"num_format": num_format})
        return self._numbers[num_format]


def write_value(ws: Worksheet, row: int, col: int, value: object, fmt: Formats, bold: bool = False) -> None:
    """Write one value at 0-based (row, col) with the type the legacy cell would have."""
    style = fmt.bold if bold else None
    if isinstance(value, bool):
        ws.write_boolean(row, col, value, style)
    elif isinstance(value, datetime | date):
        ws.write_datetime(row, col, value, fmt.bold_date if bold else fmt.date)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, style)
    elif value is None:
        return
    else:
        ws.write_string(row, col, str(value), style)


def write_sheet(wb: Workbook, sheet: SheetData, fmt: Formats) -> Worksheet:
    ws = wb.add_worksheet(sheet.name)
    for c in sorted(set(sheet.widths) | set(sheet.col_formats)):
        num = sheet.col_formats.get(c)
        ws.set_column(c - 1, c - 1, sheet.widths.get(c, 8.43), fmt.number(num) if num else None)
    merged = {(r1, c1) for r1, c1, _, _ in sheet.merges}
    for (r, c), value in sorted(sheet.cells.items()):
        if (r, c) in merged:
            continue
        formula = sheet.formulas.get((r, c))
        if formula is not None:
            style = fmt.date if isinstance(value, date) else None
            cached: Any = (value - date(1899, 12, 30)).days if isinstance(value, date) else value
            ws.write_formula(r - 1, c - 1, formula, style, cached)
        else:
            write_value(ws, r - 1, c - 1, value, fmt, (r, c) in sheet.bold)
    for r1, c1, r2, c2 in sheet.merges:
        ws.merge_range(r1 - 1, c1 - 1, r2 - 1, c2 - 1, str(sheet.cells.get((r1, c1), "")), fmt.title)
    for ref, options in sheet.validations:
        ws.data_validation(ref, options)
    if sheet.freeze:
        ws.freeze_panes(*sheet.freeze)
    if sheet.hidden:
        ws.hide()
    return ws


def write_table_tab(wb: Workbook, name: str, rows: Sequence[Sequence[object]], fmt: Formats) -> None:
    """A legacy output tab: the table at B1 (new-tab mode), green tab colour."""
    ws = wb.add_worksheet(name)
    ws.set_tab_color(OUTPUT_TAB_COLOR)
    for i, values in enumerate(rows):
        for j, value in enumerate(values):
            write_value(ws, i, 1 + j, value, fmt, bold=(i == 0))
    ws.set_column(1, 1, 10)
    ws.set_column(2, 2, 60)
    ws.set_column(3, 12, 16)


def optional_module(name: str) -> Any | None:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        log(f"{name} not importable ({exc}); building without it")
        return None


def output_tabs(book: SampleBook) -> Tabs:
    """Legacy-style output tabs for every deal, computed by the compliance engine from the book's own
    inputs and rendered as the legacy VBA wrote them (text for the formatted results, Q21) by the tabs'
    one builder (``clo_xl.excel.tabs``): ``Compliance-<Deal>`` (one row per threshold-table row) and
    ``HYPO-<Deal>-Output`` (the deal's ``Run Model`` trades in pool mode). The objective tests' results
    are also written back into each deal sheet's "Test Results" column, as the legacy run does."""
    from clo_xl.compliance.engine import ComplianceEngine
    from clo_xl.compliance.hypo import run_hypo, trade_attributes
    from clo_xl.compliance.quirks import QuirkSet
    from clo_xl.enums import HypoMode
    from clo_xl.excel import tabs as builders
    from clo_xl.ingest.assets import parse_assets, parse_holdings
    from clo_xl.ingest.deal_inputs import parse_deal_inputs
    from clo_xl.ingest.raw import RawTable
    from clo_xl.ingest.workbook import assets_table, deal_document
    from clo_xl.portfolio.pool import Pool, Universe
    from clo_xl.runs.compliance_tabs import objective_results_column

    universe = Universe(parse_assets(assets_table(book.assets)))
    holidays = [d for d, *_ in (r for r in _reference_rows(book, "Holidays"))]
    tabs: Tabs = []
    for deal, doc in book.deals.items():
        trades = [dict(zip(L.HYPO_HEADERS, t, strict=True)) for t in book.trades if t[0] == deal]
        inputs = parse_deal_inputs(deal_document({**doc, "trades": trades, "holidays": holidays}))
        rows = tuple({"BLKRockID": b, "Par Amount": p} for b, p in book.holdings[deal])
        pool = Pool.from_holdings(
            universe, parse_holdings(RawTable(None, None, ("BLKRockID", "Par Amount"), rows))
        )
        engine = ComplianceEngine(inputs)
        report = engine.evaluate(pool)
        compliance = builders.compliance_tab(deal, report, row_count=len(inputs.thresholds), legacy=True)
        tabs.append((L.compliance_tab(deal), _grid(compliance.values)))
        outcomes = run_hypo(engine, pool, inputs.trades, mode=HypoMode.POOL)
        attributes = trade_attributes(engine, pool, outcomes[0].trades) if outcomes else None
        hypo = builders.hypo_tab(deal, outcomes, attributes, legacy=True)
        tabs.append((L.hypo_tab(deal), _grid(hypo.values)))
        weights = [w["test_number"] for w in doc["objective_weights"]]
        column = objective_results_column(report, weights, QuirkSet.for_convention("legacy"))
        sheet = book.sheet(L.deal_sheet(deal))
        run_model = book.sheet(L.RUN_MODEL)
        shown = run_model.cells.get(L.parse_cell("C9")) == deal  # the panel shows the Run Model deal
        for i, (w, text) in enumerate(zip(doc["objective_weights"], column, strict=True)):
            w["current_result"] = text
            sheet.put(L.OBJ_WEIGHTS.first_row + i, L.OBJ_WEIGHTS.first_col + 1, text)
            if shown and i <= L.OBJECTIVE_PANEL_ROWS[1] - L.OBJECTIVE_PANEL_ROWS[0]:
                run_model.put(L.OBJECTIVE_PANEL_ROWS[0] + i, L.OBJECTIVE_PANEL_COLS["current_result"], text)
    return tabs


def _grid(values: Sequence[Sequence[object]]) -> list[list[object]]:
    return [list(row) for row in values]


def _reference_rows(book: SampleBook, name: str) -> list[tuple[object, ...]]:
    """Rows of a workbook-level named range of the book (values by row, left to right)."""
    ref = next(n.ref for n in book.names if n.name == name and n.scope is None)
    sheet_name, cells = ref.split("!")
    r1, c1 = L.parse_cell(cells.split(":")[0])
    r2, c2 = L.parse_cell(cells.split(":")[-1])
    sheet = book.sheet(sheet_name.strip("'"))
    return [tuple(sheet.cells.get((r, c)) for c in range(c1, c2 + 1)) for r in range(r1, r2 + 1)]


def prepare(seed: int = SEED, *, n_assets: int = N_ASSETS, with_tabs: bool = True) -> tuple[SampleBook, Tabs]:
    """The book exactly as it will be written: generated sheets plus the computed output tabs (which
    also fill each deal sheet's objective "Test Results" column)."""
    book = generate(seed, n_assets)
    return book, output_tabs(book) if with_tabs else []


def write(book: SampleBook, tabs: Tabs, out: Path, *, with_vba: bool = True) -> Path:
    """Write ``book`` and ``tabs`` to ``out`` with XlsxWriter (VBA project and buttons when available)."""
    vba = optional_module("workbook.vba_project") if with_vba else None
    out.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(out), {"strings_to_numbers": False, "strings_to_formulas": False})
    wb.set_properties({"title": "TradeHypo (clo-xl sample)", "author": "clo-xl", "created": FIXED_TIMESTAMP})
    fmt = Formats(wb)
    sheets: dict[str, Worksheet] = {}
    for sheet in book.sheets:
        sheets[sheet.name] = write_sheet(wb, sheet, fmt)
    conf = wb.add_worksheet(L.XLWINGS_CONF)
    for i, (key, value) in enumerate(getattr(vba, "XLWINGS_CONF", DEFAULT_XLWINGS_CONF)):
        conf.write_string(i, 0, key)
        conf.write_string(i, 1, value)
    conf.set_column(0, 1, 28)
    for name, rows in tabs:
        write_table_tab(wb, name, rows, fmt)
    for dn in book.names:
        wb.define_name(f"'{dn.scope}'!{dn.name}" if dn.scope else dn.name, "=" + dn.ref)
    sheet_count = len(book.sheets) + 1 + len(tabs)
    if vba is not None:
        wb.add_vba_project(vba.vba_project_stream(sheet_count), is_stream=True)
        run_model = sheets[L.RUN_MODEL]
        for button in vba.BUTTONS:
            run_model.insert_button(button.cell, button.options())
        log(f"VBA project embedded, {len(vba.BUTTONS)} buttons on {L.RUN_MODEL}")
    elif with_vba:
        log("no VBA project: the file has no macros (workbook/vba_project.py missing)")
    wb.close()
    log(f"wrote {out} ({len(book.assets)} assets, {len(book.deals)} deals, {len(tabs)} output tabs)")
    return out


def build(
    out: Path = DEFAULT_OUT,
    seed: int = SEED,
    *,
    n_assets: int = N_ASSETS,
    with_vba: bool = True,
    with_tabs: bool = True,
) -> Path:
    """Generate and write the workbook to ``out``; returns ``out``. ``n_assets``, ``with_vba`` and
    ``with_tabs`` let tests build a small plain copy quickly (``.xlsx`` when ``with_vba`` is False)."""
    book, tabs = prepare(seed, n_assets=n_assets, with_tabs=with_tabs)
    return write(book, tabs, out, with_vba=with_vba)


def stale_sheets(committed: Path, fresh: Path, rel: float = 1e-9) -> list[str]:
    """Sheets whose cells differ between two workbooks ("name: first differing cell"); floats compare to
    ``rel`` (output tabs carry engine sums whose last bits depend on summation order)."""

    def grids(path: Path) -> dict[str, Sequence[Sequence[object]]]:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        return {n: book.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in book.sheet_names}

    old, new = grids(committed), grids(fresh)
    out = [f"{n}: sheet added or removed" for n in sorted(set(old) ^ set(new))]
    for name in (n for n in new if n in old):
        a, b = old[name], new[name]
        if len(a) != len(b) or any(len(x) != len(y) for x, y in zip(a, b, strict=True)):
            out.append(f"{name}: size differs")
            continue
        for r, (x, y) in enumerate(zip(a, b, strict=True), start=1):
            for c, (u, v) in enumerate(zip(x, y, strict=True), start=1):
                same = (
                    math.isclose(u, v, rel_tol=rel, abs_tol=rel)
                    if isinstance(u, float) and isinstance(v, float)
                    else u == v
                )
                if not same:
                    out.append(f"{name}: {L.cell_ref(r, c)} {u!r} -> {v!r}")
                    break
            else:
                continue
            break
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the sample TradeHypo.xlsm from the seeded generator.")
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT, help="output path (.xlsm)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"generator seed (default {SEED})")
    parser.add_argument(
        "--check", action="store_true", help="build into a temporary file and exit 1 if OUT differs from it"
    )
    args = parser.parse_args(argv)
    if not args.check:
        build(args.out, args.seed)
        return 0
    import tempfile

    with tempfile.TemporaryDirectory(prefix="clo-xl-build-") as tmp:
        fresh = build(Path(tmp) / args.out.name, args.seed)
        problems = stale_sheets(args.out, fresh) if args.out.is_file() else [f"{args.out} does not exist"]
    for line in problems:
        print(f"stale: {line}")
    if problems:
        print("rerun `python workbook/build.py` and commit workbook/TradeHypo.xlsm")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
