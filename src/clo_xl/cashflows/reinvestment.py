"""Reinvestment collateral (`C/Reinvest.cls`, §7.2): bullet assets bought at the end of a period,
aggregated into one grid, vectorised over the asset's life."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from clo_xl.cashflows.assumptions import periodic_rate
from clo_xl.cashflows.structure import ReinvestmentSpec
from clo_xl.curves.conventions import FloatArray, IntArray


@dataclass
class ReinvestmentPool:
    """Mutable aggregated grid (index = deal period) filled by :meth:`buy`."""

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
    #: periodic CDR and CPR of every deal period, per (annual CDR, annual CPR): worked out at the first buy
    _rates: dict[tuple[float, float], tuple[FloatArray, FloatArray]] = field(
        default_factory=dict, init=False, repr=False
    )

    @classmethod
    def empty(cls, n: int) -> ReinvestmentPool:
        return cls(*(np.zeros(n) for _ in range(10)))

    @property
    def principal(self) -> FloatArray:
        return self.scheduled + self.prepayment + self.recovery

    def principal_at(self, i: int) -> float:
        """``principal[i]`` without building the whole array (the same sum, in the same order)."""
        return float(self.scheduled[i] + self.prepayment[i] + self.recovery[i])

    def buy(
        self,
        period: int,
        amount: float,
        spec: ReinvestmentSpec,
        index_at_payment: FloatArray,
        months: int,
        days360_period: IntArray,
        yf30_period: FloatArray,
        *,
        write_off: bool = True,
    ) -> None:
        """Buy ``amount`` of cash at the end of ``period`` (0-based); flows start next period.

        ``days360_period[i]`` / ``yf30_period[i]``: DAYS360 and US 30/360 YEARFRAC of deal period i,
        i.e. from payment date i−1 to payment date i.
        """
        n = len(index_at_payment)
        if amount <= 0 or period + 1 >= n:
            return
        par = amount / spec.price
        term = max(round(spec.maturity_months / months), 1)  # Q49
        lag = round(spec.lag_months / months)
        j = np.arange(1, term + 1)
        idx = period + j
        idx = idx[idx < n]
        if len(idx) == 0:
            return
        m = len(idx)
        rates = self._rates.get((spec.cdr, spec.cpr))
        if rates is None:  # elementwise, so the same numbers as converting each bought asset's rows
            every = np.full(n, 1.0)
            rates = (
                periodic_rate(every * spec.cdr, days360_period),
                periodic_rate(every * spec.cpr, days360_period),
            )
            self._rates[(spec.cdr, spec.cpr)] = rates
        rows = slice(period + 1, period + 1 + m)  # idx is this contiguous run of periods
        cdr, cpr = rates[0][rows], rates[1][rows]
        final = np.arange(1, m + 1) == term
        survive = (1.0 - cdr) * np.where(final, 0.0, 1.0 - cpr)
        opening = par * np.concatenate([[1.0], np.cumprod(survive)[:-1]])
        default = opening * cdr
        mv = default * (1.0 - spec.severity)
        living = opening - default
        sched = np.where(final, living, 0.0)
        prepay = (living - sched) * cpr
        index = index_at_payment[idx - 1]
        coupon = np.where(index > spec.floor, index, spec.floor) + spec.spread
        interest = yf30_period[idx] * coupon * living
        rec = np.zeros(m)
        rec_par = np.zeros(m)
        if lag == 0:
            rec, rec_par = mv.copy(), default.copy()
        elif lag < m:
            rec[lag:], rec_par[lag:] = mv[:-lag], default[:-lag]
        loss = rec_par - rec
        def_bal = np.cumsum(default - rec_par)
        mv_bal = np.cumsum(mv - rec)
        last = m - 1
        if write_off:  # Q34: outstanding defaulted par at the last row is written off
            loss[last] += def_bal[last]
        else:
            rec[last] += mv_bal[last]
            loss[last] += def_bal[last] - mv_bal[last]
        opening_def = np.concatenate([[0.0], def_bal[:-1]])
        opening_mv = np.concatenate([[0.0], mv_bal[:-1]])
        self.performing[rows] += opening
        self.defaulted[rows] += opening_def
        self.mv_defaulted[rows] += opening_mv
        self.default[rows] += default
        self.mv_default[rows] += mv
        self.interest[rows] += interest
        self.scheduled[rows] += sched
        self.prepayment[rows] += prepay
        self.recovery[rows] += rec
        self.net_loss[rows] += loss

    def end_performing(self, i: int) -> float:
        return float(self.performing[i] - self.default[i] - self.scheduled[i] - self.prepayment[i])

    def end_defaulted(self, i: int) -> float:
        return float(self.defaulted[i] + self.default[i] - self.recovery[i] - self.net_loss[i])

    def end_mv(self, i: int) -> float:
        return float(self.mv_defaulted[i] + self.mv_default[i] - self.recovery[i])
