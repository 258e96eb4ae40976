"""Asset projection against closed forms worked by hand.

Deal grid used throughout: quarterly payment dates on the 15th (Jun/Sep/Dec/Mar), collection windows
ending on the payment date itself (determination lag 0), so an asset paying on the same (business)
dates lands each flow in the period of that date.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from clo_xl.cashflows.assumptions import AssetAssumption, CashflowAssumptions, periodic_rate, smm_from_cpr
from clo_xl.cashflows.projection import ProjectionSwitches, SinkSchedule, build_schedules, project_assets
from clo_xl.cashflows.timeline import DealDates, build_grid
from clo_xl.curves import flat_curve
from clo_xl.curves.conventions import BusinessDayRule, days360, to_day_number

from .helpers import loans

ANALYSIS = date(2016, 3, 23)
DATES = DealDates(
    analysis_date=ANALYSIS,
    closing_date=date(2015, 3, 15),
    first_payment_date=date(2015, 6, 15),
    non_call_date=date(2017, 3, 15),
    reinvestment_end=date(2019, 3, 15),
    stated_maturity=date(2027, 3, 15),
    payment_day=15,
    determination_lag=0,
    business_day_rule=BusinessDayRule.FOLLOWING,
)
GRID = build_grid(DATES)


def test_grid_starts_after_the_analysis_date() -> None:
    pay = GRID.payment.astype("datetime64[D]").astype(str).tolist()
    assert pay[:3] == ["2016-06-15", "2016-09-15", "2016-12-15"]
    assert GRID.payment_prev[0] == to_day_number(date(2016, 3, 15))


def test_bullet_loan_without_defaults_pays_coupon_then_par() -> None:
    # 6% fixed, 30/360, quarterly from 15 Mar 2016: each full quarter pays 1,000,000 × 0.06 × 90/360 = 15,000;
    # 8 payments to 15 Jun 2018, par returned on the last. (15 Jun 2016 is a Wednesday; 15 Sep Thu; 15 Dec
    # Thu; 15 Mar 2017 Wed; 15 Jun 2017 Thu; 15 Sep 2017 Fri; 15 Dec 2017 Fri; 15 Mar 2018 Thu; 15 Jun Fri.)
    pool = project_assets(loans(), CashflowAssumptions(), None, ANALYSIS, GRID)
    assert pool.interest[:9] == pytest.approx([15_000.0] * 9)
    assert pool.interest[9:].sum() == 0.0
    assert pool.scheduled[8] == pytest.approx(1_000_000.0)
    assert pool.scheduled.sum() == pytest.approx(1_000_000.0)
    assert pool.performing[0] == pytest.approx(1_000_000.0)
    assert pool.performing[8] == pytest.approx(1_000_000.0) and pool.performing[9] == 0.0


def test_cpr_converts_to_the_period_smm_closed_form() -> None:
    # 20% CPR over a 90-day (30/360) quarter: SMM_q = 1 - 0.8^(90/360) = 0.0542...
    pool = project_assets(loans(), CashflowAssumptions(AssetAssumption(cpr=0.2)), None, ANALYSIS, GRID)
    q = 1 - 0.8**0.25
    assert q == pytest.approx(smm_from_cpr(0.2, 3))
    assert pool.prepayment[0] == pytest.approx(1_000_000.0 * q)
    assert pool.prepayment[1] == pytest.approx(1_000_000.0 * (1 - q) * q)
    # interest on the surviving balance at the start of each period
    assert pool.interest[1] == pytest.approx(1_000_000.0 * (1 - q) * 0.015)


def test_defaults_recover_after_the_lag_at_one_minus_severity() -> None:
    # CDR 10%, severity 40%, lag 6 months = 2 quarters. Period-1 default d1 = 1m × (1 - 0.9^0.25);
    # its recovery 0.6 × d1 arrives two interest periods later (period 3).
    a = CashflowAssumptions(AssetAssumption(cdr=0.1, severity=0.4, lag_months=6))
    pool = project_assets(loans(), a, None, ANALYSIS, GRID)
    d = 1 - 0.9**0.25
    d1 = 1_000_000.0 * d
    d2 = (1_000_000.0 - d1) * d
    # Q35: defaults are bucketed by accrual start; the second row accrues from 15 Jun = CollEnd(1), so the
    # deal's period 1 shows both d1 and d2 while the cash (recoveries) follows the payment dates.
    assert pool.default[0] == pytest.approx(d1 + d2)
    assert pool.recovery[0] == 0.0 and pool.recovery[1] == 0.0
    assert pool.recovery[2] == pytest.approx(0.6 * d1)
    assert pool.net_loss[2] == pytest.approx(0.4 * d1)
    # par is conserved: performing + defaulted at the start = all principal, losses and write-offs
    total = pool.scheduled.sum() + pool.prepayment.sum() + pool.recovery.sum() + pool.net_loss.sum()
    assert total == pytest.approx(1_000_000.0)


def test_predefaulted_asset_with_zero_lag_is_never_recovered_in_legacy() -> None:
    # Q34: the pre-defaulted par sits in queue slot 0, which a lag of 0 never reads; written off at the end
    coll = loans(defaulted=True, market_value=0.5)
    legacy = project_assets(coll, CashflowAssumptions(), None, ANALYSIS, GRID)
    assert legacy.recovery.sum() == 0.0
    assert legacy.net_loss.sum() == pytest.approx(1_000_000.0)
    assert legacy.mv_defaulted[0] == pytest.approx(500_000.0)
    fixed = project_assets(
        coll, CashflowAssumptions(), None, ANALYSIS, GRID, switches=ProjectionSwitches.corrected()
    )
    assert fixed.recovery.sum() == pytest.approx(500_000.0)


def test_zero_par_projects_one_million_in_legacy_only() -> None:
    coll = loans(par=0.0)
    legacy = project_assets(coll, CashflowAssumptions(), None, ANALYSIS, GRID, switches=ProjectionSwitches())
    assert legacy.performing[0] == pytest.approx(1_000_000.0)  # Q33


def test_floating_coupon_resets_from_the_curve_with_a_floor() -> None:
    # flat 0.5% curve, floor 1%, spread 4%: from period 2 the coupon is max(0.5%, 1%) + 4% = 5%
    coll = loans(floating=True, coupon=0.07)
    pool = project_assets(coll, CashflowAssumptions(), flat_curve(ANALYSIS, 0.005), ANALYSIS, GRID)
    assert pool.interest[0] == pytest.approx(1_000_000 * 0.07 * 0.25)  # first period: input coupon
    assert pool.interest[1] == pytest.approx(1_000_000 * 0.05 * 0.25)
    high = project_assets(coll, CashflowAssumptions(), flat_curve(ANALYSIS, 0.02), ANALYSIS, GRID)
    assert high.interest[1] == pytest.approx(1_000_000 * 0.06 * 0.25)


def test_vector_overrun_uses_the_vector_length_in_legacy() -> None:
    # Q30: a 2-element CPR vector read in period 3 returns 2 (200%) → the base goes negative → rate 0 (Q47)
    a = CashflowAssumptions(AssetAssumption(cpr="V"), vectors={"V": (0.1, 0.1)})
    pool = project_assets(loans(), a, None, ANALYSIS, GRID)
    assert pool.prepayment[2] == 0.0
    fixed = CashflowAssumptions(
        AssetAssumption(cpr="V"), vectors={"V": (0.1, 0.1)}, legacy_vector_overrun=False
    )
    held = project_assets(loans(), fixed, None, ANALYSIS, GRID)
    assert held.prepayment[2] == pytest.approx(held.performing[2] * (1 - 0.9**0.25))


def test_periodic_rate_errors_give_zero() -> None:
    out = periodic_rate(np.array([0.1, 1.5, 0.2]), np.array([0, 90, 90]))
    assert out[0] == 0.0 and out[1] == 0.0 and out[2] == pytest.approx(1 - 0.8**0.25)


def test_schedule_ends_with_maturity_even_off_cycle() -> None:
    coll = loans(maturity=date(2017, 8, 1))
    sched = build_schedules(coll, ANALYSIS, ProjectionSwitches())
    valid_dates = sched.dates[0][sched.valid[0]].astype("datetime64[D]").astype(str).tolist()
    assert valid_dates[-1] == "2017-08-01"
    assert valid_dates[-2] == "2017-06-15"
    assert (
        days360(np.array([to_day_number(date(2017, 6, 15))]), np.array([to_day_number(date(2017, 8, 1))]))[0]
        == 46
    )


def test_sink_schedule_amounts_become_fractions_of_the_remaining_schedule() -> None:
    # schedule 100k (15 Jun 16), 100k (15 Dec 16), 200k (1 Jun 17) = 400k in total.
    # fractions: 100/400 = 25% of 1m = 250k; 100/300 of 750k = 250k; the last is 100% of what is left
    # (500k), paid on its own principal-only date 1 Jun 2017 (deal period 5, window 15 Mar–15 Jun 2017)
    # with the interest accrued on the repaid 500k: DAYS360(15 Mar 17, 1 Jun 17) = 76 →
    # 500,000 × 6% × 76/360 = 6,333.33; nothing is left to accrue to 15 Jun 2017.
    sink = SinkSchedule(
        np.array([0, 0, 0]),
        np.array(
            [
                to_day_number(date(2016, 6, 15)),
                to_day_number(date(2016, 12, 15)),
                to_day_number(date(2017, 6, 1)),
            ]
        ),
        np.array([100_000.0, 100_000.0, 200_000.0]),
    )
    pool = project_assets(loans(), CashflowAssumptions(), None, ANALYSIS, GRID, sink=sink)
    assert pool.scheduled[:5] == pytest.approx([250_000.0, 0.0, 250_000.0, 0.0, 500_000.0])
    assert pool.scheduled[5:].sum() == 0.0
    assert pool.interest[1] == pytest.approx(750_000.0 * 0.015)
    assert pool.interest[4] == pytest.approx(500_000.0 * 0.06 * 76 / 360)


def test_sink_between_interest_dates_is_a_principal_only_date() -> None:
    # §1.1/§1.2 step 9. Sinks 200k on Mon 1 Aug 2016 (between the 15 Jun and 15 Sep interest dates) and
    # 800k at maturity (15 Jun 2018); 20% CPR, quarterly SMM q = 1 − 0.8^(90/360).
    #   15 Jun 2016 (period 1): prepay 1m × q; balance B1 = 1m × (1 − q).
    #   1 Aug 2016 (principal-only): 200/1000 = 20% of B1 repaid, interest on it for DAYS360(15 Jun, 1 Aug)
    #     = 46 days: 0.2 × B1 × 6% × 46/360; no prepayment there; accrual start stays 15 Jun.
    #   15 Sep 2016 (period 2): interest on 0.8 × B1 for the full 90 days; prepay 0.8 × B1 × q.
    sink = SinkSchedule(
        np.array([0, 0]),
        np.array([to_day_number(date(2016, 8, 1)), to_day_number(date(2018, 6, 15))]),
        np.array([200_000.0, 800_000.0]),
    )
    q = 1 - 0.8**0.25
    b1 = 1_000_000.0 * (1 - q)
    pool = project_assets(
        loans(), CashflowAssumptions(AssetAssumption(cpr=0.2)), None, ANALYSIS, GRID, sink=sink
    )
    assert pool.scheduled[1] == pytest.approx(0.2 * b1)
    assert pool.interest[1] == pytest.approx(0.2 * b1 * 0.06 * 46 / 360 + 0.8 * b1 * 0.06 * 90 / 360)
    assert pool.prepayment[1] == pytest.approx(0.8 * b1 * q)
    # the principal-only row is its own row in the asset view (Collat CF), between the interest dates
    from clo_xl.cashflows.projection import project_asset_rows

    rows = project_asset_rows(
        loans(), CashflowAssumptions(AssetAssumption(cpr=0.2)), None, ANALYSIS, sink=sink
    )
    sched = rows.schedule
    shown = sched.dates[0][sched.valid[0]].astype("datetime64[D]").astype(str).tolist()
    assert shown[:3] == ["2016-06-15", "2016-08-01", "2016-09-15"]
    assert sched.principal_only is not None and sched.principal_only[0][sched.valid[0]].tolist()[:3] == [
        False,
        True,
        False,
    ]
    # total principal still returns the whole par (scheduled + prepaid)
    assert pool.scheduled.sum() + pool.prepayment.sum() == pytest.approx(1_000_000.0)


def test_term_sofr_curve_adds_the_isda_spread_adjustment_to_libor_loans() -> None:
    # flat 1% Term SOFR + 26.161 bp = 1.26161%, rounded to 5 decimals (§1.2m) = 1.262%; above the 1% floor:
    # coupon 1.262% + 4% spread
    from clo_xl.curves import TERM_SOFR_3M

    coll = loans(floating=True, coupon=0.07)
    sofr = flat_curve(ANALYSIS, 0.01, index=TERM_SOFR_3M)
    pool = project_assets(coll, CashflowAssumptions(), sofr, ANALYSIS, GRID)
    assert pool.interest[1] == pytest.approx(1_000_000 * (0.01262 + 0.04) * 0.25)


def test_written_off_mv_leaves_the_pool_with_the_asset() -> None:
    # Q34/Q44: 10% CDR, 40% severity, 12-month lag, bullet 15 Jun 2018. Every default carries an MV of
    # 60% of its par, so the MV-of-default balance is 0.6 × the defaulted balance in every period; on the
    # last row (15 Jun 2018, period 9) the legacy writes the unrecovered par off in full and the asset drops
    # out, taking its MV balance with it (no MV left in the OC numerator or the liquidation afterwards).
    a = CashflowAssumptions(AssetAssumption(cpr=0.0, cdr=0.1, severity=0.4, lag_months=12))
    pool = project_assets(loans(), a, None, ANALYSIS, GRID)
    assert pool.end_defaulted()[3] > 0
    assert pool.end_mv() == pytest.approx(0.6 * pool.end_defaulted(), abs=1e-6)
    assert pool.end_mv()[8:] == pytest.approx(np.zeros(len(pool.end_mv()) - 8), abs=1e-6)
    assert pool.mv_defaulted[9:].sum() == pytest.approx(0.0, abs=1e-6)


def test_maturity_is_business_day_adjusted_with_check_business_date() -> None:
    # Maturity Sat 16 Jun 2018, convention PREVIOUS. Legacy `CheckBusinessDate` never applies PREVIOUS
    # (Q36) and rolls forward to Mon 18 Jun: the last row is 18 Jun, after the 15 Jun interest date.
    # Corrected (QuantLib Preceding) rolls back to Fri 15 Jun, which is then the last row.
    coll = loans(maturity=date(2018, 6, 16), rule=BusinessDayRule.PRECEDING)

    def last_two(sw: ProjectionSwitches) -> list[str]:
        sched = build_schedules(coll, ANALYSIS, sw)
        return sched.dates[0][sched.valid[0]].astype("datetime64[D]").astype(str).tolist()[-2:]

    assert last_two(ProjectionSwitches()) == ["2018-06-15", "2018-06-18"]
    assert last_two(ProjectionSwitches.corrected())[-1] == "2018-06-15"
    assert last_two(ProjectionSwitches.corrected())[-2] == "2018-03-15"
