"""The collateral projection as first written (one asset row expression per column, everything inside the
loop), kept as the oracle of ``clo_xl.cashflows.projection.project_asset_rows`` (issue 13)."""

from __future__ import annotations

from datetime import date

import numpy as np

from clo_xl.cashflows.assumptions import CashflowAssumptions, periodic_rate, resolve_matrices
from clo_xl.cashflows.collateral import CollateralArrays
from clo_xl.cashflows.projection import (
    AssetFlows,
    ProjectionSwitches,
    SinkSchedule,
    build_schedules,
    with_sink_dates,
)
from clo_xl.curves.base import ForwardCurve
from clo_xl.curves.conventions import IntArray, to_day_number


def project_asset_rows(
    coll: CollateralArrays,
    assumptions: CashflowAssumptions,
    curve: ForwardCurve | None,
    analysis: date,
    *,
    switches: ProjectionSwitches | None = None,
    default_dates: IntArray | None = None,
    sink: SinkSchedule | None = None,
) -> AssetFlows:
    """Every asset's own projection on its own schedule (§1.2), before any deal bucketing."""
    sw = switches or ProjectionSwitches()
    a = to_day_number(analysis)
    alive = coll.maturity >= a
    sched = build_schedules(coll, analysis, sw)
    if sink is not None:
        sched = with_sink_dates(sched, sink, coll, sw, a)
    dates, acc, valid, counter = sched.dates, sched.accrual_start, sched.valid, sched.counter
    n, cols = dates.shape
    po = sched.principal_only if sched.principal_only is not None else np.zeros((n, cols), dtype=bool)
    period = np.where(po, counter + 1, counter)  # the interest period a row falls in (1 = first projected)
    ids = [str(x) for x in coll.asset_id]
    cpr, cdr, sev, lag_m, rating_cdr = resolve_matrices(assumptions, ids, period)
    # the lags are now per asset and column (lag vectors); as first written, one lag per asset
    lag = np.rint(lag_m[:, 0] / sched.months).astype(np.int64)  # Q49
    d360 = sched.days360
    cpr_p = periodic_rate(cpr, d360)
    cdr_p = periodic_rate(cdr, d360)
    yf = sched.year_fraction
    par = np.where((coll.par == 0) & sw.zero_par_million, 1_000_000.0, coll.par)
    par = np.where(alive | coll.defaulted, par, 0.0)
    predefault = coll.defaulted & valid.any(axis=1)
    never_default = np.iinfo(np.int64).max
    rating_date = np.full(n, never_default, dtype=np.int64) if default_dates is None else default_dates
    # deterministic RATING CDR: only assets whose static rating is D default (§1.4)
    static_d = (np.char.upper(coll.sp_rating.astype(str)) == "D") | (
        np.char.upper(coll.moodys_rating.astype(str)) == "D"
    )
    rating_date = np.where(rating_cdr & static_d & (default_dates is None), a, rating_date)
    rating_mode = rating_cdr | (default_dates is not None)

    # coupon matrix: input coupon for the first projected period, curve resets after (step 7)
    coupon = np.broadcast_to(coll.coupon[:, None], (n, cols)).copy()
    if curve is not None and np.any(coll.is_float):
        need = valid & (period > 1) & coll.is_float[:, None]
        for m in np.unique(sched.months):
            sel = need & (sched.months[:, None] == m)
            if np.any(sel):
                # a Term SOFR curve carries the ISDA spread adjustment for LIBOR-referencing loans
                csa = curve.index.spread_adjustment
                idx = np.round(curve.index_rate(acc[sel], int(m)) + csa, 5)
                rows = np.nonzero(sel)[0]
                coupon[sel] = np.maximum(idx, coll.floor[rows]) + coll.spread[rows]

    bal = np.where(predefault, 0.0, par)
    hist_def = np.zeros((n, cols + 1))
    hist_mv = np.zeros((n, cols + 1))
    hist_def[:, 0] = np.where(predefault, par, 0.0)
    hist_mv[:, 0] = np.where(predefault, par * coll.market_value, 0.0)
    def_bal = hist_def[:, 0].copy()
    mv_bal = hist_mv[:, 0].copy()
    keys = ("beg", "default", "mv", "int", "sch", "pre", "rec", "loss", "mv_off")
    out = {k: np.zeros((n, cols)) for k in keys}
    rows = np.arange(n)
    sched_frac = sched.fraction.copy() if sched.fraction is not None else np.zeros((n, cols))
    sched_frac[rows, np.maximum(sched.last, 0)] = np.where(sched.last >= 0, 1.0, 0.0)
    for j in range(cols):
        v = valid[:, j]
        if not v.any():
            continue
        k = counter[:, j]
        p_only = po[:, j]  # principal-only rows: no CDR default, prepayment or recovery (§1.2 step 9)
        b = np.where(v, bal, 0.0)
        by_rating = rating_mode & (dates[:, j] >= rating_date)
        # rating mode (RATING CDR or a migration path): all of B when the rating is D, never the CDR
        default = np.where(rating_mode, np.where(by_rating, b, 0.0), b * cdr_p[:, j] * ~p_only) * v
        mv = default * (1.0 - sev[:, j])
        hist_def[rows, k] += default
        hist_mv[rows, k] += mv
        s = b - default
        scheduled = s * sched_frac[:, j]
        # a principal-only row pays the interest accrued on the repaid amount only
        interest = yf[:, j] * coupon[:, j] * np.where(p_only, scheduled, s)
        prepay = (s - scheduled) * cpr_p[:, j] * ~p_only
        back = k - lag
        has = v & ~p_only & (back >= 0) & ((lag > 0) | (back == k))
        if not sw.write_off_unrecovered:
            has = v & ~p_only & (back >= 0)
        recovery = np.where(has, hist_mv[rows, np.clip(back, 0, cols)], 0.0)
        rec_par = np.where(has, hist_def[rows, np.clip(back, 0, cols)], 0.0)
        # recovered items leave the queue so a later write-off does not count them twice
        hist_mv[rows[has], np.clip(back, 0, cols)[has]] = 0.0
        hist_def[rows[has], np.clip(back, 0, cols)[has]] = 0.0
        loss = rec_par - recovery
        def_bal = def_bal + default - rec_par
        mv_bal = mv_bal + mv - recovery
        is_last = v & (sched.last == j)
        if np.any(is_last):
            if sw.write_off_unrecovered:  # Q34: outstanding defaulted par written off in full
                loss = loss + np.where(is_last, def_bal, 0.0)
                out["mv_off"][:, j] = np.where(is_last, mv_bal, 0.0)
            else:  # collect every queued recovery on the last row
                extra = np.where(is_last, mv_bal, 0.0)
                recovery = recovery + extra
                loss = loss + np.where(is_last, def_bal - mv_bal, 0.0)
            def_bal = np.where(is_last, 0.0, def_bal)
            mv_bal = np.where(is_last, 0.0, mv_bal)
        bal = np.where(v, b - default - scheduled - prepay, bal)
        out["beg"][:, j] = b
        out["default"][:, j] = default
        out["mv"][:, j] = mv
        out["int"][:, j] = interest
        out["sch"][:, j] = scheduled
        out["pre"][:, j] = prepay
        out["rec"][:, j] = recovery
        out["loss"][:, j] = loss

    return AssetFlows(
        sched,
        par,
        predefault,
        out["beg"],
        coupon,
        out["default"],
        out["mv"],
        out["int"],
        out["sch"],
        out["pre"],
        out["rec"],
        out["loss"],
        out["mv_off"],
    )
