"""The steps of ``clo-xl demo``, one function each, sharing a :class:`DemoContext`.

A step returns a :class:`StepResult`; the steps themselves and their order are
:func:`clo_xl.demo_pipeline.demo_steps`.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from clo_xl.progress import Progress

Status = Literal["ok", "skipped", "failed"]


ProgressLike = Progress  # a step reports its own work through it (a second bar under the steps)


@dataclass
class DemoContext:
    """What the steps share: inputs, and what earlier steps produced."""

    workbook: Path
    out_dir: Path
    database_url: str | None
    state: dict[str, Any] = field(default_factory=dict)
    sheets: dict[str, list[list[object]]] = field(default_factory=dict)  # output workbook tabs
    html_sections: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class StepResult:
    step: str
    status: Status
    summary: str
    seconds: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    title: str
    run: Callable[[DemoContext, ProgressLike], StepResult]
    required: bool = False  # a failed required step stops the demo


def write_demo_outputs(ctx: DemoContext, results: list[StepResult]) -> list[Path]:
    """A macro-free .xlsx with one tab per result table, and a self-contained HTML report."""
    import xlsxwriter

    ctx.out_dir.mkdir(parents=True, exist_ok=True)
    xlsx_path = ctx.out_dir / "clo-xl-demo.xlsx"
    book = xlsxwriter.Workbook(
        str(xlsx_path), {"nan_inf_to_errors": True, "default_date_format": "yyyy-mm-dd"}
    )
    bold = book.add_format({"bold": True})
    summary = book.add_worksheet("Summary")
    summary.write_row(0, 0, ["Step", "Status", "Seconds", "Result"], bold)
    for i, res in enumerate(results, start=1):
        summary.write_row(i, 0, [res.step, res.status, round(res.seconds, 3), res.summary])
    summary.set_column(0, 0, 28)
    summary.set_column(3, 3, 90)
    for name, rows in ctx.sheets.items():
        sheet = book.add_worksheet(name[:31])
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value, bold if r == 0 else None)
        sheet.set_column(0, max((len(row) for row in rows), default=1), 14)
    book.close()

    html_path = ctx.out_dir / "clo-xl-demo.html"
    step_rows = "".join(
        f"<tr class='{r.status}'><td>{html.escape(r.step)}</td><td>{r.status}</td>"
        f"<td class='num'>{r.seconds:.2f} s</td><td>{html.escape(r.summary)}</td></tr>"
        for r in results
    )
    html_path.write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>clo-xl demo</title><style>"
        "body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px}"
        "th{background:#eef}td.num{text-align:right}tr.failed td{background:#fdd}tr.skipped td{color:#888}"
        "</style></head><body>"
        f"<h1>clo-xl demo</h1><p>Workbook <code>{html.escape(str(ctx.workbook))}</code>, run "
        f"{datetime.now():%Y-%m-%d %H:%M}.</p>"
        "<h2>Steps</h2><table><tr><th>Step</th><th>Status</th><th>Time</th><th>Result</th></tr>"
        f"{step_rows}</table>{''.join(ctx.html_sections)}</body></html>",
        encoding="utf-8",
    )
    return [xlsx_path, html_path]
