"""Runs one list of waterfall steps against a pot of cash: one ``match``, ``assert_never``.

The ``match`` runs once per step of a version (:func:`compile_steps`), turning each step into an action;
a period then calls the actions in order, so the dispatch is not paid again for every step of every
period of every scenario.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache, partial
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

#: the payee of interest the interest-diversion test moves into this period's principal proceeds
PRINCIPAL_PROCEEDS = "Principal Proceeds"


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
    ctx: PeriodContext,
    pot: Pot,
    labels: tuple[str, ...],
    names: tuple[str, ...],
    pro_rata: bool,
    payment: _Payment,
) -> None:
    """Pay the classes ``names`` (sequentially, or pro rata when cash is short); ``labels[k]`` is the
    ledger label of ``names[k]``."""
    if pot.cash <= 0.0:
        return
    tranches = ctx.tranches
    group = tuple(tranches[n] if n in tranches else ctx.tranche(n) for n in names)
    _pay_tranches(ctx.ledger, pot, labels, group, pro_rata, payment)


def _pay_tranches(
    ledger: Ledger,
    pot: Pot,
    labels: tuple[str, ...],
    group: tuple[TrancheState, ...],
    pro_rata: bool,
    payment: _Payment,
) -> None:
    """:func:`_pay_group` on the classes themselves (``pot`` holds cash)."""
    pay = ledger.pay
    if len(group) == 1 or not pro_rata:
        for t, label in zip(group, labels, strict=True):
            amount = payment.pay(t, pot.cash)
            if amount > 0.0:
                pay(label, t.name, pot, amount)
        return
    cash = pot.cash
    dues = [payment.due(t) for t in group]
    total = sum(dues)
    if total > cash and total > 0:
        if payment.by_due:
            shares = [cash * d / total for d in dues]
        else:
            weights = [payment.weight(t) for t in group]
            wsum = sum(weights) or total
            shares = [cash * (w / wsum) for w in weights]
        for t, label, share in zip(group, labels, shares, strict=True):
            pay(label, t.name, pot, payment.pay(t, share))
        return
    for t, label in zip(group, labels, strict=True):
        pay(label, t.name, pot, payment.pay(t, pot.cash))


def _allowed(ctx: PeriodContext, controlling: Controlling, on: str | None, classes: tuple[str, ...]) -> bool:
    if controlling is Controlling.ALWAYS:
        return True
    if controlling is Controlling.NEVER:
        return False
    return ctx.controlling(on or classes[0])


def _cure(ctx: PeriodContext, pot: Pot, step: CureCoverage) -> None:
    credits = [ctx.test(n) for n in step.credit_ic] + [ctx.test(n) for n in step.credit_oc]
    if step.credit_idt:
        credits.append(ctx.test_of_kind("IDT"))
    oc = ctx.test(step.oc) if step.oc else None
    ic = ctx.test(step.ic) if step.ic else None
    _cure_bound(_BoundCure(step, oc, ic, tuple(t for t in credits if t is not None)), ctx, pot, None)


@dataclass(frozen=True)
class _BoundCure:
    """A ``CureCoverage`` step with its tests: the OC and IC tests it cures and, in order, the tests its
    payment credits (``credit_ic``, ``credit_oc``, then the diversion test)."""

    step: CureCoverage
    oc: CoverageTest | None
    ic: CoverageTest | None
    credits: tuple[CoverageTest, ...]


def _cure_bound(cure: _BoundCure, ctx: PeriodContext, pot: Pot, _: Pot | None) -> bool:
    step, oc, ic = cure.step, cure.oc, cure.ic
    if (oc is None or oc.passed) and (ic is None or ic.passed):
        return False  # nothing to cure: paying and crediting 0.0 to passing tests changes nothing
    kind: Kind = "interest" if ctx.section == "interest" else step.math
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
        return False
    pot.take(paid)
    ctx.notes_payable += paid
    if ctx.section == "interest":  # interest proceeds diverted to pay notes: they stay interest-sourced
        ctx.notes_payable_interest += paid
        ctx.interest_cures += paid
    ctx.last_cure[(ctx.section, step.oc or step.ic or "")] = paid
    for t in cure.credits:
        t.credit(paid, kind)
    return False


Action = Callable[[PeriodContext, Pot, "Pot | None"], bool]
"""One step made executable: applies the step to the period; ``True`` ends the waterfall early."""


def run_steps(
    ctx: PeriodContext, steps: tuple[Step, ...], pot: Pot, principal_pot: Pot | None = None
) -> None:
    """Apply ``steps`` in order; ``principal_pot`` receives diverted interest (interest waterfall)."""
    run_actions(ctx, compile_steps(steps), pot, principal_pot)


def run_actions(
    ctx: PeriodContext, actions: tuple[Action, ...], pot: Pot, principal_pot: Pot | None = None
) -> None:
    """:func:`run_steps` for steps compiled once (:func:`compile_steps`), as a deal run does per period."""
    for act in actions:
        if act(ctx, pot, principal_pot):
            return


@lru_cache(maxsize=128)
def compile_steps(steps: tuple[Step, ...]) -> tuple[Action, ...]:
    """Each step as an :data:`Action`, matched once per version rather than once per period."""
    return tuple(_action(step) for step in steps)


def _action(step: Step) -> Action:
    """The step's action: what ``run_steps`` does for it each period (labels worked out here, once)."""
    match step:
        case PayFee(fee=name, from_cure_of=cure_of):
            return partial(_pay_fee, name, cure_of, _label(step, name))
        case PayInterest(classes=names, pro_rata=pro, controlling=ctl, controlling_on=on):
            return partial(_pay_classes, _labels(step, names), names, pro, INTEREST, ctl, on)
        case PayDeferred(classes=names, pro_rata=pro, controlling=ctl, controlling_on=on):
            return partial(_pay_classes, _labels(step, names), names, pro, DEFERRED, ctl, on)
        case PayPrincipal(classes=names, pro_rata=pro):
            return partial(
                _pay_classes, _labels(step, names), names, pro, PRINCIPAL, Controlling.ALWAYS, None
            )
        case PayScheduledPrincipal(tranche=name, installments=count):
            return partial(_pay_scheduled, name, count, _label(step, name))
        case CureCoverage():
            return partial(_cure_action, step)
        case DivertInterest(test=name, share=share):
            return partial(_divert, name, share)
        case ReinvestAllDuringRP():
            return _reinvest_all
        case Reinvest():
            return _reinvest
        case PayIncentiveAndResidual():
            return partial(_incentive_and_residual, _label(step, "Incentive Fee"))
        case _:
            assert_never(step)


def bind_steps(
    steps: tuple[Step, ...],
    tranches: dict[str, TrancheState],
    fees: dict[str, FeeState],
    tests: dict[str, CoverageTest],
    order: tuple[str, ...],
) -> tuple[Action, ...]:
    """:func:`compile_steps` for one deal run: the actions of the common steps hold the run's own tranche,
    fee and test states (names looked up once per run, not once per period), and a payment of an empty pot
    returns at once. A step naming a class the deal lacks keeps its compiled action (which raises the
    located error when it is reached with cash, as before). ``order``: the classes, most senior first."""
    run = _Run(tranches, fees, tests, order)
    return tuple(run.bind(step, act) for step, act in zip(steps, compile_steps(steps), strict=True))


def _nothing(ctx: PeriodContext, pot: Pot, principal_pot: Pot | None) -> bool:
    return False


@dataclass(frozen=True)
class _Run:
    """One deal run's states, to bind steps to (:func:`bind_steps`)."""

    tranches: dict[str, TrancheState]
    fees: dict[str, FeeState]
    tests: dict[str, CoverageTest]
    order: tuple[str, ...]

    def bind(self, step: Step, compiled: Action) -> Action:
        match step:
            case PayFee(fee=name, from_cure_of=None):
                fee = self.fees.get(name)
                return _nothing if fee is None else _fee_action(fee, name, _label(step, name))
            case PayInterest(classes=names, pro_rata=pro, controlling=ctl, controlling_on=on):
                return self._classes(step, names, pro, INTEREST, ctl, on, compiled)
            case PayDeferred(classes=names, pro_rata=pro, controlling=ctl, controlling_on=on):
                return self._classes(step, names, pro, DEFERRED, ctl, on, compiled)
            case PayPrincipal(classes=names, pro_rata=pro):
                return self._classes(step, names, pro, PRINCIPAL, Controlling.ALWAYS, None, compiled)
            case CureCoverage():
                return self._cure(step)
            case DivertInterest(test=name, share=share):
                tests = self.tests
                idt = (
                    tests.get(name)
                    if name is not None
                    else next((t for t in tests.values() if t.kind == "IDT"), None)
                )
                return partial(_divert_to, idt, share)
            case _:
                return compiled

    def _classes(
        self,
        step: Step,
        names: tuple[str, ...],
        pro_rata: bool,
        payment: _Payment,
        controlling: Controlling,
        on: str | None,
        compiled: Action,
    ) -> Action:
        if controlling is Controlling.NEVER:
            return _nothing
        if any(n not in self.tranches for n in names):
            return compiled
        group = tuple(self.tranches[n] for n in names)
        labels = _labels(step, names)
        seniors: tuple[tuple[str, TrancheState], ...] | None = None
        if controlling is Controlling.IF_CONTROLLING:
            seniors = tuple((c, self.tranches[c]) for c in self.order if c in self.tranches)
        return _classes_action(group, labels, pro_rata, payment, seniors, on or names[0])

    def _cure(self, step: CureCoverage) -> Action:
        tests = self.tests
        oc = tests.get(step.oc) if step.oc else None
        ic = tests.get(step.ic) if step.ic else None
        credits = [tests.get(n) for n in step.credit_ic] + [tests.get(n) for n in step.credit_oc]
        if step.credit_idt:
            credits.append(next((t for t in tests.values() if t.kind == "IDT"), None))
        bound = _BoundCure(step, oc, ic, tuple(t for t in credits if t is not None))
        return partial(_cure_bound, bound)


def _fee_action(fee: FeeState, name: str, label: str) -> Action:
    """``PayFee`` of a fee the deal has, paid from the pot."""
    pay = fee.pay

    def act(ctx: PeriodContext, pot: Pot, _: Pot | None) -> bool:
        i, p = pot.interest, pot.principal
        cash = (i if i > 0.0 else 0.0) + (p if p > 0.0 else 0.0)  # pot.cash
        if cash > 0.0:  # paying 0.0 changes nothing
            ctx.ledger.pay(label, name, pot, pay(cash))
        return False

    return act


def _classes_action(
    group: tuple[TrancheState, ...],
    labels: tuple[str, ...],
    pro_rata: bool,
    payment: _Payment,
    seniors: tuple[tuple[str, TrancheState], ...] | None,
    controlling_on: str,
) -> Action:
    """A payment to the classes ``group``; ``seniors``: when given, only while ``controlling_on`` is the
    controlling class (the most senior of ``seniors`` with a current balance > 0, §4.0)."""

    def controlling() -> bool:
        for name, t in seniors or ():
            if t.current_balance > 0:
                return name == controlling_on
        return False

    if len(group) == 1:
        tranche, label = group[0], labels[0]
        pay, name = partial(payment.pay, tranche), tranche.name

        def one(ctx: PeriodContext, pot: Pot, _: Pot | None) -> bool:
            i, p = pot.interest, pot.principal
            cash = (i if i > 0.0 else 0.0) + (p if p > 0.0 else 0.0)  # pot.cash
            if cash <= 0.0 or (seniors is not None and not controlling()):
                return False
            amount = pay(cash)
            if amount > 0.0:
                ctx.ledger.pay(label, name, pot, amount)
            return False

        return one

    def many(ctx: PeriodContext, pot: Pot, _: Pot | None) -> bool:
        if pot.cash > 0.0 and (seniors is None or controlling()):
            _pay_tranches(ctx.ledger, pot, labels, group, pro_rata, payment)
        return False

    return many


def _labels(step: Step, names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_label(step, n) for n in names)


def _pay_fee(name: str, cure_of: str | None, label: str, ctx: PeriodContext, pot: Pot, _: Pot | None) -> bool:
    fee = ctx.fees.get(name)
    if fee is None:
        return False  # a fee the deal does not have accrues nothing (the VBA raised, Q43)
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
        ctx.ledger.record(label, name, parts)
        return False
    ctx.ledger.pay(label, name, pot, fee.pay(pot.cash))
    return False


def _pay_classes(
    labels: tuple[str, ...],
    names: tuple[str, ...],
    pro_rata: bool,
    payment: _Payment,
    controlling: Controlling,
    on: str | None,
    ctx: PeriodContext,
    pot: Pot,
    _: Pot | None,
) -> bool:
    if controlling is Controlling.ALWAYS or _allowed(ctx, controlling, on, names):
        _pay_group(ctx, pot, labels, names, pro_rata, payment)
    return False


def _pay_scheduled(name: str, count: int, label: str, ctx: PeriodContext, pot: Pot, _: Pot | None) -> bool:
    t = ctx.tranche(name)
    instalment = t.spec.original_balance / max(count, 1)
    ctx.ledger.pay(label, name, pot, t.pay_principal(min(instalment, pot.cash)))
    return False


def _cure_action(step: CureCoverage, ctx: PeriodContext, pot: Pot, _: Pot | None) -> bool:
    _cure(ctx, pot, step)
    return False


def _divert(name: str | None, share: float, ctx: PeriodContext, pot: Pot, principal_pot: Pot | None) -> bool:
    idt = ctx.test(name) if name is not None else ctx.test_of_kind("IDT")
    return _divert_to(idt, share, ctx, pot, principal_pot)


def _divert_to(
    idt: CoverageTest | None, share: float, ctx: PeriodContext, pot: Pot, principal_pot: Pot | None
) -> bool:
    if ctx.in_reinvestment_period and idt is not None and not idt.passed:
        amount = min(idt.remaining("interest"), share * pot.cash)  # Q21: counters untouched
        if amount > 0 and principal_pot is not None:
            # an outflow of the interest waterfall and an inflow of the principal one: recorded as such, so
            # each waterfall reconciles on its own
            ctx.ledger.pay("DivertInterest: Principal Proceeds", PRINCIPAL_PROCEEDS, pot, amount)
            principal_pot.principal += amount
            ctx.diverted += amount
    return False


def _reinvest_all(ctx: PeriodContext, pot: Pot, _: Pot | None) -> bool:
    if ctx.in_reinvestment_period:
        amount = pot.cash
        pot.take(amount)
        ctx.reinvested += amount
        return True
    return False


def _reinvest(ctx: PeriodContext, pot: Pot, _: Pot | None) -> bool:
    amount = min(max(ctx.max_reinvestment, 0.0), pot.cash)
    pot.take(amount)
    ctx.reinvested += amount
    rest = pot.cash
    pot.take(rest)
    ctx.notes_payable += rest
    return False


def _incentive_and_residual(fee_label: str, ctx: PeriodContext, pot: Pot, _: Pot | None) -> bool:
    cash = pot.cash
    parts = pot.take(cash)
    to_subs, incentive_fee = ctx.incentive.split(cash)
    # split the pot parts proportionally between the fee and the subs for the ledger
    subs = ctx.equity.name
    subs_label = f"{PayIncentiveAndResidual.__name__}: {subs}"
    for source, amount in parts:
        share = amount / cash if cash > 0 else 0.0
        paid_fee = incentive_fee * share
        ctx.ledger.record(fee_label, "Incentive Fee", [(source, paid_fee)])
        ctx.ledger.record(subs_label, subs, [(source, to_subs * share)])
    if ctx.section == "interest":
        ctx.equity.interest_paid += to_subs
    else:
        ctx.equity.principal_paid += to_subs
    return False
