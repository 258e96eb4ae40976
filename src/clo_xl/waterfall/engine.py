"""Runs one list of waterfall steps against a pot of cash: one ``match``, ``assert_never``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import assert_never

from clo_xl.errors import CloXlError
from clo_xl.fees.fees import FeeState
from clo_xl.fees.incentive import IncentiveFeeState
from clo_xl.waterfall.coverage import CoverageTest, Kind
from clo_xl.waterfall.ledger import Ledger, Pot, Source
from clo_xl.waterfall.steps import (
    Controlling,
    CureCoverage,
    DivertInterest,
    PayDeferred,
    PayFee,
    PayIncentiveAndResidual,
    PayInterest,
    PayPrincipal,
    PayScheduledPrincipal,
    Reinvest,
    ReinvestAllDuringRP,
    Step,
)
from clo_xl.waterfall.tranches import TrancheState


@dataclass
class PeriodContext:
    """Everything the steps of one period touch (explicit, per-period state)."""

    tranches: dict[str, TrancheState]
    order: tuple[str, ...]
    equity: TrancheState
    fees: dict[str, FeeState]
    tests: dict[str, CoverageTest]
    incentive: IncentiveFeeState
    ledger: Ledger
    in_reinvestment_period: bool
    max_reinvestment: float
    notes_payable: float = 0.0
    #: the part of ``notes_payable`` that came from interest proceeds (coverage cures paid in the interest
    #: waterfall): the note payment sequence spends it first and records it as interest-sourced
    notes_payable_interest: float = 0.0
    interest_cures: float = 0.0  # coverage cures paid from interest proceeds this period
    diverted: float = 0.0
    reinvested: float = 0.0
    last_cure: dict[tuple[str, str], float] = field(default_factory=dict)
    section: str = "interest"

    def tranche(self, name: str) -> TrancheState:
        if name not in self.tranches:
            raise CloXlError(f"the waterfall names tranche {name!r}; the deal has {', '.join(self.tranches)}")
        return self.tranches[name]

    def test(self, name: str) -> CoverageTest | None:
        return self.tests.get(name)

    def test_of_kind(self, kind: str) -> CoverageTest | None:
        """The version's test of ``kind`` ("IDT", "EOD"): found by kind, whatever the version calls it."""
        return next((t for t in self.tests.values() if t.kind == kind), None)

    def controlling(self, name: str) -> bool:
        """The most senior class with a current balance > 0 (§4.0)."""
        for cls in self.order:
            if cls in self.tranches and self.tranches[cls].current_balance > 0:
                return cls == name
        return False


def _label(step: Step, what: str) -> str:
    return f"{type(step).__name__}: {what}"


@dataclass(frozen=True)
class _Payment:
    """What a group payment pays: the amount due per class, the pro-rata weight when cash is short, and
    the tranche's own payment method. ``by_due``: shares by amount due (else by ``weight``)."""

    due: Callable[[TrancheState], float]
    weight: Callable[[TrancheState], float]
    pay: Callable[[TrancheState, float], float]
    by_due: bool


INTEREST = _Payment(
    due=lambda t: t.interest_due, weight=lambda t: t.interest_due, pay=TrancheState.pay_interest, by_due=True
)
DEFERRED = _Payment(
    due=lambda t: t.deferred_due, weight=lambda t: t.pik_balance, pay=TrancheState.pay_deferred, by_due=False
)
PRINCIPAL = _Payment(
    due=lambda t: t.principal_due,
    weight=lambda t: t.current_balance,
    pay=TrancheState.pay_principal,
    by_due=False,
)


def _pay_group(
    ctx: PeriodContext, pot: Pot, step: Step, names: tuple[str, ...], pro_rata: bool, payment: _Payment
) -> None:
    cash = pot.cash
    if cash <= 0.0:
        return
    group = [ctx.tranche(n) for n in names]
    if not pro_rata or len(group) == 1:
        for t in group:
            amount = payment.pay(t, pot.cash)
            if amount > 0.0:
                ctx.ledger.record(_label(step, t.name), t.name, pot.take(amount))
        return
    dues = [payment.due(t) for t in group]
    total = sum(dues)
    if total > cash and total > 0:
        if payment.by_due:
            shares = [cash * d / total for d in dues]
        else:
            weights = [payment.weight(t) for t in group]
            wsum = sum(weights) or total
            shares = [cash * (w / wsum) for w in weights]
        for t, share in zip(group, shares, strict=True):
            amount = payment.pay(t, share)
            ctx.ledger.record(_label(step, t.name), t.name, pot.take(amount))
        return
    for t in group:
        amount = payment.pay(t, pot.cash)
        ctx.ledger.record(_label(step, t.name), t.name, pot.take(amount))


def _allowed(ctx: PeriodContext, controlling: Controlling, on: str | None, classes: tuple[str, ...]) -> bool:
    if controlling is Controlling.ALWAYS:
        return True
    if controlling is Controlling.NEVER:
        return False
    return ctx.controlling(on or classes[0])


def _cure(ctx: PeriodContext, pot: Pot, step: CureCoverage) -> None:
    kind: Kind = "interest" if ctx.section == "interest" else step.math
    oc = ctx.test(step.oc) if step.oc else None
    ic = ctx.test(step.ic) if step.ic else None
    oc_rem = oc.remaining(kind) if oc else 0.0
    ic_rem = ic.remaining(kind) if ic else 0.0
    cash = pot.cash
    if ic is not None and ic_rem > oc_rem:
        paid = min(ic_rem, cash)
        ic.pay(paid, kind)
        if oc is not None:
            oc.credit(paid, kind)
    else:
        paid = min(oc_rem, cash)
        if oc is not None:
            oc.pay(paid, kind)
        if ic is not None:
            ic.credit(paid, kind)
    if paid <= 0:
        return
    pot.take(paid)
    ctx.notes_payable += paid
    if ctx.section == "interest":  # interest proceeds diverted to pay notes: they stay interest-sourced
        ctx.notes_payable_interest += paid
        ctx.interest_cures += paid
    ctx.last_cure[(ctx.section, step.oc or step.ic or "")] = paid
    for name in step.credit_ic:
        t = ctx.test(name)
        if t is not None:
            t.credit(paid, kind)
    for name in step.credit_oc:
        t = ctx.test(name)
        if t is not None:
            t.credit(paid, kind)
    if step.credit_idt:
        idt = ctx.test_of_kind("IDT")
        if idt is not None:
            idt.credit(paid, kind)


def run_steps(  # noqa: C901 the one match over the closed set of step types (STYLE practice 2)
    ctx: PeriodContext, steps: tuple[Step, ...], pot: Pot, principal_pot: Pot | None = None
) -> None:
    """Apply ``steps`` in order; ``principal_pot`` receives diverted interest (interest waterfall)."""
    for step in steps:
        match step:
            case PayFee(fee=name, from_cure_of=cure_of):
                fee = ctx.fees.get(name)
                if fee is None:
                    continue  # a fee the deal does not have accrues nothing (the VBA raised, Q43)
                if cure_of is not None:
                    # Q16: Mag16 pays the junior fee out of the E-OC cure just moved to notes payable;
                    # taken from notes payable here so that no cash is created.
                    budget = min(ctx.last_cure.get((ctx.section, cure_of), 0.0), ctx.notes_payable)
                    amount = fee.pay(budget)
                    from_principal = min(amount, ctx.notes_payable - ctx.notes_payable_interest)
                    ctx.notes_payable -= amount
                    ctx.notes_payable_interest -= amount - from_principal
                    parts: list[tuple[Source, float]] = [
                        ("principal", from_principal),
                        ("interest", amount - from_principal),
                    ]
                    ctx.ledger.record(_label(step, name), name, parts)
                    continue
                amount = fee.pay(pot.cash)
                if amount > 0.0:
                    ctx.ledger.record(_label(step, name), name, pot.take(amount))
            case PayInterest(classes=names, pro_rata=pro, controlling=ctl, controlling_on=on):
                if _allowed(ctx, ctl, on, names):
                    _pay_group(ctx, pot, step, names, pro, INTEREST)
            case PayDeferred(classes=names, pro_rata=pro, controlling=ctl, controlling_on=on):
                if _allowed(ctx, ctl, on, names):
                    _pay_group(ctx, pot, step, names, pro, DEFERRED)
            case PayPrincipal(classes=names, pro_rata=pro):
                _pay_group(ctx, pot, step, names, pro, PRINCIPAL)
            case PayScheduledPrincipal(tranche=name, installments=count):
                t = ctx.tranche(name)
                instalment = t.spec.original_balance / max(count, 1)
                amount = t.pay_principal(min(instalment, pot.cash))
                ctx.ledger.record(_label(step, name), name, pot.take(amount))
            case CureCoverage():
                _cure(ctx, pot, step)
            case DivertInterest(test=name, share=share):
                idt = ctx.test(name) if name is not None else ctx.test_of_kind("IDT")
                if ctx.in_reinvestment_period and idt is not None and not idt.passed:
                    amount = min(idt.remaining("interest"), share * pot.cash)  # Q21: counters untouched
                    if amount > 0 and principal_pot is not None:
                        pot.take(amount)
                        principal_pot.principal += amount
                        ctx.diverted += amount
            case ReinvestAllDuringRP():
                if ctx.in_reinvestment_period:
                    amount = pot.cash
                    pot.take(amount)
                    ctx.reinvested += amount
                    return
            case Reinvest():
                amount = min(max(ctx.max_reinvestment, 0.0), pot.cash)
                pot.take(amount)
                ctx.reinvested += amount
                rest = pot.cash
                pot.take(rest)
                ctx.notes_payable += rest
            case PayIncentiveAndResidual():
                cash = pot.cash
                parts = pot.take(cash)
                to_subs, incentive_fee = ctx.incentive.split(cash)
                # split the pot parts proportionally between the fee and the subs for the ledger
                subs = ctx.equity.name
                for source, amount in parts:
                    share = amount / cash if cash > 0 else 0.0
                    paid_fee = incentive_fee * share
                    ctx.ledger.record(_label(step, "Incentive Fee"), "Incentive Fee", [(source, paid_fee)])
                    ctx.ledger.record(_label(step, subs), subs, [(source, to_subs * share)])
                if ctx.section == "interest":
                    ctx.equity.interest_paid += to_subs
                else:
                    ctx.equity.principal_paid += to_subs
            case _:
                assert_never(step)
