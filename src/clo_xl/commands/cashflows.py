"""`clo-xl cashflows`: project a deal's collateral and run its waterfall (document in ``docs/cli.md``).

The projection modules are imported when the command runs, not when ``clo-xl --help`` lists it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from clo_xl.commands import _scenario
from clo_xl.commands._output import console, emit, print_warnings, table, wrote
from clo_xl.commands._progress import progress_bar
from clo_xl.enums import Convention
from clo_xl.errors import UsageError

if TYPE_CHECKING:
    from clo_xl.runs.cashflow_pipeline import DealInputsBundle
    from clo_xl.simulation.grid import Scenario


class CurveExtrapolation(StrEnum):
    """``--curve-extrapolation``: what a date past the curve's last node reads."""

    FLAT = "flat"
    ERROR = "error"


class IndexName(StrEnum):
    """``--index``: the floating-rate index the curve is read as."""

    LIBOR = "LIBOR"
    SOFR = "SOFR"


def _load_inputs(
    workbook: Path | None,
    deal: str | None,
    assets: Path | None,
    deal_inputs: Path | None,
    database_url: str | None = None,
    as_of: int | None = None,
) -> tuple[DealInputsBundle, str | None]:
    """The pipeline's inputs and the deal's own spelling of its name: ``--deal`` alone reads the database
    (``--as-of`` an earlier row version), ``--workbook`` a workbook, ``--assets``/``--deal-inputs`` an
    extract pair. Deal names match ignoring case."""
    from clo_xl.api import DealSession, workbook_deal_name
    from clo_xl.runs.cashflow_pipeline import inputs_from_workbook

    if as_of is not None and (workbook is not None or assets is not None):
        raise UsageError("--as-of reads an earlier version from the database: give --deal NAME alone")
    if workbook is None and assets is None and deal_inputs is None and deal:
        session = DealSession.from_database(deal, database_url=database_url, as_of=as_of)
        return session.cashflow_inputs(), session.deal
    if workbook is not None:
        if not deal:
            raise UsageError("--workbook needs --deal NAME")
        from clo_xl.ingest.workbook import read_workbook

        name = workbook_deal_name(workbook, deal)
        return inputs_from_workbook(read_workbook(workbook, deals=[name]), name), name
    if assets is None or deal_inputs is None:
        raise UsageError(
            "give --workbook PATH --deal NAME, --assets PATH --deal-inputs PATH, or --deal NAME alone "
            "(the deal stored in the database)"
        )
    from clo_xl.ingest.extract import extract_book

    data = extract_book(assets, deal_inputs)
    (name,) = data.deals
    if deal and deal.strip().casefold() != name.casefold():
        raise UsageError(f"--deal {deal!r} does not match the deal-inputs file ({name!r})")
    return replace(inputs_from_workbook(data, name), source=str(assets), tables={}), name


def _floats(text: str | None, label: str, scale: float = 1.0) -> list[float] | None:
    if text is None:
        return None
    try:
        values = [float(x) * scale for x in text.split(",") if x.strip()]
    except ValueError:
        raise UsageError(f"{label} takes comma-separated numbers, got {text!r}") from None
    if not values:
        raise UsageError(f"{label} is empty")
    return values


@dataclass(frozen=True)
class GridAxes:
    """The ``--grid-*`` options as given (text), and the single-value options an absent axis falls back to
    (``None``: the run's own assumption, the workbook's `CFAssumptions` when it has them)."""

    cpr: str | None = None
    cdr: str | None = None
    severity: str | None = None
    shift: str | None = None
    lag: str | None = None
    recovery_timing: str | None = None
    scalars: tuple[float | None, float | None, float | None, int | None] = (None, None, None, None)

    def given(self) -> bool:
        axes = (self.cpr, self.cdr, self.severity, self.shift, self.lag, self.recovery_timing)
        return any(x is not None for x in axes)


def _rates(text: str | None, label: str, fallback: float | None) -> list[float | None]:
    values = _floats(text, label)
    if values is None:
        return [fallback]
    if not all(0.0 <= v <= 1.0 for v in values):
        raise UsageError(f"{label} values must be decimals between 0 and 1")
    return list(values)


def _grid(axes: GridAxes) -> list[Scenario]:
    """CPR × CDR × severity × lag × recovery timing × shift; an axis not given takes the single option,
    else the run's own assumption (the workbook's)."""
    from clo_xl.simulation.grid import scenario_grid

    if not axes.given():
        return []
    cpr, cdr, severity, lag = axes.scalars
    lags = _floats(axes.lag, "--grid-lag")
    if lags is not None and any(v < 0 or v != int(v) for v in lags):
        raise UsageError(f"--grid-lag takes whole months >= 0, got {lags}")
    timings = (
        [
            _scenario.parse_recovery_timing(t, "--grid-recovery-timing")
            for t in axes.recovery_timing.split(";")
        ]
        if axes.recovery_timing is not None
        else [None]
    )
    return scenario_grid(
        _rates(axes.cpr, "--grid-cpr", cpr),
        _rates(axes.cdr, "--grid-cdr", cdr),
        _rates(axes.severity, "--grid-severity", severity),
        _floats(axes.shift, "--grid-shift", 1e-4) or [0.0],
        [int(v) for v in lags] if lags is not None else [lag],
        timings,
    )


def _check_scalars(
    paths: int, cpr: float | None, cdr: float | None, severity: float | None, lag: int | None
) -> None:
    if paths < 0:
        raise UsageError(f"--paths must be >= 0, got {paths}")
    for label, v in (("--cpr", cpr), ("--cdr", cdr), ("--severity", severity)):
        if v is not None and not 0.0 <= v <= 1.0:
            raise UsageError(f"{label} must be a decimal between 0 and 1, got {v}")
    if lag is not None and lag < 0:
        raise UsageError(f"--lag must be a number of months >= 0, got {lag}")


def _check_spread(workers: int | None, scheduler: str | None, spread: bool) -> None:
    if workers is not None and workers < 1:
        raise UsageError(f"--workers must be at least 1, got {workers}")
    if (workers is not None or scheduler is not None) and not spread:
        raise UsageError("--workers and --scheduler spread a scenario grid (--grid-*) or --paths; give one")


def register(app: typer.Typer) -> None:
    @app.command("cashflows")
    def cashflows(
        workbook: Path = typer.Option(None, "--workbook", help="Workbook (.xlsm) to read."),
        deal: str = typer.Option(
            None, "--deal", help='Deal name, e.g. "Mag 17" (alone: the deal stored in the database).'
        ),
        database_url: str = typer.Option(
            None,
            "--database-url",
            help="PostgreSQL URL (default: CLO_XL_DATABASE_URL, else the embedded server).",
        ),
        as_of: int = typer.Option(
            None, "--as-of", help="With --deal alone: the deal at this earlier row version."
        ),
        assets: Path = typer.Option(None, "--assets", help="Assets extract (JSON/CSV/XLSX)."),
        deal_inputs: Path = typer.Option(
            None, "--deal-inputs", help="Deal-inputs JSON: the 'Mag N Inputs' sheet's values (docs/cli.md)."
        ),
        cpr: float = typer.Option(None, "--cpr", help="Annual CPR, decimal (0.2 = 20%). Default: workbook."),
        cdr: float = typer.Option(None, "--cdr", help="Annual CDR, decimal. Default: workbook."),
        severity: float = typer.Option(None, "--severity", help="Loss severity, decimal. Default: workbook."),
        lag: int = typer.Option(None, "--lag", help="Recovery lag in months. Default: workbook."),
        curve_shift: float = typer.Option(0.0, "--curve-shift", help="Parallel curve shift in basis points."),
        liquidation_price: float = typer.Option(
            None,
            "--liquidation-price",
            help="Price (decimal of par, 0.95 = 95%) the performing collateral fetches when the deal is "
            "liquidated at its call or final payment date. Default: the deal sheet's CFInputs "
            "'Liquidation Price'.",
        ),
        paths: int = typer.Option(0, "--paths", help="Credit-migration paths (0 = deterministic)."),
        convention: Convention = typer.Option(
            Convention.LEGACY, "--convention", case_sensitive=False, help="legacy or corrected."
        ),
        extrapolation: CurveExtrapolation = typer.Option(
            CurveExtrapolation.FLAT,
            "--curve-extrapolation",
            case_sensitive=False,
            help="Past the curve's last node: flat, or error.",
        ),
        index: IndexName = typer.Option(
            IndexName.LIBOR,
            "--index",
            case_sensitive=False,
            help="LIBOR, or SOFR (curve read as Term SOFR, + ISDA 3M adjustment).",
        ),
        grid_cpr: str = typer.Option(None, "--grid-cpr", help="Scenario grid: CPRs, comma separated."),
        grid_cdr: str = typer.Option(None, "--grid-cdr", help="Scenario grid: CDRs, comma separated."),
        grid_severity: str = typer.Option(None, "--grid-severity", help="Scenario grid: severities."),
        grid_shift: str = typer.Option(None, "--grid-shift", help="Scenario grid: curve shifts in bp."),
        grid_lag: str = typer.Option(None, "--grid-lag", help="Scenario grid: recovery lags in months."),
        grid_recovery_timing: str = typer.Option(
            None,
            "--grid-recovery-timing",
            help="Scenario grid: recovery timings, months:percent pairs, alternatives separated by ';' "
            "(6:50,12:50;12:100).",
        ),
        workers: int = typer.Option(
            None,
            "--workers",
            help="Processes for the grid and --paths (default: the cores available); with --scheduler, "
            "how many of the cluster's workers to use (default: all).",
        ),
        scheduler: str = typer.Option(
            None,
            "--scheduler",
            help="Dask scheduler address (tcp://host:8786) for the grid and --paths; needs clo-xl[cluster].",
        ),
        seed: int = typer.Option(0, "--seed", help="Seed of the migration paths (numpy, not VBA Rnd)."),
        cpr_vector: str = _scenario.CPR_VECTOR,
        cdr_vector: str = _scenario.CDR_VECTOR,
        severity_vector: str = _scenario.SEVERITY_VECTOR,
        lag_vector: str = _scenario.LAG_VECTOR,
        vectors: Path = _scenario.VECTORS,
        cumulative_default: float = _scenario.CUMULATIVE_DEFAULT,
        default_timing: str = _scenario.DEFAULT_TIMING,
        recovery_timing: str = _scenario.RECOVERY_TIMING,
        call_date: str = _scenario.CALL_DATE,
        call_price: float = _scenario.CALL_PRICE,
        report: Path | None = typer.Option(
            None,
            "--report",
            help="Also write the cash-flow report: x.html (tables and plots) and x.xlsx beside it.",
        ),
        as_json: bool = typer.Option(False, "--json", help="One JSON document on stdout."),
    ) -> None:
        """Project a deal's cash flows through its waterfall (one period per payment date)."""
        _check_scalars(paths, cpr, cdr, severity, lag)
        from clo_xl.report.cashflow_report import write_cashflow_report
        from clo_xl.runs.cashflow_pipeline import cashflow_document

        axes = (grid_cpr, grid_cdr, grid_severity, grid_shift, grid_lag, grid_recovery_timing)
        grid = _grid(GridAxes(*axes, scalars=(cpr, cdr, severity, lag)))
        _check_spread(workers, scheduler, bool(grid) or paths > 0)
        shapes = _scenario.shapes_beside(
            {"cpr": cpr, "cdr": cdr, "severity": severity, "lag": lag},
            _scenario.scenario_shapes(
                cpr_vector,
                cdr_vector,
                severity_vector,
                lag_vector,
                vectors,
                cumulative_default,
                default_timing,
                recovery_timing,
                call_date,
                call_price,
            ),
        )
        with progress_bar(as_json=as_json) as progress:
            progress("reading inputs", 0.0)
            inputs, name = _load_inputs(workbook, deal, assets, deal_inputs, database_url, as_of)
            progress("projecting", 0.5)
            payload = cashflow_document(
                inputs,
                deal=name,
                cpr=cpr,
                cdr=cdr,
                severity=severity,
                lag=lag,
                curve_shift=curve_shift / 10_000.0,
                convention=convention.value,
                extrapolation=extrapolation.value,
                paths=paths,
                seed=seed,
                index=index.value,
                grid=grid,
                workers=workers,
                scheduler=scheduler,
                progress=progress,
                **shapes,
                liquidation_price=liquidation_price,
            )

        written = write_cashflow_report(payload, report) if report is not None else []
        if written:
            payload["reports"] = [str(p) for p in written]

        emit(payload, as_json=as_json, render=lambda: render_cashflows(payload))
        wrote(written)


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v * 100:.2f}%"


def _num(v: float | None, digits: int = 2) -> str:
    return "-" if v is None else f"{v:,.{digits}f}"


def render_cashflows(payload: Mapping[str, Any]) -> None:
    """The readable view of a ``cashflows`` document: what its JSON holds, as tables, then its warnings."""
    from clo_xl.report.cashflow_report import period_status

    periods = payload["periods"]
    rows = [
        [p["period"], p["payment_date"], _num(p["interest_proceeds"], 0), _num(p["principal_proceeds"], 0),
         _num(p.get("defaults"), 0), _num(p.get("losses"), 0), _num(p["diverted_interest"], 0),
         _num(p["reinvested"], 0), _num(p["residual"], 0), period_status(payload, i) or "-"]
        for i, p in enumerate(periods)
    ]  # fmt: skip
    console.print(
        table(
            f"{payload['deal']} cash flows (waterfall {payload['waterfall']}, {payload['convention']})",
            [
                "#",
                "date",
                "interest",
                "principal",
                "defaults",
                "losses",
                "diverted interest",
                "reinvested",
                "to Sub Notes",
                "failing tests",
            ],
            rows,
        )
    )
    classes = [t["class"] for t in periods[0]["tranches"]] if periods else []
    balances = [[p["period"], *(_num(t["ending_balance"], 0) for t in p["tranches"])] for p in periods]
    console.print(table("Class balances at the end of each period", ["#", *classes], balances))
    tests = [t["name"] for t in periods[0]["tests"]] if periods else []
    ratios = [
        [p["period"], *(f"{_pct(t['ratio'])}{'' if t['pass'] else ' FAIL'}" for t in p["tests"])]
        for p in periods
    ]
    console.print(table("Coverage tests (ratio; FAIL below the trigger)", ["#", *tests], ratios))
    _render_summary(payload)
    if payload.get("grid"):
        _render_grid(payload["grid"])
    print_warnings(payload)


def _render_summary(payload: Mapping[str, Any]) -> None:
    summary = [
        [t["class"], _pct(t["irr"]), _num(t["wal"]), _num(t.get("macaulay_duration")),
         _num(t["modified_duration"]), _num(t["price_given_dm"], 4), _num(t["total_cash"], 0)]
        for t in payload["summary"]["tranches"]
    ]  # fmt: skip
    console.print(
        table("Tranches", ["class", "IRR", "WAL", "Macaulay", "mod. dur.", "price @ DM", "cash"], summary)
    )
    console.print(
        f"Sub Notes IRR (hurdle basis) {_pct(payload['summary']['sub_note_irr'])}; incentive fee "
        f"{_num(payload['summary']['incentive_fee_total'], 0)}"
    )
    if "paths" in payload:
        irrs = [p["sub_note_irr"] for p in payload["paths"] if p["sub_note_irr"] is not None]
        if irrs:
            console.print(
                f"{len(payload['paths'])} migration paths: Sub Notes IRR min {_pct(min(irrs))}, "
                f"mean {_pct(sum(irrs) / len(irrs))}, max {_pct(max(irrs))}"
            )


def _axis(value: object, percent: bool = True) -> str:
    """A grid axis value; ``None`` = the run's own assumption (the workbook's)."""
    if value is None:
        return "workbook"
    if isinstance(value, list):
        return ", ".join(f"{m}m {w * 100:.0f}%" for m, w in value)
    return _pct(value) if percent and isinstance(value, float) else str(value)


def _class_cell(r: Mapping[str, Any], c: str) -> str:
    irr, wal, loss, price = (r.get(f"{k}:{c}") for k in ("irr", "wal", "principal_loss", "price"))
    return " · ".join(
        [
            _pct(irr),
            "-" if wal is None else f"{wal:.2f}y",
            "-" if loss is None else f"loss {loss:,.0f}",
            "-" if price is None else f"{price * 100:.2f}",
        ]
    )


def _render_grid(grid: Sequence[Mapping[str, Any]]) -> None:
    """Every grid row: the scenario ("workbook" = the run's own assumption), the Sub Notes IRR, the
    incentive fee, and per class its IRR, WAL (years), principal loss and price at its discount margin."""
    classes = [k[4:] for k in grid[0] if k.startswith("irr:")]
    rows = [
        [_axis(r["cpr"]), _axis(r["cdr"]), _axis(r["severity"]), _axis(r["lag_months"], percent=False),
         _axis(r.get("recovery_timing")), f"{r['curve_shift'] * 1e4:.0f}", _pct(r["sub_note_irr"]),
         _num(r["incentive_fee"], 0), *(_class_cell(r, c) for c in classes)]
        for r in grid
    ]  # fmt: skip
    head = [
        "CPR",
        "CDR",
        "severity",
        "lag (m)",
        "recovery timing",
        "shift (bp)",
        "Sub Notes IRR",
        "incentive fee",
    ]
    title = f"Scenario grid ({len(grid)} rows): per class IRR · WAL · principal loss · price at DM"
    console.print(table(title, [*head, *classes], rows))
