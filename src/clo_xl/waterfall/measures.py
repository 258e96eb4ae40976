"""Per-tranche measures of a deal run: yield (XIRR at the input price), WAL, durations, price given the
discount margin and the margin given the price (the legacy's risk measures, with the switches Q4, Q5, Q6
and Q25). Core: the ``cashflows`` document, the Deal CF tab and the scenario grids all read them here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

import numpy as np
from scipy.optimize import brentq

from clo_xl.cashflows.pv_chain import chain_periods, chained_discount_factors
from clo_xl.cashflows.structure import Conventions, DealStructure, Tranche
from clo_xl.curves.base import ForwardCurve
from clo_xl.curves.conventions import to_day_number, year_fraction
from clo_xl.fees.irr import xirr
from clo_xl.waterfall.run import DealResult


def _pv_with_margin(cash: np.ndarray, dfs: np.ndarray, t: np.ndarray, dm: float) -> float:
    """Σ CF × DF(curve) × (1 + DM/4)^(−4t): quarterly-compounded margin over the curve."""
    return float(np.sum(cash * dfs * (1.0 + dm / 4.0) ** (-4.0 * t)))


def _pv_chained(cash: np.ndarray, zeros: np.ndarray, periods: np.ndarray, dm: float) -> float:
    """Σ CF × legacy chained DF at zero + DM (Q4, `CalcPVwSpread`)."""
    return float(np.sum(cash * chained_discount_factors(zeros, periods, dm)))


def _dm_for_price(pv: Callable[[float], float], cash: np.ndarray, target: float) -> float | None:
    """The DM that discounts the flows to ``target`` (Brent on [−50%, 200%]); None without a root."""
    lo, hi = -0.5, 2.0
    if not cash.any() or not pv(lo) > target > pv(hi):
        return None
    return float(brentq(lambda m: pv(m) - target, lo, hi, xtol=1e-12))


def settlement_date(result: DealResult, deal: DealStructure, conventions: Conventions) -> date:
    """Where the tranche measures start: the CLOInputs analysis date in legacy (Q25), else the later of the
    analysis date and the first accrual start (a buyer settles today, or at closing for a new issue)."""
    analysis = deal.cf_analysis_date or deal.dates.analysis_date
    if conventions.measures_from_analysis_date or result.accrual_start is None:
        return analysis
    return max(analysis, result.accrual_start)


def accrued_at(result: DealResult, spec: Tranche, settle: date) -> float:
    """Interest accrued on a note from its first accrual start to ``settle`` (at the first period's coupon,
    on the note's day count): what a buyer pays on top of the clean price. 0 for the Sub Notes."""
    start = result.accrual_start
    if spec.equity or start is None or settle <= start or not result.periods:
        return 0.0
    row = next(r for r in result.periods[0].tranches if r.name == spec.name)
    begin, end = np.array([to_day_number(start)]), np.array([to_day_number(settle)])
    fraction = float(year_fraction(begin, end, int(spec.day_count))[0])
    return spec.current_balance * row.coupon * fraction


def _tranche_flows(
    result: DealResult, spec: Tranche
) -> tuple[list[date], list[float], list[float], date | None]:
    """Payment dates, cash to the class, principal (the equity's whole cash) and the last date with a
    positive beginning balance (or the last payment, for the Sub Notes)."""
    dates: list[date] = []
    flows: list[float] = []
    principal: list[float] = []
    last: date | None = None
    for p in result.periods:
        row = next(r for r in p.tranches if r.name == spec.name)
        cash = (
            row.interest_paid + row.deferred_interest_paid + row.deferred_principal_paid + row.principal_paid
        )
        if spec.equity:
            cash = sum(x.amount for x in p.payments if x.payee == spec.name)
            if cash > 0:
                last = p.payment_date
        elif row.beginning_balance > 0:
            last = p.payment_date
        dates.append(p.payment_date)
        flows.append(cash)
        principal.append(row.principal_paid + (cash if spec.equity else 0.0))
    return dates, flows, principal, last


def _wal(
    spec: Tranche, t: list[float], principal: list[float], t_last: float, conventions: Conventions
) -> float | None:
    """Legacy (§3.8, Q5): [Σ t·principal + (period-1 balance − Σ principal) × t_last] ÷ original balance;
    corrected: Σ t·principal ÷ Σ principal received."""
    if spec.equity:
        return None
    paid = sum(principal)
    weighted = sum(ti * pi for ti, pi in zip(t, principal, strict=True))
    if conventions.wal_on_original:
        if not spec.original_balance:
            return None
        return (weighted + (spec.current_balance - paid) * t_last) / spec.original_balance
    return weighted / paid if paid > 0 else None


def tranche_measures(
    result: DealResult,
    deal: DealStructure,
    curve: ForwardCurve,
    *,
    conventions: Conventions | None = None,
    solve_dm: bool = True,
) -> list[dict[str, Any]]:
    """Price-given-DM, DM-given-price, yield (XIRR at the input price), WAL, Macaulay and modified
    duration per tranche, from the settlement date (:func:`settlement_date`); t in days/365.

    The yield invests price × current balance (+ accrued interest in corrected) at settlement. WAL: see
    :func:`_wal`. Durations use the quarterly-compounded solved yield y (Q6): Macaulay = Σ t·PV ÷ invested,
    modified = Macaulay ÷ (1 + y/4) (legacy: 0 unless y > 0). Price given DM (and DM given price):
    ``legacy_pv_chain`` (Q4) chains quarterly factors of (1 + (zero rate to d_i + DM)/4) over each
    interval (:mod:`clo_xl.cashflows.pv_chain`); otherwise the curve's discount factors times
    (1 + DM/4)^(−4t).
    """
    conv = conventions or Conventions()
    start = settlement_date(result, deal, conv)
    out = []
    for spec in deal.tranches:
        dates, flows, principal, last = _tranche_flows(result, spec)
        accrued = 0.0 if conv.measures_from_analysis_date else accrued_at(result, spec, start)
        invest = spec.price * spec.current_balance + accrued
        irr = xirr([start, *dates], [-invest, *flows]) if invest > 0 else None
        t = [(d - start).days / 365.0 for d in dates]
        t_last = ((last or start) - start).days / 365.0
        wal = _wal(spec, t, principal, t_last, conv)
        mac = mod = None
        if irr is not None and irr > -1.0 and invest > 0:
            yq = 4.0 * ((1.0 + irr) ** 0.25 - 1.0)
            pv = [f / (1.0 + yq / 4.0) ** (4.0 * ti) for f, ti in zip(flows, t, strict=True)]
            mac = sum(ti * v for ti, v in zip(t, pv, strict=True)) / invest
            mod = 0.0 if conv.modified_zero_unless_positive and yq <= 0 else mac / (1.0 + yq / 4.0)
        price_dm = dm_at_price = None
        if spec.current_balance > 0 and not spec.equity:
            cash_arr = np.array(flows)
            price_pv: Callable[[float], float]
            if conv.legacy_pv_chain:
                zeros = np.array([curve.zero_rate(start, d) for d in dates])
                periods = chain_periods(start, dates, spec.day_count)
                price_pv = partial(_pv_chained, cash_arr, zeros, periods)
            else:
                dfs = np.array([curve.discount_factor(d) for d in dates])
                t_arr = np.array(t)
                price_pv = partial(_pv_with_margin, cash_arr, dfs, t_arr)
            price_dm = price_pv(spec.discount_margin) / spec.current_balance
            if solve_dm:  # a root search per class: scenario grids leave it out
                dm_at_price = _dm_for_price(price_pv, cash_arr, spec.price * spec.current_balance)
        out.append(
            {
                "class": spec.name,
                "irr": irr,
                "wal": wal,
                "price_given_dm": price_dm,
                "dm_given_price": dm_at_price,
                "macaulay_duration": mac,
                "modified_duration": mod,
                "total_cash": sum(flows),
                "total_principal": sum(principal),
                "settlement_date": start.isoformat(),
                "accrued_interest": accrued,
            }
        )
    return out
