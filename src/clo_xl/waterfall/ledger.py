"""Cash pots and the payment ledger: every outflow is recorded once, with its source."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Source = Literal["interest", "principal"]


@dataclass(frozen=True)
class Payment:
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
        return max(self.interest, 0.0) + max(self.principal, 0.0)

    def take(self, amount: float) -> list[tuple[Source, float]]:
        parts: list[tuple[Source, float]] = []
        amount = min(max(amount, 0.0), self.cash)
        use = min(max(self.interest, 0.0), amount)
        if use > 0:
            self.interest -= use
            parts.append(("interest", use))
        rest = amount - use
        if rest > 0:
            self.principal -= rest
            parts.append(("principal", rest))
        return parts


@dataclass
class Ledger:
    payments: list[Payment] = field(default_factory=list)

    def record(self, step: str, payee: str, parts: list[tuple[Source, float]]) -> None:
        for source, amount in parts:
            if amount > 0:
                self.payments.append(Payment(step, payee, source, amount))
