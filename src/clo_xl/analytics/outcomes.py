"""What each class of notes received in one deal run: owed, received, principal loss, interest shortfall.

A class is *paid in full* when everything it was owed over the run reached it: its opening balance
(current plus deferred) and every dollar of interest that accrued on it (current interest and, for a
deferrable class, interest on the deferred balance). Counting each accrual once makes the test the same
in both conventions: a legacy capitalised shortfall (Q7) is owed once, when it accrues, and is a loss
unless the class is later paid it; a corrected carried shortfall likewise.

Units: currency. A shortfall below :data:`CENT` counts as paid (amounts are compared to the cent).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from clo_xl.waterfall.run import DealResult, TrancheRow

#: amounts below half a cent are rounding, not a loss
CENT = 0.005


@dataclass(frozen=True)
class ClassOutcome:
    """One class over one run (currency)."""

    name: str
    opening_balance: float
    interest_owed: float
    interest_received: float
    principal_received: float
    principal_outstanding: float

    @property
    def owed(self) -> float:
        return self.opening_balance + self.interest_owed

    @property
    def received(self) -> float:
        return self.interest_received + self.principal_received

    @property
    def shortfall(self) -> float:
        """Owed − received (interest and principal), never negative."""
        return max(self.owed - self.received, 0.0)

    @property
    def principal_loss(self) -> float:
        """Principal (including deferred, capitalised balances) still outstanding when the run ends."""
        return max(self.principal_outstanding, 0.0)

    @property
    def paid_in_full(self) -> bool:
        return self.shortfall < CENT


def _deferred_interest_accrued(row: TrancheRow) -> float:
    """Interest accrued on the deferred balance this period (the row's own identity:
    deferred end = deferred beginning + accrued − deferred interest paid − deferred principal paid)."""
    return (
        row.deferred_ending
        - row.deferred_beginning
        + row.deferred_interest_paid
        + row.deferred_principal_paid
    )


def class_outcomes(result: DealResult, *, equity: str | None = None) -> dict[str, ClassOutcome]:
    """Every note class's outcome (the equity tranche, named ``equity``, is left out)."""
    if not result.periods:
        return {}
    rows_by_class: dict[str, list[TrancheRow]] = {}
    for p in result.periods:
        for row in p.tranches:
            if row.name != equity:
                rows_by_class.setdefault(row.name, []).append(row)
    return {name: _outcome(name, rows) for name, rows in rows_by_class.items()}


def _outcome(name: str, rows: Sequence[TrancheRow]) -> ClassOutcome:
    first, last = rows[0], rows[-1]
    owed = sum(r.interest_accrued + _deferred_interest_accrued(r) for r in rows)
    interest = sum(r.interest_paid + r.deferred_interest_paid for r in rows)
    principal = sum(r.principal_paid + r.deferred_principal_paid for r in rows)
    return ClassOutcome(
        name,
        first.beginning_balance + first.deferred_beginning,
        owed,
        interest,
        principal,
        last.ending_balance + last.deferred_ending,
    )


def paid_in_full(result: DealResult, *, equity: str | None = None) -> frozenset[str]:
    """The note classes paid everything they were owed in ``result``."""
    return frozenset(n for n, o in class_outcomes(result, equity=equity).items() if o.paid_in_full)
