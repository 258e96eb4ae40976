"""The legacy monthly curve (`C/YieldCurve.cls`, CASHFLOW_SPEC §2), reproduced — minus its corruption.

Construction (§2.1): monthly spot grid s(1..L) linearly interpolated in the month number between the
given tenors; "forwards" f(m) = (1+s(m+1))^(m+1) / (1+s(m))^m − 1 compound the *annual* quotes once per
month (Q2); node dates are anchor + m months.
`SpotRate(d, M)` (§2.2) is the geometric average over M monthly steps of (1 + forward at the running
date), the running date moving +1 month with month-end clamping so a 31st drifts (Q3); forwards between
nodes are linear in days, and on/before the anchor the first node applies.
Past the last node the VBA returned 0 and corrupted the shared curve for every later query (Q1). Here
the query raises :class:`CurveRangeError` or, with ``Extrapolation.FLAT``, uses the last forward; the
curve never changes state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import numpy as np

from clo_xl.curves.base import LIBOR_3M, CurveRangeError, Extrapolation, ForwardCurve, RateIndex
from clo_xl.curves.conventions import (
    FloatArray,
    IntArray,
    add_months,
    add_months_serials,
    from_day_number,
    to_day_number,
)


@dataclass(frozen=True)
class LegacyCurve:
    """Legacy curve from {tenor in months: annual spot rate}. Tenors must include month 1."""

    anchor: date
    tenors: tuple[tuple[int, float], ...]
    extrapolation: Extrapolation = Extrapolation.ERROR
    index: RateIndex = LIBOR_3M
    _node_serials: IntArray = field(init=False, repr=False, compare=False)
    _forwards: FloatArray = field(init=False, repr=False, compare=False)
    _node_days: FloatArray = field(init=False, repr=False, compare=False)  # node serials as floats

    def __post_init__(self) -> None:
        nodes = sorted(self.tenors)
        if not nodes or nodes[0][0] != 1:
            raise CurveRangeError(
                "the legacy curve needs a 1-month tenor as its first node (the VBA divides by zero "
                "otherwise); add a 1M rate to the LIBOR curve"
            )
        months = np.array([m for m, _ in nodes], dtype=np.float64)
        rates = np.array([r for _, r in nodes], dtype=np.float64)
        length = int(months[-1])
        grid = np.arange(1, length + 1, dtype=np.float64)
        spot = np.interp(grid, months, rates)
        m = grid[:-1]
        fwd = (1.0 + spot[1:]) ** (m + 1.0) / (1.0 + spot[:-1]) ** m - 1.0  # Q2: monthly compounding
        forwards = np.concatenate([[spot[0]], fwd])  # node 0 = anchor → s(1); node m → f(m)
        count = len(forwards)
        node_serials = add_months_serials(
            np.full(count, to_day_number(self.anchor), dtype=np.int64),
            np.arange(count, dtype=np.int64),
            np.zeros(count, dtype=bool),
        )
        object.__setattr__(self, "_node_serials", node_serials)
        object.__setattr__(self, "_node_days", node_serials.astype(np.float64))
        object.__setattr__(self, "_forwards", forwards)

    @classmethod
    def from_mapping(
        cls,
        anchor: date,
        tenors: Mapping[int, float],
        extrapolation: Extrapolation = Extrapolation.ERROR,
        index: RateIndex = LIBOR_3M,
    ) -> LegacyCurve:
        return cls(anchor, tuple(sorted((int(k), float(v)) for k, v in tenors.items())), extrapolation, index)

    @property
    def last_node(self) -> date:
        return from_day_number(int(self._node_serials[-1]))

    def forward(self, when: IntArray) -> FloatArray:
        """Monthly-node forward at each serial (linear in days between nodes)."""
        w = np.asarray(when, dtype=np.int64)
        self._check_range(w)
        # np.interp is flat at both ends: before the anchor → first node (§2.2), beyond → last forward
        return np.interp(w.astype(np.float64), self._node_days, self._forwards)

    def _check_range(self, when: IntArray) -> None:
        """Raise the located error for serials past the last node (unless extrapolation is flat)."""
        if self.extrapolation is not Extrapolation.ERROR:
            return
        beyond = when > self._node_serials[-1]
        if np.any(beyond):
            first_bad = from_day_number(int(when[beyond].min()))
            raise CurveRangeError(
                f"curve anchored {self.anchor} ends {self.last_node}; queried {first_bad}. Extend the curve "
                "or allow flat extrapolation (--curve-extrapolation flat)"
            )

    def index_rate(self, fixing: IntArray, months: int) -> FloatArray:
        """`SpotRate(date, months)`: geometric average of monthly forwards with month-end drift (Q3).

        Computed once per distinct fixing date (a pool's reset dates repeat across assets) and spread back.
        """
        dates = np.asarray(fixing, dtype=np.int64)
        if months <= 0:
            return np.zeros(dates.shape)
        distinct, where = _distinct(dates.ravel())
        return self._index_rate(distinct, months)[where].reshape(dates.shape)

    def _index_rate(self, running: IntArray, months: int) -> FloatArray:
        """The product of (1 + forward) over the ``months`` running dates of each start, in step order;
        the running dates of every step worked out at once (:func:`_running_dates`)."""
        steps = _running_dates(running, months)
        for step in steps:  # the first step past the curve names its earliest date, as step by step
            self._check_range(step)
        factors = 1.0 + np.interp(steps.astype(np.float64), self._node_days, self._forwards)
        product = np.ones(running.shape)
        for factor in factors:
            product = product * factor
        return np.asarray(product ** (1.0 / months) - 1.0, dtype=np.float64)

    def _spot(self, start: date, months: int) -> float:
        if months <= 0:
            return 0.0
        size = -(-(months + 1) // 120) * 120
        value = float(_spot_table(self, start, size)[months])
        if np.isnan(value):  # the chain runs past the curve: let index_rate raise the located error
            return float(self.index_rate(np.array([to_day_number(start)]), months)[0])
        return value

    def zero_rate(self, start: date, end: date) -> float:
        """`ZeroRate(start, end)` (§2.3): day-linear between the bracketing whole-month spot rates."""
        months = (end.year - start.year) * 12 + end.month - start.month
        low = add_months(start, months)
        if end > low:
            hi = add_months(low, 1)
            r0, r1 = self._spot(start, months), self._spot(start, months + 1)
            return r0 + (r1 - r0) * (end - low).days / max((hi - low).days, 1)
        lo = add_months(low, -1)
        r0, r1 = self._spot(start, max(months - 1, 0)), self._spot(start, months)
        return r0 + (r1 - r0) * (end - lo).days / max((low - lo).days, 1)

    def discount_factor(self, when: date) -> float:
        """(1 + zero)^(−days/365) from the anchor; the legacy PV chaining lives in the pricing module."""
        if when <= self.anchor:
            return 1.0
        z = self.zero_rate(self.anchor, when)
        return float((1.0 + z) ** (-(when - self.anchor).days / 365.0))

    def shifted(self, shift: float) -> ForwardCurve:
        return LegacyCurve(
            self.anchor, tuple((m, r + shift) for m, r in self.tenors), self.extrapolation, self.index
        )


def _distinct(serials: IntArray) -> tuple[IntArray, IntArray]:
    """``np.unique(serials, return_inverse=True)`` for day serials: by a presence table over their range
    (no sort) when the range is a few decades at most."""
    if len(serials) == 0:
        return serials, np.zeros(0, dtype=np.int64)
    low, high = int(serials.min()), int(serials.max())
    if high - low > 20_000:
        distinct, where = np.unique(serials, return_inverse=True)
        return distinct, np.asarray(where).ravel()
    offset = serials - low
    present = np.zeros(high - low + 1, dtype=bool)
    present[offset] = True
    distinct = np.flatnonzero(present)
    rank = np.cumsum(present) - 1
    return distinct + low, rank[offset]


def _running_dates(start: IntArray, months: int) -> IntArray:
    """SpotRate's running dates (steps × starts): step 0 is the start, each step one calendar month on,
    the day of the month clamped at a short month and never restored (Q3): the same dates as applying
    ``add_months_serials(running, 1, no end-of-month)`` step after step, in integer arithmetic."""
    d = np.asarray(start, dtype=np.int64).astype("datetime64[D]")
    month0 = d.astype("datetime64[M]")
    day0 = (d - month0.astype("datetime64[D]")).astype(np.int64)  # 0-based day of the month
    month = month0[None, :] + np.arange(months, dtype=np.int64)[:, None].astype("timedelta64[M]")
    first = month.astype("datetime64[D]")
    length = ((month + np.timedelta64(1, "M")).astype("datetime64[D]") - first).astype(np.int64)
    day = np.minimum.accumulate(np.minimum(day0[None, :], length - 1), axis=0)
    day[0] = day0
    out: IntArray = first.astype(np.int64) + day
    return out


@lru_cache(maxsize=256)
def _spot_table(curve: LegacyCurve, start: date, size: int) -> FloatArray:
    """SpotRate(start, M) for M = 0..size−1 at once: the running date drifts month by month (Q3), so the
    M-step product is the first M factors of one chain."""
    serials = []
    running = start
    for _ in range(size):
        serials.append(to_day_number(running))
        running = add_months(running, 1)
    dates = np.array(serials, dtype=np.int64)
    inside = dates <= curve._node_serials[-1]
    fwd = np.full(size, np.nan)
    fwd[inside] = curve.forward(dates[inside])
    if curve.extrapolation is Extrapolation.FLAT:
        fwd[~inside] = curve._forwards[-1]
    factors = 1.0 + fwd
    products = np.cumprod(factors)
    m = np.arange(1, size)
    out = np.zeros(size)
    out[1:] = products[: size - 1] ** (1.0 / m) - 1.0
    return out
