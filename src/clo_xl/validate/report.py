"""The parallel-run report: an HTML page and an XLSX with the "Parallel Run" sheet.

Breaks come first, then differences explained by a legacy-defect switch; the thousands of matches are
folded per sheet. Each value is shown as what it is (:func:`value_kind`): a test's ratio as a percent,
money with separators, WARF/WAL/diversity as plain numbers, text as text. The workbook's "Parallel Run"
sheet carries the same kinds as Excel number formats, per cell (one column mixes ratios and money).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import groupby
from pathlib import Path
from typing import Any

from clo_xl.report.formats import Column, Kind
from clo_xl.report.html import Page
from clo_xl.report.xlsx import SheetSpec, write_workbook
from clo_xl.validate.model import SHEET_HEADER, Outcome, ValidationResult

PARALLEL_RUN = "Parallel Run"

#: tests whose result is a measure, not a share of par: WAL, WARF, diversity, interest coverage, ...
NOT_RATIO_TESTS = frozenset({35, 36, 37, 38, 54})
_TEST_FIGURE = re.compile(r"\btest (\d+) (result|threshold|hypo_result|difference)\b")
_MONEY_WORDS = ("numerator", "denominator", "par amount", "par x", "balance", "amount", "proceeds", "cash")
_RATIO_WORDS = ("share", "spread", "recovery rate", " was ", "ratio")
#: the order a reader wants: what to fix first
STATUS_ORDER = {"break": 0, "explained": 1, "match": 2}


def value_kind(item: str, legacy: object) -> Kind | None:
    """How to show the values of one comparison (``None``: a number without a known unit)."""
    if isinstance(legacy, str) and legacy.strip().endswith("%"):
        return Kind.RATIO
    test = _TEST_FIGURE.search(item)
    if test:
        return Kind.NUMBER if int(test.group(1)) in NOT_RATIO_TESTS else Kind.RATIO
    low = f" {item.lower()} "
    if any(w in low for w in _MONEY_WORDS):
        return Kind.MONEY
    if any(w in low for w in _RATIO_WORDS):
        return Kind.RATIO
    return None


def report_paths(report: Path) -> tuple[Path, Path]:
    """(HTML, XLSX) for ``--report PATH``: ``x.html`` → x.html + x.xlsx; a folder → parallel-run.*"""
    if report.suffix.lower() in {".html", ".htm"}:
        return report, report.with_suffix(".xlsx")
    if report.suffix.lower() == ".xlsx":
        return report.with_suffix(".html"), report
    return report / "parallel-run.html", report / "parallel-run.xlsx"


def ranked(result: ValidationResult) -> list[Outcome]:
    """Breaks, then explained differences, then matches (stable within each)."""
    return sorted(result.outcomes, key=lambda o: STATUS_ORDER[o.status])


def _status_class(outcome: Outcome) -> str:
    return {"break": "break", "explained": "explained"}.get(outcome.status, "ok")


#: the comparison table's columns (the XLSX "Parallel Run" sheet keeps SHEET_HEADER's six)
VALUE_COLUMNS = (2, 3, 4)  # legacy, python, difference


def _kinds_for(outcomes: Sequence[Outcome]) -> Callable[[int, int, Any], Kind | None]:
    kinds = [value_kind(o.check.item, o.check.legacy) for o in outcomes]

    def cell_kind(row: int, column: int, value: Any) -> Kind | None:
        if column in VALUE_COLUMNS and isinstance(value, int | float) and not isinstance(value, bool):
            return kinds[row]
        return None

    return cell_kind


def _columns() -> list[Column]:
    return [
        Column("Item"),
        Column("Cell"),
        Column("Legacy"),
        Column("Python"),
        Column("Difference"),
        Column("Status"),
    ]


def _comparison_table(page: Page, outcomes: Sequence[Outcome]) -> None:
    page.table(
        _columns(),
        [o.sheet_row() for o in outcomes],
        row_classes=[_status_class(o) for o in outcomes],
        cell_kind=_kinds_for(outcomes),
    )


def write_html(result: ValidationResult, path: Path) -> Path:
    page = Page(
        f"Parallel run: {result.workbook.name}",
        subtitle=(
            f"Convention {result.convention} · relative tolerance {result.tolerance:g} (values the legacy "
            f"shows as text are compared at their displayed precision) · {result.seconds:,.1f} s"
        ),
    )
    breaks, explained = result.breaks, result.explained
    matches = [o for o in result.outcomes if o.status == "match"]
    verdict = "break" if breaks else ("explained" if explained else "ok")
    page.summary(result.summary() + ".", verdict)
    page.badges(
        [
            (f"{result.compared:,}", "results compared", "ok" if not breaks else ""),
            (f"{len(breaks):,}", "unexplained breaks", "break" if breaks else "ok"),
            (f"{len(explained):,}", "explained by a legacy switch", "explained" if explained else ""),
            (f"{len(result.skipped):,}", "not compared", "explained" if result.skipped else ""),
        ]
    )
    if breaks:
        page.heading(f"Unexplained breaks ({len(breaks):,})")
        _comparison_table(page, breaks)
    if explained:
        page.heading(f"Explained differences ({len(explained):,})")
        page.paragraph("Each is reproduced by the legacy convention; the status names the switch.")
        _comparison_table(page, explained)
    if result.skipped:
        page.heading("Not compared")
        page.table(["What", "Why"], [s.split(": ", 1) if ": " in s else [s, ""] for s in result.skipped])
    page.heading("By sheet")
    by_sheet = result.by_sheet()
    page.table(
        [Column("Sheet"), *(Column(t, Kind.INTEGER) for t in ("Compared", "Breaks", "Explained"))],
        [list(r) for r in by_sheet],
        row_classes=["break" if r[2] else ("explained" if r[3] else None) for r in by_sheet],
    )
    page.heading("By source")
    page.table([Column("Source"), Column("Compared", Kind.INTEGER)], list(result.sources().items()))
    page.heading(f"Matches ({len(matches):,}), folded by sheet")
    order = {sheet: i for i, (sheet, *_) in enumerate(by_sheet)}
    by_name = sorted(matches, key=lambda o: order.get(o.check.sheet, len(order)))
    for sheet, group in groupby(by_name, key=lambda o: o.check.sheet):
        rows = list(group)
        page.details(f"{sheet}: {len(rows):,} matches", _folded(rows))
    return page.write(path)


def _folded(outcomes: Sequence[Outcome]) -> Callable[[Page], None]:
    def fill(inner: Page) -> None:
        _comparison_table(inner, outcomes)

    return fill


def write_xlsx(result: ValidationResult, path: Path) -> Path:
    outcomes = ranked(result)
    columns = [
        Column(SHEET_HEADER[0], width=48),
        Column(SHEET_HEADER[1], width=28),
        Column(SHEET_HEADER[2]),
        Column(SHEET_HEADER[3]),
        Column(SHEET_HEADER[4]),
        Column(SHEET_HEADER[5], width=24),
    ]
    summary: list[list[Any]] = [
        ["workbook", str(result.workbook)],
        ["tolerance", result.tolerance],
        ["convention", result.convention],
        ["compared", result.compared],
        ["breaks", len(result.breaks)],
        ["explained", len(result.explained)],
        *[[f"not compared: {s}", None] for s in result.skipped],
    ]
    return write_workbook(
        path,
        {
            PARALLEL_RUN: SheetSpec(
                columns,
                [o.sheet_row() for o in outcomes],
                row_styles=[_status_class(o) for o in outcomes],
                cell_kind=_kinds_for(outcomes),
            ),
            "Summary": SheetSpec([Column("Item", width=40), Column("Value", width=60)], summary),
        },
    )


def write_reports(result: ValidationResult, report: Path) -> list[Path]:
    html_path, xlsx_path = report_paths(report)
    return [write_html(result, html_path), write_xlsx(result, xlsx_path)]
