"""The parallel-run report: an HTML page and an XLSX with the "Parallel Run" sheet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from clo_xl.report.html import Page
from clo_xl.report.xlsx import write_workbook
from clo_xl.validate.model import SHEET_HEADER, ValidationResult

PARALLEL_RUN = "Parallel Run"


def report_paths(report: Path) -> tuple[Path, Path]:
    """(HTML, XLSX) for ``--report PATH``: ``x.html`` → x.html + x.xlsx; a folder → parallel-run.*"""
    if report.suffix.lower() in {".html", ".htm"}:
        return report, report.with_suffix(".xlsx")
    if report.suffix.lower() == ".xlsx":
        return report.with_suffix(".html"), report
    return report / "parallel-run.html", report / "parallel-run.xlsx"


def _status_class(status: str) -> str:
    return {"break": "break", "explained": "explained"}.get(status, "ok")


def write_html(result: ValidationResult, path: Path) -> Path:
    page = Page(f"Parallel run: {result.workbook.name}")
    verdict = "break" if result.breaks else "ok"
    page.paragraph(
        f"{result.summary()}. Relative tolerance {result.tolerance:g} (values shown as text are compared at "
        f"their displayed precision); convention '{result.convention}'; {result.seconds:.1f} s.",
        css_class=f"summary {verdict}",
    )
    page.heading("By sheet")
    page.table(
        ["sheet", "compared", "breaks", "explained"],
        [list(r) for r in result.by_sheet()],
        row_classes=["break" if r[2] else ("explained" if r[3] else None) for r in result.by_sheet()],
    )
    page.heading("By source")
    page.table(["source", "compared"], [[k, v] for k, v in result.sources().items()])
    if result.breaks:
        page.heading("Unexplained breaks")
        page.table(
            list(SHEET_HEADER),
            [o.sheet_row() for o in result.breaks],
            row_classes=["break"] * len(result.breaks),
        )
    if result.explained:
        page.heading("Explained differences (legacy-defect switches)")
        page.table(
            list(SHEET_HEADER),
            [o.sheet_row() for o in result.explained],
            row_classes=["explained"] * len(result.explained),
        )
    if result.skipped:
        page.heading("Not compared")
        page.table(["what", "why"], [s.split(": ", 1) if ": " in s else [s, ""] for s in result.skipped])
    page.heading("Every comparison")
    rows = result.sheet_rows()
    page.table(rows[0], rows[1:], row_classes=[_status_class(str(r[5]).split(":")[0]) for r in rows[1:]])
    return page.write(path)


def write_xlsx(result: ValidationResult, path: Path) -> Path:
    rows = result.sheet_rows()
    styles = [_status_class(str(r[5]).split(":")[0]) for r in rows[1:]]
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
        {PARALLEL_RUN: (rows[0], rows[1:]), "Summary": (["", ""], summary)},
        row_styles={PARALLEL_RUN: styles},
    )


def write_reports(result: ValidationResult, report: Path) -> list[Path]:
    html_path, xlsx_path = report_paths(report)
    return [write_html(result, html_path), write_xlsx(result, xlsx_path)]
