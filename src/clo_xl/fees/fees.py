"""Senior and subordinate fees (`C/Fees.cls`, §6.1): accrual on a beginning or average basis.

accrual = (basis × rate + fixed annual) × YEARFRAC(prev pay, pay, fee day count), only when the period's
basis > 0; "AVERAGE" uses (opening + this period's basis)/2. Interest on unpaid fees: the opening unpaid
*input* × (index + spread) × fraction in legacy (Q27), the running unpaid balance in corrected.
Unpaid amounts carry forward at the same priority without a cap (Q28).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from clo_xl.cashflows.structure import FeeSpec


@dataclass
class FeeState:
    """Running state of one fee (mutable inside one deal run only)."""

    spec: FeeSpec
    unpaid: float
    accrued: float = 0.0
    paid: float = 0.0
    total_paid: float = 0.0
    #: the spec's basis read once ("BEGINNING", "AVERAGE", or anything else: no accrual on a basis)
    kind: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.kind = self.spec.basis.strip().upper()

    def accrue(
        self, opening_basis: float, basis: float, fraction: float, index: float, *, legacy_unpaid: bool
    ) -> float:
        s = self.spec
        self.paid = 0.0
        if basis <= 0:
            self.accrued = 0.0
            return 0.0
        kind = self.kind
        if kind == "BEGINNING":
            base = opening_basis
        elif kind == "AVERAGE":
            base = (opening_basis + basis) / 2.0
        else:
            base = 0.0
        accrued = (base * s.rate + s.fixed_annual) * fraction if kind in ("BEGINNING", "AVERAGE") else 0.0
        if s.interest_on_unpaid:
            carried = s.opening_unpaid if legacy_unpaid else self.unpaid
            accrued += carried * (index + s.unpaid_spread) * fraction
        self.accrued = accrued
        return accrued

    @property
    def due(self) -> float:
        due = self.unpaid + self.accrued - self.paid
        return 0.0 if due < 0.0 else due  # max(due, 0.0), written out (thousands of calls per run)

    def pay(self, cash: float) -> float:
        due = self.due
        available = 0.0 if cash < 0.0 else cash
        amount = due if due < available else available  # min(max(cash, 0.0), due)
        self.paid += amount
        self.total_paid += amount
        return amount

    def roll(self) -> None:
        self.unpaid = self.due
        self.accrued = 0.0
        self.paid = 0.0
