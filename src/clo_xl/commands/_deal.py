"""Choosing the deal a command works on, shared by the analytics commands: ``--deal NAME`` alone reads the
deal as stored in the database (``--as-of`` an earlier row version), ``--workbook PATH --deal NAME`` a
workbook, ``--assets PATH --deal-inputs PATH`` the legacy extract pair."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from clo_xl.enums import Convention
from clo_xl.errors import UsageError

if TYPE_CHECKING:
    from clo_xl.api import DealSession

WORKBOOK = typer.Option(None, "--workbook", help="Workbook (.xlsm) to read instead of the database.")
DEAL = typer.Option(None, "--deal", help='Deal name, e.g. "Mag 17" (alone: the deal stored in the database).')
ASSETS = typer.Option(None, "--assets", help="Assets extract (JSON/CSV/XLSX), with --deal-inputs.")
DEAL_INPUTS = typer.Option(None, "--deal-inputs", help="Deal-inputs JSON: the 'Mag N Inputs' values.")
DATABASE_URL = typer.Option(
    None, "--database-url", help="PostgreSQL URL (default: CLO_XL_DATABASE_URL, else the embedded server)."
)
AS_OF = typer.Option(None, "--as-of", help="With --deal alone: the deal at this earlier row version.")
CONVENTION = typer.Option(
    Convention.LEGACY, "--convention", case_sensitive=False, help="legacy or corrected."
)
JSON = typer.Option(False, "--json", help="One JSON document on stdout.")
CPR = typer.Option(
    None, "--cpr", help="Annual CPR, decimal (0.2 = 20%). Default: the workbook's CFAssumptions."
)
CDR = typer.Option(None, "--cdr", help="Annual CDR, decimal. Default: the workbook's CFAssumptions.")
SEVERITY = typer.Option(None, "--severity", help="Loss severity, decimal. Default: the workbook's.")
LAG = typer.Option(None, "--lag", help="Recovery lag in months. Default: the workbook's.")


def check_rates(**rates: float | None) -> None:
    """Each given rate is a decimal in [0, 1] (``--cpr 20`` is a usage error, not 2,000%)."""
    for name, value in rates.items():
        if value is not None and not 0.0 <= value <= 1.0:
            raise UsageError(f"--{name.replace('_', '-')} must be a decimal between 0 and 1, got {value}")


def scenario_options(
    cpr: float | None, cdr: float | None, severity: float | None, lag: int | None
) -> dict[str, Any]:
    """The scenario options given (blank ones left to the workbook's assumptions)."""
    check_rates(cpr=cpr, cdr=cdr, severity=severity)
    if lag is not None and lag < 0:
        raise UsageError(f"--lag must be a number of months >= 0, got {lag}")
    given = {"cpr": cpr, "cdr": cdr, "severity": severity, "lag": lag}
    return {k: v for k, v in given.items() if v is not None}


def session(
    workbook: Path | None,
    deal: str | None,
    assets: Path | None,
    deal_inputs: Path | None,
    database_url: str | None,
    as_of: int | None,
    convention: Convention,
) -> DealSession:
    from clo_xl.api import load_session

    if as_of is not None and (workbook is not None or assets is not None):
        raise UsageError("--as-of reads an earlier version from the database: give --deal NAME alone")
    return load_session(
        workbook=workbook,
        deal=deal,
        assets=assets,
        deal_inputs=deal_inputs,
        convention=convention,
        database_url=database_url,
        as_of=as_of,
    )
