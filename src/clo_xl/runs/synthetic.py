"""Deterministic synthetic deals and pools for tests, benchmarks and demos (no real data).

A synthetic deal has the classes of a waterfall version, a capital structure of a typical BSL CLO
(AAA 62%, then mezzanine slices, 9% equity), OC/IC triggers on every tested class and a 4-year
reinvestment period; the pool is ``n`` floating-rate quarterly loans with seeded spreads and maturities.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from clo_xl.cashflows.collateral import CollateralArrays
from clo_xl.cashflows.structure import DealStructure, FeeSpec, IncentiveFeeSpec, ReinvestmentSpec, Tranche
from clo_xl.cashflows.timeline import DealDates
from clo_xl.curves.conventions import BusinessDayRule, DayCount, add_months, to_day_number
from clo_xl.waterfall.versions import load_version

FEES = (
    FeeSpec("Trustee Fee", "BEGINNING", rate=0.0002),
    FeeSpec("Admin Fee", "BEGINNING", rate=0.0001, fixed_annual=50_000.0),
    FeeSpec("Base Manager Fee", "BEGINNING", rate=0.0015),
    FeeSpec("Junior Manager Fee", "BEGINNING", rate=0.0035),
)


def synthetic_collateral(
    n: int = 200, *, seed: int = 7, analysis: date = date(2016, 3, 23), par_total: float = 500e6
) -> CollateralArrays:
    rng = np.random.default_rng(seed)
    a = to_day_number(analysis)
    months = rng.integers(24, 96, n)
    maturity = np.array([to_day_number(add_months(analysis, int(m))) for m in months], dtype=np.int64)
    first = np.array(
        [to_day_number(add_months(analysis, int(k))) for k in rng.integers(1, 4, n)], dtype=np.int64
    )
    spread = np.round(rng.uniform(0.025, 0.055, n), 4)
    floor = np.where(rng.random(n) < 0.8, 0.01, 0.0)
    par = np.full(n, par_total / n)
    ratings = np.array(["B+", "B", "B-", "BB-", "CCC+"])[rng.integers(0, 5, n)]
    return CollateralArrays(
        asset_id=np.array([f"SYN{i:04d}" for i in range(n)]),
        par=par,
        spread=spread,
        floor=floor,
        coupon=np.maximum(floor, 0.0063) + spread,
        is_float=np.ones(n, dtype=bool),
        maturity=maturity,
        first_payment=first,
        dated=np.full(n, a - 365, dtype=np.int64),
        payments_per_year=np.full(n, 4, dtype=np.int64),
        day_count=np.full(n, int(DayCount.ACT_360), dtype=np.int64),
        business_day_rule=np.full(n, int(BusinessDayRule.MODIFIED_FOLLOWING), dtype=np.int64),
        end_of_month=np.zeros(n, dtype=bool),
        defaulted=np.zeros(n, dtype=bool),
        market_value=np.full(n, 0.98),
        sp_rating=ratings,
        moodys_rating=np.full(n, "B2"),
    )


def synthetic_deal(
    version: str,
    *,
    analysis: date = date(2016, 3, 23),
    par_total: float = 500e6,
    reinvestment: ReinvestmentSpec | None = None,
) -> DealStructure:
    """A deal with ``version``'s classes (the real Mag 17 classes for "Mag 17")."""
    wf = load_version(version, legacy=False, mag17_as_mag15=False)
    tested = {t.tranche for t in wf.tests if t.tranche}
    notes = list(wf.classes)
    x_share = 0.005 if notes[0] == "Class X" else 0.0  # Mag 17's amortising Class X
    rated = notes[1:] if x_share else notes
    n_junior = len(rated) - 1
    balances = [0.62 * par_total] + [0.29 * par_total / n_junior] * n_junior
    if x_share:
        balances = [x_share * par_total, *balances]
    tranches = []
    for k, (name, bal) in enumerate(zip(notes, balances, strict=True)):
        cum = sum(balances[: k + 1])
        level = round(par_total / cum * 0.93, 3)
        tranches.append(
            Tranche(
                name=name,
                original_balance=bal,
                current_balance=bal,
                spread=0.0145 + 0.01 * k,
                deferrable=name in wf.deferrable,
                oc_trigger=max(level, 1.01) if name in tested else None,
                ic_trigger=1.1 if name in tested else None,
            )
        )
    sub = 0.09 * par_total
    tranches.append(Tranche("Sub Notes", sub, sub, 0.0, equity=True))
    closing = add_months(analysis, -12)
    dates = DealDates(
        analysis_date=analysis,
        closing_date=closing,
        first_payment_date=add_months(closing, 3),
        non_call_date=add_months(closing, 24),
        reinvestment_end=add_months(closing, 48),
        stated_maturity=add_months(closing, 144),
        payment_day=15,
    )
    return DealStructure(
        name=version,
        dates=dates,
        tranches=tuple(tranches),
        fees=FEES,
        incentive=IncentiveFeeSpec(0.12, 0.2, ((closing, -sub),)),
        reinvestment=reinvestment or ReinvestmentSpec(cpr=0.2, cdr=0.02, severity=0.35),
        current_index=0.0063,
        interest_diversion_trigger=round(par_total / sum(balances) * 0.96, 3),
        eod_trigger=1.02,
        beginning_fee_basis=par_total,
    )
