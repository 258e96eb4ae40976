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
from typing import Any

import numpy as np
import numpy.typing as npt

from clo_xl.compliance.catalogue import TestSpec, catalogue, children_of, country_sets
from clo_xl.compliance.columns import AssetColumns, columns_for
from clo_xl.compliance.kernels import (
    diversity_score,
    floating_spread,
    group_sums,
    nth_largest,
    rank_groups,
    ratio,
    round_half_even,
    round_half_up,
    seqsum,
)
from clo_xl.compliance.objective import portfolio_objective
from clo_xl.compliance.quirks import Quirk, QuirkSet
from clo_xl.compliance.results import RELIEF_COMMENT, ComplianceReport, EngineState, TestResult
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


@dataclass(frozen=True)
class Raw:
    """A computed value before pass/fail: numerator, denominator, result, comment, remark."""

    numerator: float
    denominator: float
    result: float
    comment: str | None = None
    remark: str | None = None


def _sig12(x: float) -> float:
    return float(f"{x:.12g}")


def passes(result: float, threshold: float, min_max: MinMax, *, strict: bool = False) -> bool:
    """Threshold comparison at 12 significant digits; inclusive unless ``strict``."""
    r, t = _sig12(result), _sig12(threshold)
    if min_max is MinMax.MAX:
        return r < t if strict else r <= t
    return r > t if strict else r >= t


class _Ctx:
    """Pool-level arrays for one evaluation (columns indexed by the pool's positions, lazily)."""

    def __init__(self, cols: AssetColumns, pool: Pool, cash: float, deal: DealInputs, quirks: QuirkSet):
        self.cols = cols
        self.pos = pool.positions
        self.par: FloatArray = pool.par
        self.cash = cash
        self.deal = deal
        self.q = quirks
        self._memo: dict[str, Any] = {}
        self.nd: BoolArray = ~self.col("defaulted")
        self.all: BoolArray = np.ones(self.par.shape, dtype=bool)
        self.nd_par = seqsum(self.par[self.nd])
        self.cpa = math.fsum([*self.par[self.nd].tolist(), cash])

    def col(self, name: str) -> Any:
        try:
            return self._memo[name]
        except KeyError:
            value = getattr(self.cols, name)[self.pos]
            self._memo[name] = value
            return value

    def population(self, spec: TestSpec, part: str = "numerator") -> BoolArray:
        pop = spec.population
        if Quirk.Q11_DEFAULTED_IN_POPULATIONS not in self.q and spec.kind != "jroc":
            return self.nd
        if pop == "ALL_ND":
            return self.all if part == "numerator" else self.nd
        return self.all if pop == "ALL" else self.nd

    def country_in(self, set_name: str) -> BoolArray:
        corrected = Quirk.Q14_COUNTRY_LIST_SPELLING not in self.q
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


def _pred(ctx: _Ctx, name: str | None) -> BoolArray:
    if name is None:
        return ctx.all
    c = ctx.col
    if name == "not_senior_secured_loan_or_2nd_lien":
        ssl = c("senior_secured") & c("loan")
        result: BoolArray = ~ssl | (ssl & c("sp_second_lien"))
        return result
    if name == "not_dip":
        return ~c("dip")
    if name == "pays_less_than_quarterly":
        return c("payment_frequency") < 4
    if name == "country_not_usa":
        return ~ctx.country_is("USA")
    if name == "country_canada":
        return ctx.country_is("CANADA")
    if name == "country_canada_or_tax":
        return ctx.country_is("CANADA") | ctx.country_in("tax")
    if name == "country_not_usa_canada_uk":
        return ~ctx.country_in("usa_canada_uk")
    if name == "country_group_any":
        return ctx.country_in("group_1") | ctx.country_in("group_2") | ctx.country_in("group_3")
    if name.startswith("country_group_"):
        return ctx.country_in("group_" + name.rsplit("_", 1)[1])
    if name == "country_tax":
        return ctx.country_in("tax")
    if name == "small_facility":
        usa = ctx.country_is("USA")
        fac = c("facility")
        return (usa & (fac < 150_000_000.0)) | (~usa & (fac < 250_000_000.0))
    if name == "facility_under_200m":
        return c("facility") < 200_000_000.0
    if name == "unsecured":
        return ~c("senior_secured")
    return c(name)  # a boolean column of the same name


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
    quirks: QuirkSet
    mwarr: float
    warr_first: float | None  # corrected: the computed WARR when test 33 is in the table
    results: list[TestResult] = field(default_factory=list)

    # -- kernels -----------------------------------------------------------------------------------------
    def share(self, spec: TestSpec) -> Raw:
        ctx = self.ctx
        num = seqsum(ctx.par[ctx.population(spec) & _pred(ctx, spec.predicate)])
        return Raw(num, ctx.cpa, ratio(num, ctx.cpa))

    def senior_secured(self, spec: TestSpec) -> Raw:
        ctx = self.ctx
        ns_mask = ctx.nd & ctx.col("non_senior_category")
        if Quirk.Q11_TEST1_SUBTRACTS_NON_SENIOR_BONDS not in self.quirks:
            ns_mask = ns_mask & ctx.col("loan")
        num = math.fsum(
            [*ctx.par[ctx.nd & ctx.col("loan")].tolist(), *(-ctx.par[ns_mask]).tolist(), ctx.cash]
        )
        return Raw(num, ctx.cpa, ratio(num, ctx.cpa))

    def unfunded(self, spec: TestSpec) -> Raw:
        ctx = self.ctx
        num = seqsum(ctx.col("unfunded")[ctx.population(spec)])
        return Raw(num, ctx.cpa, ratio(num, ctx.cpa))

    def nth(self, spec: TestSpec, n: int | None = None) -> Raw:
        ctx = self.ctx
        code_col, keys_attr = _KEY_COLUMNS[spec.key or "issuer"]
        mask = ctx.population(spec) & _pred(ctx, spec.predicate)
        n = n or spec.nth or 1
        found = nth_largest(ctx.par, ctx.col(code_col), mask, getattr(ctx.cols, keys_attr), n)
        if found is None:
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
        value, key = found
        return Raw(value, ctx.cpa, ratio(value, ctx.cpa), key)

    def dip_obligor(self, spec: TestSpec) -> Raw:
        ctx = self.ctx
        mask = ctx.nd & ctx.col("dip")
        keys = ctx.cols.issuer_keys
        sums, codes = group_sums(ctx.par, ctx.col("issuer"), mask, len(keys))
        if codes.size == 0:
            return Raw(
                0.0, ctx.cpa, 0.0, None, "no DIP asset: result 0 (the legacy stops with an error here)"
            )
        if Quirk.Q12_TEST5_SORTS_BY_ID in self.quirks:
            i = min(range(codes.size), key=lambda j: keys[int(codes[j])])
            value, key = float(sums[i]), keys[int(codes[i])]
        else:
            value, code = rank_groups(sums, codes, keys)[0]
            key = keys[code]
        return Raw(value, ctx.cpa, ratio(value, ctx.cpa), key)

    def country_max(self, spec: TestSpec) -> Raw:
        return self.nth(spec, 1) if self._has_country(spec) else Raw(0.0, self.ctx.cpa, 0.0)

    def _has_country(self, spec: TestSpec) -> bool:
        return bool(np.any(self.ctx.population(spec) & _pred(self.ctx, spec.predicate)))

    def was(self, spec: TestSpec) -> Raw:
        ctx = self.ctx
        libor = self.deal.qti_number(QTI_CURRENT_LIBOR)
        mask = ctx.population(spec) & _pred(ctx, "floating")
        s = floating_spread(
            ctx.col("coupon"), ctx.col("spread"), ctx.col("floor"), ctx.col("libor_index"), libor
        )
        num = seqsum((ctx.par * s)[mask])
        den = seqsum(ctx.par[mask])
        return Raw(num, den, ratio(num, den))

    def warr(self, spec: TestSpec) -> Raw:
        ctx = self.ctx
        num = seqsum((ctx.par * ctx.col("recovery"))[ctx.nd])
        return Raw(num, ctx.nd_par, ratio(num, ctx.nd_par))

    def wac(self, spec: TestSpec) -> Raw:
        ctx = self.ctx
        mask = ctx.population(spec) & _pred(ctx, "fixed")
        num = seqsum((ctx.par * ctx.col("coupon"))[mask])
        den = seqsum(ctx.par[mask])
        return Raw(num, den, ratio(num, den))

    def wal(self, spec: TestSpec) -> Raw:
        ctx = self.ctx
        num = seqsum((ctx.par * ctx.col("wal"))[ctx.population(spec, "numerator")])
        den = seqsum(ctx.par[ctx.population(spec, "denominator")])
        value = ratio(num, den)
        value = round_half_even(value, 2) if Quirk.Q19_ROUNDING in self.quirks else round_half_up(value, 2)
        return Raw(num, den, value)

    def warf(self, spec: TestSpec) -> Raw:
        ctx = self.ctx
        num = seqsum((ctx.par * ctx.col("factor_tests"))[ctx.nd])
        return Raw(num, ctx.nd_par, ratio(num, ctx.nd_par))

    def diversity(self, spec: TestSpec) -> Raw:
        ctx = self.ctx
        score = diversity_score(
            ctx.par,
            ctx.col("issuer"),
            ctx.col("moodys_industry"),
            ctx.population(spec),
            legacy_rounding=Quirk.Q19_ROUNDING in self.quirks,
        )
        return Raw(0.0, 0.0, score)

    def jroc(self, spec: TestSpec) -> Raw:
        ctx = self.ctx
        par = ctx.par
        value = np.where(
            ctx.col("defaulted"),
            par * ctx.col("market_value") / 100.0,
            np.where(ctx.col("piking"), par * ctx.col("recovery"), par),
        )
        num = math.fsum([*value.tolist(), ctx.cash])
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
            if Quirk.Q30_MISSING_INPUT_IS_ZERO not in self.quirks:
                return Raw(0.0, ctx.cpa, 0.0, None, f"Quality Test Input {QTI_STATED_MATURITY!r} is missing")
            limit = 0  # the legacy reads the missing date as 0
        else:
            limit = stated.toordinal()
        mask = ctx.nd & (ctx.col("maturity_ordinal") > limit) & (ctx.col("maturity_ordinal") > 0)
        num = seqsum(ctx.par[mask])
        return Raw(num, ctx.cpa, ratio(num, ctx.cpa))

    # -- thresholds ----------------------------------------------------------------------------------------
    def dynamic_threshold(self, spec: TestSpec, sheet: float) -> float:
        d = self.deal
        rule = spec.threshold_rule
        mwarr = self.warr_first if self.warr_first is not None else self.mwarr
        rounding = Quirk.Q19_ROUNDING in self.quirks
        warf_t = d.qti_number(QTI_WARF_THRESHOLD)
        warf_f = d.qti_number(QTI_WARF_FACTOR)
        if rounding:
            warf_t, warf_f = float(round(warf_t)), float(round(warf_f))
        if rule == "was32":
            base = d.qti_number(QTI_WAS)
            f = 0.00065 if base >= 0.031 else 0.0005
            return base - (mwarr * 100.0 - 43.0) * f
        if rule == "was39":
            base = d.qti_number(QTI_WAS)
            return base - (mwarr - d.qti_number(QTI_WARR_THRESHOLD)) * 100.0 * d.qti_number(QTI_WAS_FACTOR)
        if rule == "warf36":
            return warf_t + (mwarr * 100.0 - 43.0) * warf_f
        if rule == "warf54":
            return warf_t + (mwarr - d.qti_number(QTI_WARR_THRESHOLD)) * 100.0 * warf_f
        return sheet

    def direction(self, spec: TestSpec, row: ThresholdRow) -> MinMax:
        if Quirk.Q16_MINMAX_NOT_MAX_IS_MIN in self.quirks or row.min_max_is_explicit:
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
        holidays = deal.extras.get("holidays") or ()
        self.holidays = frozenset(h for h in holidays if isinstance(h, date))

    @property
    def initial_state(self) -> EngineState:
        """The sheet's Previous Values (blank → none) and the MWARR input."""
        prev = {r.test_number: r.previous_value for r in self.deal.thresholds if r.previous_value is not None}
        mwarr = self.deal.qti(QTI_MWARR)
        return EngineState(prev, float(mwarr) if isinstance(mwarr, int | float) else None)

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
        q = self.quirks
        state = state or self.initial_state
        cash = self.deal.principal_cash if cash is None else cash
        ctx = _Ctx(self.columns(pool), pool, cash, self.deal, q)
        mwarr = state.mwarr if state.mwarr is not None else 0.0
        warr_first: float | None = None
        if Quirk.Q18_WARR_ORDER_SENSITIVE not in q and 33 in self.rows:
            warr_first = _Run(ctx, self.deal, q, mwarr, None).warr(self.specs[33]).result
        run = _Run(ctx, self.deal, q, mwarr, warr_first)
        previous = state.previous
        listed = self.rows

        def judge(spec: TestSpec, raw: Raw, parent: TestResult | None) -> TestResult:
            row = listed.get(spec.number)
            if row is not None:
                mm = run.direction(spec, row)
                sheet = row.threshold if row.threshold is not None else 0.0
                if row.overwrite:
                    thr = row.overwrite
                elif spec.threshold_rule != "sheet":
                    thr = run.dynamic_threshold(spec, sheet)
                else:
                    thr = sheet
                ok = passes(raw.result, thr, mm)
                remark = raw.remark
                prev = previous.get(spec.number)
                if not ok and prev is not None and prev > 0:
                    r4, p4 = round(raw.result, 4), round(prev, 4)
                    if (r4 <= p4) if mm is MinMax.MAX else (r4 >= p4):
                        ok = True
                        remark = RELIEF_COMMENT
                return TestResult(
                    spec.number, spec.name, mm, thr, raw.result, raw.numerator, raw.denominator, ok,
                    raw.comment, remark, True,
                )  # fmt: skip
            # a child not in the table (Q15)
            mm = spec.default_min_max or MinMax.MAX
            thr = spec.default_threshold if spec.default_threshold is not None else 0.0
            if Quirk.Q15_UNLISTED_CHILD_INHERITS in q and parent is not None:
                ok = parent.passed or passes(raw.result, thr, mm, strict=True)
                comment = raw.comment if raw.comment is not None else parent.comment
            else:
                ok = passes(raw.result, thr, mm)
                comment = raw.comment
            return TestResult(
                spec.number, spec.name, mm, thr, raw.result, raw.numerator, raw.denominator, ok, comment,
                raw.remark or "not in the threshold table: judged by the code's default", False,
            )  # fmt: skip

        def compute(spec: TestSpec) -> Raw:
            raw = _KERNELS[spec.kind](run, spec)
            if spec.number == 33 and Quirk.Q18_WARR_ORDER_SENSITIVE in q:
                run.mwarr = raw.result  # test 33 overwrites the MWARR input (§4.3)
            return raw

        results: list[TestResult] = []
        for row in self.deal.thresholds:
            spec = self.specs.get(row.test_number)
            if spec is None:
                continue  # a test number with no calculation is ignored (§4.1)
            if spec.is_child:
                if (
                    Quirk.Q15_UNLISTED_CHILD_INHERITS not in q
                    and spec.parent is not None
                    and spec.parent not in listed
                ):
                    results.append(judge(spec, self._child_raw(run, spec), None))
                continue
            raw = compute(spec)
            if spec.number == 51:
                raw = self._test51(run, spec, raw)
            parent_result = judge(spec, raw, None)
            results.append(parent_result)
            for child_no in children_of().get(spec.number, ()):
                child = self.specs[child_no]
                results.append(judge(child, self._child_raw(run, child), parent_result))

        objective = portfolio_objective(results, weights if weights is not None else self.deal.weights, q)
        if Quirk.Q17_PREVIOUS_VALUES_ROLL_FORWARD in q:
            new_prev = dict(previous)
            new_prev.update({r.number: r.result for r in results})
        else:
            new_prev = dict(previous)
        after = EngineState(new_prev, run.mwarr if Quirk.Q18_WARR_ORDER_SENSITIVE in q else state.mwarr)
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

    def _child_raw(self, run: _Run, spec: TestSpec) -> Raw:
        raw = _KERNELS[spec.kind](run, spec)
        if spec.number == 51:
            raw = self._test51(run, spec, raw)
        return raw

    def _test51(self, run: _Run, spec: TestSpec, raw: Raw) -> Raw:
        if Quirk.Q12_TEST51_NUMERATOR_IS_2ND not in self.quirks:
            return raw
        second = run.nth(spec, 2)
        return Raw(second.numerator, raw.denominator, raw.result, raw.comment, raw.remark)


def evaluate(
    pool: Pool, deal: DealInputs, convention: Convention | str | QuirkSet = Convention.LEGACY
) -> ComplianceReport:
    """One-shot convenience: ``ComplianceEngine(deal, convention).evaluate(pool)``."""
    return ComplianceEngine(deal, convention).evaluate(pool)


__all__ = ["ComplianceEngine", "Raw", "evaluate", "passes"]
