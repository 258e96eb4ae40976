"""Equity analytics for the Sub Notes: cash-on-cash by period, the IRR of a purchase, and NAV.

* **Cash-on-cash** of a period = the Sub Notes' distribution on that payment date ÷ the amount invested
  (purchase price × Sub Notes par); annualised by the number of payment periods a year.
* **IRR** of a purchase on ``purchase_date`` at ``purchase_price`` (a fraction of par): XIRR (Actual/365,
  annual compounding, as Excel) of −price × par on the purchase date and every projected distribution
  paid after it. Distributions on or before the purchase date belong to the seller.
* **NAV** from the collateral's market value: performing par at market value + defaulted par at market
  value + cash in the collection accounts (principal and interest) − the notes outstanding (current plus
  deferred balances of every rated class); per unit it is a price as a fraction of the Sub Notes' par.

Money in deal currency; prices and rates as decimals.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import numpy as np

from clo_xl.cashflows.collateral import CollateralArrays
from clo_xl.cashflows.structure import DealStructure
from clo_xl.fees.irr import xirr
from clo_xl.quirk_warnings import Figure
from clo_xl.waterfall.run import DealResult


@dataclass(frozen=True)
class EquityPeriod:
    period: int
    payment_date: date
    distribution: float
    cash_on_cash: float
    cash_on_cash_annualised: float
    cumulative_distribution: float

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["payment_date"] = self.payment_date.isoformat()
        return out


@dataclass(frozen=True)
class EquityNav:
    """NAV of the Sub Notes from the collateral's market value (currency; ``price`` per unit of par)."""

    performing_market_value: float
    defaulted_market_value: float
    cash: float
    notes_outstanding: float
    sub_notes_par: float

    @property
    def nav(self) -> float:
        return self.performing_market_value + self.defaulted_market_value + self.cash - self.notes_outstanding

    @property
    def price(self) -> float | None:
        """NAV per unit of Sub Notes par (0.45 = 45% of par); ``None`` without Sub Notes par."""
        return self.nav / self.sub_notes_par if self.sub_notes_par > 0 else None

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "nav": self.nav, "nav_price": self.price}


@dataclass(frozen=True)
class EquityAnalytics:
    deal: str
    convention: str
    tranche: str
    purchase_date: date
    purchase_price: float
    par: float
    periods: tuple[EquityPeriod, ...]
    irr: float | None
    nav: EquityNav
    warnings: tuple[dict[str, str], ...] = field(default=())

    @property
    def investment(self) -> float:
        return self.purchase_price * self.par

    @property
    def total_distributions(self) -> float:
        return float(sum(p.distribution for p in self.periods))

    @property
    def multiple(self) -> float | None:
        """Total distributions ÷ investment (MOIC)."""
        return self.total_distributions / self.investment if self.investment > 0 else None

    def to_json(self) -> dict[str, Any]:
        """``equity --json``."""
        return {
            "deal": self.deal,
            "convention": self.convention,
            "class": self.tranche,
            "purchase_date": self.purchase_date.isoformat(),
            "purchase_price": self.purchase_price,
            "par": self.par,
            "investment": self.investment,
            "irr": self.irr,
            "multiple": self.multiple,
            "total_distributions": self.total_distributions,
            "nav": self.nav.to_json(),
            "periods": [p.to_json() for p in self.periods],
            "warnings": list(self.warnings),
        }

    def to_pandas(self) -> Any:
        """Cash-on-cash by period, indexed by period."""
        from clo_xl.analytics.frames import records_frame  # pandas is imported only when asked for

        return records_frame(self.periods, index="period")


def equity_nav(deal: DealStructure, collateral: CollateralArrays) -> EquityNav:
    """NAV on the analysis date: every held obligation at its market value, plus the collection accounts'
    cash, minus the notes' current and deferred balances."""
    par = np.asarray(collateral.par, dtype=np.float64)
    mv = par * np.asarray(collateral.market_value, dtype=np.float64)
    defaulted = np.asarray(collateral.defaulted, dtype=bool)
    notes = sum(t.current_balance + t.deferred_balance for t in deal.tranches if not t.equity)
    cash = deal.collection_principal + deal.collection_interest + deal.interest_reserve
    return EquityNav(
        float(mv[~defaulted].sum()),
        float(mv[defaulted].sum()),
        cash,
        float(notes),
        deal.equity.current_balance,
    )


def equity_analytics(
    result: DealResult,
    deal: DealStructure,
    collateral: CollateralArrays,
    *,
    purchase_date: date | None = None,
    purchase_price: float | None = None,
    convention: str = "legacy",
) -> EquityAnalytics:
    """The Sub Notes bought on ``purchase_date`` (default: the analysis date) at ``purchase_price``
    (default: the tranche table's price) for their current par."""
    sub = deal.equity
    when = purchase_date or deal.dates.analysis_date
    price = sub.price if purchase_price is None else purchase_price
    par = sub.current_balance
    invested = price * par
    per_year = 12 / deal.dates.months_between_payments
    rows, cumulative = [], 0.0
    for p in result.periods:
        if p.payment_date <= when:
            continue
        cash = float(p.residual)
        cumulative += cash
        coc = cash / invested if invested > 0 else 0.0
        rows.append(EquityPeriod(p.period, p.payment_date, cash, coc, coc * per_year, cumulative))
    irr = None
    if invested > 0:
        irr = xirr([when, *(r.payment_date for r in rows)], [-invested, *(r.distribution for r in rows)])
    return EquityAnalytics(
        deal.name,
        convention,
        sub.name,
        when,
        price,
        par,
        tuple(rows),
        irr,
        equity_nav(deal, collateral),
    )


def equity_figures(result: EquityAnalytics) -> dict[str, Figure]:
    """The published figures by label (for the warnings)."""
    out: dict[str, Figure] = {"irr": result.irr, "multiple": result.multiple, "NAV": result.nav.nav}
    for p in result.periods:
        out[f"period {p.period} distribution"] = p.distribution
    return out
