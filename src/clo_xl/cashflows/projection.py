"""Asset cash-flow projection (CASHFLOW_SPEC §1.2–§1.3), vectorised over assets; one loop over columns.

Each asset gets its own schedule (first payment date + k × months between payments, business-day
adjusted with QuantLib, last date = maturity). Column j of the schedule matrix is the asset's j-th date.

Order of events within an asset period (one place, as the spec fixes it):
  1. default (at the start of the accrual period): B × periodic CDR, or all of B if the rating is D;
  2. MV of default = default × (1 − severity), queued for recovery after the lag (or spread over the lags
     of a recovery timing); a default-timing curve replaces the CDR with shares of a cumulative rate;
  3. interest = YEARFRAC(accrual start, pay date, basis) × coupon × (B − default);
  4. scheduled principal = (B − default) × schedule fraction;
  5. prepayment = (B − default − scheduled) × periodic CPR;
  6. recovery of the MV queued ``lag`` periods earlier (same period when lag = 0);
  7. coupon reset for the next period: max(round(index, 5), floor) + spread for floating assets.
The per-asset flows are then bucketed into the deal's collection windows: cash by payment date,
defaults by accrual start (Q35).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

import numpy as np

from clo_xl.cashflows.assumptions import (
    CashflowAssumptions,
    RecoveryTiming,
    periodic_rate,
    resolve_matrices,
    timing_fractions,
)
from clo_xl.cashflows.collateral import BoolArray, CollateralArrays
from clo_xl.cashflows.timeline import PaymentGrid
from clo_xl.curves.base import ForwardCurve
from clo_xl.curves.conventions import (
    US_SETTLEMENT,
    BusinessDayRule,
    CalendarLike,
    FloatArray,
    IntArray,
    add_months_serials,
    adjust_serials,
    days360,
    to_day_number,
    year_fraction,
)


@dataclass(frozen=True)
class ProjectionSwitches:
    """Legacy defects in the projection, each on in `legacy`.

    * ``zero_par_million`` (Q33): an asset with par 0 projects 1,000,000.
    * ``write_off_unrecovered`` (Q34): defaulted par not yet recovered at an asset's last row is written
      off in full, and a pre-defaulted asset with lag 0 is never recovered. ``False`` collects the queued
      recoveries on the last row instead.
    * ``legacy_business_days`` (Q36): `DateAddBusiness` behaviour for the asset interest dates (Modified
      Following rolls back only on a month end) and `CheckBusinessDate` for sink dates, instead of
      QuantLib's conventions.
    """

    zero_par_million: bool = True
    write_off_unrecovered: bool = True
    legacy_business_days: bool = True
    calendar: CalendarLike = US_SETTLEMENT

    @classmethod
    def corrected(cls) -> ProjectionSwitches:
        return cls(False, False, False)


@dataclass(frozen=True, eq=False)
class PoolFlows:
    """Pool totals per deal period (index 0..n−1). Balances are *opening* balances of each period."""

    performing: FloatArray
    defaulted: FloatArray
    mv_defaulted: FloatArray
    default: FloatArray
    mv_default: FloatArray
    interest: FloatArray
    scheduled: FloatArray
    prepayment: FloatArray
    recovery: FloatArray
    net_loss: FloatArray
    ccc_opening: FloatArray
    # MV-of-default balance dropped when an asset leaves the pool with its defaulted par written off
    # (Q34 write-off; the legacy zeroes an asset's balances once it drops out, so Q44 stays transient)
    mv_written_off: FloatArray | None = None

    @property
    def principal(self) -> FloatArray:
        return self.scheduled + self.prepayment + self.recovery

    def end_performing(self) -> FloatArray:
        return self.performing - self.default - self.scheduled - self.prepayment

    def end_defaulted(self) -> FloatArray:
        return self.defaulted + self.default - self.recovery - self.net_loss

    def end_mv(self) -> FloatArray:
        end = self.mv_defaulted + self.mv_default - self.recovery
        return end if self.mv_written_off is None else end - self.mv_written_off

    @classmethod
    def zeros(cls, n: int) -> PoolFlows:
        return cls(*(np.zeros(n) for _ in range(11)))


@dataclass(frozen=True, eq=False)
class AssetSchedule:
    """Per-asset date matrix: ``dates[i, j]`` pay date of column j (valid where ``valid``)."""

    dates: IntArray
    accrual_start: IntArray
    valid: BoolArray
    counter: IntArray
    last: IntArray  # column index of each asset's last valid row (−1 if none)
    months: IntArray
    days360: IntArray  # DAYS360(accrual start, pay date) per row (rate conversions, Q47)
    year_fraction: FloatArray  # YEARFRAC in the asset's basis per row (interest)
    principal_only: BoolArray | None = None  # sink dates that are not interest dates (§1.1, §1.2 step 9)
    fraction: FloatArray | None = None  # scheduled-principal fraction per row (sink schedule), if any


@lru_cache(maxsize=16)
def build_schedules(
    coll: CollateralArrays, analysis: date, switches: ProjectionSwitches, horizon: int | None = None
) -> AssetSchedule:
    """Interest dates from the first payment date, adjusted, ending with maturity (§1.1).

    Cached per (collateral object, analysis date, switches): scenario runs on one pool share it.
    """
    a = to_day_number(analysis)
    months = np.rint(12.0 / coll.payments_per_year).astype(np.int64)  # banker's rounding (Q49)
    months = np.maximum(months, 1)
    fp = coll.first_payment.astype("datetime64[D]")
    an = np.datetime64(analysis, "D")
    diff = (an.astype("datetime64[M]") - fp.astype("datetime64[M]")).astype(np.int64)
    k0 = np.maximum(diff // months - 1, -1)
    mat = coll.maturity.copy()  # business-day adjusted with `CheckBusinessDate` (§1.1; Q36 in legacy)
    for rule in np.unique(coll.business_day_rule):
        sel = coll.business_day_rule == rule
        mat[sel] = adjust_serials(
            coll.maturity[sel],
            BusinessDayRule(int(rule)),
            switches.calendar,
            legacy=switches.legacy_business_days,
        )
    life = (mat.astype("datetime64[D]").astype("datetime64[M]") - an.astype("datetime64[M]")).astype(np.int64)
    cols = int(np.max(np.maximum(life, 0) // months)) + 4 if len(coll) else 1
    if horizon is not None:
        cols = min(cols, horizon)
    k = k0[:, None] + np.arange(cols)[None, :]
    unadj = add_months_serials(coll.first_payment[:, None], k * months[:, None], coll.end_of_month[:, None])
    adj = np.empty_like(unadj)
    for rule in np.unique(coll.business_day_rule):
        sel = coll.business_day_rule == rule
        adj[sel] = adjust_serials(
            unadj[sel],
            BusinessDayRule(int(rule)),
            switches.calendar,
            legacy=switches.legacy_business_days,
            date_add=True,  # asset interest dates go through `DateAddBusiness` (Q36)
        )
    adj = np.where(k >= 0, adj, coll.dated[:, None])
    prev = np.concatenate([np.where(k0 >= 0, adj[:, 0], coll.dated)[:, None], adj[:, :-1]], axis=1)
    prev[:, 0] = np.where(k0[:] >= 0, adj[:, 0], coll.dated)  # column 0 never valid (it is ≤ analysis)
    dates = np.minimum(adj, mat[:, None])
    before_maturity = prev < mat[:, None]
    no_interest = coll.first_payment >= mat  # §1.1: no interest dates; the maturity row only
    valid = (dates > a) & before_maturity & (k >= 0)
    valid[:, 0] = False
    if np.any(no_interest):
        valid[no_interest] = False
        valid[no_interest, 1] = mat[no_interest] > a
        dates[no_interest, 1] = mat[no_interest]
        prev[no_interest, 1] = coll.dated[no_interest]
    counter = np.cumsum(valid, axis=1)
    any_valid = valid.any(axis=1)
    last = np.where(any_valid, cols - 1 - np.argmax(valid[:, ::-1], axis=1), -1)
    d360 = days360(prev, dates)
    yf = year_fraction(prev, dates, coll.day_count[:, None])
    return AssetSchedule(dates, prev, valid, counter, last, months, d360, yf)


@dataclass(frozen=True, eq=False)
class SinkSchedule:
    """`Sink_Schedule` rows for "SCHEDULED" loans: asset row index, payment serial, amount (currency)."""

    asset: IntArray
    date: IntArray
    amount: FloatArray


def _sink_fractions(sink: SinkSchedule, n: int) -> tuple[IntArray, IntArray, FloatArray]:
    """Each sink amount as a fraction of the then-remaining scheduled total (the last one 100%), §1.1;
    returned sorted by (asset, date)."""
    order = np.lexsort((sink.date, sink.asset))
    a, d, amt = sink.asset[order], sink.date[order], sink.amount[order]
    totals = np.bincount(a, weights=amt, minlength=n)
    before = np.cumsum(amt) - amt  # cumulative before this row, across groups
    group_start = np.searchsorted(a, a, side="left")
    paid_before = before - before[group_start]
    remaining = totals[a] - paid_before
    frac = np.where(remaining > 0, np.minimum(amt / np.where(remaining > 0, remaining, 1.0), 1.0), 0.0)
    return a, d, frac


@lru_cache(maxsize=16)
def with_sink_dates(
    sched: AssetSchedule,
    sink: SinkSchedule,
    coll: CollateralArrays,
    switches: ProjectionSwitches,
    analysis: int,
) -> AssetSchedule:
    """The schedule with the sink schedule applied (§1.1, §1.2 step 9), vectorised over all sink rows.

    Sink dates are business-day adjusted (`CheckBusinessDate`, Q36 in legacy). A sink on an interest date
    sets that row's fraction; a sink between interest dates becomes a *principal-only* row: the fraction of
    the balance is repaid there with the interest accrued on the repaid amount, the accrual start is not
    moved and there is no default, prepayment or recovery on it. Several sinks on one date compound.
    Sink dates on or before the analysis serial ``analysis`` only shape the fractions.
    """
    n, cols = sched.dates.shape
    surviving = np.ones((n, cols))
    if len(sink.asset) == 0:
        return replace(sched, principal_only=np.zeros((n, cols), dtype=bool), fraction=1.0 - surviving)
    when = sink.date.copy()
    rules = coll.business_day_rule[sink.asset]
    for rule in np.unique(rules):
        sel = rules == rule
        when[sel] = adjust_serials(
            when[sel], BusinessDayRule(int(rule)), switches.calendar, legacy=switches.legacy_business_days
        )
    a, d, frac = _sink_fractions(SinkSchedule(sink.asset, when, sink.amount), n)
    a64 = a.astype(np.int64)
    big = np.int64(10_000_000)
    keys = (np.arange(n, dtype=np.int64)[:, None] * big + np.maximum.accumulate(sched.dates, axis=1)).ravel()
    pos = np.searchsorted(keys, a64 * big + d, side="left")
    col = pos - a64 * cols
    inside = (col >= 0) & (col < cols)
    on_date = np.zeros(len(a), dtype=bool)
    on_date[inside] = sched.valid[a[inside], col[inside]] & (sched.dates[a[inside], col[inside]] == d[inside])
    np.multiply.at(surviving, (a[on_date], col[on_date]), 1.0 - frac[on_date])
    # between interest dates, after the analysis date and before the asset's last (maturity) row
    last_date = np.where(
        sched.last >= 0, sched.dates[np.arange(n), np.maximum(sched.last, 0)], np.iinfo(np.int64).min
    )
    extra = ~on_date & (d < last_date[a]) & (d > analysis) & (sched.last[a] >= 0)
    pairs, inverse = np.unique(np.stack([a64[extra], d[extra]], axis=1), axis=0, return_inverse=True)
    if len(pairs) == 0:
        return replace(sched, principal_only=np.zeros((n, cols), dtype=bool), fraction=1.0 - surviving)
    keep = np.ones(len(pairs))
    np.multiply.at(keep, np.asarray(inverse).ravel(), 1.0 - frac[extra])
    pa, pd = pairs[:, 0], pairs[:, 1]
    slot = np.arange(len(pa)) - np.searchsorted(pa, pa, side="left")
    width = int(slot.max()) + 1
    x_dates = np.zeros((n, width), dtype=np.int64)
    x_valid = np.zeros((n, width), dtype=bool)
    x_surv = np.ones((n, width))
    x_dates[pa, slot] = pd
    x_valid[pa, slot] = True
    x_surv[pa, slot] = keep
    dates = np.concatenate([sched.dates, x_dates], axis=1)
    valid = np.concatenate([sched.valid, x_valid], axis=1)
    po = np.concatenate([np.zeros((n, cols), dtype=bool), x_valid], axis=1)
    surv = np.concatenate([surviving, x_surv], axis=1)
    acc = np.concatenate([sched.accrual_start, np.zeros((n, width), dtype=np.int64)], axis=1)
    total = cols + width
    sort_key = np.where(valid, dates, np.int64(2**40) + np.arange(total)[None, :])
    order = np.argsort(sort_key, axis=1, kind="stable")

    def take(x: np.ndarray) -> np.ndarray:
        return np.take_along_axis(x, order, axis=1)

    dates, valid, po, surv, acc = take(dates), take(valid), take(po), take(surv), take(acc)
    # a principal-only row accrues from the start of the interest period it falls in (the accrual start
    # of the next interest row)
    interest_row = valid & ~po
    next_interest = np.where(interest_row, np.arange(total)[None, :], total - 1)
    next_interest = np.minimum.accumulate(next_interest[:, ::-1], axis=1)[:, ::-1]
    acc = np.where(po, np.take_along_axis(acc, next_interest, axis=1), acc)
    dates = np.where(valid, dates, np.maximum.accumulate(np.where(valid, dates, 0), axis=1))
    counter = np.cumsum(interest_row, axis=1)
    last = np.where(valid.any(axis=1), total - 1 - np.argmax(interest_row[:, ::-1], axis=1), -1)
    d360 = days360(acc, dates)
    yf = year_fraction(acc, dates, coll.day_count[:, None])
    return AssetSchedule(dates, acc, valid, counter, last, sched.months, d360, yf, po, 1.0 - surv)


@dataclass(frozen=True, eq=False)
class AssetFlows:
    """Per-asset rows (asset × schedule column; use where ``schedule.valid``), the `Collat CF` view."""

    schedule: AssetSchedule
    par: FloatArray
    predefault: BoolArray
    beginning: FloatArray
    coupon: FloatArray
    default: FloatArray
    mv_default: FloatArray
    interest: FloatArray
    scheduled: FloatArray
    prepayment: FloatArray
    recovery: FloatArray
    net_loss: FloatArray
    mv_written_off: FloatArray | None = None  # MV-of-default balance dropped with a Q34 write-off

    @property
    def cash(self) -> FloatArray:
        return self.interest + self.scheduled + self.prepayment + self.recovery


@dataclass(frozen=True, eq=False)
class Recoveries:
    """Defaulted par and its market value (the recovery) due at each interest-period counter of an asset.

    A default of period k is due at k + lag, for each (lag in periods per asset, share) of ``lags``: one
    lag with share 1 (the asset's recovery lag), or the shares of a :class:`RecoveryTiming`. Amounts due are
    collected once, on the interest row with that counter (a pre-defaulted asset's amounts sit at index 0:
    with lag 0 they are never collected, Q34). Each counter is an interest row of its own, so a slot is
    read by one row at most and collecting leaves it as it is.

    The queue is flat: asset ``a``'s counter ``c`` is at ``a × width + c`` (``base[a] = a × width``); a
    lag that varies by column (a lag vector) is kept column-major, ``lag[j]`` for column j.
    """

    par: FloatArray
    mv: FloatArray
    lags: list[tuple[IntArray, float]]
    base: IntArray

    @classmethod
    def empty(cls, n: int, cols: int, lags: list[tuple[IntArray, float]]) -> Recoveries:
        """A queue wide enough for the last column's defaults at the longest lag; ``lags`` as
        :func:`_recovery_lags` gives them (assets × columns, or one per asset)."""
        width = cols + 1 + max(int(lag.max(initial=0)) for lag, _ in lags)
        by_column = [(np.ascontiguousarray(lag.T) if lag.ndim == 2 else lag, share) for lag, share in lags]
        return cls(np.zeros(n * width), np.zeros(n * width), by_column, np.arange(n, dtype=np.int64) * width)

    def schedule(self, k: IntArray, column: int, par: FloatArray, mv: FloatArray) -> None:
        """Queue the defaults of the rows at ``column`` (interest-period counters ``k``)."""
        slot = self.base + k
        for lag, share in self.lags:
            at = slot + (lag[column] if lag.ndim == 2 else lag)
            if share == 1.0:  # x × 1.0 is x
                self.par[at] += par
                self.mv[at] += mv
            else:
                self.par[at] += par * share
                self.mv[at] += mv * share

    def collect(self, k: IntArray, collecting: BoolArray) -> tuple[FloatArray, FloatArray]:
        """(par, recovery) due now on the collecting rows."""
        slot = self.base + k
        return np.where(collecting, self.par[slot], 0.0), np.where(collecting, self.mv[slot], 0.0)


def _recovery_lags(
    lag_months: FloatArray, months: IntArray, timing: RecoveryTiming | None
) -> list[tuple[IntArray, float]]:
    """Lags in an asset's interest periods (months ÷ months between payments, banker's rounding, Q49):
    the asset's own lag (per column: a lag vector), or each share of the recovery timing."""
    if timing is None:
        return [(np.rint(lag_months / months[:, None]).astype(np.int64), 1.0)]
    return [(np.rint(m / months).astype(np.int64), share) for m, share in timing.shares]


def project_assets(
    coll: CollateralArrays,
    assumptions: CashflowAssumptions,
    curve: ForwardCurve | None,
    analysis: date,
    grid: PaymentGrid,
    *,
    switches: ProjectionSwitches | None = None,
    default_dates: IntArray | None = None,
    ccc_mask: BoolArray | None = None,
    sink: SinkSchedule | None = None,
) -> PoolFlows:
    """Project every asset and bucket the flows into the deal periods of ``grid``.

    ``default_dates`` (serial per asset, or a large number for never) drives rating-based defaults in
    migration runs: an asset defaults in full on its first interest date on or after that date.
    """
    if len(coll) == 0:
        return PoolFlows.zeros(grid.n)
    rows_ = project_asset_rows(
        coll, assumptions, curve, analysis, switches=switches, default_dates=default_dates, sink=sink
    )
    return bucket_to_deal(rows_, coll, grid, ccc_mask=ccc_mask)


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
    lags = _recovery_lags(lag_m, sched.months, assumptions.recovery_timing)
    timing = (
        None
        if assumptions.default_timing is None
        else timing_fractions(assumptions.default_timing, period, coll.payments_per_year)
    )
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

    sched_frac = sched.fraction.copy() if sched.fraction is not None else np.zeros((n, cols))
    sched_frac[np.arange(n), np.maximum(sched.last, 0)] = np.where(sched.last >= 0, 1.0, 0.0)
    # everything that does not depend on the running balance, for all rows at once (column-major)
    open_row = valid & ~po
    rows_in = _RowInputs(
        valid=_cols(valid),
        counter=_cols(counter),
        # b × cdr × (not principal-only) × valid: the factors are 1.0 or 0.0, so folding them first
        # gives the same products
        cdr=_cols(cdr_p * open_row),
        by_rating=_cols(rating_mode[:, None] & (dates >= rating_date[:, None]) & valid),
        keep=_cols(1.0 - sev),
        fraction=_cols(sched_frac),
        accrual=_cols(yf * coupon),
        principal_only=_cols(po),
        cpr=_cols(cpr_p * ~po),
        recover=_cols(open_row),
        last=sched.last,
        # a default-timing curve: the par an open row defaults (capped at the balance in the roll)
        timing=None if timing is None else _cols(par[:, None] * timing * open_row),
    )
    due = Recoveries.empty(n, cols, lags)
    flows = _roll(rows_in, par, predefault, coll.market_value, rating_mode, sw.write_off_unrecovered, due)
    return AssetFlows(
        sched,
        par,
        predefault,
        flows["beg"],
        coupon,
        flows["default"],
        flows["mv"],
        flows["int"],
        flows["sch"],
        flows["pre"],
        flows["rec"],
        flows["loss"],
        flows["mv_off"],
    )


def _cols(x: np.ndarray) -> np.ndarray:
    """Column j of an asset × column matrix as one contiguous row (the roll reads one column at a time)."""
    return np.ascontiguousarray(x.T)


@dataclass(frozen=True, eq=False)
class _RowInputs:
    """The per-row inputs of the roll, column-major (``x[j]`` = column j for every asset)."""

    valid: BoolArray
    counter: IntArray
    cdr: FloatArray  # periodic CDR, 0 on principal-only and invalid rows
    by_rating: BoolArray  # rating mode: the rating is D by this row's date
    keep: FloatArray  # 1 − severity
    fraction: FloatArray  # scheduled-principal fraction (1 on the maturity row)
    accrual: FloatArray  # year fraction × coupon
    principal_only: BoolArray
    cpr: FloatArray  # periodic CPR, 0 on principal-only rows
    recover: BoolArray  # recoveries due by now are collected on this row (not principal-only)
    last: IntArray  # each asset's last valid column (−1 if none)
    timing: FloatArray | None = None  # par defaulting on the row under a default-timing curve


def _roll(
    r: _RowInputs,
    par: FloatArray,
    predefault: BoolArray,
    market_value: FloatArray,
    rating_mode: BoolArray,
    write_off: bool,
    due: Recoveries,
) -> dict[str, FloatArray]:
    """Roll every asset's balance column by column (the order of events in the module docstring).

    Only what depends on the running balance is computed here; each value is the same expression, in
    the same order, as one asset row at a time would compute it. An asset's defaulted par and its market
    value still outstanding after its last row are written off (or collected) once the roll is done
    (:func:`_close_last_rows`): nothing after that row reads them.
    """
    cols, n = r.valid.shape
    bal = np.where(predefault, 0.0, par)
    def_bal = np.where(predefault, par, 0.0)
    mv_bal = np.where(predefault, par * market_value, 0.0)
    due.schedule(np.zeros(n, dtype=np.int64), 0, def_bal, mv_bal)  # pre-defaulted: queue index 0
    out = {
        k: np.zeros((cols, n))
        for k in ("beg", "default", "mv", "int", "sch", "pre", "rec", "rec_par", "def_bal", "mv_bal")
    }
    beg, defaults, mvs, ints = out["beg"], out["default"], out["mv"], out["int"]
    schs, pres, recs, rec_pars = out["sch"], out["pre"], out["rec"], out["rec_par"]
    def_bals, mv_bals = out["def_bal"], out["mv_bal"]
    any_rating = bool(rating_mode.any())
    any_principal_only = bool(r.principal_only.any())
    for j in np.flatnonzero(r.valid.any(axis=1)).tolist():
        v = r.valid[j]
        k = r.counter[j]
        b = np.where(v, bal, 0.0)
        default = b * r.cdr[j] if r.timing is None else np.minimum(b, r.timing[j])
        if any_rating:  # all of B when the rating is D, never the CDR
            default = np.where(rating_mode, np.where(r.by_rating[j], b, 0.0), default)
        mv = default * r.keep[j]
        due.schedule(k, j, default, mv)
        s = b - default
        scheduled = s * r.fraction[j]
        # a principal-only row pays the interest accrued on the repaid amount only
        interest = r.accrual[j] * (np.where(r.principal_only[j], scheduled, s) if any_principal_only else s)
        prepay = (s - scheduled) * r.cpr[j]
        rec_par, recovery = due.collect(k, r.recover[j])
        def_bal = def_bal + default - rec_par
        mv_bal = mv_bal + mv - recovery
        bal = np.where(v, b - default - scheduled - prepay, bal)
        beg[j] = b
        defaults[j] = default
        mvs[j] = mv
        ints[j] = interest
        schs[j] = scheduled
        pres[j] = prepay
        recs[j] = recovery
        rec_pars[j] = rec_par
        def_bals[j] = def_bal
        mv_bals[j] = mv_bal
    out["loss"] = out.pop("rec_par") - recs  # par recovered less its recovery, every row at once
    out["mv_off"] = _close_last_rows(r, out, write_off)
    del out["def_bal"], out["mv_bal"]
    return {key: np.ascontiguousarray(value.T) for key, value in out.items()}


def _close_last_rows(r: _RowInputs, out: dict[str, FloatArray], write_off: bool) -> FloatArray:
    """On each asset's last row, the defaulted par still outstanding is written off in full and its market
    value dropped (Q34, ``write_off``), or every queued recovery is collected there; in the columns that
    are some asset's last, the other assets' rows get + 0.0, as the roll always gave them. Returns the
    market value written off (columns × assets)."""
    cols, n = r.valid.shape
    mv_off = np.zeros((cols, n))
    last_cols = np.unique(r.last[r.last >= 0])
    if len(last_cols) == 0:
        return mv_off
    is_last = r.valid[last_cols] & (r.last[None, :] == last_cols[:, None])
    def_bal, mv_bal = out["def_bal"][last_cols], out["mv_bal"][last_cols]
    loss = out["loss"]
    if write_off:  # Q34: outstanding defaulted par written off in full
        loss[last_cols] = loss[last_cols] + np.where(is_last, def_bal, 0.0)
        mv_off[last_cols] = np.where(is_last, mv_bal, 0.0)
    else:  # collect every queued recovery on the last row
        recovery = out["rec"]
        recovery[last_cols] = recovery[last_cols] + np.where(is_last, mv_bal, 0.0)
        loss[last_cols] = loss[last_cols] + np.where(is_last, def_bal - mv_bal, 0.0)
    return mv_off


def bucket_to_deal(
    flows: AssetFlows, coll: CollateralArrays, grid: PaymentGrid, *, ccc_mask: BoolArray | None = None
) -> PoolFlows:
    """§1.3: cash by payment date, defaults by accrual start (Q35), into the collection windows."""
    n_periods = grid.n
    dates, acc, valid = flows.schedule.dates, flows.schedule.accrual_start, flows.schedule.valid
    par, predefault = flows.par, flows.predefault
    out = {
        "default": flows.default,
        "mv": flows.mv_default,
        "int": flows.interest,
        "sch": flows.scheduled,
        "pre": flows.prepayment,
        "rec": flows.recovery,
        "loss": flows.net_loss,
    }
    cash_p = np.searchsorted(grid.collection_end, dates, side="left")
    acc_p = np.searchsorted(grid.collection_end, acc, side="left")
    in_cash = valid & (cash_p < n_periods)
    in_acc = valid & (acc_p < n_periods)

    acc_periods, cash_periods = acc_p[in_acc], cash_p[in_cash]  # the rows' periods, picked once

    def bucket(values: FloatArray, where: BoolArray, idx: IntArray) -> FloatArray:
        """Sum ``values`` by period over the rows ``where`` (``idx``: those rows' periods)."""
        counts = np.bincount(idx, weights=values[where], minlength=n_periods)[:n_periods]
        return np.asarray(counts, dtype=np.float64)

    default_p = bucket(out["default"], in_acc, acc_periods)
    mv_p = bucket(out["mv"], in_acc, acc_periods)
    interest_p = bucket(out["int"], in_cash, cash_periods)
    sched_p = bucket(out["sch"], in_cash, cash_periods)
    prepay_p = bucket(out["pre"], in_cash, cash_periods)
    rec_p = bucket(out["rec"], in_cash, cash_periods)
    loss_p = bucket(out["loss"], in_cash, cash_periods)
    mv_off_p = (
        bucket(flows.mv_written_off, in_cash, cash_periods)
        if flows.mv_written_off is not None
        else np.zeros(n_periods)
    )
    # pre-defaulted assets past maturity produce no rows but stay on the books (Q46)
    stale = coll.defaulted & ~valid.any(axis=1)
    perf0 = float(np.sum(np.where(predefault | stale, 0.0, par * valid.any(axis=1))))
    def0 = float(np.sum(np.where(predefault | stale, par, 0.0)))
    mv0 = float(np.sum(np.where(predefault | stale, par * coll.market_value, 0.0)))
    performing = perf0 - np.concatenate([[0.0], np.cumsum(default_p + sched_p + prepay_p)[:-1]])
    defaulted = def0 + np.concatenate([[0.0], np.cumsum(default_p - rec_p - loss_p)[:-1]])
    mv_def = mv0 + np.concatenate([[0.0], np.cumsum(mv_p - rec_p - mv_off_p)[:-1]])
    ccc = np.zeros(n_periods)
    if ccc_mask is not None and np.any(ccc_mask):
        cm = ccc_mask[:, None]
        red = out["default"] + out["sch"] + out["pre"]
        ccc0 = float(np.sum(np.where(ccc_mask & ~predefault, par, 0.0) * valid.any(axis=1)))
        ccc = ccc0 - np.concatenate([[0.0], np.cumsum(bucket(red * cm, in_cash, cash_periods))[:-1]])
    return PoolFlows(
        performing=np.maximum(performing, 0.0),
        defaulted=np.maximum(defaulted, 0.0),
        mv_defaulted=np.maximum(mv_def, 0.0),
        default=default_p,
        mv_default=mv_p,
        interest=interest_p,
        scheduled=sched_p,
        prepayment=prepay_p,
        recovery=rec_p,
        net_loss=loss_p,
        ccc_opening=np.maximum(ccc, 0.0),
        mv_written_off=mv_off_p,
    )
