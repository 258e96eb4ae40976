"""The compliance engine: runs a deal's threshold table over a pool (COMPLIANCE_SPEC §4.1–§4.3).

* The deal's ``TestThresholds`` rows decide which tests run and in what order. A child test (4, 19, 21,
  23, 26, 27, 50, 51, 52) is produced by its parent, immediately after it.
* Collateral Principal Amount (CPA) = non-defaulted par + Collection principal cash (may be negative).
* Pass/fail: threshold = Overwrite if non-zero, else the dynamic threshold (32/36/39/54), else the sheet's;
  MAX passes when result <= threshold, anything else when result >= threshold (inclusive, compared at 12
  significant digits so summation-order noise cannot flip a result sitting on its threshold). A failing
  result passes if it did not get worse than the previous value at 4 decimals (previous-value relief).
* State (previous values, the MWARR input overwritten by test 33) is explicit: :class:`EngineState` in,
  a new :class:`EngineState` out (:attr:`ComplianceReport.state_after`).

Where the legacy crashes (fewer than N obligors/industries for an Nth-largest test, no DIP asset for test
5, a child missing from the table), clo-xl returns a result of 0 with a remark instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from clo_xl.compliance.catalogue import (
    TEST_INDUSTRY_3RD,
    TEST_WARR,
    TestSpec,
    catalogue,
    children_of,
    country_sets,
)
from clo_xl.compliance.columns import AssetColumns, columns_for
from clo_xl.compliance.kernels import (
    ExactSums,
    diversity_from_groups,
    floating_spread,
    group_sums,
    issuer_groups,
    ratio,
    round_half_even,
    round_half_up,
    seqsum,
    top_groups,
)
from clo_xl.compliance.objective import portfolio_objective
from clo_xl.compliance.quirks import Quirk, QuirkSet
from clo_xl.compliance.results import RELIEF_COMMENT, ComplianceReport, EngineState, TestResult, new_result
from clo_xl.deal import (
    QTI_CURRENT_LIBOR,
    QTI_JR_OC_DENOMINATOR,
    QTI_MWARR,
    QTI_STATED_MATURITY,
    QTI_WARF_FACTOR,
    QTI_WARF_THRESHOLD,
    QTI_WARR_THRESHOLD,
    QTI_WAS,
    QTI_WAS_FACTOR,
    DealInputs,
    ThresholdRow,
)
from clo_xl.enums import Convention, MinMax
from clo_xl.portfolio.pool import Pool

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


class Raw(NamedTuple):
    """A computed value before pass/fail: numerator, denominator, result, comment, remark."""

    numerator: float
    denominator: float
    result: float
    comment: str | None = None
    remark: str | None = None
    applicable: bool = True  # False: the test does not apply to this pool (it passes, with the remark)


WAC_NOT_APPLICABLE = "no fixed-rate obligation: the test does not apply (passes)"


def _sig12(x: float) -> float:
    return float(f"{x:.12g}")


def passes(result: float, threshold: float, min_max: MinMax, *, strict: bool = False) -> bool:
    """Threshold comparison at 12 significant digits; inclusive unless ``strict``."""
    r, t = _sig12(result), _sig12(threshold)
    if min_max is MinMax.MAX:
        return r < t if strict else r <= t
    return r > t if strict else r >= t


@dataclass(frozen=True)
class _Flags:
    """The switches an evaluation reads, looked up once per engine (a ``Quirk in QuirkSet`` test hashes an
    enum in Python, and an evaluation asks over a hundred times)."""

    populations: bool  # Q11: defaulted assets in the ALL populations
    test1_bonds: bool  # Q11: test 1 subtracts non-senior bonds too
    test5_by_id: bool  # Q12
    test51_second: bool  # Q12
    legacy_countries: bool  # Q14: the code's country lists
    inherit: bool  # Q15
    minmax: bool  # Q16
    roll_forward: bool  # Q17
    warr_order: bool  # Q18
    rounding: bool  # Q19
    missing_zero: bool  # Q30
    wac_empty_fails: bool  # Q34

    @classmethod
    def of(cls, q: QuirkSet) -> _Flags:
        return cls(
            Quirk.Q11_DEFAULTED_IN_POPULATIONS in q,
            Quirk.Q11_TEST1_SUBTRACTS_NON_SENIOR_BONDS in q,
            Quirk.Q12_TEST5_SORTS_BY_ID in q,
            Quirk.Q12_TEST51_NUMERATOR_IS_2ND in q,
            Quirk.Q14_COUNTRY_LIST_SPELLING in q,
            Quirk.Q15_UNLISTED_CHILD_INHERITS in q,
            Quirk.Q16_MINMAX_NOT_MAX_IS_MIN in q,
            Quirk.Q17_PREVIOUS_VALUES_ROLL_FORWARD in q,
            Quirk.Q18_WARR_ORDER_SENSITIVE in q,
            Quirk.Q19_ROUNDING in q,
            Quirk.Q30_MISSING_INPUT_IS_ZERO in q,
            Quirk.Q34_WAC_WITHOUT_FIXED_FAILS in q,
        )


class _Ctx:
    """Pool-level arrays for one evaluation. Columns at the pool's positions and the test masks depend on
    the positions only: they are kept with the pool (:meth:`Pool.gathered`), so a second evaluation of the
    pool, or of a pool that differs only in par (a hypothetical trade), reuses them."""

    def __init__(self, cols: AssetColumns, pool: Pool, cash: float, deal: DealInputs, flags: _Flags):
        self.cols = cols
        self.pos = pool.positions
        self.pool = pool
        self.par: FloatArray = pool.par
        self.cash = cash
        self.deal = deal
        self.f = flags
        self._memo: dict[str, Any] = {}
        self.nd: BoolArray = ~self.col("defaulted")
        self.all: BoolArray = pool.gathered("all", lambda: np.ones(self.par.shape, dtype=bool))
        self.sums = ExactSums(self.par)  # every masked par sum of this evaluation, exact
        self.nd_par = self.sums.total(self.nd)
        self.cpa = self.sums.total(self.nd, cash)
        self._ranked: dict[tuple[str, str, str | None], tuple[int, list[tuple[float, int]]]] = {}

    def col(self, name: str) -> Any:
        try:
            return self._memo[name]
        except KeyError:
            # the universe column at the pool's positions, kept with the pool (and pools with its positions)
            value = self.pool.gathered((self.cols, name), lambda: getattr(self.cols, name)[self.pos])
            self._memo[name] = value
            return value

    def population(self, spec: TestSpec, part: str = "numerator") -> BoolArray:
        pop = spec.population
        if not self.f.populations and spec.kind != "jroc":
            return self.nd
        if pop == "ALL_ND":
            return self.all if part == "numerator" else self.nd
        return self.all if pop == "ALL" else self.nd

    def pred(self, name: str | None) -> BoolArray:
        """The predicate's mask (kept with the pool)."""
        if name is None:
            return self.all
        key = (self.cols, "pred", name, self.f.legacy_countries)
        found: BoolArray = self.pool.gathered(key, lambda: _pred(self, name))
        return found

    def mask(self, spec: TestSpec, part: str = "numerator") -> BoolArray:
        """Population & predicate of ``spec`` (kept with the pool)."""
        pop = self.population(spec, part)
        if spec.predicate is None:
            return pop
        key = (self.cols, "mask", pop is self.all, spec.predicate, self.f.legacy_countries)
        found: BoolArray = self.pool.gathered(key, lambda: pop & self.pred(spec.predicate))
        return found

    def largest(self, spec: TestSpec, key: str, n: int) -> list[tuple[float, int]]:
        """The ``n`` largest groups by ``key`` over the spec's population and predicate: (par, code).

        Shared by the tests that rank the same groups (3 and 4; 25, 26 and 27; 49 to 52): the group sums
        and the ranking are computed once per evaluation.
        """
        mask = self.mask(spec)
        pop = "all" if self.population(spec) is self.all else "nd"
        cache_key = (key, pop, spec.predicate)
        known = self._ranked.get(cache_key)
        if known is not None and (known[0] >= n or len(known[1]) < known[0]):
            return known[1][:n]
        code_col, keys_attr = _KEY_COLUMNS[key]
        sums, codes = group_sums(self.par, self.col(code_col), mask, len(getattr(self.cols, keys_attr)))
        depth = max(n, 6)
        ranked = top_groups(sums, codes, self.cols.key_ranks(keys_attr), depth)
        self._ranked[cache_key] = (depth, ranked)
        return ranked[:n]

    def country_in(self, set_name: str) -> BoolArray:
        corrected = not self.f.legacy_countries
        key = f"country:{set_name}:{corrected}"
        if key not in self._memo:
            names = country_sets(corrected)[set_name]
            self._memo[key] = self.cols.country_mask(names)[self.pos]
        result: BoolArray = self._memo[key]
        return result

    def country_is(self, name: str) -> BoolArray:
        return self.country_in_names(frozenset({name}))

    def country_in_names(self, names: frozenset[str]) -> BoolArray:
        key = f"country-names:{sorted(names)}"
        if key not in self._memo:
            self._memo[key] = self.cols.country_mask(names)[self.pos]
        result: BoolArray = self._memo[key]
        return result


# Dynamic thresholds of tests 32 and 36 (COMPLIANCE_SPEC §4.3, the Moody's matrix in the legacy code):
#: the recovery rate (percent) the matrix pivots on: each point of MWARR above it moves the threshold
PIVOT_RECOVERY_PCT = 43.0
#: test 32: spread given up per point of recovery above the pivot (decimal spread), by the base spread
WAS32_STEP_HIGH = 0.00065
WAS32_STEP_LOW = 0.0005
#: test 32: a base spread at or above this (3.10%) takes the higher step
WAS32_HIGH_BASE = 0.031

#: facility-size limits of the small-facility population (COMPLIANCE_SPEC §4: obligors in the USA below
#: 150m, elsewhere below 250m) and of the "facility under 200m" population, in deal currency
SMALL_FACILITY_USA = 150_000_000.0
SMALL_FACILITY_NON_USA = 250_000_000.0
FACILITY_UNDER_200M = 200_000_000.0


def _bool(values: Any) -> BoolArray:
    return np.asarray(values, dtype=np.bool_)


def _small_facility(ctx: _Ctx) -> BoolArray:
    usa = ctx.country_is("USA")
    fac = ctx.col("facility")
    return _bool((usa & (fac < SMALL_FACILITY_USA)) | (~usa & (fac < SMALL_FACILITY_NON_USA)))


def _not_senior_secured_loan_or_2nd_lien(ctx: _Ctx) -> BoolArray:
    ssl = ctx.col("senior_secured") & ctx.col("loan")
    return _bool(~ssl | (ssl & ctx.col("sp_second_lien")))


#: the named populations of the catalogue's ``population`` filters; any other name is a boolean column
_PREDICATES: dict[str, Callable[[_Ctx], BoolArray]] = {
    "not_senior_secured_loan_or_2nd_lien": _not_senior_secured_loan_or_2nd_lien,
    "not_dip": lambda ctx: _bool(~ctx.col("dip")),
    "pays_less_than_quarterly": lambda ctx: _bool(ctx.col("payment_frequency") < 4),
    "country_not_usa": lambda ctx: ~ctx.country_is("USA"),
    "country_canada": lambda ctx: ctx.country_is("CANADA"),
    "country_canada_or_tax": lambda ctx: ctx.country_is("CANADA") | ctx.country_in("tax"),
    "country_not_usa_canada_uk": lambda ctx: ~ctx.country_in("usa_canada_uk"),
    "country_group_any": lambda ctx: (
        ctx.country_in("group_1") | ctx.country_in("group_2") | ctx.country_in("group_3")
    ),
    "country_tax": lambda ctx: ctx.country_in("tax"),
    "small_facility": _small_facility,
    "facility_under_200m": lambda ctx: _bool(ctx.col("facility") < FACILITY_UNDER_200M),
    "unsecured": lambda ctx: _bool(~ctx.col("senior_secured")),
}


def _pred(ctx: _Ctx, name: str) -> BoolArray:
    named = _PREDICATES.get(name)
    if named is not None:
        return named(ctx)
    if name.startswith("country_group_"):
        return ctx.country_in("group_" + name.rsplit("_", 1)[1])
    return _bool(ctx.col(name))  # a boolean column of the same name


_KEY_COLUMNS = {
    "issuer": ("issuer", "issuer_keys"),
    "sp_industry": ("sp_industry", "sp_industry_keys"),
    "moodys_industry": ("moodys_industry", "moodys_industry_keys"),
    "country": ("country", "country_keys"),
}


@dataclass
class _Run:
    ctx: _Ctx
    deal: DealInputs
    f: _Flags
    mwarr: float
    warr_first: float | None  # corrected: the computed WARR when test 33 is in the table
    results: list[TestResult] = field(default_factory=list)

    # -- kernels -----------------------------------------------------------------------------------------
    def share(self, spec: TestSpec) -> Raw:
        ctx = self.ctx
        num = ctx.sums.total(ctx.mask(spec))
        return Raw(num, ctx.cpa, ratio(num, ctx.cpa))

    def senior_secured(self, spec: TestSpec) -> Raw:
        ctx = self.ctx
        ns_mask = ctx.nd & ctx.col("non_senior_category")
        if not self.f.test1_bonds:
            ns_mask = ns_mask & ctx.col("loan")
        loans = ctx.sums.parts(ctx.nd & ctx.col("loan"))
        num = math.fsum([*loans, *(-x for x in ctx.sums.parts(ns_mask)), ctx.cash])
        return Raw(num, ctx.cpa, ratio(num, ctx.cpa))

    def unfunded(self, spec: TestSpec) -> Raw:
        ctx = self.ctx
        num = seqsum(ctx.col("unfunded")[ctx.population(spec)])
        return Raw(num, ctx.cpa, ratio(num, ctx.cpa))

    def nth(self, spec: TestSpec, n: int | None = None) -> Raw:
        ctx = self.ctx
        key = spec.key or "issuer"
        n = n or spec.nth or 1
        ranked = ctx.largest(spec, key, n)
        if len(ranked) < n:
            what = {"issuer": "obligors", "country": "countries"}.get(spec.key or "", "industries")
            if spec.kind == "nth_or_zero":
                return Raw(0.0, ctx.cpa, 0.0)
            return Raw(
                0.0,
                ctx.cpa,
                0.0,
                None,
                f"fewer than {n} {what}: result 0 (the legacy stops with an error here)",
            )
        value, code = ranked[n - 1]
        return Raw(value, ctx.cpa, ratio(value, ctx.cpa), getattr(ctx.cols, _KEY_COLUMNS[key][1])[code])

    def dip_obligor(self, spec: TestSpec) -> Raw:
        ctx = self.ctx
        mask = ctx.nd & ctx.col("dip")
        keys = ctx.cols.issuer_keys
        sums, codes = group_sums(ctx.par, ctx.col("issuer"), mask, len(keys))
        if codes.size == 0:
            return Raw(
                0.0, ctx.cpa, 0.0, None, "no DIP asset: result 0 (the legacy stops with an error here)"
            )
        ranks = ctx.cols.key_ranks("issuer_keys")
        if self.f.test5_by_id:
            i = int(np.argmin(ranks[codes]))
            value, key = float(sums[i]), keys[int(codes[i])]
        else:
            value, code = top_groups(sums, codes, ranks, 1)[0]
            key = keys[code]
        return Raw(value, ctx.cpa, ratio(value, ctx.cpa), key)

    def country_max(self, spec: TestSpec) -> Raw:
        return self.nth(spec, 1) if self._has_country(spec) else Raw(0.0, self.ctx.cpa, 0.0)

    def _has_country(self, spec: TestSpec) -> bool:
        return bool(np.any(self.ctx.mask(spec)))

    def was(self, spec: TestSpec) -> Raw:
        ctx = self.ctx
        libor = self.deal.qti_number(QTI_CURRENT_LIBOR)
        mask = ctx.population(spec) & ctx.pred("floating")
        s = floating_spread(
            ctx.col("coupon"), ctx.col("spread"), ctx.col("floor"), ctx.col("libor_index"), libor
        )
        num = seqsum((ctx.par * s)[mask])
        den = ctx.sums.total(mask)
        return Raw(num, den, ratio(num, den))

    def warr(self, spec: TestSpec) -> Raw:
        ctx = self.ctx
        num = seqsum((ctx.par * ctx.col("recovery"))[ctx.nd])
        return Raw(num, ctx.nd_par, ratio(num, ctx.nd_par))

    def wac(self, spec: TestSpec) -> Raw:
        ctx = self.ctx
        mask = ctx.population(spec) & ctx.pred("fixed")
        num = seqsum((ctx.par * ctx.col("coupon"))[mask])
        den = ctx.sums.total(mask)
        if den == 0.0 and not self.f.wac_empty_fails:
            return Raw(0.0, 0.0, 0.0, None, WAC_NOT_APPLICABLE, applicable=False)
        return Raw(num, den, ratio(num, den))

    def wal(self, spec: TestSpec) -> Raw:
        ctx = self.ctx
        num = seqsum((ctx.par * ctx.col("wal"))[ctx.population(spec, "numerator")])
        den = ctx.sums.total(ctx.population(spec, "denominator"))
        value = ratio(num, den)
        value = round_half_even(value, 2) if self.f.rounding else round_half_up(value, 2)
        return Raw(num, den, value)

    def warf(self, spec: TestSpec) -> Raw:
        ctx = self.ctx
        num = seqsum((ctx.par * ctx.col("factor_tests"))[ctx.nd])
        return Raw(num, ctx.nd_par, ratio(num, ctx.nd_par))

    def diversity(self, spec: TestSpec) -> Raw:
        ctx = self.ctx
        mask = ctx.population(spec)
        key = (ctx.cols, "issuer-groups", mask is ctx.all)
        groups = ctx.pool.gathered(
            key, lambda: issuer_groups(ctx.col("issuer"), ctx.col("moodys_industry"), mask)
        )
        score = diversity_from_groups(groups, ctx.par[mask], legacy_rounding=self.f.rounding)
        return Raw(0.0, 0.0, score)

    def jroc(self, spec: TestSpec) -> Raw:
        ctx = self.ctx
        par = ctx.par
        value = np.where(
            ctx.col("defaulted"),
            par * ctx.col("market_value") / 100.0,
            np.where(ctx.col("piking"), par * ctx.col("recovery"), par),
        )
        num = ExactSums(value).total(None, ctx.cash)
        den = self.deal.qti_number(QTI_JR_OC_DENOMINATOR)
        return Raw(num, den, ratio(num, den))

    def zero(self, spec: TestSpec) -> Raw:
        return Raw(0.0, self.ctx.cpa, 0.0)

    def cpa_share(self, spec: TestSpec) -> Raw:
        cpa = self.ctx.cpa
        return Raw(cpa, cpa, ratio(cpa, cpa))

    def long_dated(self, spec: TestSpec) -> Raw:
        ctx = self.ctx
        stated = self.deal.qti(QTI_STATED_MATURITY)
        if not isinstance(stated, date):
            if not self.f.missing_zero:
                return Raw(0.0, ctx.cpa, 0.0, None, f"Quality Test Input {QTI_STATED_MATURITY!r} is missing")
            limit = 0  # the legacy reads the missing date as 0
        else:
            limit = stated.toordinal()
        mask = ctx.nd & (ctx.col("maturity_ordinal") > limit) & (ctx.col("maturity_ordinal") > 0)
        num = ctx.sums.total(mask)
        return Raw(num, ctx.cpa, ratio(num, ctx.cpa))

    # -- thresholds ----------------------------------------------------------------------------------------
    def dynamic_threshold(self, spec: TestSpec, sheet: float) -> float:
        d = self.deal
        rule = spec.threshold_rule
        mwarr = self.warr_first if self.warr_first is not None else self.mwarr
        rounding = self.f.rounding
        warf_t = d.qti_number(QTI_WARF_THRESHOLD)
        warf_f = d.qti_number(QTI_WARF_FACTOR)
        if rounding:
            warf_t, warf_f = float(round(warf_t)), float(round(warf_f))
        if rule == "was32":
            base = d.qti_number(QTI_WAS)
            f = WAS32_STEP_HIGH if base >= WAS32_HIGH_BASE else WAS32_STEP_LOW
            return base - (mwarr * 100.0 - PIVOT_RECOVERY_PCT) * f
        if rule == "was39":
            base = d.qti_number(QTI_WAS)
            return base - (mwarr - d.qti_number(QTI_WARR_THRESHOLD)) * 100.0 * d.qti_number(QTI_WAS_FACTOR)
        if rule == "warf36":
            return warf_t + (mwarr * 100.0 - PIVOT_RECOVERY_PCT) * warf_f
        if rule == "warf54":
            return warf_t + (mwarr - d.qti_number(QTI_WARR_THRESHOLD)) * 100.0 * warf_f
        return sheet

    def direction(self, spec: TestSpec, row: ThresholdRow) -> MinMax:
        return _direction(spec, row, self.f)


def _direction(spec: TestSpec, row: ThresholdRow, f: _Flags) -> MinMax:
    """MAX or MIN for a row: the sheet's text, or (corrected, text neither) the test's own direction."""
    if f.minmax or row.min_max_is_explicit:
        return row.min_max
    return spec.default_min_max or MinMax.MIN


_KERNELS: dict[str, Callable[[_Run, TestSpec], Raw]] = {
    "share": _Run.share,
    "senior_secured": _Run.senior_secured,
    "unfunded": _Run.unfunded,
    "nth": _Run.nth,
    "nth_or_zero": _Run.nth,
    "dip_obligor": _Run.dip_obligor,
    "country_max": _Run.country_max,
    "was": _Run.was,
    "warr": _Run.warr,
    "wac": _Run.wac,
    "wal": _Run.wal,
    "warf": _Run.warf,
    "diversity": _Run.diversity,
    "jroc": _Run.jroc,
    "zero": _Run.zero,
    "cpa_share": _Run.cpa_share,
    "long_dated": _Run.long_dated,
}


class ComplianceEngine:
    """Evaluates one deal's tests over pools. Build once per deal; :meth:`evaluate` is cheap (column arrays
    are cached on the pool's universe).

    >>> engine = ComplianceEngine(deal_inputs, Convention.LEGACY)  # doctest: +SKIP
    >>> report = engine.evaluate(pool)  # doctest: +SKIP
    """

    def __init__(self, deal: DealInputs, convention: Convention | str | QuirkSet = Convention.LEGACY):
        self.deal = deal
        self.quirks = convention if isinstance(convention, QuirkSet) else QuirkSet.for_convention(convention)
        self.specs = catalogue()
        self.rows = {r.test_number: r for r in deal.thresholds}
        holidays = deal.holidays or deal.extras.get("holidays") or ()
        self.holidays = frozenset(h for h in holidays if isinstance(h, date))
        self.flags = _Flags.of(self.quirks)
        # what each row of the table needs besides the pool, worked out once: the direction of its test,
        # and its threshold (at 12 significant digits) unless it moves with the MWARR (tests 32/36/39/54)
        self._direction = {
            n: _direction(self.specs[n], row, self.flags) for n, row in self.rows.items() if n in self.specs
        }
        self._static: dict[int, tuple[float, float]] = {}
        for n, row in self.rows.items():
            if n in self.specs and (row.overwrite or self.specs[n].threshold_rule == "sheet"):
                thr = row.overwrite or (row.threshold if row.threshold is not None else 0.0)
                self._static[n] = (thr, _sig12(thr))
        self._initial_state: EngineState | None = None
        self._last_before: tuple[Pool, float, EngineState, ComplianceReport] | None = None

    @property
    def initial_state(self) -> EngineState:
        """The sheet's Previous Values (blank → none) and the MWARR input."""
        if self._initial_state is None:
            rows = self.deal.thresholds
            prev = {r.test_number: r.previous_value for r in rows if r.previous_value is not None}
            mwarr = self.deal.qti(QTI_MWARR)
            self._initial_state = EngineState(prev, float(mwarr) if isinstance(mwarr, int | float) else None)
        return self._initial_state

    def columns(self, pool: Pool) -> AssetColumns:
        return columns_for(pool.universe, self.quirks, self.deal.analysis_date, self.holidays)

    def evaluate(
        self,
        pool: Pool,
        *,
        cash: float | None = None,
        state: EngineState | None = None,
        weights: Mapping[int, float] | None = None,
    ) -> ComplianceReport:
        """Run the deal's tests over ``pool`` with ``cash`` principal (default: the Collection account's).

        ``state`` carries previous values and MWARR from an earlier run (default: the sheet's). The report's
        ``state_after`` is what the legacy would hold after this recalculation (Q17: legacy rolls previous
        values forward to these results; corrected keeps the sheet's).
        """
        q, f = self.quirks, self.flags
        state = state or self.initial_state
        cash = self.deal.principal_cash if cash is None else cash
        ctx = _Ctx(self.columns(pool), pool, cash, self.deal, f)
        mwarr = state.mwarr if state.mwarr is not None else 0.0
        warr_first: float | None = None
        if not f.warr_order and TEST_WARR in self.rows:
            warr_first = _Run(ctx, self.deal, f, mwarr, None).warr(self.specs[TEST_WARR]).result
        run = _Run(ctx, self.deal, f, mwarr, warr_first)
        previous = state.previous
        results = self._results(run, previous)

        objective = portfolio_objective(results, weights if weights is not None else self.deal.weights, q)
        if f.roll_forward:
            new_prev = dict(previous)
            new_prev.update({r.number: r.result for r in results})
        else:
            new_prev = dict(previous)
        after = EngineState(new_prev, run.mwarr if f.warr_order else state.mwarr)
        return ComplianceReport(
            deal=self.deal.deal,
            analysis_date=self.deal.analysis_date,
            convention=q.convention,
            collateral_principal_amount=ctx.cpa,
            principal_cash=cash,
            results=tuple(results),
            objective=objective,
            state_before=state,
            state_after=after,
            warr_used=warr_first if warr_first is not None else run.mwarr,
        )

    def evaluate_before(self, pool: Pool, cash: float, state: EngineState) -> ComplianceReport:
        """:meth:`evaluate` of a pool before hypothetical trades, the last one kept: an analyst tries trade
        after trade on an unchanged deal, whose "before" is then evaluated once. Kept only while the same
        pool object (frozen, its arrays read-only), the same cash to the bit and the same state object come
        back; the report is frozen, so sharing it changes nothing."""
        last = self._last_before
        if (
            last is not None
            and last[0] is pool
            and last[2] is state
            and last[1] == cash
            and math.copysign(1.0, last[1]) == math.copysign(1.0, cash)
        ):
            return last[3]
        report = self.evaluate(pool, cash=cash, state=state)
        self._last_before = (pool, cash, state, report)
        return report

    def _results(self, run: _Run, previous: Mapping[int, float]) -> list[TestResult]:
        """Every listed test in threshold-table order, each parent followed by its children."""
        f, listed = self.flags, self.rows
        results: list[TestResult] = []
        for row in self.deal.thresholds:
            spec = self.specs.get(row.test_number)
            if spec is None:
                continue  # a test number with no calculation is ignored (§4.1)
            if spec.is_child:
                if not f.inherit and spec.parent is not None and spec.parent not in listed:
                    results.append(self._judge(run, previous, spec, self._child_raw(run, spec), None))
                continue
            raw = _KERNELS[spec.kind](run, spec)
            if spec.number == TEST_WARR and f.warr_order:
                run.mwarr = raw.result  # test 33 overwrites the MWARR input (§4.3)
            if spec.number == TEST_INDUSTRY_3RD:
                raw = self._test51(run, spec, raw)
            parent_result = self._judge(run, previous, spec, raw, None)
            results.append(parent_result)
            for child_no in children_of().get(spec.number, ()):
                child = self.specs[child_no]
                results.append(self._judge(run, previous, child, self._child_raw(run, child), parent_result))
        return results

    def _judge(
        self, run: _Run, previous: Mapping[int, float], spec: TestSpec, raw: Raw, parent: TestResult | None
    ) -> TestResult:
        row = self.rows.get(spec.number)
        if row is None:
            return self._judge_unlisted(spec, raw, parent)
        mm = self._direction[spec.number]
        static = self._static.get(spec.number)
        if static is not None:
            thr, thr12 = static
        else:
            thr = run.dynamic_threshold(spec, row.threshold if row.threshold is not None else 0.0)
            thr12 = _sig12(thr)
        r12 = _sig12(raw.result)
        ok = r12 <= thr12 if mm is MinMax.MAX else r12 >= thr12  # passes(), threshold kept
        ok = ok or not raw.applicable
        remark = raw.remark
        prev = previous.get(spec.number)
        if not ok and prev is not None and prev > 0:
            r4, p4 = round(raw.result, 4), round(prev, 4)
            if (r4 <= p4) if mm is MinMax.MAX else (r4 >= p4):
                ok = True
                remark = RELIEF_COMMENT
        return new_result(
            spec.number, spec.name, mm, thr, raw.result, raw.numerator, raw.denominator, ok,
            raw.comment, remark, True,
        )  # fmt: skip

    def _judge_unlisted(self, spec: TestSpec, raw: Raw, parent: TestResult | None) -> TestResult:
        """A child not in the threshold table (Q15): the code's default check."""
        mm = spec.default_min_max or MinMax.MAX
        thr = spec.default_threshold if spec.default_threshold is not None else 0.0
        if self.flags.inherit and parent is not None:
            ok = parent.passed or passes(raw.result, thr, mm, strict=True)
            comment = raw.comment if raw.comment is not None else parent.comment
        else:
            ok = passes(raw.result, thr, mm)
            comment = raw.comment
        return new_result(
            spec.number, spec.name, mm, thr, raw.result, raw.numerator, raw.denominator, ok, comment,
            raw.remark or "not in the threshold table: judged by the code's default", False,
        )  # fmt: skip

    def _child_raw(self, run: _Run, spec: TestSpec) -> Raw:
        raw = _KERNELS[spec.kind](run, spec)
        if spec.number == TEST_INDUSTRY_3RD:
            raw = self._test51(run, spec, raw)
        return raw

    def _test51(self, run: _Run, spec: TestSpec, raw: Raw) -> Raw:
        if not self.flags.test51_second:
            return raw
        second = run.nth(spec, 2)
        return Raw(second.numerator, raw.denominator, raw.result, raw.comment, raw.remark)


def evaluate(
    pool: Pool, deal: DealInputs, convention: Convention | str | QuirkSet = Convention.LEGACY
) -> ComplianceReport:
    """One-shot convenience: ``ComplianceEngine(deal, convention).evaluate(pool)``."""
    return ComplianceEngine(deal, convention).evaluate(pool)


__all__ = ["ComplianceEngine", "Raw", "evaluate", "passes"]
