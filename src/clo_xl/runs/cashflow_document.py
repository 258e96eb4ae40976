"""The `cashflows --json` document (CONTRACT §3) from a :class:`DealResult`; the per-tranche measures are
:mod:`clo_xl.waterfall.measures`'s (re-exported here for existing callers)."""

from __future__ import annotations

from typing import Any

from clo_xl.cashflows.structure import Conventions, DealStructure
from clo_xl.curves.base import ForwardCurve
from clo_xl.waterfall.measures import accrued_at, settlement_date, tranche_measures
from clo_xl.waterfall.run import DealResult, PeriodResult

__all__ = ["accrued_at", "settlement_date", "to_document", "tranche_measures"]


def to_document(
    result: DealResult,
    deal: DealStructure,
    curve: ForwardCurve,
    *,
    conventions: Conventions | None = None,
) -> dict[str, Any]:
    periods = []
    for p in result.periods:
        periods.append(
            {
                "period": p.period,
                "payment_date": p.payment_date.isoformat(),
                "index_rate": p.index_rate,
                "interest_proceeds": round(p.interest_proceeds, 2),
                "principal_proceeds": round(p.principal_proceeds, 2),
                "liquidation_proceeds": round(p.liquidation_proceeds, 2),
                "diverted_interest": round(round(p.diverted, 2) + round(p.interest_cures, 2), 2),
                # `principal_proceeds` includes `interest_to_principal` (a payment of the interest waterfall
                # to "Principal Proceeds"), as the legacy's Deal Info does
                "interest_to_principal": round(p.diverted, 2),
                "interest_cures": round(p.interest_cures, 2),
                "event_of_default": p.event_of_default,
                **_collateral(p),
                "payments": [
                    {"step": x.step, "payee": x.payee, "source": x.source, "amount": round(x.amount, 2)}
                    for x in p.payments
                ],
                "tests": [
                    {
                        "name": t.name,
                        "kind": t.kind,
                        "ratio": t.ratio,
                        "trigger": t.trigger,
                        "pass": t.passed,
                        "numerator": t.numerator,
                        "denominator": t.denominator,
                        "cure_paid": round(t.cure_paid, 2),
                    }
                    for t in p.tests
                ],
                "tranches": [
                    {
                        "class": r.name,
                        "beginning_balance": round(r.beginning_balance, 2),
                        "coupon": r.coupon,
                        "interest_paid": round(r.interest_paid + r.deferred_interest_paid, 2),
                        "principal_paid": round(r.principal_paid + r.deferred_principal_paid, 2),
                        "deferred_interest": round(r.deferred_ending, 2),
                        "ending_balance": round(r.ending_balance, 2),
                    }
                    for r in p.tranches
                ],
                "fees": [
                    {
                        "name": f.name,
                        "accrued": round(f.accrued, 2),
                        "paid": round(f.paid, 2),
                        "unpaid": round(f.ending_unpaid, 2),
                    }
                    for f in p.fees
                ],
                "reinvested": round(p.reinvested, 2),
                "carried": round(p.carried, 2),
                "carried_interest": round(p.carried_interest, 2),
                "carried_principal": round(p.carried - p.carried_interest, 2),
                "residual": round(p.residual, 2),
                "incentive_fee": round(p.incentive_fee, 2),
            }
        )
        _balance_cents(periods[-1])
    return {
        "deal": result.deal,
        "waterfall": result.version,
        "periods": periods,
        "summary": {
            "tranches": tranche_measures(result, deal, curve, conventions=conventions),
            "sub_note_irr": result.sub_note_irr,
            "incentive_fee_total": result.incentive_fee_total,
            "fees": result.fee_totals,
        },
    }


def _collateral(p: PeriodResult) -> dict[str, float]:
    """The period's collateral: defaults (par, by accrual start), recoveries, net losses written off and the
    end-of-period balance (performing + defaulted par), original and reinvestment pools together."""
    c = p.collateral
    if c is None:
        return {"collateral_balance": round(p.collateral_balance, 2)}
    return {
        "defaults": round(c.default, 2),
        "recoveries": round(c.recoveries, 2),
        "losses": round(c.net_loss, 2),
        "collateral_balance": round(p.collateral_balance, 2),
    }


def _balance_cents(period: dict[str, Any]) -> None:
    """Rounding each amount to the cent can leave ±1 cent; book it to ``carried_interest`` /
    ``carried_principal`` so that each source's identity holds to the cent on the printed figures (the
    unrounded engine figures balance exactly):

    * interest_proceeds = Σ interest-sourced payments + carried_interest (the interest-diversion transfer is
      an interest-sourced payment to "Principal Proceeds", coverage cures from interest interest-sourced
      note payments);
    * principal_proceeds (which includes the diverted interest) = Σ principal-sourced payments +
      reinvested + carried_principal;

    and ``carried`` = carried_interest + carried_principal, so CONTRACT §3's identity holds too."""

    def paid(source: str) -> float:
        return float(sum(x["amount"] for x in period["payments"] if x["source"] == source))

    gap_i = round(period["interest_proceeds"] - paid("interest") - period["carried_interest"], 2)
    period["carried_interest"] = round(period["carried_interest"] + gap_i, 2)
    gap_p = round(
        period["principal_proceeds"] - paid("principal") - period["reinvested"] - period["carried_principal"],
        2,
    )
    period["carried_principal"] = round(period["carried_principal"] + gap_p, 2)
    period["carried"] = round(period["carried_interest"] + period["carried_principal"], 2)
