"""``clo-xl validate WORKBOOK``: the parallel run (``docs/cli.md``).

Exit 0 when every compared legacy result agrees with Python (or differs only by a documented legacy-defect
switch), 1 on any unexplained break, 2 on bad input.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from clo_xl.commands._output import console, emit, table, wrote
from clo_xl.commands._progress import progress_bar
from clo_xl.enums import Convention
from clo_xl.errors import ValidationBreak
from clo_xl.report.formats import Kind, format_value

if TYPE_CHECKING:
    from clo_xl.validate.model import Outcome


class BreaksFound(ValidationBreak):
    """Unexplained breaks (exit 1). Its JSON is the whole ``validate --json`` document, printed once."""

    def __init__(self, message: str, payload: dict[str, Any]) -> None:
        super().__init__(message)
        self.payload = payload

    def to_json(self) -> dict[str, Any]:
        return self.payload


def _shown(row: list[Any], kind: Kind | None) -> list[Any]:
    """A sheet row with legacy, python and difference formatted as what they are (money, percent, ...)."""
    out = list(row)
    for i in (2, 3, 4):
        value = out[i]
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[i] = format_value(value, kind) if kind is not None else format_value(value, Kind.TEXT)
    return out


def _render_explained(explained: Sequence[Outcome]) -> None:
    """Differences a documented fix of a legacy defect explains, each with the switch(es) behind it, and how
    many each switch explains."""
    by_switch: dict[str, int] = {}
    for o in explained:
        for name in (o.explanation or "").split(", "):
            by_switch[name] = by_switch.get(name, 0) + 1
    console.print(
        table(
            "Explained by a legacy switch (the corrected convention fixes it)",
            ["switch", "differences"],
            [[name, count] for name, count in sorted(by_switch.items(), key=lambda kv: -kv[1])],
        )
    )
    from clo_xl.validate.report import value_kind

    rows = [
        [*_shown(o.sheet_row(), value_kind(o.check.item, o.check.legacy))[:5], o.explanation or ""]
        for o in explained[:50]
    ]
    console.print(
        table("Explained differences", ["item", "cell", "legacy", "python", "diff", "switch"], rows)
    )
    if len(explained) > 50:
        console.print(f"… and {len(explained) - 50} more (see --report or --json)")


def register(app: typer.Typer) -> None:
    @app.command("validate")
    def validate(
        workbook: Path = typer.Argument(..., help="Workbook holding legacy results (.xlsm/.xlsx)."),
        tolerance: float = typer.Option(
            1e-5, help="Relative tolerance (values shown as text: their precision)."
        ),
        report: Path | None = typer.Option(
            None, help="Write the HTML report and the XLSX 'Parallel Run' sheet (x.html → x.html + x.xlsx)."
        ),
        convention: Convention = typer.Option(
            Convention.LEGACY,
            case_sensitive=False,
            help="legacy (reproduce every defect) or corrected (explain differences by switch).",
        ),
        libreoffice: bool = typer.Option(
            True, "--libreoffice/--no-libreoffice", help="Also recalculate plain formulas with LibreOffice."
        ),
        as_json: bool = typer.Option(False, "--json", help="One JSON document on stdout."),
    ) -> None:
        """Parallel run: recompute every legacy result the workbook holds and diff it."""
        from clo_xl.validate.report import value_kind
        from clo_xl.validate.run import run_validation

        with progress_bar(as_json=as_json) as progress:
            result = run_validation(
                workbook,
                tolerance=tolerance,
                report=report,
                libreoffice=libreoffice,
                convention=convention.value,
                progress=progress,
            )

        def render() -> None:
            console.print(result.summary())
            console.print(
                table(
                    "By sheet",
                    ["sheet", "compared", "breaks", "explained"],
                    [list(r) for r in result.by_sheet()],
                )
            )
            if result.breaks:
                rows = [
                    _shown(o.sheet_row(), value_kind(o.check.item, o.check.legacy))
                    for o in result.breaks[:50]
                ]
                console.print(
                    table("Unexplained breaks", ["item", "cell", "legacy", "python", "diff", "status"], rows)
                )
                if len(result.breaks) > 50:
                    console.print(f"… and {len(result.breaks) - 50} more (see --report or --json)")
            if result.explained:
                _render_explained(result.explained)
            for note in result.skipped:
                console.print(f"not compared: {note}")

        payload = result.to_json()
        if not result.breaks:
            emit(payload, as_json=as_json, render=render)
            wrote(result.reports)
            return
        if not as_json:
            render()
        wrote(result.reports)
        raise BreaksFound(result.summary(), payload)  # exit 1; with --json the payload is the document
