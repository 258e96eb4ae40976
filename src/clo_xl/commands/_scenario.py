"""Scenario-shape options shared by the cash-flow commands: per-period vectors, timing curves, a call.

Rates in vectors are annual percentages (``--cdr-vector 2,2,3`` = 2%, 2%, 3%), one per interest period,
the last holding past the end; lags in months. ``--vectors FILE`` reads the same from a CSV with a
``Period`` column and any of ``CPR``, ``CDR``, ``Severity`` (percent) and ``Lag`` (months).
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import typer

from clo_xl.errors import IngestError, Location, UsageError

CPR_VECTOR = typer.Option(None, "--cpr-vector", help="Annual CPR by period in percent: 20,20,25,...")
CDR_VECTOR = typer.Option(None, "--cdr-vector", help="Annual CDR by period in percent: 2,2,3,...")
SEVERITY_VECTOR = typer.Option(
    None, "--severity-vector", help="Loss severity by period in percent: 35,40,..."
)
LAG_VECTOR = typer.Option(None, "--lag-vector", help="Recovery lag by period in months: 12,12,6,...")
VECTORS = typer.Option(
    None, "--vectors", help="CSV of vectors: Period and any of CPR, CDR, Severity (percent), Lag (months)."
)
CUMULATIVE_DEFAULT = typer.Option(
    None, "--cumulative-default", help="Cumulative default rate (decimal) timed by --default-timing."
)
DEFAULT_TIMING = typer.Option(
    None, "--default-timing", help="Shares of the cumulative default by year, percent: 25,25,20,15,15."
)
RECOVERY_TIMING = typer.Option(
    None, "--recovery-timing", help="Recovery spread over months after default, months:percent: 6:50,12:50."
)
CALL_DATE = typer.Option(
    None, "--call-date", help="Call the deal on the first payment date on/after YYYY-MM-DD."
)
CALL_PRICE = typer.Option(
    None, "--call-price", help="Call price for the collateral: points (99.5) or of par."
)


def _numbers(text: str, label: str) -> list[float]:
    try:
        values = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise UsageError(f"{label} takes comma-separated numbers, got {text!r}") from None
    if not values:
        raise UsageError(f"{label} is empty")
    return values


def _percent(values: list[float] | None, label: str) -> tuple[float, ...] | None:
    if values is None:
        return None
    if any(not 0.0 <= v <= 100.0 for v in values):
        raise UsageError(f"{label} takes percentages between 0 and 100, got {values}")
    return tuple(v / 100.0 for v in values)


def read_vector_file(path: Path) -> dict[str, list[float]]:
    """``{"cpr": [...], ...}`` from a CSV (columns named CPR, CDR, Severity, Lag; a Period column orders
    the rows)."""
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    if not rows:
        raise IngestError(Location(file=str(path)), None, "no rows")
    columns = {str(k).strip().lower(): k for k in rows[0] if k is not None}
    out: dict[str, list[float]] = {}
    for name in ("cpr", "cdr", "severity", "lag"):
        header = columns.get(name)
        if header is None:
            continue
        values = []
        for i, r in enumerate(rows, start=2):
            try:
                values.append(float(str(r[header])))
            except (TypeError, ValueError):
                raise IngestError(
                    Location(file=str(path), row=i, column=header), r[header], "not a number"
                ) from None
        out[name] = values
    if not out:
        raise IngestError(Location(file=str(path)), list(rows[0]), "no CPR, CDR, Severity or Lag column")
    return out


def scenario_shapes(
    cpr_vector: str | None,
    cdr_vector: str | None,
    severity_vector: str | None,
    lag_vector: str | None,
    vectors_file: Path | None,
    cumulative_default: float | None,
    default_timing: str | None,
    recovery_timing: str | None,
    call_date: str | None,
    call_price: float | None,
) -> dict[str, Any]:
    """The keyword arguments of :func:`~clo_xl.runs.cashflow_pipeline.prepare_model` the options set."""
    from clo_xl.analytics.coverage import price_fraction
    from clo_xl.cashflows.assumptions import CallSpec, DefaultTiming, ScenarioVectors

    given = read_vector_file(vectors_file) if vectors_file is not None else {}
    for name, text in (
        ("cpr", cpr_vector),
        ("cdr", cdr_vector),
        ("severity", severity_vector),
        ("lag", lag_vector),
    ):
        if text is not None:
            given[name] = _numbers(text, f"--{name}-vector")
    out: dict[str, Any] = {}
    if given:
        lag = given.get("lag")
        if lag is not None and any(v < 0 for v in lag):
            raise UsageError(f"--lag-vector takes months >= 0, got {lag}")
        out["vectors"] = ScenarioVectors(
            _percent(given.get("cpr"), "--cpr-vector"),
            _percent(given.get("cdr"), "--cdr-vector"),
            _percent(given.get("severity"), "--severity-vector"),
            None if lag is None else tuple(lag),
        )
    if (cumulative_default is None) != (default_timing is None):
        raise UsageError("--cumulative-default and --default-timing go together")
    if cumulative_default is not None and default_timing is not None:
        shares = _percent(_numbers(default_timing, "--default-timing"), "--default-timing")
        out["default_timing"] = DefaultTiming(cumulative_default, shares or ())
    if recovery_timing is not None:
        out["recovery_timing"] = parse_recovery_timing(recovery_timing, "--recovery-timing")
    if call_price is not None and call_date is None:
        raise UsageError("--call-price needs --call-date")
    if call_date is not None:
        try:
            when = date.fromisoformat(call_date)
        except ValueError:
            raise UsageError(f"--call-date must be YYYY-MM-DD, got {call_date!r}") from None
        out["call"] = CallSpec(when, 1.0 if call_price is None else price_fraction(call_price))
    return out


def parse_recovery_timing(text: str, label: str) -> Any:
    """``"6:50,12:50"`` → a :class:`~clo_xl.cashflows.assumptions.RecoveryTiming` (months:percent pairs)."""
    from clo_xl.cashflows.assumptions import RecoveryTiming

    pairs = []
    for part in text.split(","):
        months, _, share = part.partition(":")
        try:
            pairs.append((int(months), float(share) / 100.0))
        except ValueError:
            raise UsageError(f"{label} takes months:percent pairs, got {part!r}") from None
    return RecoveryTiming(tuple(pairs))


def merge(options: dict[str, Any], shapes: dict[str, Any]) -> dict[str, Any]:
    """Scalar scenario options and the shapes together; a rate given both ways is a usage error."""
    vectors = shapes.get("vectors")
    if vectors is not None:
        both = [name for name in vectors.given() if name in options]
        if both:
            raise UsageError(f"give --{both[0]} or --{both[0]}-vector, not both")
    if "default_timing" in shapes and "cdr" in options:
        raise UsageError(
            "give --cdr or a default-timing curve (--cumulative-default/--default-timing), not both"
        )
    return {**options, **shapes}


def shapes_beside(scalars: dict[str, Any], shapes: dict[str, Any]) -> dict[str, Any]:
    """The shapes alone, after checking them against the scalar options given (``None`` = not given)."""
    given = {k: v for k, v in scalars.items() if v is not None}
    return {k: v for k, v in merge(given, shapes).items() if k not in given}
