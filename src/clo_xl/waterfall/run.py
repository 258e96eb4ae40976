"""The deal engine (CASHFLOW_SPEC §3.7): one period at a time, in this documented order —
proceeds → PFAI reclass → note accrual → balances and CCC adjustment → fee accrual → coverage tests →
liquidation proceeds (after the tests, Q26) → EOD or interest / principal / note-payment waterfalls →
reinvestment purchase → call / liquidation flag for next period → termination and roll-forward.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

import numpy as np

from clo_xl.cashflows.assumptions import CashflowAssumptions
from clo_xl.cashflows.collateral import CollateralArrays
from clo_xl.cashflows.projection import PoolFlows, ProjectionSwitches, SinkSchedule, project_assets
from clo_xl.cashflows.reinvestment import ReinvestmentPool
from clo_xl.cashflows.structure import Conventions, DealStructure
from clo_xl.cashflows.timeline import PaymentGrid, build_grid
from clo_xl.curves.base import ForwardCurve
from clo_xl.curves.conventions import FloatArray, IntArray, days360, from_day_number, year_fraction
from clo_xl.fees.fees import FeeState
from clo_xl.fees.incentive import IncentiveFeeState
from clo_xl.waterfall.coverage import CoverageTest
from clo_xl.waterfall.engine import PeriodContext, bind_steps, run_actions
from clo_xl.waterfall.ledger import Ledger, Payment, Pot
from clo_xl.waterfall.steps import PayFee
from clo_xl.waterfall.tranches import TrancheState
from clo_xl.waterfall.versions import TestDefinition, WaterfallVersion, version_for

CCC_SP = ("CCC+", "CCC", "CCC-", "CC", "C")


class TrancheRow(NamedTuple):
    """One class in one period. The period rows are named tuples, immutable like the rest of the result:
    a deal run builds over a thousand of them, and a frozen dataclass costs four times as much to build."""

    name: str
    beginning_balance: float
    deferred_beginning: float
    coupon: float
    interest_accrued: float
    interest_paid: float
    deferred_interest_paid: float
    deferred_principal_paid: float
    principal_paid: float
    ending_balance: float
    deferred_ending: float


class TestRow(NamedTuple):
    name: str
    kind: str
    numerator: float
    denominator: float
    ratio: float | None
    trigger: float
    passed: bool
    cure_paid: float


class FeeRow(NamedTuple):
    name: str
    basis: float
    beginning_unpaid: float
    accrued: float
    paid: float
    ending_unpaid: float


class CollateralRow(NamedTuple):
    """Original + reinvestment pool for the period (opening balances; flows of the period)."""

    performing: float
    defaulted: float
    mv_defaulted: float
    default: float
    mv_default: float
    interest: float
    scheduled: float
    unscheduled: float
    recoveries: float
    net_loss: float
    sold: float


@dataclass(frozen=True)
class PeriodResult:
    period: int
    payment_date: date
    index_rate: float
    interest_proceeds: float
    principal_proceeds: float
    liquidation_proceeds: float
    diverted: float
    event_of_default: bool
    payments: tuple[Payment, ...]
    tests: tuple[TestRow, ...]
    tranches: tuple[TrancheRow, ...]
    reinvested: float
    carried: float
    residual: float
    incentive_fee: float
    collateral_balance: float
    collection_begin: date | None = None
    collection_end: date | None = None
    notes_payable: float = 0.0
    incentive_threshold: float = 0.0
    fees: tuple[FeeRow, ...] = ()
    collateral: CollateralRow | None = None
    interest_cures: float = 0.0  # interest proceeds paid to notes as coverage cures (interest-sourced)
    carried_interest: float = 0.0  # the interest part of ``carried``


@dataclass(frozen=True)
class DealResult:
    deal: str
    version: str
    periods: tuple[PeriodResult, ...]
    sub_note_irr: float | None
    incentive_fee_total: float
    fee_totals: dict[str, float] = field(default_factory=dict)
    accrual_start: date | None = None  # first projected period's accrual start (previous payment date)
    pool: PoolFlows | None = field(default=None, compare=False, repr=False)  # the projection it ran on
    grid: PaymentGrid | None = field(default=None, compare=False, repr=False)


def _ccc_mask(coll: CollateralArrays) -> np.ndarray:
    return np.isin(np.char.upper(coll.sp_rating.astype(str)), CCC_SP)


def ccc_adjustment(
    amount: float, ccc_par: float, total_par: float, deal: DealStructure, legacy: bool
) -> float:
    """CCC excess haircut (§5.3, Q22)."""
    threshold = amount * deal.ccc_haircut_pct
    if ccc_par <= threshold:
        return 0.0
    haircut = 1.0 - deal.ccc_liquidation_price
    if legacy:  # the loop walks the whole pool once the bucket is over the limit
        return max(total_par - threshold, 0.0) * haircut
    return (ccc_par - threshold) * haircut


def _coverage_tests(wf: WaterfallVersion, deal: DealStructure, present: set[str]) -> dict[str, CoverageTest]:
    """The version's tests that have a trigger: OC/IC levels from the tranche table, IDT/EOD from the deal."""
    tests: dict[str, CoverageTest] = {}
    for td in wf.tests:
        if td.kind in ("OC", "IC"):
            tr = deal.tranche(td.tranche) if td.tranche in present and td.tranche else None
            level = None if tr is None else (tr.oc_trigger if td.kind == "OC" else tr.ic_trigger)
        elif td.kind == "IDT":
            level = deal.interest_diversion_trigger
        else:
            level = deal.eod_trigger
        if level:
            tests[td.name] = CoverageTest(td.name, td.kind, float(level))
    return tests


TestMembers = tuple[tuple[CoverageTest, str, tuple[int, ...]], ...]


def _members(
    tests: dict[str, CoverageTest], defs: dict[str, TestDefinition], tranches: dict[str, TrancheState]
) -> TestMembers:
    """Each test with its kind and the positions in ``tranches`` of the classes whose balances it covers
    (worked out once per run)."""
    position = {name: k for k, name in enumerate(tranches)}
    return tuple(
        (state, defs[name].kind, tuple(position[c] for c in defs[name].classes if c in tranches))
        for name, state in tests.items()
    )


def _evaluate(
    members: TestMembers,
    tranches: tuple[TrancheState, ...],
    *,
    oc: float,
    eod: float,
    ic: float,
    strict: bool,
) -> None:
    """§5.1–5.2: OC/IDT on the OC numerator, EOD on its own, IC on interest; beginning note balances.
    ``tranches``: the run's classes, in the order ``members`` count them."""
    balance = [t.current_balance for t in tranches]
    due: list[float] = []
    for state, kind, classes in members:
        bal = sum(map(balance.__getitem__, classes))
        if kind == "IC":
            due = due or [t.interest_due for t in tranches]
            num, den = ic, sum(map(due.__getitem__, classes))
        elif kind == "EOD":
            num, den = eod, bal
        else:
            num, den = oc, bal
        state.evaluate(num, den, bal, strict=strict)


def senior_fees(wf: WaterfallVersion) -> tuple[str, ...]:
    """The fees the interest waterfall pays ahead of any note (taxes, trustee and administrative expenses,
    senior management fee): the ``PayFee`` steps before the first class is paid."""
    names: list[str] = []
    for step in wf.interest:
        if not isinstance(step, PayFee):
            break
        names.append(step.fee)
    return tuple(names)


def _ic_numerator(
    interest: float, fees: dict[str, FeeState], senior: tuple[str, ...], trustee_and_base_only: bool
) -> float:
    """IC numerator (§5.1): interest proceeds less, in legacy (Q53), the current Trustee and Base Manager
    accruals only; in corrected (DOMAIN.md) every senior fee due ahead of the notes — carried unpaid plus
    this period's accrual — admin expenses included (no expense cap is modelled, Q28)."""
    if trustee_and_base_only:
        numerator = interest
        for fee in fees.values():  # the fees flagged ic_deduction at the boundary (FeeSpec.ic_deduction)
            if fee.spec.ic_deduction:
                numerator -= fee.accrued
        return numerator
    return interest - sum(fees[name].due for name in senior if name in fees)


def _max_reinvestment(
    deal: DealStructure, pay: date, in_rp: bool, liquidate: bool, principal_cash: float, prepayments: float
) -> float:
    """§7.1: the pre-RP or post-RP type and percentage; 0 in a liquidation period or from maturity on."""
    if liquidate:
        return 0.0
    rs = deal.reinvestment
    if in_rp:
        kind, pct = rs.pre_type, rs.pre_pct
    elif pay < deal.dates.stated_maturity:
        kind, pct = rs.post_type, rs.post_pct
    else:
        return 0.0
    kind = kind.strip().upper()
    if kind == "ALL PRINCIPAL":
        return principal_cash * pct
    if kind == "UNSCHEDULED PRINCIPAL":
        return prepayments * pct
    return 0.0


def _liquidate_next(deal: DealStructure, grid: PaymentGrid, i: int, equity: TrancheState) -> bool:
    """Call / final-liquidation flag for the next period (§3.7 step 4; Q39: else-if, never cleared)."""
    n = grid.n
    if i >= n - 1:
        return False
    sub_dist = (equity.principal_paid + equity.interest_paid) / max(equity.spec.original_balance, 1e-9)
    if sub_dist < deal.call_sub_distribution_below:
        return from_day_number(int(grid.payment[i + 1])) >= deal.dates.non_call_date
    return i == n - 2


def _tranche_rows(tranches: dict[str, TrancheState]) -> tuple[TrancheRow, ...]:
    return tuple(
        [
            TrancheRow(
                t.name,
                t.balance,
                t.deferred,
                t.coupon,
                t.interest_accrued,
                t.interest_paid + t.shortfall_paid,
                t.deferred_interest_paid,
                t.deferred_principal_paid,
                t.principal_paid,
                t.balance - t.principal_paid if not t.spec.equity else t.balance,
                t.deferred
                + t.deferred_interest_accrued
                - t.deferred_interest_paid
                - t.deferred_principal_paid,
            )
            for t in tranches.values()
        ]
    )


def _test_rows(tests: dict[str, CoverageTest]) -> tuple[TestRow, ...]:
    return tuple(
        [
            TestRow(
                s.name,
                s.kind,
                s.numerator,
                s.denominator,
                s.numerator / s.denominator if s.denominator > 0 else None,  # s.ratio
                s.trigger,
                s.passed,
                s.paid_interest + s.paid_principal,
            )
            for s in tests.values()
        ]
    )


def _collateral_row(pool: PoolFlows, reinv: ReinvestmentPool, i: int, sold: float) -> CollateralRow:
    def both(a: FloatArray, b: FloatArray) -> float:
        return float(a[i] + b[i])

    return CollateralRow(
        both(pool.performing, reinv.performing),
        both(pool.defaulted, reinv.defaulted),
        both(pool.mv_defaulted, reinv.mv_defaulted),
        both(pool.default, reinv.default),
        both(pool.mv_default, reinv.mv_default),
        both(pool.interest, reinv.interest),
        both(pool.scheduled, reinv.scheduled),
        both(pool.prepayment, reinv.prepayment),
        both(pool.recovery, reinv.recovery),
        both(pool.net_loss, reinv.net_loss),
        sold,
    )


def _reclass_accrued(interest: float, principal: float, pfai: float) -> tuple[float, float, float]:
    """Purchase-finance accrued interest reclass (§3.7 1b, Q42): up to ``pfai`` of the period's interest
    proceeds move to principal; returns (interest, principal, what is left to move)."""
    move = pfai if interest > pfai else interest
    return interest - move, principal + move, pfai - move


def _event_of_default(deal: DealStructure, eod_test: CoverageTest | None, *, continued: bool) -> bool:
    """Whether the period runs the EOD waterfall: the deal's EOD flag, a failing EOD test, or ``continued``
    (Q23: corrected, an EOD once seen continues)."""
    return deal.event_of_default or (eod_test is not None and not eod_test.passed) or continued


def _wound_down(collateral: float, i: int, reinv: ReinvestmentPool) -> bool:
    """No collateral left after period ``i`` (not the first) and no reinvestment still to come."""
    return collateral <= 0.01 and i > 0 and not reinv.performing[i + 1 :].any()


def _accrue_fees(
    fees: tuple[tuple[FeeState, list[float]], ...],
    opening_basis: float,
    basis: float,
    i: int,
    index: float,
    legacy_unpaid: bool,
) -> None:
    """Accrue every fee for period ``i``; each fee comes with its year fraction of every period."""
    for f, fraction in fees:
        f.accrue(opening_basis, basis, fraction[i], index, legacy_unpaid=legacy_unpaid)


def _roll(
    tranches: dict[str, TrancheState],
    equity: TrancheState,
    fees: dict[str, FeeState],
    *,
    capitalise: bool,
    final: bool,
) -> None:
    """Close the period: roll each class (capitalising unpaid interest when ``capitalise``); unless it is
    the ``final`` period, clear the period's payments and roll the fees."""
    for t in tranches.values():
        t.roll(capitalise_unpaid=capitalise)
        if not final and not t.spec.equity:
            t.interest_paid = t.principal_paid = 0.0
    if final:
        return
    equity.interest_paid = equity.principal_paid = 0.0
    for f in fees.values():
        f.roll()


def run_deal(
    deal: DealStructure,
    collateral: CollateralArrays,
    assumptions: CashflowAssumptions,
    curve: ForwardCurve,
    *,
    analysis_date: date | None = None,
    conventions: Conventions | None = None,
    version: WaterfallVersion | None = None,
    pool: PoolFlows | None = None,
    grid: PaymentGrid | None = None,
    default_dates: IntArray | None = None,
    sink: SinkSchedule | None = None,
    call_date: date | None = None,
) -> DealResult:
    """Project ``collateral`` and run ``deal``'s waterfall over its payment grid.

    ``call_date``: the deal is called on the first payment date on or after it: the collateral is sold
    that period at ``deal.liquidation_price`` (performing par; defaulted at its market value) and the
    proceeds run through the principal waterfall, as the legacy's final liquidation.
    """
    conv = conventions or Conventions()
    analysis = analysis_date or deal.dates.analysis_date
    wf = version or version_for(deal, mag17_as_mag15=conv.mag17_as_mag15, tags=conv.waterfall_tags)
    grid = grid or build_grid(deal.dates, legacy=conv.legacy_business_days, pay_day_rolls=conv.pay_day_rolls)
    cal = deal.dates.calendar
    switches = ProjectionSwitches(
        conv.zero_par_million, conv.write_off_unrecovered, conv.legacy_business_days, cal
    )
    if pool is None:
        pool = project_assets(
            collateral,
            assumptions,
            curve,
            analysis,
            grid,
            switches=switches,
            default_dates=default_dates,
            ccc_mask=_ccc_mask(collateral),
            sink=sink,
        )
    n = grid.n
    months = deal.dates.months_between_payments
    csa = curve.index.spread_adjustment  # Term SOFR + ISDA adjustment for LIBOR-referencing notes/assets
    index_det = curve.index_rate(grid.determination, months) + csa
    index_pay = curve.index_rate(grid.payment, months) + csa
    d360_pay = days360(grid.payment_prev, grid.payment)  # period i spans (pay(i-1), pay(i)]
    yf30_pay = year_fraction(grid.payment_prev, grid.payment, 0)
    fraction_by_basis: dict[int, list[float]] = {}

    def fractions(basis: int) -> list[float]:
        """The year fraction of every period on a day-count basis."""
        if basis not in fraction_by_basis:
            fraction_by_basis[basis] = year_fraction(grid.payment_prev, grid.payment, basis).tolist()
        return fraction_by_basis[basis]

    pay_dates = [from_day_number(d) for d in grid.payment.tolist()]
    begin_dates = [from_day_number(d) for d in grid.collection_begin.tolist()]
    end_dates = [from_day_number(d) for d in grid.collection_end.tolist()]
    index_det_list = index_det.tolist()

    tranches = {
        t.name: TrancheState(t, t.current_balance, t.deferred_balance if not t.equity else 0.0)
        for t in deal.tranches
    }
    equity = tranches[deal.equity.name]
    fees = {f.name: FeeState(f, f.opening_unpaid) for f in deal.fees}
    tests = _coverage_tests(wf, deal, set(tranches))
    members = _members(tests, {td.name: td for td in wf.tests}, tranches)
    tranche_list, fee_states = tuple(tranches.values()), tuple(fees.values())
    accruing = tuple((t, fractions(int(t.spec.day_count))) for t in tranche_list)
    fee_accruals = tuple((f, fractions(int(f.spec.day_count))) for f in fees.values())
    # the switches read every period, looked up once (each lookup hashes an enum member)
    ccc_whole_pool, legacy_unpaid = conv.ccc_whole_pool, conv.fee_interest_on_opening_unpaid
    strict, sticky_eod = conv.strict_trigger, conv.sticky_event_of_default
    capitalise, ic_trustee_and_base = conv.capitalise_unpaid_interest, conv.ic_trustee_and_base_only
    bound = (tranches, fees, tests, wf.classes)
    eod_steps, interest_steps = bind_steps(wf.eod, *bound), bind_steps(wf.interest, *bound)
    principal_steps, notes_steps = bind_steps(wf.principal, *bound), bind_steps(wf.notes, *bound)
    eod_state = next((t for t in tests.values() if t.kind == "EOD"), None)
    senior = senior_fees(wf)
    # Q25: the legacy drops historic Sub Note flows dated after the CLOInputs analysis date (so a purchase
    # on a closing date after it makes the hurdle "met" at once); corrected keeps every historic flow.
    cutoff = (deal.cf_analysis_date or analysis) if conv.hurdle_history_cutoff else date.max
    incentive = IncentiveFeeState.start(
        deal.incentive, deal.dates.closing_date, cutoff, first_positive=conv.hurdle_first_positive
    )
    reinv = ReinvestmentPool.empty(n)
    pfai = deal.purchase_finance_accrued_interest
    opening_basis = deal.beginning_fee_basis
    liquidate = False
    eod_seen = False
    ccc_total_par = pool.performing.tolist()  # opening original-pool par per period (legacy walk, Q22)
    pool_end_perf = pool.end_performing().tolist()
    pool_end_def, pool_end_mv = pool.end_defaulted().tolist(), pool.end_mv().tolist()
    # the original pool's flows do not change during the run: read as Python floats once (the same doubles)
    pool_interest, pool_principal = pool.interest.tolist(), pool.principal.tolist()
    pool_prepayment, pool_ccc_opening = pool.prepayment.tolist(), pool.ccc_opening.tolist()
    periods: list[PeriodResult] = []
    for i in range(n):
        pay = pay_dates[i]
        liquidate = liquidate or (call_date is not None and pay >= call_date)
        interest = pool_interest[i] + float(reinv.interest[i])
        principal = pool_principal[i] + reinv.principal_at(i)
        if i == 0:
            interest += deal.collection_interest + deal.interest_reserve
            principal += deal.collection_principal
        if pfai > 0:
            interest, principal, pfai = _reclass_accrued(interest, principal, pfai)
        index = deal.current_index if i == 0 else index_det_list[i]
        for t, fraction in accruing:
            t.accrue(index, fraction[i])
        end_perf = pool_end_perf[i] + reinv.end_performing(i)
        end_def = pool_end_def[i] + reinv.end_defaulted(i)
        end_mv = pool_end_mv[i] + reinv.end_mv(i)
        last = i == n - 1
        if last:  # balance queries return 0 in the last period (§1.3)
            end_perf = end_def = end_mv = 0.0
        ccc = ccc_adjustment(
            end_perf + principal,
            pool_ccc_opening[i],
            ccc_total_par[i],
            deal,
            ccc_whole_pool,
        )
        basis = end_perf + end_def + principal + pfai
        if i == 0 and opening_basis <= 0:  # no "Beg Fee Basis" input: the first period's own basis
            opening_basis = basis
        _accrue_fees(fee_accruals, opening_basis, basis, i, index, legacy_unpaid)
        incentive.begin_period(pay)
        oc_num = end_perf + end_mv - ccc + principal + pfai
        eod_num = end_perf + end_mv + principal
        ic_num = _ic_numerator(interest, fees, senior, ic_trustee_and_base)
        _evaluate(members, tranche_list, oc=oc_num, eod=eod_num, ic=ic_num, strict=strict)
        liquidation = 0.0
        if liquidate:  # Q26: added after the tests
            # in the last period the balance queries returned 0: the sale is of the period's closing pool
            sold_par, sold_mv = (
                (pool_end_perf[i] + reinv.end_performing(i), pool_end_mv[i] + reinv.end_mv(i))
                if last
                else (end_perf, end_mv)
            )
            liquidation = sold_par * deal.liquidation_price + sold_mv
        ledger = Ledger()
        in_rp = pay <= deal.dates.reinvestment_end
        eod = _event_of_default(deal, eod_state, continued=sticky_eod and eod_seen)
        eod_seen = eod_seen or eod
        ctx = PeriodContext(
            tranches=tranches,
            order=wf.classes,
            equity=equity,
            fees=fees,
            tests=tests,
            incentive=incentive,
            ledger=ledger,
            in_reinvestment_period=in_rp,
            max_reinvestment=0.0,
        )
        principal_total = principal + liquidation
        if eod:
            ctx.section = "eod"
            pot = Pot(interest, principal_total)
            run_actions(ctx, eod_steps, pot)
            carried = pot.interest + pot.principal
            carried_interest = pot.interest
        else:
            ipot = Pot(interest, 0.0)
            ppot = Pot(0.0, principal_total)
            ctx.section = "interest"
            run_actions(ctx, interest_steps, ipot, ppot)
            prepayments = pool_prepayment[i] + float(reinv.prepayment[i])
            ctx.max_reinvestment = _max_reinvestment(deal, pay, in_rp, liquidate, ppot.principal, prepayments)
            ctx.section = "principal"
            run_actions(ctx, principal_steps, ppot)
            # whatever the principal steps left (e.g. Mag6 RP return) also goes to notes payable
            ctx.notes_payable += ppot.cash
            ppot.take(ppot.cash)
            # cures paid from interest are spent first and stay interest-sourced, so the interest and the
            # principal waterfalls each reconcile on their own
            npot = Pot(ctx.notes_payable_interest, ctx.notes_payable - ctx.notes_payable_interest)
            ctx.section = "notes"
            run_actions(ctx, notes_steps, npot)
            carried = ipot.interest + npot.interest + npot.principal
            carried_interest = ipot.interest + npot.interest
            if ctx.reinvested > 0 and not last:
                reinv.buy(
                    i,
                    ctx.reinvested,
                    deal.reinvestment,
                    index_pay,
                    months,
                    d360_pay,
                    yf30_pay,
                    write_off=switches.write_off_unrecovered,
                )
        residual = sum([p.amount for p in ledger.payments if p.payee == equity.name])
        periods.append(
            PeriodResult(
                period=i + 1,
                payment_date=pay,
                index_rate=index,
                interest_proceeds=interest,
                principal_proceeds=principal_total + ctx.diverted,  # incl. diversions, as Deal Info
                liquidation_proceeds=liquidation,
                diverted=ctx.diverted,
                event_of_default=eod,
                interest_cures=ctx.interest_cures,
                carried_interest=carried_interest,
                payments=tuple(ledger.payments),
                tests=_test_rows(tests),
                tranches=_tranche_rows(tranches),
                reinvested=ctx.reinvested,
                carried=carried,
                residual=residual,
                incentive_fee=incentive.fee,
                collateral_balance=end_perf + end_def,
                collection_begin=begin_dates[i],
                collection_end=end_dates[i],
                notes_payable=ctx.notes_payable,
                incentive_threshold=incentive.threshold,
                fees=tuple(
                    [FeeRow(f.spec.name, basis, f.unpaid, f.accrued, f.paid, f.due) for f in fee_states]
                ),
                collateral=_collateral_row(pool, reinv, i, liquidation),
            )
        )
        liquidate = liquidate or _liquidate_next(deal, grid, i, equity)
        incentive.end_period(pay)
        final = liquidation > 0 or _wound_down(end_perf + end_def, i, reinv)
        _roll(tranches, equity, fees, capitalise=capitalise, final=final)
        if final:
            break
        opening_basis = basis
    return DealResult(
        deal=deal.name,
        version=wf.name,
        periods=tuple(periods),
        sub_note_irr=incentive.irr(),
        incentive_fee_total=incentive.total_fee,
        fee_totals={name: f.total_paid for name, f in fees.items()},
        accrual_start=from_day_number(int(grid.payment_prev[0])),
        pool=pool,
        grid=grid,
    )
