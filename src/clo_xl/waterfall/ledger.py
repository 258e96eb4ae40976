"""Cash pots and the payment ledger: every outflow is recorded once, with its source."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NamedTuple

Source = Literal["interest", "principal"]


class Payment(NamedTuple):
    """One outflow (a named tuple: hundreds per deal run, immutable)."""

    step: str
    payee: str
    source: Source
    amount: float


@dataclass
class Pot:
    """Cash available to a waterfall, by source; spending takes interest first (EOD pools both)."""

    interest: float = 0.0
    principal: float = 0.0

    @property
    def cash(self) -> float:
        i, p = self.interest, self.principal
        return (i if i > 0.0 else 0.0) + (p if p > 0.0 else 0.0)

    def take(self, amount: float) -> list[tuple[Source, float]]:
        if amount <= 0.0:
            return []
        interest = self.interest if self.interest > 0.0 else 0.0
        principal = self.principal if self.principal > 0.0 else 0.0
        if amount > interest + principal:
            amount = interest + principal
        if amount <= interest:
            self.interest -= amount
            return [("interest", amount)]
        parts: list[tuple[Source, float]] = []
        if interest > 0.0:
            self.interest -= interest
            parts.append(("interest", interest))
        self.principal -= amount - interest
        parts.append(("principal", amount - interest))
        return parts


@dataclass
class Ledger:
    payments: list[Payment] = field(default_factory=list)

    def record(self, step: str, payee: str, parts: list[tuple[Source, float]]) -> None:
        for source, amount in parts:
            if amount > 0:
                self.payments.append(Payment(step, payee, source, amount))

    def pay(self, step: str, payee: str, pot: Pot, amount: float) -> None:
        """``record(step, payee, pot.take(amount))`` without the list of parts: the same takes from the
        pot and the same payments, in the same order (this runs for nearly every payment of a deal run)."""
        if amount <= 0.0:
            return
        interest = pot.interest if pot.interest > 0.0 else 0.0
        principal = pot.principal if pot.principal > 0.0 else 0.0
        if amount > interest + principal:
            amount = interest + principal
        if amount <= interest:
            pot.interest -= amount
            if amount > 0:
                self.payments.append(Payment(step, payee, "interest", amount))
            return
        if interest > 0.0:
            pot.interest -= interest
            self.payments.append(Payment(step, payee, "interest", interest))
        rest = amount - interest
        pot.principal -= rest
        if rest > 0:
            self.payments.append(Payment(step, payee, "principal", rest))
