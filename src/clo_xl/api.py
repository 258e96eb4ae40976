"""One deal, loaded once: the deal API shared by the command line, the Excel bridge and the parallel run.

:class:`DealSession` holds a deal's assets, holdings and :class:`~clo_xl.deal.DealInputs`, and the book
they were read from (a workbook file, the open workbook, or the database). It evaluates compliance, WARF,
WAS, WAL, WARR, diversity, hypothetical trades, rankings, rebalancing and cash flows repeatedly without
re-reading anything: the pool's column arrays, reports and projections are cached per convention.

Three ways in, one deal API out:

>>> s = DealSession.from_database("Mag 17")  # doctest: +SKIP   (CLO_XL_DATABASE_URL or the embedded server)
>>> s.version, s.warf()  # doctest: +SKIP                      (clo.deal.row_version used, WARF)
>>> old = DealSession.from_database("Mag 17", as_of=3)  # doctest: +SKIP   (the deal at row version 3)
>>> s = DealSession.from_workbook("TradeHypo.xlsm", "Mag 17")  # doctest: +SKIP
>>> s = DealSession.from_extract("mag17_assets.json", "mag17_deal.json")  # doctest: +SKIP
>>> s.compliance().objective, s.cashflow_document(cdr=0.02)["summary"]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from clo_xl.analytics.breakeven import BreakevenResult
from clo_xl.analytics.coverage import (
    Acpa,
    AcpaParameters,
    acpa_inputs,
    adjusted_collateral_principal_amount,
    price_fraction,
)
from clo_xl.analytics.equity import EquityAnalytics, equity_analytics, equity_figures
from clo_xl.analytics.scenario import CashflowModel
from clo_xl.analytics.service import (
    CollateralReport,
    CoverageReport,
    GridResult,
    breakeven_result,
    collateral_figures,
    collateral_result,
    coverage_figures,
    coverage_report,
)
from clo_xl.analytics.trades import (
    Criterion,
    CushionChange,
    TradeAnalytics,
    TradeRun,
    cushion_changes,
    cushion_figures,
    oc_criteria,
    trade_lines,
)
from clo_xl.cashflows.quirk_effects import REPORT_QUIRKS
from clo_xl.compliance.catalogue import TEST_WAS, metric_tests
from clo_xl.compliance.columns import AssetColumns
from clo_xl.compliance.engine import ComplianceEngine
from clo_xl.compliance.hypo import HypoOutcome, run_hypo, trade_attributes
from clo_xl.compliance.quirk_effects import quirk_warnings
from clo_xl.compliance.quirks import LEGACY, QuirkSet
from clo_xl.compliance.rankings import Ranking, rank_assets
from clo_xl.compliance.rebalance import RebalanceResult, rebalance
from clo_xl.compliance.results import ComplianceReport
from clo_xl.deal import DealInputs, ThresholdRow, fold_deal_name
from clo_xl.enums import Convention, HypoMode, TransactionType
from clo_xl.errors import CloXlError, IngestError, Location, UsageError
from clo_xl.ingest.extract import extract_book, load_extract
from clo_xl.ingest.workbook import WorkbookData, load_deal, read_workbook
from clo_xl.persistence.engine import database_url as resolve_database_url
from clo_xl.persistence.snapshot import load_book
from clo_xl.portfolio.asset import Asset
from clo_xl.portfolio.pool import Holding, Pool, Trade, Universe
from clo_xl.progress import Progress, no_progress
from clo_xl.quirk_warnings import attach_warnings, detect_warnings, warnings_of
from clo_xl.runs.analytics_warnings import breakeven_warnings, document_warnings
from clo_xl.runs.cashflow_pipeline import (
    DealInputsBundle,
    PipelineRun,
    Variants,
    inputs_from_workbook,
    prepare_model,
    run_pipeline,
    with_holdings,
)
from clo_xl.runs.deal_cf_tab import Block, deal_cf_blocks, side_by_side
from clo_xl.simulation.grid import Scenario
from clo_xl.xlsx import Package, PackageProblem

ConventionLike = Convention | str | QuirkSet
Document = dict[str, Any]


def quirks_of(convention: ConventionLike) -> QuirkSet:
    """The switch set of a convention name (``"legacy"``/``"corrected"``) or a :class:`QuirkSet` as is."""
    if isinstance(convention, QuirkSet):
        return convention
    return QuirkSet.for_convention(convention)


def convention_name(convention: ConventionLike) -> str:
    """``"legacy"`` or ``"corrected"`` (the cash-flow pipeline runs whole conventions, not switch sets)."""
    if isinstance(convention, QuirkSet):
        named = convention.convention
        if named is None:
            raise UsageError(
                "cash flows run under the legacy or the corrected convention, not a switch subset"
            )
        return named.value
    return Convention(convention).value


#: the quality tests a reinvestment after the reinvestment period must maintain or improve: name, the tests
#: that compute it (the first the deal lists), and which direction is better
QUALITY_CRITERIA: tuple[tuple[str, tuple[int, ...], str], ...] = (
    ("WARF", (36, 54), "lower"),
    ("WAS", (32, 39, 46), "higher"),
    ("Diversity", (37,), "higher"),
)

#: headline measures and the test whose rules compute each (COMPLIANCE_SPEC §4.2)
#: the test whose rules a headline measure follows when the deal does not list it (the first of its metric)
MEASURE_TESTS: dict[str, int] = {m: metric_tests(m)[0] for m in ("warf", "wal", "warr", "diversity", "wac")}


@dataclass(eq=False)
class DealSession:
    """One deal, loaded once. All methods are pure with respect to the session's inputs.

    ``book`` is the workbook data the deal was read from (file, open workbook or database), needed for cash
    flows; ``version`` the ``clo.deal.row_version`` it was read at (``None`` unless read from the database).
    """

    assets: tuple[Asset, ...]
    holdings: tuple[Holding, ...]
    deal_inputs: DealInputs
    convention: ConventionLike = Convention.LEGACY
    universe: Universe | None = None
    book: WorkbookData | None = None
    version: int | None = None
    extract: tuple[Path, Path] | None = None  # (assets, deal inputs) files of an extract session
    _bundle: DealInputsBundle | None = field(default=None, init=False, repr=False)
    _engines: dict[Any, ComplianceEngine] = field(default_factory=dict, init=False, repr=False)
    _reports: dict[QuirkSet, ComplianceReport] = field(default_factory=dict, init=False, repr=False)
    _runs: dict[tuple[Any, ...], PipelineRun] = field(default_factory=dict, init=False, repr=False)
    _models: dict[tuple[Any, ...], CashflowModel] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.universe is None:
            self.universe = Universe(tuple(self.assets))
        self.pool = Pool.from_holdings(self.universe, self.holdings)
        if self.pool.unknown_ids:
            missing = self.pool.unknown_ids[0]
            where = next((h.location for h in self.holdings if h.brs_id.strip() == missing), None)
            raise IngestError(
                where or Location(column="BLKRockID"),
                missing,
                f"the deal holds BLKRockID {missing!r}, which is not in All Assets (the legacy skips such a "
                "holding silently; clo-xl refuses it)",
            )

    # -- construction ---------------------------------------------------------------------------------
    @property
    def deal(self) -> str:
        """The deal's name as its sheet spells it ("Mag 17")."""
        return self.deal_inputs.deal

    @classmethod
    def from_extract(
        cls, assets: str | Path, deal_inputs: str | Path, *, convention: ConventionLike = Convention.LEGACY
    ) -> DealSession:
        """From the legacy extract pair: an assets file and a deal-inputs JSON (docs/workbook.md)."""
        e = load_extract(assets, deal_inputs)
        return cls(e.assets, e.holdings, e.deal_inputs, convention, extract=(Path(assets), Path(deal_inputs)))

    @classmethod
    def from_book(
        cls,
        data: WorkbookData,
        deal: str,
        *,
        convention: ConventionLike = Convention.LEGACY,
        universe: Universe | None = None,
        version: int | None = None,
    ) -> DealSession:
        """From workbook data already read (``read_workbook``, the open workbook, or the database);
        ``universe`` shares the assets' caches between the deals of one book."""
        assets, holdings, inputs = load_deal(data, deal)
        if universe is not None and universe.assets != tuple(assets):
            universe = None  # built from other assets: not shareable
        return cls(tuple(assets), tuple(holdings), inputs, convention, universe, data, version)

    @classmethod
    def from_workbook(
        cls, workbook: str | Path | WorkbookData, deal: str, *, convention: ConventionLike = Convention.LEGACY
    ) -> DealSession:
        """From a TradeHypo workbook file (or its data already read). The deal name is matched ignoring
        case ("mag 17" reads the "Mag 17 Inputs" sheet)."""
        if not isinstance(workbook, WorkbookData):
            deal = workbook_deal_name(workbook, deal)
        data = workbook if isinstance(workbook, WorkbookData) else read_workbook(workbook, deals=[deal])
        return cls.from_book(data, deal, convention=convention)

    @classmethod
    def from_database(
        cls,
        deal: str,
        *,
        database_url: str | None = None,
        as_of: int | None = None,
        convention: ConventionLike = Convention.LEGACY,
        universe: Universe | None = None,
    ) -> DealSession:
        """The deal as stored in PostgreSQL (``database_url``, else ``CLO_XL_DATABASE_URL``, else the
        embedded server); ``as_of`` an earlier row version of the deal. The name is matched
        case-insensitively; an unknown deal raises :class:`~clo_xl.persistence.snapshot.DealNotStored`
        naming the stored deals and how to load one. ``universe``: one already built from the same stored
        assets (its cached column arrays are shared)."""
        url = resolve_database_url(database_url)
        stored = load_book(url, [deal], as_of=as_of)
        (name,) = stored.versions
        return cls.from_book(
            stored.data, name, convention=convention, universe=universe, version=stored.versions[name]
        )

    # -- engines --------------------------------------------------------------------------------------
    def _quirks(self, convention: ConventionLike | None) -> QuirkSet:
        return quirks_of(convention if convention is not None else self.convention)

    def engine(self, convention: ConventionLike | None = None) -> ComplianceEngine:
        key = self._quirks(convention)
        eng = self._engines.get(key)
        if eng is None:
            eng = ComplianceEngine(self.deal_inputs, key)
            self._engines[key] = eng
        return eng

    def compliance(self, convention: ConventionLike | None = None) -> ComplianceReport:
        """The deal's compliance report on its current holdings (cached per convention)."""
        key = self._quirks(convention)
        rep = self._reports.get(key)
        if rep is None:
            rep = self.engine(key).evaluate(self.pool)
            self._reports[key] = rep
        return rep

    def compliance_document(self, convention: ConventionLike | None = None) -> Document:
        """The ``compliance --json`` document (docs/cli.md), with its ``warnings`` (each legacy
        switch that moved one of its figures)."""
        key = self._quirks(convention)
        doc = self.compliance(key).to_json()
        attach_warnings(doc, quirk_warnings(key, lambda q: self.compliance(q).to_json()))
        return self._with_coverage(doc, key)

    def _with_coverage(self, doc: Document, quirks: QuirkSet) -> Document:
        """Beside test 38: each class's OC and IC on the determination date with trigger, cushion and pass
        (``coverage_tests``) and the OC numerator's build-up, as a trustee report shows them. A deal without
        cash-flow inputs (no tranche table) gets a notice instead."""
        if quirks.convention is None:
            return doc
        try:
            report = self.coverage(convention=quirks.convention, warnings=False)
        except CloXlError as exc:
            doc.setdefault("notices", []).append(f"coverage tests not computed: {exc}")
            return doc
        doc["coverage_tests"] = [r.to_json() for r in report.analysis_date_rows]
        doc["coverage_numerator"] = report.numerator.to_json()
        return doc

    def evaluate(
        self, pool: Pool, *, cash: float | None = None, convention: ConventionLike | None = None
    ) -> ComplianceReport:
        """Compliance of another pool over the same universe (e.g. after trades)."""
        return self.engine(convention).evaluate(pool, cash=cash)

    def columns(self, convention: ConventionLike | None = None) -> AssetColumns:
        """The universe's column arrays (derived ratings included) at the deal's analysis date."""
        return self.engine(convention).columns(self.pool)

    # -- single measures (UDFs) -------------------------------------------------------------------------
    def _result(self, numbers: Sequence[int], convention: ConventionLike | None) -> float | None:
        rep = self.compliance(convention)
        for n in numbers:
            r = rep.result(n)
            if r is not None:
                return r.result
        return None

    def _measure(
        self,
        test: int,
        convention: ConventionLike | None,
        *,
        pool: Pool | None = None,
        cash: float | None = None,
    ) -> float:
        """A test's value whether or not the deal lists it (computed with a one-row threshold table), on the
        deal's pool or on ``pool`` with principal ``cash`` (e.g. after trades)."""
        found = self._result([test], convention) if pool is None else None
        if found is not None:
            return found
        quirks = self._quirks(convention)
        key = ("measure", test, quirks)
        eng = self._engines.get(key)
        if eng is None:
            rows = (ThresholdRow(test_number=test),)
            eng = ComplianceEngine(replace(self.deal_inputs, thresholds=rows), quirks)
            self._engines[key] = eng
        r = eng.evaluate(self.pool if pool is None else pool, cash=cash).result(test)
        return r.result if r is not None else 0.0

    def warf(self, convention: ConventionLike | None = None) -> float:
        """Par-weighted Moody's rating factor (test 36 rules)."""
        return self._measure(MEASURE_TESTS["warf"], convention)

    def was(self, convention: ConventionLike | None = None) -> float:
        """Weighted average floating spread (fraction; test 32 rules, or 39/46 when the deal uses those)."""
        found = self._result(list(metric_tests("was")), convention)
        return found if found is not None else self._measure(TEST_WAS, convention)

    def wal(self, convention: ConventionLike | None = None) -> float:
        """Weighted average life in years (test 35, rounded to 2 decimals as the legacy engine does)."""
        return self._measure(MEASURE_TESTS["wal"], convention)

    def warr(self, convention: ConventionLike | None = None) -> float:
        """Weighted average Moody's recovery rate (test 33)."""
        return self._measure(MEASURE_TESTS["warr"], convention)

    def diversity(self, convention: ConventionLike | None = None) -> float:
        """Moody's diversity score (test 37)."""
        return self._measure(MEASURE_TESTS["diversity"], convention)

    @property
    def collateral_principal_amount(self) -> float:
        return self.compliance().collateral_principal_amount

    # -- trades ---------------------------------------------------------------------------------------
    def check_trades(self, trades: Sequence[Trade]) -> None:
        """Unknown BLKRockIDs in a trade list are bad input (the legacy skips or breaks on them)."""
        assert self.universe is not None
        for i, t in enumerate(trades):
            if t.brs_id not in self.universe:
                raise IngestError(
                    Location(column="BRS ID", row=i + 1), t.brs_id, "BLKRockID is not in All Assets"
                )

    def _trades(self, trades: Sequence[Trade] | None) -> tuple[Trade, ...]:
        chosen = tuple(self.deal_inputs.trades) if trades is None else tuple(trades)
        if not chosen:
            raise UsageError(f"no trades for {self.deal}")
        return chosen

    def hypo(
        self,
        trades: Sequence[Trade] | None = None,
        *,
        mode: HypoMode = HypoMode.POOL,
        convention: ConventionLike | None = None,
    ) -> tuple[HypoOutcome, ...]:
        """Before/after compliance for hypothetical trades (§5.2); ``None``: the deal's Run Model trades."""
        return tuple(run_hypo(self.engine(convention), self.pool, self._trades(trades), mode=mode))

    def hypo_attributes(
        self, outcome: HypoOutcome, convention: ConventionLike | None = None
    ) -> dict[str, dict[str, float | None]]:
        """Pool-mode "Hypothetical Trade's Attributes" (Purchases/Sales × rows) of an outcome's trades."""
        return trade_attributes(self.engine(convention), self.pool, outcome.trades)

    def hypo_document(
        self,
        trades: Sequence[Trade] | None = None,
        *,
        mode: HypoMode = HypoMode.POOL,
        convention: ConventionLike | None = None,
    ) -> Document:
        """``compliance --json --hypo`` document (pool mode: the trades together; individual: first trade
        in the main document, all of them under ``"individual"``)."""
        key = self._quirks(convention)
        doc = self._hypo_document(trades, mode, key)
        return attach_warnings(doc, quirk_warnings(key, lambda q: self._hypo_document(trades, mode, q)))

    def _hypo_document(self, trades: Sequence[Trade] | None, mode: HypoMode, quirks: QuirkSet) -> Document:
        outcomes = self.hypo(trades, mode=mode, convention=quirks)
        doc = outcomes[0].to_json()
        if mode is HypoMode.INDIVIDUAL:
            doc["individual"] = [{"label": o.label, **o.to_json()} for o in outcomes]
        else:
            doc["trade_attributes"] = self.hypo_attributes(outcomes[0], quirks)
        doc["mode"] = mode.value
        return doc

    # -- rankings / rebalancing -------------------------------------------------------------------------
    def with_weights(self, weights: Mapping[int, float]) -> DealSession:
        """A session with other objective weights (Run Model I31:I38), sharing the universe cache."""
        return DealSession(
            self.assets,
            self.holdings,
            self.deal_inputs.with_weights(weights),
            self.convention,
            self.universe,
            self.book,
            self.version,
            self.extract,
        )

    def rankings(
        self,
        *,
        side: TransactionType = TransactionType.BUY,
        step: float = 750_000.0,
        buy_filter: str = "",
        sale_filter: str = "",
        allow_increase: bool = False,
        convention: ConventionLike | None = None,
    ) -> Ranking:
        """Buy or sale candidates ranked by the asset-level objective (§5.3)."""
        return rank_assets(
            self.engine(convention),
            self.pool,
            side=side,
            step=step,
            buy_filter=buy_filter,
            sale_filter=sale_filter,
            allow_increase=allow_increase,
        )

    def rebalance(
        self,
        *,
        step: float = 750_000.0,
        sale_target: float = 0.0,
        buy_target: float = 0.0,
        buy_filter: str = "",
        sale_filter: str = "",
        allow_increase: bool = False,
        convention: ConventionLike | None = None,
    ) -> RebalanceResult:
        """Sale and buy loops towards the targets (§5.4)."""
        return rebalance(
            self.engine(convention),
            self.pool,
            step=step,
            sale_target=sale_target,
            buy_target=buy_target,
            buy_filter=buy_filter,
            sale_filter=sale_filter,
            allow_increase=allow_increase,
        )

    # -- cash flows -----------------------------------------------------------------------------------
    def cashflow_inputs(self) -> DealInputsBundle:
        """What the cash-flow pipeline reads: the held assets with their par, the deal document and the
        reference tables (curve, holidays, vectors, sink schedules, CF assumptions) of the session's book."""
        if self._bundle is None:
            if self.book is not None:
                self._bundle = inputs_from_workbook(self.book, self.deal)
            elif self.extract is not None:
                assets, deal_inputs = self.extract
                data = extract_book(assets, deal_inputs)
                bundle = inputs_from_workbook(data, next(iter(data.deals)))
                self._bundle = replace(bundle, tables={}, source=str(assets))
            else:
                raise UsageError(f"{self.deal}: cash flows need the deal's workbook, extract or the database")
        return self._bundle

    def cashflow_run(self, *, convention: ConventionLike | None = None, **options: Any) -> PipelineRun:
        """One projection through the deal's priority of payments (cached per options).

        ``options``: :func:`clo_xl.runs.cashflow_pipeline.run_pipeline`'s keywords (``cpr``, ``cdr``,
        ``severity``, ``lag`` as decimals/months, ``curve_shift``, ``paths``, ``seed``...). Blank scenario
        inputs take the book's ``CFAssumptions``."""
        name = convention_name(convention if convention is not None else self.convention)
        key = (name, *sorted((k, repr(v)) for k, v in options.items()))
        run = self._runs.get(key)
        if run is None:
            run = run_pipeline(self.cashflow_inputs(), deal=self.deal, convention=name, **options)
            self._runs[key] = run
        return run

    def cashflow_document(self, *, convention: ConventionLike | None = None, **options: Any) -> Document:
        """The ``cashflows --json`` document (docs/cli.md; ``clo-xl cashflows`` exactly)."""
        return self.cashflow_run(convention=convention, **options).payload

    def deal_cf_blocks(self, *, convention: ConventionLike | None = None) -> list[Block]:
        """The legacy ``Deal CF-<Deal>`` blocks (Deal Info, Collateral Pool, each class, fee and test) under
        the book's own assumptions."""
        run = self.cashflow_run(convention=convention)
        return deal_cf_blocks(run.result, run.payload["summary"]["tranches"])

    def deal_cf_grid(self, *, convention: ConventionLike | None = None) -> list[list[Any]]:
        """The ``Deal CF-<Deal>`` blocks side by side, as the legacy wrote them from B1."""
        return [list(r) for r in side_by_side(self.deal_cf_blocks(convention=convention))]

    def cashflow_model(self, *, convention: ConventionLike | None = None, **options: Any) -> CashflowModel:
        """The deal prepared for many projections (cached per options): :func:`~clo_xl.runs.cashflow_pipeline.
        prepare_model`'s keywords (``cpr``, ``cdr``, ``severity``, ``lag``, ``curve_shift``, ``index``);
        blank scenario inputs take the book's ``CFAssumptions``."""
        name = convention_name(convention if convention is not None else self.convention)
        key = (name, *sorted((k, repr(v)) for k, v in options.items()))
        model = self._models.get(key)
        if model is None:
            model = prepare_model(self.cashflow_inputs(), deal=self.deal, convention=name, **options)
            self._models[key] = model
        return model

    def scenario_grid(
        self,
        scenarios: Sequence[Scenario],
        *,
        convention: ConventionLike | None = None,
        workers: int | None = None,
        scheduler: Any = None,
        progress: Progress = no_progress,
        **options: Any,
    ) -> GridResult:
        """Scenario rows (``simulation.grid.scenario_grid`` builds them; an axis at ``None`` takes the run's
        own assumption) with per-class IRR, WAL, principal loss and price at the discount margin, run on
        ``workers`` processes or a Dask ``scheduler``; ``.to_pandas()`` gives one row per scenario."""
        name = convention_name(convention if convention is not None else self.convention)
        payload = run_pipeline(
            self.cashflow_inputs(),
            deal=self.deal,
            convention=name,
            grid=list(scenarios),
            workers=workers,
            scheduler=scheduler,
            progress=progress,
            **options,
        ).payload
        return GridResult(self.deal, name, tuple(payload["grid"]), tuple(payload["warnings"]))

    def _variants(self, model: CashflowModel, options: Mapping[str, Any]) -> Variants:
        """The run behind an analytics document, re-runnable with one legacy switch off (the warnings)."""
        scenario = (
            options.get("cpr"),
            options.get("cdr"),
            options.get("severity"),
            options.get("lag"),
            options.get("vectors"),
        )
        return Variants(model, self.cashflow_inputs().tables, scenario)

    def breakeven(
        self,
        *,
        convention: ConventionLike | None = None,
        severity_at_cdr: float | None = None,
        stress_reinvestment: bool = True,
        warnings: bool = True,
        progress: Progress = no_progress,
        **options: Any,
    ) -> BreakevenResult:
        """Each note class's break-even CDR and severity (decimals, bisection to 1 bp) at the run's CPR,
        severity and lag (``options`` as :meth:`cashflow_model`); ``.to_json()`` is ``breakeven --json``,
        ``.to_pandas()`` a table by class. ``warnings``: check which legacy switches moved a break-even
        (a batch of projections per switch; off for speed)."""
        model = self.cashflow_model(convention=convention, **options)
        result = breakeven_result(
            model, severity_at_cdr=severity_at_cdr, stress_reinvestment=stress_reinvestment, progress=progress
        )
        if not warnings:
            return result
        found = breakeven_warnings(
            self._variants(model, options),
            result,
            severity_at_cdr=severity_at_cdr,
            stress_reinvestment=stress_reinvestment,
        )
        return replace(result, warnings=tuple(w.to_json() for w in found))

    def collateral_report(
        self, *, convention: ConventionLike | None = None, **options: Any
    ) -> CollateralReport:
        """The collateral report per period (par roll-forward, defaults, recoveries, reinvestment, principal
        cash) of the run with ``options``; ``.to_json()``, ``.to_pandas()``."""
        model = self.cashflow_model(convention=convention, **options)
        found = document_warnings(
            self._variants(model, options), lambda m: collateral_figures(collateral_result(m))
        )
        return replace(collateral_result(model), warnings=tuple(w.to_json() for w in found))

    def acpa_parameters(self) -> AcpaParameters:
        """The ACPA's limits from the deal: the Caa limit of test 7 and the CCC limit of test 40 (else
        "CCC Asset Haircut Percent"); discount thresholds and the three-year rule at their defaults."""
        fallback = self.cashflow_model().structure.ccc_haircut_pct
        caa, ccc = self.deal_inputs.threshold_row(7), self.deal_inputs.threshold_row(40)
        return AcpaParameters(
            caa_limit=caa.threshold if caa is not None and caa.threshold else fallback,
            ccc_limit=ccc.threshold if ccc is not None and ccc.threshold else fallback,
        )

    def _acpa(
        self,
        pool: Pool,
        principal_cash: float,
        convention: ConventionLike | None,
        purchase_prices: Mapping[str, float] | None,
    ) -> Acpa:
        inputs = acpa_inputs(
            pool,
            self.columns(convention),
            principal_cash=principal_cash,
            analysis_date=self.deal_inputs.analysis_date,
            purchase_prices=purchase_prices,
        )
        return adjusted_collateral_principal_amount(inputs, self.acpa_parameters())

    def coverage(
        self,
        *,
        convention: ConventionLike | None = None,
        purchase_prices: Mapping[str, float] | None = None,
        warnings: bool = True,
        **options: Any,
    ) -> CoverageReport:
        """Each class's OC and IC with trigger, cushion (currency and ratio points) and pass, on the analysis
        date and as projected for the first payment date; the OC numerator's build-up and the Adjusted
        Collateral Principal Amount (``purchase_prices``: BLKRockID → price, points or fraction, for the
        discount obligations; ``options`` the projection's scenario, as :meth:`cashflow_model`)."""
        model = self.cashflow_model(convention=convention, **options)
        acpa = self._acpa(self.pool, model.structure.collection_principal, convention, purchase_prices)
        notices = () if purchase_prices else ("no purchase prices given: no discount obligation identified",)
        engine = model.conventions.legacy
        report = coverage_report(model, acpa, notices=notices, engine_numerator=engine)
        if not warnings:
            return report
        found = document_warnings(
            self._variants(model, options),
            lambda m: coverage_figures(coverage_report(m, acpa, engine_numerator=engine)),
        )
        return replace(report, warnings=tuple(w.to_json() for w in found))

    def equity(
        self,
        *,
        convention: ConventionLike | None = None,
        purchase_date: date | None = None,
        purchase_price: float | None = None,
        **options: Any,
    ) -> EquityAnalytics:
        """Sub Notes analytics: cash-on-cash by period, the IRR of a purchase on ``purchase_date`` (default
        the analysis date) at ``purchase_price`` (fraction of par; default the tranche table's price), and
        NAV from the collateral's market value; ``options`` the projection's scenario."""
        model = self.cashflow_model(convention=convention, **options)

        def analyse(m: CashflowModel) -> EquityAnalytics:
            return equity_analytics(
                m.run(),
                m.structure,
                m.collateral,
                purchase_date=purchase_date,
                purchase_price=purchase_price,
                convention=model.convention_name,
            )

        found = document_warnings(self._variants(model, options), lambda m: equity_figures(analyse(m)))
        return replace(analyse(model), warnings=tuple(w.to_json() for w in found))

    def _model_after(
        self, pool: Pool, cash: float, convention: ConventionLike | None, options: Mapping[str, Any]
    ) -> CashflowModel:
        """The deal holding ``pool`` with principal cash ``cash`` (after trades), ready to project."""
        assert self.universe is not None
        positions = zip(pool.positions, pool.par, strict=True)
        held = {self.universe.assets[p].brs_id: float(v) for p, v in positions}
        bundle = with_holdings(self.cashflow_inputs(), held, cash - self.deal_inputs.principal_cash)
        name = convention_name(convention if convention is not None else self.convention)
        return prepare_model(bundle, deal=self.deal, convention=name, **options)

    def _quality(
        self, report: ComplianceReport, pool: Pool, cash: float, quirks: QuirkSet
    ) -> dict[str, tuple[float, float | None]]:
        """WARF, WAS and diversity (value, threshold) from the report, computed when the deal lacks them."""
        out: dict[str, tuple[float, float | None]] = {}
        for name, numbers, _ in QUALITY_CRITERIA:
            found = next((r for r in (report.result(n) for n in numbers) if r is not None), None)
            if found is not None:
                out[name] = (found.result, found.threshold)
            else:
                out[name] = (self._measure(numbers[0], quirks, pool=pool, cash=cash), None)
        return out

    def _trade(
        self, trades: Sequence[Trade] | None, rebalancing: RebalanceResult | None, quirks: QuirkSet
    ) -> TradeRun:
        """What was executed, the compliance before and after, the pool and cash after, and the source."""
        if rebalancing is not None:
            return TradeRun(
                (*rebalancing.sales, *rebalancing.purchases),
                rebalancing.before,
                rebalancing.after,
                rebalancing.pool,
                rebalancing.cash,
                "rebalancing",
            )
        o = self.hypo(trades, convention=quirks)[0]
        return TradeRun(o.trades, o.before, o.after, o.pool_after, o.cash_after, "hypothetical trades")

    def trade_analytics(
        self,
        trades: Sequence[Trade] | None = None,
        *,
        rebalancing: RebalanceResult | None = None,
        convention: ConventionLike | None = None,
        purchase_prices: Mapping[str, float] | None = None,
        **options: Any,
    ) -> TradeAnalytics:
        """A hypothetical trade list (``trades``; ``None`` = the deal's Run Model trades, applied together) or
        a ``rebalancing``: par build or burn, trading gain or loss (against the mark, and against cost where
        ``purchase_prices`` are known), each coverage cushion before and after, and whether WARF, WAS,
        diversity and each class's OC are maintained or improved (the post-reinvestment-period criteria)."""
        quirks = self._quirks(convention)
        cash = self.deal_inputs.principal_cash
        run = self._trade(trades, rebalancing, quirks)
        model = self.cashflow_model(convention=convention, **options)
        after_model = self._model_after(run.pool, run.cash, convention, options)
        engine = model.conventions.legacy
        acpa_before = self._acpa(self.pool, model.structure.collection_principal, convention, purchase_prices)
        acpa_after = self._acpa(
            run.pool, after_model.structure.collection_principal, convention, purchase_prices
        )

        def cushions(before_m: CashflowModel, after_m: CashflowModel) -> tuple[CushionChange, ...]:
            b = coverage_report(before_m, acpa_before, engine_numerator=engine)
            a = coverage_report(after_m, acpa_after, engine_numerator=engine)
            return cushion_changes(b.analysis_date_rows, a.analysis_date_rows)

        changes = cushions(model, after_model)
        q_before = self._quality(run.before, self.pool, cash, quirks)
        q_after = self._quality(run.after, run.pool, run.cash, quirks)
        criteria = [
            Criterion(name, better, q_before[name][0], q_after[name][0], q_after[name][1])
            for name, _, better in QUALITY_CRITERIA
        ] + oc_criteria(changes)
        assert self.universe is not None
        marks = {a.brs_id: a.market_value / 100.0 for a in self.universe.assets}
        costs = {k: price_fraction(v) for k, v in (purchase_prices or {}).items()}
        before_v, after_v = self._variants(model, options), self._variants(after_model, options)
        variants = [
            (q.name, q.legacy, cushion_figures(cushions(before_v.model_without(q), after_v.model_without(q))))
            for q in before_v.on()
            if q not in REPORT_QUIRKS
        ]
        found = detect_warnings(cushion_figures(changes), variants)
        if rebalancing is None:  # compliance switches that moved WARF, WAS or diversity before or after
            found += warnings_of(self.hypo_document(trades, convention=quirks))
        return TradeAnalytics(
            self.deal,
            model.convention_name,
            run.source,
            trade_lines(run.executed, marks, costs),
            float(self.pool.par.sum()),
            float(run.pool.par.sum()),
            cash,
            run.cash,
            changes,
            tuple(criteria),
            model.structure.dates.reinvestment_end,
            self.deal_inputs.analysis_date,
            warnings=tuple(w.to_json() for w in found),
        )

    # -- ratings ----------------------------------------------------------------------------------------
    def derived_rating(self, brs_id: str, which: str) -> str | float | None:
        """An asset's derived Moody's, DPR, WARF (DPR for WARF) or S&P rating text, or its recovery rate
        (legacy convention, at the deal's analysis date)."""
        cols = self.columns(LEGACY)
        assert self.universe is not None
        position = self.universe.position(brs_id)
        if position is None:
            raise UsageError(f"unknown BLKRockID '{brs_id}' (not in All Assets)")
        derived = cols.derived[position]
        key = which.strip().upper().replace("\u2019", "'")
        if key in {"RECOVERY", "RECOVERY RATE"}:
            return float(derived.recovery_rate)
        if key in {"S&P", "SP", "S&P RATING"}:
            return None if derived.sp is None else str(derived.sp)
        slots = {"MOODY'S": derived.moodys, "MOODYS": derived.moodys, "DPR": derived.dpr,
                 "WARF": derived.dpr_warf}  # fmt: skip
        if key not in slots:
            raise UsageError(f"which must be Moody's, DPR, WARF, S&P or Recovery, not '{which}'")
        slot = slots[key].moodys
        return None if slot is None else str(slot)

    def derived_inputs(self) -> dict[str, tuple[float, float]]:
        """Per BRS ID, the engine's (WARF-test rating factor, Moody's recovery rate), legacy convention."""
        cols = self.columns(LEGACY)
        assert self.universe is not None
        return {
            a.brs_id: (float(cols.factor_tests[i]), float(cols.recovery[i]))
            for i, a in enumerate(self.universe.assets)
        }


def book_sessions(
    data: WorkbookData,
    *,
    convention: ConventionLike = Convention.LEGACY,
    version: Mapping[str, int] | None = None,
) -> dict[str, DealSession]:
    """A session per deal of a book, all sharing one universe (and its cached column arrays)."""
    sessions: dict[str, DealSession] = {}
    universe: Universe | None = None
    for deal in data.deals:
        session = DealSession.from_book(
            data, deal, convention=convention, universe=universe, version=(version or {}).get(deal)
        )
        universe = session.universe
        sessions[deal] = session
    return sessions


def workbook_deal_name(workbook: str | Path, deal: str) -> str:
    """The workbook's own spelling of ``deal``: the ``<Deal> Inputs`` sheet whose name matches it ignoring
    case (:func:`fold_deal_name`). An unknown name (or an unreadable file) comes back unchanged, so that
    the workbook reader reports it with its location and the list of the workbook's deals."""
    try:
        with Package(workbook) as package:
            sheets = [s.name for s in package.sheets]
    except (PackageProblem, OSError):
        return deal
    wanted = fold_deal_name(deal)
    for name in sheets:
        if name.endswith(" Inputs") and fold_deal_name(name[: -len(" Inputs")]) == wanted:
            return name[: -len(" Inputs")]
    return deal


def load_session(
    *,
    workbook: str | Path | None = None,
    deal: str | None = None,
    assets: str | Path | None = None,
    deal_inputs: str | Path | None = None,
    convention: ConventionLike = Convention.LEGACY,
    database_url: str | None = None,
    as_of: int | None = None,
) -> DealSession:
    """The input routes of the command line (docs/cli.md): ``workbook`` + ``deal``, ``assets`` +
    ``deal_inputs``, or ``deal`` alone (the deal as stored in the database, at row version ``as_of``)."""
    if workbook is None and assets is None and deal_inputs is None and deal:
        return DealSession.from_database(deal, database_url=database_url, as_of=as_of, convention=convention)
    if workbook is not None:
        if assets is not None or deal_inputs is not None:
            raise UsageError("give either --workbook/--deal or --assets/--deal-inputs, not both")
        if not deal:
            raise UsageError("--workbook needs --deal NAME (e.g. --deal 'Mag 17')")
        return DealSession.from_workbook(workbook, deal, convention=convention)
    if assets is None or deal_inputs is None:
        raise UsageError(
            "give --workbook PATH --deal NAME, or --assets PATH --deal-inputs PATH, or --deal NAME alone "
            "(the database)"
        )
    session = DealSession.from_extract(assets, deal_inputs, convention=convention)
    if deal and fold_deal_name(deal) != fold_deal_name(session.deal_inputs.deal):
        raise UsageError(
            f"--deal {deal!r} does not match the deal-inputs file ({session.deal_inputs.deal!r})"
        )
    return session


__all__ = [
    "DealSession",
    "book_sessions",
    "convention_name",
    "fold_deal_name",
    "load_session",
    "quirks_of",
    "workbook_deal_name",
]
