"""The `cashflows --json` document (CONTRACT §3) and per-tranche measures from a :class:`DealResult`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

import numpy as np
from scipy.optimize import brentq

from clo_xl.cashflows.pv_chain import chain_periods, chained_discount_factors
from clo_xl.cashflows.structure import DealStructure
from clo_xl.curves.base import ForwardCurve
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


def tranche_measures(
    result: DealResult,
    deal: DealStructure,
    curve: ForwardCurve,
    *,
    wal_on_original: bool = True,
    legacy_pv_chain: bool = True,
) -> list[dict[str, Any]]:
    """Price-given-DM, DM-given-price, yield (XIRR at the input price), WAL, Macaulay and modified
    duration per tranche.

    WAL = Σ t·principal ÷ original balance (Q5, legacy) or ÷ principal received (corrected); t in
    days/365 from the CF analysis date. Durations use the quarterly-compounded solved yield (Q6).
    Price given DM (and DM given price): ``legacy_pv_chain`` (Q4, legacy) chains quarterly factors of
    (1 + (zero rate to d_i + DM)/4) over each interval (:mod:`clo_xl.cashflows.pv_chain`); otherwise the
    curve's discount factors times (1 + DM/4)^(−4t).
    """
    start = deal.cf_analysis_date or deal.dates.analysis_date
    out = []
    for spec in deal.tranches:
        dates: list[date] = []
        flows: list[float] = []
        principal: list[float] = []
        for p in result.periods:
            row = next(r for r in p.tranches if r.name == spec.name)
            cash = (
                row.interest_paid
                + row.deferred_interest_paid
                + row.deferred_principal_paid
                + row.principal_paid
            )
            if spec.equity:
                cash = sum(x.amount for x in p.payments if x.payee == spec.name)
            dates.append(p.payment_date)
            flows.append(cash)
            principal.append(row.principal_paid + (cash if spec.equity else 0.0))
        invest = spec.price * spec.current_balance
        irr = xirr([start, *dates], [-invest, *flows]) if invest > 0 else None
        t = [(d - start).days / 365.0 for d in dates]
        denom = spec.original_balance if wal_on_original else (sum(principal) or 1.0)
        wal = (
            sum(ti * pi for ti, pi in zip(t, principal, strict=True)) / denom
            if denom and not spec.equity
            else None
        )
        mac = mod = None
        if irr is not None and irr > -1.0 and invest > 0:
            yq = 4.0 * ((1.0 + irr) ** 0.25 - 1.0)
            pv = [f / (1.0 + yq / 4.0) ** (4.0 * ti) for f, ti in zip(flows, t, strict=True)]
            mac = sum(ti * v for ti, v in zip(t, pv, strict=True)) / invest
            mod = mac / (1.0 + yq / 4.0) if yq > 0 else 0.0
        price_dm = dm_at_price = None
        if spec.current_balance > 0 and not spec.equity:
            cash_arr = np.array(flows)
            price_pv: Callable[[float], float]
            if legacy_pv_chain:
                zeros = np.array([curve.zero_rate(start, d) for d in dates])
                periods = chain_periods(start, dates, spec.day_count)
                price_pv = partial(_pv_chained, cash_arr, zeros, periods)
            else:
                dfs = np.array([curve.discount_factor(d) for d in dates])
                t_arr = np.array(t)
                price_pv = partial(_pv_with_margin, cash_arr, dfs, t_arr)
            price_dm = price_pv(spec.discount_margin) / spec.current_balance
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
            }
        )
    return out


def to_document(
    result: DealResult,
    deal: DealStructure,
    curve: ForwardCurve,
    *,
    wal_on_original: bool = True,
    legacy_pv_chain: bool = True,
) -> dict[str, Any]:
    periods = []
    for p in result.periods:
        periods.append(
            {
                "period": p.period,
                "payment_date": p.payment_date.isoformat(),
                "index_rate": p.index_rate,
                "interest_proceeds": round(p.interest_proceeds, 2),
                "principal_proceeds": round(p.principal_proceeds, 2),
                "liquidation_proceeds": round(p.liquidation_proceeds, 2),
                "diverted_interest": round(p.diverted, 2),
                "event_of_default": p.event_of_default,
                "payments": [
                    {"step": x.step, "payee": x.payee, "source": x.source, "amount": round(x.amount, 2)}
                    for x in p.payments
                ],
                "tests": [
                    {
                        "name": t.name,
                        "kind": t.kind,
                        "ratio": t.ratio,
                        "trigger": t.trigger,
                        "pass": t.passed,
                        "numerator": t.numerator,
                        "denominator": t.denominator,
                        "cure_paid": round(t.cure_paid, 2),
                    }
                    for t in p.tests
                ],
                "tranches": [
                    {
                        "class": r.name,
                        "beginning_balance": round(r.beginning_balance, 2),
                        "coupon": r.coupon,
                        "interest_paid": round(r.interest_paid + r.deferred_interest_paid, 2),
                        "principal_paid": round(r.principal_paid + r.deferred_principal_paid, 2),
                        "deferred_interest": round(r.deferred_ending, 2),
                        "ending_balance": round(r.ending_balance, 2),
                    }
                    for r in p.tranches
                ],
                "fees": [
                    {
                        "name": f.name,
                        "accrued": round(f.accrued, 2),
                        "paid": round(f.paid, 2),
                        "unpaid": round(f.ending_unpaid, 2),
                    }
                    for f in p.fees
                ],
                "reinvested": round(p.reinvested, 2),
                "carried": round(p.carried, 2),
                "residual": round(p.residual, 2),
                "incentive_fee": round(p.incentive_fee, 2),
            }
        )
        _balance_cents(periods[-1])
    return {
        "deal": result.deal,
        "waterfall": result.version,
        "periods": periods,
        "summary": {
            "tranches": tranche_measures(
                result, deal, curve, wal_on_original=wal_on_original, legacy_pv_chain=legacy_pv_chain
            ),
            "sub_note_irr": result.sub_note_irr,
            "incentive_fee_total": result.incentive_fee_total,
            "fees": result.fee_totals,
        },
    }


def _balance_cents(period: dict[str, Any]) -> None:
    """Rounding each amount to the cent can leave ±1 cent; book it to ``carried`` so the identity holds
    to the cent on the printed figures (the unrounded engine figures balance exactly)."""
    total_in = period["interest_proceeds"] + period["principal_proceeds"]
    total_out = sum(x["amount"] for x in period["payments"]) + period["reinvested"] + period["carried"]
    period["carried"] = round(period["carried"] + round(total_in - total_out, 2), 2)
