"""The `corrected` curve: a QuantLib zero curve. Nothing QuantLib leaves this module.

Input tenors (months → annual rates) are read as annually compounded Actual/365F zero rates on the
anchor + tenor dates, linearly interpolated in the zero rate (QuantLib ``ZeroCurve``). Index forwards are
simple Actual/360 forwards over the period: (DF(start)/DF(end) − 1)/τ.
Past the last node: :class:`CurveRangeError`, or flat zero extrapolation with ``Extrapolation.FLAT``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from clo_xl.curves.base import LIBOR_3M, CurveRangeError, Extrapolation, ForwardCurve, RateIndex
from clo_xl.curves.conventions import FloatArray, IntArray, LazyModule, add_months, from_day_number

if TYPE_CHECKING:
    import QuantLib as ql
else:
    ql = LazyModule("QuantLib", globals(), "ql")  # imported when a curve is first built


@cache
def _act365() -> ql.DayCounter:
    """Actual/365 Fixed, the zero rates' day count (made once, at the first use of QuantLib)."""
    return ql.Actual365Fixed()


def _ql(d: date) -> ql.Date:
    return ql.Date(d.day, d.month, d.year)


@dataclass(frozen=True)
class QuantLibCurve:
    """Zero curve built by QuantLib from {tenor months: annual zero rate}."""

    anchor: date
    tenors: tuple[tuple[int, float], ...]
    extrapolation: Extrapolation = Extrapolation.ERROR
    index: RateIndex = LIBOR_3M
    _curve: Any = field(init=False, repr=False, compare=False)
    _last: date = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        nodes = sorted(self.tenors)
        if not nodes:
            raise CurveRangeError("a curve needs at least one tenor")
        dates = [_ql(self.anchor)] + [_ql(add_months(self.anchor, m)) for m, _ in nodes]
        rates = [nodes[0][1]] + [r for _, r in nodes]
        curve = ql.ZeroCurve(
            dates, rates, _act365(), ql.NullCalendar(), ql.Linear(), ql.Compounded, ql.Annual
        )
        curve.enableExtrapolation()
        object.__setattr__(self, "_curve", curve)
        object.__setattr__(self, "_last", add_months(self.anchor, nodes[-1][0]))

    @classmethod
    def from_mapping(
        cls,
        anchor: date,
        tenors: Mapping[int, float],
        extrapolation: Extrapolation = Extrapolation.ERROR,
        index: RateIndex = LIBOR_3M,
    ) -> QuantLibCurve:
        return cls(anchor, tuple(sorted((int(k), float(v)) for k, v in tenors.items())), extrapolation, index)

    def _check(self, when: date) -> None:
        if when > self._last and self.extrapolation is Extrapolation.ERROR:
            raise CurveRangeError(
                f"curve anchored {self.anchor} ends {self._last}; queried {when}. Extend the curve or "
                "allow flat extrapolation (--curve-extrapolation flat)"
            )

    def discount_factor(self, when: date) -> float:
        if when <= self.anchor:
            return 1.0
        self._check(when)
        if when > self._last:  # flat zero rate beyond the last node
            z = self.zero_rate(self.anchor, self._last)
            return float((1.0 + z) ** (-_act365().yearFraction(_ql(self.anchor), _ql(when))))
        return float(self._curve.discount(_ql(when)))

    def zero_rate(self, start: date, end: date) -> float:
        if end <= start:
            return float(self.tenors[0][1])
        self._check(end)
        df = self.discount_factor(end) / self.discount_factor(start)
        t = _act365().yearFraction(_ql(start), _ql(end))
        return float(df ** (-1.0 / t) - 1.0)

    def index_rate(self, fixing: IntArray, months: int) -> FloatArray:
        fix = np.asarray(fixing, dtype=np.int64)
        uniq, inverse = np.unique(fix.ravel(), return_inverse=True)
        out = np.empty(len(uniq))
        known: dict[date, float] = {}  # one period's end is often the next one's start: asked once

        def discount(when: date) -> float:
            if when not in known:
                known[when] = self.discount_factor(when)
            return known[when]

        for i, s in enumerate(uniq.tolist()):
            start = max(from_day_number(s), self.anchor)
            end = add_months(start, months)
            tau = (end - start).days / 360.0
            out[i] = (discount(start) / discount(end) - 1.0) / tau
        return out[np.asarray(inverse).ravel()].reshape(fix.shape)

    def shifted(self, shift: float) -> ForwardCurve:
        return QuantLibCurve(
            self.anchor, tuple((m, r + shift) for m, r in self.tenors), self.extrapolation, self.index
        )
