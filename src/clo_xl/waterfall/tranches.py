"""Per-period tranche state (`C/Liability.cls` §3.2–§3.5). Mutable within one deal run only."""

from __future__ import annotations

from dataclasses import dataclass, field

from clo_xl.cashflows.structure import Tranche


@dataclass
class TrancheState:
    spec: Tranche
    balance: float  # beginning balance of the period
    deferred: float  # deferred (capitalised) beginning balance
    pik: bool = field(init=False)
    shortfall: float = 0.0  # corrected Q7: unpaid current interest of a non-deferrable class
    coupon: float = 0.0
    interest_accrued: float = 0.0
    interest_paid: float = 0.0
    shortfall_paid: float = 0.0
    deferred_interest_accrued: float = 0.0
    deferred_interest_paid: float = 0.0
    deferred_principal_paid: float = 0.0
    principal_paid: float = 0.0
    name: str = field(init=False, repr=False, compare=False)  # the spec's (read for every payment)

    def __post_init__(self) -> None:
        self.pik = self.spec.deferrable
        self.name = self.spec.name

    def accrue(self, index: float, fraction: float) -> None:
        """Coupon = spread (fixed) or index + spread; no floor/cap on notes (§3.3). Equity never accrues."""
        self.interest_paid = self.shortfall_paid = 0.0
        self.deferred_interest_paid = self.deferred_principal_paid = self.principal_paid = 0.0
        if self.spec.equity:
            self.coupon = self.interest_accrued = self.deferred_interest_accrued = 0.0
            return
        self.coupon = self.spec.spread if self.spec.fixed else index + self.spec.spread
        self.interest_accrued = self.balance * fraction * self.coupon
        self.deferred_interest_accrued = self.deferred * fraction * self.coupon if self.pik else 0.0

    @property
    def current_balance(self) -> float:
        """`CurrBal`: beginning balance (+ deferred net of deferred principal paid, deferrable only)."""
        extra = self.deferred - self.deferred_principal_paid if self.pik else 0.0
        return self.balance + extra

    @property
    def pik_balance(self) -> float:
        return self.deferred if self.pik else 0.0

    # The clamps below are max(x, 0.0) and min(a, b) to the bit, written out as the comparisons they are
    # (``0.0 if x < 0.0 else x``: x unless 0.0 is greater; ``b if b < a else a``: a unless b is less; the
    # same operand on ties, NaN kept): these run thousands of times per deal run.
    @property
    def interest_due(self) -> float:
        due = self.interest_accrued - self.interest_paid + self.shortfall - self.shortfall_paid
        if self.pik:
            due += self.deferred_interest_accrued - self.deferred_interest_paid
        return 0.0 if due < 0.0 else due

    @property
    def deferred_due(self) -> float:
        due = (
            self.deferred
            - self.deferred_principal_paid
            + self.deferred_interest_accrued
            - self.deferred_interest_paid
        )
        return 0.0 if due < 0.0 else due

    @property
    def principal_due(self) -> float:
        due = self.balance - self.principal_paid
        return 0.0 if due < 0.0 else due

    def pay_interest(self, cash: float) -> float:
        """Current interest, then a carried shortfall, then deferred interest (deferrable classes)."""
        left = 0.0 if cash < 0.0 else cash
        due = self.interest_accrued - self.interest_paid
        due = 0.0 if due < 0.0 else due
        use = due if due < left else left
        self.interest_paid += use
        left -= use
        due = self.shortfall - self.shortfall_paid
        due = 0.0 if due < 0.0 else due
        use2 = due if due < left else left
        self.shortfall_paid += use2
        left -= use2
        use3 = 0.0
        if self.pik:
            due = self.deferred_interest_accrued - self.deferred_interest_paid
            due = 0.0 if due < 0.0 else due
            use3 = due if due < left else left
            self.deferred_interest_paid += use3
        return use + use2 + use3

    def pay_deferred(self, cash: float) -> float:
        """`PayPIKInterest`: the whole amount is booked as deferred principal paid (§3.5)."""
        left = 0.0 if cash < 0.0 else cash
        due = self.deferred_due
        use = due if due < left else left
        self.deferred_principal_paid += use
        return use

    def pay_principal(self, cash: float) -> float:
        left = 0.0 if cash < 0.0 else cash
        due = self.principal_due
        use = due if due < left else left
        self.principal_paid += use
        return use

    def cash_received(self) -> float:
        return (
            self.interest_paid
            + self.shortfall_paid
            + self.deferred_interest_paid
            + self.deferred_principal_paid
            + self.principal_paid
        )

    def roll(self, *, capitalise_unpaid: bool) -> None:
        """`Rollfoward`; Q7: unpaid current interest is capitalised (legacy) or carried as a shortfall."""
        if self.spec.equity:
            return
        unpaid = self.interest_accrued - self.interest_paid
        unpaid = 0.0 if unpaid < 0.0 else unpaid  # max(unpaid, 0.0)
        deferred_end = (
            self.deferred
            + self.deferred_interest_accrued
            - self.deferred_interest_paid
            - self.deferred_principal_paid
        )
        self.balance = self.balance - self.principal_paid
        if capitalise_unpaid or self.pik:
            deferred = deferred_end + unpaid
            shortfall = self.shortfall - self.shortfall_paid
        else:
            deferred = deferred_end
            shortfall = self.shortfall - self.shortfall_paid + unpaid
        self.deferred = 0.0 if deferred < 0.0 else deferred  # max(x, 0.0)
        self.shortfall = 0.0 if shortfall < 0.0 else shortfall
