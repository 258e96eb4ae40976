"""`clo-xl credit-migration`: the Run Credit Migration button without Excel (CASHFLOW_SPEC §8): correlated
S&P rating paths for the deal's holdings, the migration statistics per step, the min/median/max paths and
each path's deal results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from clo_xl.commands import _deal
from clo_xl.commands._output import console, emit, print_warnings, table
from clo_xl.commands._progress import progress_bar
from clo_xl.enums import Convention


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.2f}%"


def render(doc: dict[str, Any]) -> None:
    m = doc["migration"]
    rows = [
        [i + 1, when, f"{m['period_default'][i]:,.0f}", f"{m['cumulative_default'][i]:,.0f}",
         _pct(m["cdr"][i]), f"{m['upgrades'][i]:.2f}", f"{m['downgrades'][i]:.2f}"]
        for i, when in enumerate(m["step_dates"])
    ]  # fmt: skip
    title = (
        f"{doc['deal']} credit migration ({doc['convention']} convention): {len(doc['paths'])} paths, seed "
        f"{m['seed']}; mean over paths per step"
    )
    cols = ["Step", "Date", "Period default", "Cumulative default", "CDR", "Upgrades", "Downgrades"]
    console.print(table(title, cols, rows))
    console.print(f"Min path {m['min_path']}, median path {m['median_path']}, max path {m['max_path']} "
                  f"(by cumulative defaulted par); {m['note']}")  # fmt: skip
    classes = list(doc["paths"][0]["tranche_cash"]) if doc["paths"] else []
    body = [
        [p["path"], _pct(p["sub_note_irr"]), f"{p['incentive_fee']:,.0f}", p["defaults"],
         *(f"{p['tranche_cash'].get(c, 0.0):,.0f}" for c in classes)]
        for p in doc["paths"]
    ]  # fmt: skip
    console.print(table("Deal results per path", ["Path", "Sub Notes IRR", "Incentive fee", "Defaults",
                                                   *classes], body))  # fmt: skip
    print_warnings(doc)


def register(app: typer.Typer) -> None:
    @app.command("credit-migration")
    def credit_migration(
        deal: str = _deal.DEAL,
        workbook: Path = _deal.WORKBOOK,
        database_url: str = _deal.DATABASE_URL,
        as_of: int = _deal.AS_OF,
        paths: int = typer.Option(
            None, "--paths", help="Number of simulations (Run Model C17; default 100)."
        ),
        seed: int = typer.Option(None, "--seed", help="Seed of the paths (Run Model C20)."),
        cpr: float = _deal.CPR,
        severity: float = _deal.SEVERITY,
        lag: int = _deal.LAG,
        workers: int = typer.Option(
            None,
            "--workers",
            help="Processes for the paths (default: the cores); with --scheduler, how many of its workers.",
        ),
        scheduler: str = typer.Option(
            None, "--scheduler", help="Dask scheduler address (tcp://host:8786); needs clo-xl[cluster]."
        ),
        convention: Convention = _deal.CONVENTION,
        as_json: bool = _deal.JSON,
    ) -> None:
        """Simulate correlated rating paths (system-defined correlation, quarterly steps) and run the deal
        on each: migration statistics per step and each path's results. Needs the workbook's transition
        matrix, so the deal comes from a workbook or the database."""
        from clo_xl.errors import UsageError
        from clo_xl.run_model import migration_document, run_model_settings

        session = _deal.session(workbook, deal, None, None, database_url, as_of, convention)
        settings = run_model_settings(session).with_(simulations=paths, seed=seed)
        if not 1 <= settings.simulations <= 500:
            raise UsageError(f"--paths must be a whole number from 1 to 500, got {settings.simulations}")
        options = _deal.scenario_options(cpr, None, severity, lag)
        with progress_bar(as_json=as_json) as progress:
            doc = migration_document(
                session, paths=settings.simulations, seed=settings.seed, workers=workers, progress=progress,
                scheduler=scheduler, **options,
            )  # fmt: skip
        emit(doc, as_json=as_json, render=lambda: render(doc))
