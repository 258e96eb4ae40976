"""OC / IC / interest-diversion / event-of-default tests and their cure amounts (§4.11, §5).

With N numerator, D denominator, T trigger and r = N/D:
* OC interest cure  C_int  = D − N/T (interest is not in N);
* OC principal cure C_prin = (T·D − N)/(T − 1) (principal cash is in N, paying x lowers both);
  after an interest cure or interest-type credit it becomes 0 if the interest cure is satisfied, else
  (T·(D − interest paid − interest credits) − N)/(T − 1);
* IC cure C_IC = (1 − r/T) × L, L = Σ current balances of the same level.
A test passes when r > T (legacy, strict) or r ≥ T (corrected). D ≤ 0 passes with nothing stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["interest", "principal"]


@dataclass
class CoverageTest:
    name: str
    kind: str  # OC, IC, IDT, EOD
    trigger: float
    numerator: float = 0.0
    denominator: float = 0.0
    balance: float = 0.0  # L for IC tests
    passed: bool = True
    cure_interest: float = 0.0
    cure_principal: float = 0.0
    paid_interest: float = 0.0
    paid_principal: float = 0.0
    credit_interest: float = 0.0
    credit_principal: float = 0.0

    @property
    def ratio(self) -> float | None:
        return self.numerator / self.denominator if self.denominator > 0 else None

    def evaluate(self, numerator: float, denominator: float, balance: float, *, strict: bool) -> None:
        self.numerator, self.denominator, self.balance = numerator, denominator, balance
        self.paid_interest = self.paid_principal = self.credit_interest = self.credit_principal = 0.0
        self.cure_interest = self.cure_principal = 0.0
        if denominator <= 0:
            self.passed = True
            return
        r = numerator / denominator
        t = self.trigger
        self.passed = r > t if strict else r >= t
        if self.passed:
            return
        if self.kind == "IC":
            self.cure_interest = (1.0 - r / t) * balance
        else:
            self.cure_interest = denominator - numerator / t
            self.cure_principal = (t * denominator - numerator) / (t - 1.0) if t != 1.0 else 0.0

    def remaining(self, kind: Kind) -> float:
        if self.passed:
            return 0.0
        if self.kind == "IC" or kind == "interest":
            left = self.cure_interest - self.paid_interest - self.credit_interest
        else:
            left = self.cure_principal - self.paid_principal - self.credit_principal
        return 0.0 if left < 0.0 else left  # max(left, 0.0) to the bit

    def _recompute_principal(self) -> None:
        if self.kind == "IC" or self.passed:
            return
        if self.remaining("interest") <= 0:
            self.cure_principal = 0.0
        elif self.cure_principal > 0 and self.trigger != 1.0:
            t = self.trigger
            d = self.denominator - self.paid_interest - self.credit_interest
            self.cure_principal = max((t * d - self.numerator) / (t - 1.0), 0.0)

    def pay(self, amount: float, kind: Kind) -> None:
        if kind == "interest" or self.kind == "IC":
            self.paid_interest += amount
            self._recompute_principal()
        else:
            self.paid_principal += amount

    def credit(self, amount: float, kind: Kind) -> None:
        """A prior cure from a more senior block: reduces the remaining cure by min(amount, remaining)."""
        use = min(amount, self.remaining(kind))
        if kind == "interest" or self.kind == "IC":
            self.credit_interest += use
            self._recompute_principal()
        else:
            self.credit_principal += use
