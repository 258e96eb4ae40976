"""A cash-flow document as pandas DataFrames, for analysts working in Python or a notebook.

:func:`cashflow_frames` takes the ``clo-xl cashflows --json`` document (or ``PipelineRun.payload``) and
returns one frame per table: money in deal currency, rates as decimals (0.025 = 2.5 %), dates as
``datetime64``, the same column names as the JSON keys. pandas is imported on use, so the projection itself
never loads it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

Document = Mapping[str, Any]


@dataclass(frozen=True)
class CashflowFrames:
    """The tables of one cash-flow run.

    - ``periods``: one row per payment date (index ``period``): proceeds, reinvested, carried, residual, ...
    - ``tranches``: one row per period and class: balances, interest and principal paid, deferred interest;
    - ``payments``: every outflow of every period (step, payee, source interest/principal, amount);
    - ``tests``: each coverage test per period (ratio, trigger, pass);
    - ``summary``: one row per class (IRR, WAL, durations, price at the discount margin, total cash).
    """

    periods: pd.DataFrame
    tranches: pd.DataFrame
    payments: pd.DataFrame
    tests: pd.DataFrame
    summary: pd.DataFrame


def _frame(rows: Sequence[Mapping[str, Any]], *, index: str | None = None) -> pd.DataFrame:
    import pandas as pd  # imported on use

    frame = pd.DataFrame(list(rows))
    for column in frame.columns:
        if str(column).endswith("date"):
            frame[column] = pd.to_datetime(frame[column])
    return frame.set_index(index) if index and index in frame.columns else frame


def cashflow_frames(doc: Document) -> CashflowFrames:
    """Split a cash-flow document into :class:`CashflowFrames` (``doc`` as printed by ``--json``)."""
    periods = list(doc.get("periods", []))
    nested = ("payments", "tests", "tranches")
    flat: list[dict[str, Any]] = []
    tranches: list[dict[str, Any]] = []
    payments: list[dict[str, Any]] = []
    tests: list[dict[str, Any]] = []
    for number, p in enumerate(periods, start=1):
        key = {"period": p.get("period", number), "payment_date": p.get("payment_date")}
        flat.append({k: v for k, v in p.items() if k not in nested} | key)
        tranches.extend(key | dict(t) for t in p.get("tranches", []))
        payments.extend(key | dict(x) for x in p.get("payments", []))
        tests.extend(key | dict(t) for t in p.get("tests", []))
    summary = list(doc.get("summary", {}).get("tranches", []))
    frames = CashflowFrames(
        periods=_frame(flat, index="period"),
        tranches=_frame(tranches),
        payments=_frame(payments),
        tests=_frame(tests),
        summary=_frame(summary, index="class"),
    )
    for frame in (frames.periods, frames.tranches, frames.payments, frames.tests, frames.summary):
        frame.attrs.update(deal=doc.get("deal"), convention=doc.get("convention"))
    return frames


__all__ = ["CashflowFrames", "cashflow_frames"]
