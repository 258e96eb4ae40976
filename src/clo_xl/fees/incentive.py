"""Incentive management fee with an IRR hurdle on the Sub Notes (`C/IncentiveFee.cls`, §6.2).

The threshold on a payment date is what the Sub Notes must receive for their IRR (historic flows plus
projected, net-of-fee distributions) to reach the hurdle: T = −PV_h × (1+h)^((date − closing)/365), PV_h
the cumulative present value at h to the closing date. Once met, the fee takes ``rate`` of each later
residual dollar (no catch-up).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from clo_xl.cashflows.structure import IncentiveFeeSpec
from clo_xl.fees.irr import xirr


@dataclass
class IncentiveFeeState:
    spec: IncentiveFeeSpec
    closing: date
    cumulative_pv: float = 0.0
    met: bool = False
    threshold: float = 0.0
    sub_paid: float = 0.0
    fee: float = 0.0
    total_fee: float = 0.0
    flows: list[tuple[date, float]] = field(default_factory=list)
    after_cutoff: list[tuple[date, float]] = field(default_factory=list)

    @classmethod
    def start(
        cls, spec: IncentiveFeeSpec, closing: date, cutoff: date, *, first_positive: bool
    ) -> IncentiveFeeState:
        """Walk the historic flows dated on/before ``cutoff``; Q29: in input order, stop at first PV > 0."""
        state = cls(spec, closing)
        h = spec.hurdle
        for d, amount in spec.history:
            if amount == 0:
                continue
            if d > cutoff:
                state.after_cutoff.append((d, amount))
                continue
            state.flows.append((d, amount))
            state.cumulative_pv += amount / (1.0 + h) ** ((d - closing).days / 365.0)
            if first_positive and state.cumulative_pv > 0:
                state.met = True
        if not first_positive and state.cumulative_pv > 0 and state.flows:
            state.met = True
        return state

    def begin_period(self, pay_date: date) -> float:
        self.sub_paid = 0.0
        self.fee = 0.0
        if self.met:
            self.threshold = 0.0
        else:
            h = self.spec.hurdle
            self.threshold = max(
                -self.cumulative_pv * (1.0 + h) ** ((pay_date - self.closing).days / 365.0), 0.0
            )
        return self.threshold

    def split(self, cash: float) -> tuple[float, float]:
        """(to Sub Notes, incentive fee) for ``cash`` reaching the residual block."""
        cash = max(cash, 0.0)
        remaining = max(self.threshold - self.sub_paid, 0.0)
        if not self.met and remaining > cash:
            self.sub_paid += cash
            return cash, 0.0
        to_subs = remaining
        self.sub_paid += remaining
        self.met = True
        fee = self.spec.rate * (cash - remaining)
        to_subs += cash - remaining - fee
        self.sub_paid += cash - remaining - fee
        self.fee += fee
        self.total_fee += fee
        return to_subs, fee

    def end_period(self, pay_date: date) -> None:
        h = self.spec.hurdle
        self.cumulative_pv += self.sub_paid / (1.0 + h) ** ((pay_date - self.closing).days / 365.0)
        if self.sub_paid:
            self.flows.append((pay_date, self.sub_paid))

    def irr(self) -> float | None:
        """XIRR of the Sub Notes: historic flows (all of them, also those after the cut-off, which only
        the hurdle walk ignores) plus the projected net-of-fee distributions."""
        flows = self.after_cutoff + self.flows
        if not flows:
            return None
        return xirr([d for d, _ in flows], [a for _, a in flows])
