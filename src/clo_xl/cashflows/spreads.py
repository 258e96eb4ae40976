"""Collateral Z-spreads (`RunCollatSpreads`, CASHFLOW_SPEC §2.4), solved for all assets at once.

For each non-defaulted asset with a market value: the spread s such that
Σ_j CF_j × DF(d_j) / DF(start) × (1 + s/4)^(−4 t_j) = MarketValue × beginning balance of the first row,
t_j = Actual/360 years from ``start``. Q50: the legacy discounts from the accrual start of the first row
(not the analysis date) and compares a clean price with the full first coupon; ``legacy=True`` keeps that,
``False`` discounts from the analysis date. Q4 (zero rates chained as interval rates) is not reproduced:
discount factors come from the curve. Vectorised bisection over assets on [−50%, 200%], 80 steps.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from clo_xl.cashflows.collateral import CollateralArrays
from clo_xl.cashflows.projection import AssetFlows
from clo_xl.curves.base import ForwardCurve
from clo_xl.curves.conventions import FloatArray, from_day_number, to_day_number


def z_spreads(
    flows: AssetFlows, coll: CollateralArrays, curve: ForwardCurve, analysis: date, *, legacy: bool = True
) -> FloatArray:
    """Z-spread per asset (decimal); NaN for defaulted assets, assets without cash or market value."""
    sched = flows.schedule
    valid = sched.valid
    n = valid.shape[0]
    first_col = np.argmax(valid, axis=1)
    rows = np.arange(n)
    start = np.where(legacy, sched.accrual_start[rows, first_col], to_day_number(analysis))
    target = coll.market_value * flows.beginning[rows, first_col]
    cash = np.where(valid, flows.cash, 0.0)
    uniq = np.unique(np.concatenate([sched.dates[valid], start]))
    df_map = {int(u): curve.discount_factor(from_day_number(int(u))) for u in uniq}
    lookup = np.vectorize(lambda s: df_map.get(int(s), 1.0), otypes=[np.float64])
    df = np.where(valid, lookup(np.where(valid, sched.dates, uniq[0])), 0.0) / lookup(start)[:, None]
    t = np.maximum(sched.dates - start[:, None], 0) / 360.0
    ok = valid.any(axis=1) & ~coll.defaulted & (coll.market_value > 0) & (cash.sum(axis=1) > 0)
    lo = np.full(n, -0.5)
    hi = np.full(n, 2.0)
    for _ in range(80):
        mid = (lo + hi) / 2.0
        pv = np.sum(cash * df * (1.0 + mid[:, None] / 4.0) ** (-4.0 * t), axis=1)
        too_high = pv > target  # price above target → spread must rise
        lo = np.where(too_high, mid, lo)
        hi = np.where(too_high, hi, mid)
    out = (lo + hi) / 2.0
    return np.where(ok, out, np.nan)
