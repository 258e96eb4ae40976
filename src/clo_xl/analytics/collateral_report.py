"""The collateral report: what the pool did in each period of a deal run, with a par roll-forward.

Per payment date (original and reinvestment collateral together; money in deal currency):
beginning par (performing, opening) − scheduled amortisation − prepayments − defaults + reinvestment par
(bought at the end of the period, at the reinvestment price) − par sold (the deal's liquidation, at the
liquidation price) = ending par, which is the next period's beginning par. Defaults are par moved to the
defaulted bucket (dated by accrual start, Q35); recoveries are the cash collected on earlier defaults and
losses the defaulted par written off with them (net of recovery). Principal cash is the period's principal
proceeds (scheduled, prepayments, recoveries, the collection account's opening principal in period 1, and
liquidation proceeds).

:func:`collateral_report` reads a :class:`~clo_xl.waterfall.run.DealResult`; the roll-forward identity is
checked to the cent by the tests against the engine's own next-period opening balances.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from clo_xl.cashflows.structure import DealStructure
from clo_xl.waterfall.run import DealResult, PeriodResult


@dataclass(frozen=True)
class CollateralPeriod:
    """One period of the collateral report (currency; ``reinvestment_price`` a fraction of par)."""

    period: int
    payment_date: date
    beginning_par: float
    scheduled_amortisation: float
    prepayments: float
    defaults: float
    recoveries: float
    losses: float
    reinvestment_par: float
    reinvestment_price: float
    sales_par: float
    sales_proceeds: float
    ending_par: float
    principal_cash: float
    interest: float
    defaulted_par: float

    @property
    def roll_forward_difference(self) -> float:
        """beginning + purchases − amortisation − prepayments − defaults − sales − ending (0 to the cent)."""
        return (
            self.beginning_par
            + self.reinvestment_par
            - self.scheduled_amortisation
            - self.prepayments
            - self.defaults
            - self.sales_par
            - self.ending_par
        )

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["payment_date"] = self.payment_date.isoformat()
        return out


#: column labels with units, in report order (for tables, tabs and plots)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("period", "Period"),
    ("payment_date", "Payment date"),
    ("beginning_par", "Beginning par"),
    ("scheduled_amortisation", "Scheduled amortisation"),
    ("prepayments", "Prepayments"),
    ("defaults", "Defaults"),
    ("recoveries", "Recoveries"),
    ("losses", "Losses"),
    ("reinvestment_par", "Reinvestment par"),
    ("reinvestment_price", "Reinvestment price"),
    ("sales_par", "Par sold"),
    ("sales_proceeds", "Sale proceeds"),
    ("ending_par", "Ending par"),
    ("principal_cash", "Principal cash"),
    ("interest", "Interest collected"),
    ("defaulted_par", "Defaulted par (opening)"),
)


def _period(p: PeriodResult, next_beginning: float | None, price: float) -> CollateralPeriod:
    c = p.collateral
    if c is None:
        raise ValueError(f"period {p.period} carries no collateral row")
    purchases = p.reinvested / price if price > 0 else 0.0
    before_sale = c.performing + purchases - c.scheduled - c.unscheduled - c.default
    sold = before_sale if p.liquidation_proceeds > 0 else 0.0
    ending = before_sale - sold if next_beginning is None else next_beginning
    return CollateralPeriod(
        period=p.period,
        payment_date=p.payment_date,
        beginning_par=c.performing,
        scheduled_amortisation=c.scheduled,
        prepayments=c.unscheduled,
        defaults=c.default,
        recoveries=c.recoveries,
        losses=c.net_loss,
        reinvestment_par=purchases,
        reinvestment_price=price if purchases > 0 else 0.0,
        sales_par=sold,
        sales_proceeds=p.liquidation_proceeds,
        ending_par=ending,
        principal_cash=p.principal_proceeds,
        interest=c.interest,
        defaulted_par=c.defaulted,
    )


def collateral_report(result: DealResult, deal: DealStructure) -> tuple[CollateralPeriod, ...]:
    """One row per period of ``result`` (the reinvestment price is the deal's `CFInputs` price)."""
    price = deal.reinvestment.price
    ps = result.periods
    rows = []
    for i, p in enumerate(ps):
        nxt = ps[i + 1].collateral if i + 1 < len(ps) else None
        rows.append(_period(p, None if nxt is None else nxt.performing, price))
    return tuple(rows)


def totals(rows: Sequence[CollateralPeriod]) -> dict[str, float]:
    """Life-of-deal sums of the flow columns."""
    keys = (
        "scheduled_amortisation",
        "prepayments",
        "defaults",
        "recoveries",
        "losses",
        "reinvestment_par",
        "sales_par",
        "sales_proceeds",
        "principal_cash",
        "interest",
    )
    return {k: float(sum(getattr(r, k) for r in rows)) for k in keys}


def report_document(
    result: DealResult,
    deal: DealStructure,
    *,
    convention: str = "legacy",
    assumptions: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``collateral-report --json``: the rows, their totals, and the run's identity (warnings added by the
    caller)."""
    rows = collateral_report(result, deal)
    return {
        "deal": deal.name,
        "convention": convention,
        "assumptions": assumptions or {},
        "columns": [{"key": k, "label": label} for k, label in COLUMNS],
        "periods": [r.to_json() for r in rows],
        "totals": totals(rows),
        "warnings": [],
    }
