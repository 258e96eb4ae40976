"""The waterfall dispatch as it was before the compiled actions (issue 13): one ``match`` per step per
period, labels formatted per payment. Kept as the oracle of ``clo_xl.waterfall.engine.compile_steps``."""

from __future__ import annotations

from typing import assert_never

from clo_xl.waterfall.engine import (
    DEFERRED,
    INTEREST,
    PRINCIPAL,
    PeriodContext,
    _allowed,
    _cure,
    _label,
    _Payment,
)
from clo_xl.waterfall.ledger import Pot, Source
from clo_xl.waterfall.steps import (
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
