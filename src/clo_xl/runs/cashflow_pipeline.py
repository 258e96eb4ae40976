"""One pipeline from deal inputs to the `cashflows --json` document, shared by the CLI, Excel and the demo.

:func:`inputs_from_workbook` takes a workbook reader's result (a file, the open workbook, the database) and
:func:`inputs_from_extract` an extract pair's records and deal document; both go through the validation
layer once, so the pipeline works on typed, checked values: the ingested :class:`Asset` records (the
collateral arrays are built from them, :mod:`clo_xl.cashflows.from_assets`), the deal's
:class:`DealInputs` and its typed cash-flow blocks. :func:`cashflow_document` runs the deal (and ``paths``
rating-migration runs) and returns the CONTRACT §3 document. Nothing here reads files.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from clo_xl.analytics.collateral_report import report_document as collateral_document
from clo_xl.analytics.scenario import CashflowModel
from clo_xl.cashflows.assumptions import (
    AssetAssumption,
    CallSpec,
    CashflowAssumptions,
    DefaultTiming,
    RecoveryTiming,
    ScenarioVectors,
)
from clo_xl.cashflows.collateral import CollateralArrays
from clo_xl.cashflows.frames import CashflowFrames, cashflow_frames
from clo_xl.cashflows.from_assets import CollateralReading, collateral_from_assets, par_by_asset
from clo_xl.cashflows.from_deal import curve_tenors, structure_from_inputs
from clo_xl.cashflows.from_tables import (
    assumptions_from_rows,
    shapes_from_document,
    sink_from_rows,
    vectors_from_rows,
)
from clo_xl.cashflows.quirk_effects import (
    PROJECTION_QUIRKS,
    REPORT_QUIRKS,
    cashflow_figures,
    grid_figures,
)
from clo_xl.cashflows.quirks import WATERFALL_TAGS, CashflowQuirk
from clo_xl.cashflows.structure import CashflowInputs, Conventions, DealStructure
from clo_xl.cashflows.timeline import first_unadjusted
from clo_xl.curves import INDICES, CurveConvention, CurveSpec, Extrapolation, ForwardCurve, RateIndex
from clo_xl.deal import DealInputs
from clo_xl.enums import AccountType
from clo_xl.errors import CloXlError
from clo_xl.ingest.book import Book, validated
from clo_xl.ingest.data import WorkbookData
from clo_xl.ingest.extract import extract_data
from clo_xl.ingest.raw import RawDocument, RawTable
from clo_xl.portfolio.asset import Asset
from clo_xl.progress import Progress, counter, no_progress
from clo_xl.quirk_warnings import Figure, QuirkWarning, attach_warnings, detect_warnings, merge_warnings
from clo_xl.runs.cashflow_document import to_document
from clo_xl.simulation.correlation import SystemCorrelation, cholesky, system_correlation
from clo_xl.simulation.executor import Executor, open_executor
from clo_xl.simulation.grid import GridInputs, Scenario, ScenarioResult, grid_table, run_grid, run_one
from clo_xl.simulation.matrix import matrix_from_rows, period_matrix
from clo_xl.simulation.migration import default_statistics, path_extremes, rating_index
from clo_xl.simulation.paths import PathInputs, path_summaries, simulate_pool
from clo_xl.waterfall.run import DealResult, run_deal
from clo_xl.waterfall.versions import tags_for

Tables = dict[str, list[Mapping[str, object]]]
REFERENCE_TABLES = ("cf_assumptions", "cf_vectors", "sink_schedule", "transition_matrix")

#: the documented base case when a scenario option is given without the others
BASE_CASE = AssetAssumption(0.20, 0.02, 0.35, 12)


@dataclass(frozen=True)
class DealInputsBundle:
    """What the pipeline needs, each value parsed and checked once by the validation layer
    (:mod:`clo_xl.ingest.book`): the deal's inputs and its typed cash-flow blocks, the asset universe, the
    par each asset is held for (BLKRockID → par, holdings summed), the Reference Table's cash-flow tables."""

    inputs: DealInputs
    cashflow: CashflowInputs
    assets: Sequence[Asset]
    par: Mapping[str, float]
    tables: Tables = field(default_factory=dict)
    source: str = "inputs"


def par_column(deal: str) -> str:
    """``"Mag 17"`` → ``"MAG17_Par_Amount"`` (CONTRACT §2)."""
    return "".join(ch for ch in deal.upper() if ch.isalnum()) + "_Par_Amount"


def inputs_from_book(book: Book, deal: str) -> DealInputsBundle:
    """A validated book's deal: its inputs, cash-flow blocks, the universe and the par held."""
    found = book.deal(deal)
    reference = book.data.reference
    tables: Tables = {
        key: [dict(r) for r in reference[key].rows] for key in REFERENCE_TABLES if key in reference
    }
    return DealInputsBundle(
        found.inputs, found.cashflow, book.assets, par_by_asset(found.holdings), tables, book.data.file
    )


def inputs_from_workbook(book: WorkbookData, deal: str) -> DealInputsBundle:
    """From a workbook reader's result (a file, the open workbook or the database), validated once."""
    return inputs_from_book(validated(book), deal)


def inputs_from_extract(
    records: Sequence[Mapping[str, object]], document: Mapping[str, Any], *, deal: str | None = None
) -> DealInputsBundle:
    """From an extract pair held in memory (CONTRACT §2: asset records with the deal's par column, a deal
    document), through the same validation layer as a workbook."""
    data = extract_data(
        RawTable(
            file="extract", sheet=None, headers=tuple(records[0]) if records else (), rows=tuple(records)
        ),
        RawDocument(file="extract", data=dict(document)),
    )
    book = validated(data)
    (name,) = book.deals
    bundle = inputs_from_book(book, name)
    return replace(bundle, source="extract", tables={})


def _index(name: str) -> RateIndex:
    """ "LIBOR" or "SOFR" (Term SOFR with the ISDA adjustment on LIBOR-referencing loans and notes)."""
    key = name.strip().upper()
    if key not in INDICES:
        raise CloXlError(f"index must be one of {', '.join(INDICES)}, got {name!r}")
    return INDICES[key]


@dataclass(frozen=True)
class PipelineRun:
    """The deterministic run behind a document, for callers that also want the legacy tab."""

    result: DealResult
    structure: DealStructure
    payload: dict[str, Any]

    def to_pandas(self) -> CashflowFrames:
        """The document's tables as DataFrames (periods, tranches, payments, tests, summary)."""
        return cashflow_frames(self.payload)


def cashflow_document(inputs: DealInputsBundle, **options: Any) -> dict[str, Any]:
    """The CONTRACT §3 document (see :func:`run_pipeline` for the options)."""
    return run_pipeline(inputs, **options).payload


def run_pipeline(
    inputs: DealInputsBundle,
    *,
    deal: str | None = None,
    cpr: float | None = None,
    cdr: float | None = None,
    severity: float | None = None,
    lag: int | None = None,
    curve_shift: float = 0.0,
    convention: str | Conventions = "legacy",
    extrapolation: str = "flat",
    paths: int = 0,
    seed: int = 0,
    index: str = "LIBOR",
    grid: Sequence[Scenario] = (),
    workers: int | None = None,
    scheduler: Any = None,
    executor: Executor | None = None,
    progress: Progress = no_progress,
    vectors: ScenarioVectors | None = None,
    default_timing: DefaultTiming | None = None,
    recovery_timing: RecoveryTiming | None = None,
    call: CallSpec | None = None,
    liquidation_price: float | None = None,
) -> PipelineRun:
    """Run a deal and build its CONTRACT §3 document. Rates are decimals, ``lag`` months, ``curve_shift`` a
    decimal; ``grid`` adds scenario rows, ``paths`` rating-migration runs; ``convention`` is "legacy",
    "corrected" or a :class:`Conventions` switch set. The document's ``warnings`` (CONTRACT §5) list each
    switch that moved one of its figures (:mod:`clo_xl.cashflows.quirk_effects`).

    With no scenario option and a `CFAssumptions` table, the table applies; otherwise every asset gets the
    options (missing ones at :data:`BASE_CASE`). The grid and the paths' deal runs go to ``executor``, or
    to one opened from ``workers`` / ``scheduler`` (a Dask address or client) before anything is computed,
    so an unreachable scheduler fails fast. ``progress`` hears of the grid's scenarios and the paths as
    their chunks finish.
    """
    _conventions(convention)  # bad options fail before a scheduler is dialled
    _extrapolation(extrapolation)
    _index(index)
    needed = bool(grid) or paths > 0
    with _executor_for(executor, workers, scheduler, needed=needed) as ex:
        model = prepare_model(
            inputs,
            deal=deal,
            cpr=cpr,
            cdr=cdr,
            severity=severity,
            lag=lag,
            curve_shift=curve_shift,
            convention=convention,
            extrapolation=extrapolation,
            index=index,
            vectors=vectors,
            default_timing=default_timing,
            recovery_timing=recovery_timing,
            call=call,
            liquidation_price=liquidation_price,
        )
        conv, tables = model.conventions, inputs.tables
        structure, collateral, curve, curve_spec = (
            model.structure,
            model.collateral,
            model.curve,
            model.curve_spec,
        )
        assumptions, sink = model.assumptions, model.sink
        result = model.run()
        payload = to_document(result, structure, curve, conventions=conv)
        payload["convention"] = conv.name
        pool_report = collateral_document(result, structure)
        payload["collateral_report"] = {k: pool_report[k] for k in ("columns", "periods", "totals")}
        variants = Variants(model, tables, (cpr, cdr, severity, lag, vectors))
        warnings = list(variants.run_warnings(result, payload))
        if grid and ex is not None:
            grid_inputs = GridInputs(structure, collateral, curve_spec, conv, sink, assumptions, model.call)
            done = counter(progress, "scenarios", len(grid))
            results = run_grid(grid_inputs, list(grid), executor=ex, progress=done)
            payload["grid"] = grid_table(results)
            warnings.extend(variants.grid_warnings(grid_inputs, results))
        if paths and ex is not None:
            path_inputs = PathInputs(structure, collateral, assumptions, curve_spec, conv, sink)
            done = counter(progress, "migration paths", paths)
            runs = _migration_runs(inputs.assets, tables, path_inputs, paths, seed, ex, done)
            payload.update(runs)
            warnings.extend(variants.path_warnings(inputs.assets, path_inputs, paths, seed, ex, runs))
        if ex is not None:
            payload["executor"] = ex.description
        attach_warnings(payload, merge_warnings(warnings))
        return PipelineRun(result, structure, payload)


def _conventions(convention: str | Conventions) -> Conventions:
    return convention if isinstance(convention, Conventions) else Conventions.named(convention)


def _curve_convention(conv: Conventions) -> CurveConvention:
    return CurveConvention.LEGACY if conv.legacy_curve else CurveConvention.CORRECTED


@dataclass(frozen=True)
class Variants:
    """The published run's inputs, re-run with one switch off at a time (the ``warnings``)."""

    model: CashflowModel
    tables: Tables
    scenario: tuple[float | None, float | None, float | None, int | None, ScenarioVectors | None]

    @property
    def conventions(self) -> Conventions:
        return self.model.conventions

    def curve_spec(self, conv: Conventions) -> CurveSpec:
        spec = self.model.curve_spec
        want = _curve_convention(conv)
        return spec if spec.convention is want else replace(spec, convention=want)

    def curve(self, conv: Conventions) -> ForwardCurve:
        spec = self.curve_spec(conv)
        return self.model.curve if spec is self.model.curve_spec else spec.build()

    @property
    def uses_table(self) -> bool:
        return "cf_assumptions" in self.tables and all(v is None for v in self.scenario)

    def run(self, conv: Conventions, like: DealResult | None = None) -> tuple[DealResult, ForwardCurve]:
        """The deal under ``conv``; with ``like`` (a run whose projection ``conv`` does not change) only the
        waterfall runs again, on the same asset projection and payment grid."""
        m = self.model
        curve = self.curve(conv)
        assumptions = self.assumptions(conv)
        result = run_deal(
            m.structure if m.call is None else replace(m.structure, liquidation_price=m.call.price),
            m.collateral,
            assumptions,
            curve,
            conventions=conv,
            sink=m.sink,
            pool=like.pool if like is not None else None,
            grid=like.grid if like is not None else None,
            call_date=None if m.call is None else m.call.on,
        )
        return result, curve

    def assumptions(self, conv: Conventions) -> CashflowAssumptions:
        """The run's assumptions as ``conv`` reads them (the vector switches), timing curves kept."""
        m = self.model
        return replace(
            _assumptions(self.tables, m.collateral, conv, *self.scenario),
            default_timing=m.assumptions.default_timing,
            recovery_timing=m.assumptions.recovery_timing,
        )

    def model_without(self, q: CashflowQuirk) -> CashflowModel:
        """The prepared deal with switch ``q`` turned off alone (curve and assumptions re-read)."""
        other = self.conventions.without(q)
        return replace(
            self.model,
            conventions=other,
            curve_spec=self.curve_spec(other),
            assumptions=self.assumptions(other),
            convention_name=other.name,
        )

    def can_act(self, q: CashflowQuirk) -> bool:
        """Whether switch ``q`` can move anything in this run (else its figures are the base figures)."""
        st, conv = self.model.structure, self.conventions
        if q in WATERFALL_TAGS:
            return q.tag in tags_for(st, mag17_as_mag15=conv.mag17_as_mag15)
        if q is CashflowQuirk.Q48_MAG17_AS_MAG15:
            return st.name.replace(" ", "").lower() == "mag17"
        if q in (CashflowQuirk.Q30_VECTOR_OVERRUN, CashflowQuirk.Q57_UNKNOWN_VECTOR_ZERO):
            return self.uses_table and bool(self.tables.get("cf_vectors"))
        if q is CashflowQuirk.Q33_ZERO_PAR_MILLION:
            return bool(np.any(self.model.collateral.par == 0))
        if q is CashflowQuirk.Q37_PAY_DAY_ROLLS:
            return first_unadjusted(st.dates, legacy=True) != first_unadjusted(st.dates, legacy=False)
        return q is not CashflowQuirk.Q40_MIGRATION_STEPS  # Q40 acts on migration paths only

    def on(self) -> list[CashflowQuirk]:
        return [q for q in CashflowQuirk if q in self.conventions.quirks and self.can_act(q)]

    def run_warnings(self, result: DealResult, payload: Mapping[str, Any]) -> tuple[QuirkWarning, ...]:
        """Each switch that is on, turned off alone: a report-only switch rebuilds the report from the same
        run, a waterfall-only switch re-runs the waterfall on the same projection, any other the deal."""
        st, curve = self.model.structure, self.model.curve
        variants = []
        for q in self.on():
            other = self.conventions.without(q)
            if q in REPORT_QUIRKS:
                doc = to_document(result, st, curve, conventions=other)
            else:
                like = None if q in PROJECTION_QUIRKS else result
                doc = to_document(*_first_two(self.run(other, like), st), conventions=other)
            variants.append((q.name, q.legacy, cashflow_figures(doc)))
        return detect_warnings(cashflow_figures(payload), variants)

    def grid_warnings(
        self, inputs: GridInputs, results: Sequence[ScenarioResult]
    ) -> tuple[QuirkWarning, ...]:
        """Grid rows: each switch turned off alone on the grid's first and last scenarios (its mildest and
        harshest corners when the axes are given in increasing order), in this process."""
        picked = [results[0], results[-1]] if len(results) > 1 else list(results)
        variants = []
        for q in self.on():
            if q in REPORT_QUIRKS:
                continue
            other = self.conventions.without(q)
            spec = self.curve_spec(other)
            again = replace(inputs, conventions=other, curve=spec, assumptions=self.assumptions(other))
            rows = grid_table([run_one(again, r.scenario) for r in picked])
            variants.append((q.name, q.legacy, grid_figures(rows)))
        return detect_warnings(grid_figures(grid_table(picked)), variants)

    def path_warnings(
        self,
        assets: Sequence[Asset],
        inputs: PathInputs,
        paths: int,
        seed: int,
        executor: Executor,
        runs: Mapping[str, Any],
    ) -> tuple[QuirkWarning, ...]:
        """Q40 on migration paths: the steps are quarterly, so only an "A+" asset (started from the AA+ row
        in legacy) can move a path; then the paths are re-run without the switch."""
        q = CashflowQuirk.Q40_MIGRATION_STEPS
        collateral = self.model.collateral
        if q not in self.conventions.quirks or not any(str(r).strip() == "A+" for r in collateral.sp_rating):
            return ()
        other = replace(inputs, conventions=self.conventions.without(q))
        again = _migration_runs(assets, self.tables, other, paths, seed, executor)
        return detect_warnings(_path_figures(runs), [(q.name, q.legacy, _path_figures(again))])


def _first_two(
    run: tuple[DealResult, ForwardCurve], st: DealStructure
) -> tuple[DealResult, DealStructure, ForwardCurve]:
    return run[0], st, run[1]


def _path_figures(runs: Mapping[str, Any]) -> dict[str, Figure]:
    out: dict[str, Figure] = {}
    for row in runs.get("paths", ()):
        out[f"path {row['path']} Sub Notes IRR"] = row["sub_note_irr"]
        out[f"path {row['path']} incentive fee"] = row["incentive_fee"]
        out[f"path {row['path']} defaults"] = row["defaults"]
    for key, values in (runs.get("migration") or {}).items():
        if isinstance(values, list):
            for i, v in enumerate(values, start=1):
                out[f"migration {key} step {i}"] = v
    return out


@contextlib.contextmanager
def _executor_for(
    executor: Executor | None, workers: int | None, scheduler: Any, *, needed: bool
) -> Iterator[Executor | None]:
    if executor is not None or not needed:
        yield executor
        return
    with open_executor(workers, scheduler) as opened:
        yield opened


def _migration_runs(
    assets: Sequence[Asset],
    tables: Tables,
    inputs: PathInputs,
    paths: int,
    seed: int,
    executor: Executor,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """`--paths N`: correlated rating paths (system-defined correlation), one deal run per path."""
    if "transition_matrix" not in tables:
        raise CloXlError("--paths needs the workbook's transition matrix (SpTransMat); use --workbook")
    conv, collateral = inputs.conventions, inputs.collateral
    quarterly = period_matrix(matrix_from_rows([dict(r) for r in tables["transition_matrix"]]), "QUARTERLY")
    by_id = {a.brs_id: a for a in assets}
    ids = [str(a) for a in collateral.asset_id]
    issuers = [by_id[a].issuer_id or a if a in by_id else a for a in ids]
    industries = [by_id[a].sp_industry if a in by_id else "" for a in ids]
    ranks = [rating_index(str(r), legacy=conv.legacy_migration) for r in collateral.sp_rating]
    chol = (
        cholesky(system_correlation(issuers, industries, ranks, SystemCorrelation()))
        if len(ids) > 1
        else None
    )
    start = inputs.deal.dates.analysis_date
    migration = simulate_pool(
        collateral,
        quarterly,
        chol,
        start,
        paths=paths,
        seed=seed,
        legacy=conv.legacy_migration,
        threads=executor.threads,
    )
    rows = [
        {
            "path": s.path,
            "sub_note_irr": s.sub_note_irr,
            "incentive_fee": s.incentive_fee,
            "defaults": s.defaults,
            "tranche_cash": s.tranche_cash,
        }
        for s in path_summaries(inputs, migration, executor, progress=progress)
    ]
    return {
        "paths": rows,
        "migration": {
            "seed": seed,
            "note": "numpy Generator paths; VBA Rnd/Randomize are not reproduced (Q56)",
            "step_dates": [d.isoformat() for d in migration.step_dates],
            **default_statistics(migration, collateral.par, legacy=conv.legacy_migration),
            **path_extremes(migration, collateral.par),
        },
    }


def _extrapolation(name: str) -> Extrapolation:
    try:
        return Extrapolation(name)
    except ValueError:
        raise CloXlError("curve extrapolation must be 'flat' or 'error'") from None


def _assumptions(
    tables: Tables,
    collateral: CollateralArrays,
    conv: Conventions,
    cpr: float | None,
    cdr: float | None,
    severity: float | None,
    lag: int | None,
    vectors: ScenarioVectors | None = None,
) -> CashflowAssumptions:
    """The workbook's `CFAssumptions` when no scenario option is given, else the options (missing ones at
    :data:`BASE_CASE`), with ``vectors`` in place of their rates (read as given: no Q30 or Q57)."""
    if "cf_assumptions" in tables and all(v is None for v in (cpr, cdr, severity, lag, vectors)):
        return assumptions_from_rows(
            tables["cf_assumptions"],
            tables.get("cf_vectors", []),
            [str(x) for x in collateral.asset_id],
            legacy=conv.vector_overrun,
            unknown_vector_zero=conv.unknown_vector_zero,
        )
    base = AssetAssumption(
        BASE_CASE.cpr if cpr is None else cpr,
        BASE_CASE.cdr if cdr is None else cdr,
        BASE_CASE.severity if severity is None else severity,
        BASE_CASE.lag_months if lag is None else lag,
    )
    if vectors is None or not vectors.given():
        return CashflowAssumptions(
            base, legacy_vector_overrun=conv.vector_overrun, unknown_vector_zero=conv.unknown_vector_zero
        )
    with_vectors, named = vectors.apply(base)
    return CashflowAssumptions(
        with_vectors, vectors=named, legacy_vector_overrun=False, unknown_vector_zero=False
    )


def prepare_model(
    inputs: DealInputsBundle,
    *,
    deal: str | None = None,
    cpr: float | None = None,
    cdr: float | None = None,
    severity: float | None = None,
    lag: int | None = None,
    curve_shift: float = 0.0,
    convention: str | Conventions = "legacy",
    extrapolation: str = "flat",
    index: str = "LIBOR",
    vectors: ScenarioVectors | None = None,
    default_timing: DefaultTiming | None = None,
    recovery_timing: RecoveryTiming | None = None,
    call: CallSpec | None = None,
    liquidation_price: float | None = None,
) -> CashflowModel:
    """The deal ready for many projections (break-evens, scenario analytics): the structure, collateral,
    curve and assumptions :func:`run_pipeline` runs. Rates are decimals, ``lag`` months, ``curve_shift`` a
    decimal; ``vectors`` per-period rates; the timing curves and the call, when not given, come from the
    deal sheet's `CFInputs` (:func:`~clo_xl.cashflows.from_tables.shapes_from_document`);
    ``liquidation_price`` (decimal of par) replaces the deal sheet's CFInputs "Liquidation Price", what
    performing collateral fetches when the deal is liquidated at its final payment date."""
    conv = _conventions(convention)
    tables = inputs.tables
    structure = structure_from_inputs(inputs.inputs, inputs.cashflow, deal_name=deal)
    if liquidation_price is not None:
        if not 0.0 <= liquidation_price <= 2.0:
            raise CloXlError(
                f"liquidation price must be a decimal of par (0.95 = 95%), got {liquidation_price}"
            )
        structure = replace(structure, liquidation_price=liquidation_price)
    collateral = collateral_from_assets(
        inputs.assets, inputs.par, reading=CollateralReading.named(legacy=bool(conv.quirks))
    )
    curve_spec = CurveSpec.of(
        structure.dates.analysis_date,
        curve_tenors(inputs.inputs, inputs.cashflow),
        convention=_curve_convention(conv),
        extrapolation=_extrapolation(extrapolation),
        shift=curve_shift,
        index=_index(index),
    )
    assumptions = _assumptions(tables, collateral, conv, cpr, cdr, severity, lag, vectors)
    shapes = shapes_from_document(
        inputs.cashflow.cf_inputs,
        vectors_from_rows(tables.get("cf_vectors", [])),
        structure.dates.months_between_payments,
        sheet=f"{structure.name} Inputs",
    )
    assumptions = replace(
        assumptions,
        default_timing=default_timing or shapes.default_timing,
        recovery_timing=recovery_timing or shapes.recovery_timing,
    )
    sink = sink_from_rows(tables["sink_schedule"], collateral) if "sink_schedule" in tables else None
    return CashflowModel(
        structure, collateral, curve_spec, conv, assumptions, sink, conv.name, call or shapes.call
    )


def with_holdings(
    inputs: DealInputsBundle, par: Mapping[str, float], principal_cash_change: float = 0.0
) -> DealInputsBundle:
    """The same deal holding ``par`` (BLKRockID → par; absent = not held) with ``principal_cash_change``
    added to the Collection account's principal: the deal after trades, for a projection."""
    deal = inputs.inputs
    if not any(a.number == AccountType.COLLECTION for a in deal.accounts):
        raise CloXlError(f"{deal.deal}: no Collection account (number 2) to book the trades' cash")
    accounts = tuple(
        replace(a, principal=a.principal + principal_cash_change) if a.number == AccountType.COLLECTION else a
        for a in deal.accounts
    )
    return replace(inputs, par=dict(par), inputs=replace(deal, accounts=accounts))
