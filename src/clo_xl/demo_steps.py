"""The steps of ``clo-xl demo``, one function each, sharing a :class:`DemoContext`.

A step returns a :class:`StepResult`; the steps themselves and their order are
:func:`clo_xl.demo_pipeline.demo_steps`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from clo_xl.progress import Progress
from clo_xl.report.formats import Column, Kind
from clo_xl.report.html import Page
from clo_xl.report.xlsx import SheetSpec, write_workbook

Status = Literal["ok", "skipped", "failed"]


ProgressLike = Progress  # a step reports its own work through it (a second bar under the steps)


@dataclass
class DemoContext:
    """What the steps share: inputs, and what earlier steps produced."""

    workbook: Path
    out_dir: Path
    database_url: str | None
    state: dict[str, Any] = field(default_factory=dict)
    sheets: dict[str, SheetSpec] = field(default_factory=dict)  # output workbook tabs
    #: the report's sections after the steps table, added by the steps (one template, one style)
    page: Page = field(default_factory=lambda: Page("clo-xl demo"))


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


STATUS_CLASS = {"ok": None, "skipped": "skipped", "failed": "failed"}


def write_demo_outputs(ctx: DemoContext, results: list[StepResult]) -> list[Path]:
    """A macro-free .xlsx with one tab per result table, and a self-contained HTML report."""
    ctx.out_dir.mkdir(parents=True, exist_ok=True)
    steps_columns = [
        Column("Step", width=28),
        Column("Status"),
        Column("Seconds", Kind.NUMBER, decimals=2),
        Column("Result", width=100),
    ]
    steps_rows = [[r.step, r.status, r.seconds, r.summary] for r in results]
    xlsx_path = write_workbook(
        ctx.out_dir / "clo-xl-demo.xlsx",
        {"Summary": SheetSpec(steps_columns, steps_rows), **ctx.sheets},
    )
    failed = [r for r in results if r.status == "failed"]
    page = Page("clo-xl demo", subtitle=f"Workbook {ctx.workbook}")
    page.summary(
        f"{len(results) - len(failed)} of {len(results)} steps done"
        + (f"; failed: {', '.join(r.step for r in failed)}" if failed else ""),
        "failed" if failed else "ok",
    )
    page.heading("Steps")
    page.table(steps_columns, steps_rows, row_classes=[STATUS_CLASS[r.status] for r in results])
    page.blocks.extend(ctx.page.blocks)
    html_path = page.write(ctx.out_dir / "clo-xl-demo.html")
    return [xlsx_path, html_path]
