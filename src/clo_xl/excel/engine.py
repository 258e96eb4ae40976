"""The one place the Excel bridge touches the core: load a workbook, evaluate a deal, shape the answer.

Every call into the compliance engine, the cash-flow engine and the rating tables goes through here, so
the UDFs, the button handlers and the parallel run share one adapter. Components that are not installed
yet raise a :class:`CloXlError` saying which, never an ``ImportError``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from clo_xl.compliance.catalogue import metric_tests
from clo_xl.errors import CloXlError, UsageError


def _component(module: str, what: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            raise CloXlError(f"{what} is not available in this installation ({module} missing)") from exc
        raise


@dataclass(frozen=True)
class TestRow:
    """One compliance result as the Excel bridge shows it (CONTRACT §3 ``compliance --json`` fields)."""

    number: int
    name: str
    min_max: str
    threshold: float | None
    result: float | None
    passed: bool | None
    numerator: float | None = None
    denominator: float | None = None
    comment: str | None = None
    pass_fail_comment: str | None = None

    FIELDS = (
        "result",
        "threshold",
        "pass",
        "numerator",
        "denominator",
        "comment",
        "name",
        "min_max",
        "pass_fail_comment",
    )

    @classmethod
    def from_json(cls, test: Mapping[str, Any]) -> TestRow:
        return cls(
            number=int(test["number"]),
            name=str(test.get("name") or ""),
            min_max=str(test.get("min_max") or ""),
            threshold=_num(test.get("threshold")),
            result=_num(test.get("result")),
            passed=None if test.get("pass") is None else bool(test.get("pass")),
            numerator=_num(test.get("numerator")),
            denominator=_num(test.get("denominator")),
            comment=None if test.get("comment") is None else str(test.get("comment")),
            pass_fail_comment=None
            if test.get("pass_fail_comment") is None
            else str(test["pass_fail_comment"]),
        )

    def field(self, name: str) -> Any:
        key = name.strip().lower().replace("/", "_").replace(" ", "_")
        key = {"pass_fail": "pass", "passed": "pass", "minmax": "min_max"}.get(key, key)
        if key == "pass":
            return self.passed
        if key not in self.FIELDS:
            raise UsageError(f"unknown field '{name}' (use one of: {', '.join(self.FIELDS)})")
        return getattr(self, key)

    def as_row(self) -> list[Any]:
        verdict = None if self.passed is None else ("Pass" if self.passed else "Fail")
        return [
            self.number,
            self.name,
            self.min_max,
            self.threshold,
            self.result,
            verdict,
            self.numerator,
            self.denominator,
            self.comment,
            self.pass_fail_comment,
        ]


def _num(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


#: test numbers that carry each headline metric, in order of preference (COMPLIANCE_SPEC §4.2).
METRIC_TESTS: dict[str, tuple[int, ...]] = {
    m: metric_tests(m) for m in ("warf", "was", "wal", "diversity", "warr", "wac")
}


def metric_from_tests(deal: str, rows: Sequence[TestRow], name: str) -> float:
    """The headline metric ``name`` from a deal's test results (first test present in ``METRIC_TESTS``)."""
    by_number = {r.number: r for r in rows}
    for number in METRIC_TESTS[name]:
        row = by_number.get(number)
        if row is not None and row.result is not None:
            return row.result
    raise UsageError(f"deal '{deal}' does not compute {name.upper()} (no test {METRIC_TESTS[name]})")


class WorkbookModel:
    """One parsed workbook: the universe once, each deal's inputs and pool on first use, results memoised.

    Built from a workbook file (the reader works on files; live Excel hands over a ``SaveCopyAs`` copy).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        reader = _component("clo_xl.ingest.workbook", "the workbook reader")
        self.data = reader.read_workbook(path)
        self._universe: Any = None
        self._sessions: dict[str, Any] = {}  # deal → clo_xl.api.DealSession (the cached-deal API)
        self._cashflows: dict[tuple[Any, ...], dict[str, Any]] = {}
        self._cf_sheets: dict[tuple[Any, ...], list[list[Any]]] = {}

    def deal_names(self) -> list[str]:
        return list(self.data.deals)

    def session(self, deal: str) -> Any:
        """The deal's :class:`clo_xl.api.DealSession` (all deals share one universe and its caches)."""
        found = self._sessions.get(deal)
        if found is not None:
            return found
        if deal not in self.data.deals:
            known = ", ".join(self.data.deals) or "none"
            raise UsageError(f"unknown deal '{deal}' (deals: {known})")
        reader = _component("clo_xl.ingest.workbook", "the workbook reader")
        api = _component("clo_xl.api", "the cached-deal API")
        pool_mod = _component("clo_xl.portfolio.pool", "the portfolio model")
        assets, holdings, inputs = reader.load_deal(self.data, deal)
        if self._universe is None:
            self._universe = pool_mod.Universe(tuple(assets))
        found = api.DealSession(tuple(assets), tuple(holdings), inputs, universe=self._universe)
        self._sessions[deal] = found
        return found

    def _deal(self, deal: str) -> tuple[Any, Any]:
        session = self.session(deal)
        return session.deal_inputs, session.pool

    def report(self, deal: str, convention: Any = "legacy") -> Any:
        """The engine's :class:`ComplianceReport` (``convention``: "legacy", "corrected" or a QuirkSet)."""
        return self.session(deal).compliance(convention)

    def metric(self, deal: str, name: str) -> float:
        """A headline measure of the deal, computed by its test rules even when the deal does not list it."""
        session = self.session(deal)
        measures = {"warf": session.warf, "was": session.was, "wal": session.wal, "warr": session.warr,
                    "diversity": session.diversity}  # fmt: skip
        return float(measures[name]())

    def compliance_document(self, deal: str, *, convention: Any = "legacy") -> dict[str, Any]:
        """CONTRACT §3 ``compliance --json`` document of ``deal``."""
        document: dict[str, Any] = self.report(deal, convention).to_json()
        return document

    def compliance(self, deal: str) -> list[TestRow]:
        return [TestRow.from_json(t) for t in self.compliance_document(deal)["tests"]]

    def compliance_tab(self, deal: str) -> list[list[Any]]:
        """The legacy ``Compliance-<Deal>`` table (B1), from ``clo_xl.runs.compliance_tabs``."""
        tabs = _component("clo_xl.runs.compliance_tabs", "the legacy output tables")
        inputs, _ = self._deal(deal)
        report = self.report(deal)
        # the legacy sizes the table by the threshold-table rows, not the results (quirk 21)
        rows: list[list[Any]] = [
            list(r) for r in tabs.compliance_tab(report, row_count=len(inputs.thresholds))
        ]
        return rows

    def _trades(self, deal: str, trades: Sequence[Any] | None) -> tuple[Any, ...]:
        """Engine trades: the deal sheet's own (Run Model J11:N39 rows of the deal) or parsed tuples."""
        inputs, _ = self._deal(deal)
        if trades is None:
            return tuple(inputs.trades)
        pool_mod = _component("clo_xl.portfolio.pool", "the portfolio model")
        ingest = _component("clo_xl.ingest.deal_inputs", "the deal-input parser")
        return tuple(
            pool_mod.Trade(brs, ingest.parse_transaction(side), par, price, deal)
            for brs, side, par, price in trades
        )

    def hypo_outcomes(
        self,
        deal: str,
        trades: Sequence[Any] | None = None,
        *,
        pool_mode: bool = True,
        convention: Any = "legacy",
    ) -> tuple[Any, ...]:
        """The engine's hypo outcomes (one in pool mode, one per trade otherwise)."""
        enums = _component("clo_xl.enums", "the enums")
        chosen = self._trades(deal, trades)
        if not chosen:
            raise UsageError(f"no trades for {deal}")
        mode = enums.HypoMode.POOL if pool_mode else enums.HypoMode.INDIVIDUAL
        return tuple(self.session(deal).hypo(chosen, mode=mode, convention=convention))

    def hypo_documents(
        self,
        deal: str,
        trades: Sequence[Any] | None = None,
        *,
        pool_mode: bool = True,
        convention: Any = "legacy",
    ) -> list[tuple[str, dict[str, Any]]]:
        """(block title, ``compliance --hypo --json`` document) per hypo block."""
        outcomes = self.hypo_outcomes(deal, trades, pool_mode=pool_mode, convention=convention)
        return [(o.label, o.to_json()) for o in outcomes]

    def hypo_attributes(
        self, deal: str, trades: Sequence[Any] | None = None, *, convention: Any = "legacy"
    ) -> dict[str, dict[str, float | None]]:
        """Pool-mode "Hypothetical Trade's Attributes" (Purchases/Sales × rows)."""
        hypo = _component("clo_xl.compliance.hypo", "hypothetical trades")
        session = self.session(deal)
        outcome = self.hypo_outcomes(deal, trades, pool_mode=True, convention=convention)[0]
        attributes: dict[str, dict[str, float | None]] = hypo.trade_attributes(
            session.engine(convention), session.pool, outcome.trades
        )
        return attributes

    def hypo(self, deal: str, trades: Sequence[Any]) -> list[list[Any]]:
        """Rows for CLO_HYPO: before and after per test (trades applied together)."""
        _, doc = self.hypo_documents(deal, trades)[0]
        rows = []
        for t in doc["tests"]:
            before, after = t.get("result"), t.get("hypo_result")
            diff = (
                after - before if isinstance(after, int | float) and isinstance(before, int | float) else None
            )
            rows.append(
                [t["number"], t.get("name"), t.get("threshold"), before, _verdict(t.get("pass")), after,
                 _verdict(t.get("hypo_pass")), diff]
            )  # fmt: skip
        rows.append(
            ["Objective", None, None, doc.get("objective"), None, doc.get("hypo_objective"), None, None]
        )
        return rows

    def hypo_tab(self, deal: str, trades: Sequence[Any] | None, *, pool_mode: bool) -> list[list[Any]]:
        """The ``HYPO-<Deal>-Output`` grid from B1 (``clo_xl.runs.compliance_tabs``)."""
        tabs = _component("clo_xl.runs.compliance_tabs", "the legacy output tables")
        outcomes = self.hypo_outcomes(deal, trades, pool_mode=pool_mode)
        attributes = self.hypo_attributes(deal, trades) if pool_mode else None
        rows: list[list[Any]] = [list(r) for r in tabs.hypo_tab_rows(outcomes, attributes)]
        return rows

    def _cashflow_options(
        self,
        deal: str,
        *,
        cpr: float | None,
        cdr: float | None,
        severity: float | None,
        lag: int | None,
        convention: str,
    ) -> dict[str, Any]:
        if deal not in self.data.deals:
            known = ", ".join(self.data.deals) or "none"
            raise UsageError(f"unknown deal '{deal}' (deals: {known})")
        return {"cpr": cpr, "cdr": cdr, "severity": severity, "lag": lag, "convention": convention}

    def cashflow_document(
        self,
        deal: str,
        *,
        cpr: float | None = None,
        cdr: float | None = None,
        severity: float | None = None,
        lag: int | None = None,
        convention: str = "legacy",
    ) -> dict[str, Any]:
        """CONTRACT §3 ``cashflows --json`` document of ``deal``: ``clo-xl cashflows --workbook`` exactly.

        Runs :func:`clo_xl.runs.cashflow_service.project_workbook_deal` (the one pipeline: sink schedules,
        the workbook's holiday calendar, ``CFAssumptions``). Blank scenario inputs take the workbook's
        ``CFAssumptions``; any given one switches to a single scenario for every asset, the unspecified
        parts at the pipeline's base case, as the command does.
        """
        key = (deal, cpr, cdr, severity, lag, convention)
        if key in self._cashflows:
            return self._cashflows[key]
        options = self._cashflow_options(
            deal, cpr=cpr, cdr=cdr, severity=severity, lag=lag, convention=convention
        )
        service = _component("clo_xl.runs.cashflow_service", "the cash-flow engine")
        document: dict[str, Any] = service.project_workbook_deal(self.data, deal, **options)
        self._cashflows[key] = document
        return document

    def deal_cf_sheet(self, deal: str, *, convention: str = "legacy") -> list[list[Any]]:
        """The legacy ``Deal CF-<Deal>`` tab as a grid (written at B1) under the workbook's assumptions.

        From :func:`clo_xl.runs.cashflow_service.deal_cf_sheet`; its document is cached for the UDFs."""
        key = (deal, None, None, None, None, convention)
        if key in self._cf_sheets:
            return self._cf_sheets[key]
        options = self._cashflow_options(
            deal, cpr=None, cdr=None, severity=None, lag=None, convention=convention
        )
        service = _component("clo_xl.runs.cashflow_service", "the cash-flow engine")
        document, grid = service.deal_cf_sheet(self.data, deal, **options)
        self._cashflows.setdefault(key, document)
        rows: list[list[Any]] = [list(r) for r in grid]
        self._cf_sheets[key] = rows
        return rows

    def migration_document(
        self, deal: str, *, paths: int, seed: int, convention: str = "legacy"
    ) -> dict[str, Any]:
        """The ``cashflows --paths N --seed S`` document (rating-migration runs) of ``deal``."""
        options = self._cashflow_options(
            deal, cpr=None, cdr=None, severity=None, lag=None, convention=convention
        )
        service = _component("clo_xl.runs.cashflow_service", "the cash-flow engine")
        document: dict[str, Any] = service.project_workbook_deal(
            self.data, deal, paths=paths, seed=seed, **options
        )
        return document

    def rankings_tab(
        self,
        deal: str,
        *,
        side: str,
        step: float,
        buy_filter: str,
        sale_filter: str,
        allow_increase: bool,
        weights: Mapping[int, float] | None,
    ) -> list[list[Any]]:
        """``Rankings-Output`` (shared-tab mode): the block title in row 1, the ranking table below it."""
        enums = _component("clo_xl.enums", "the enums")
        rankings = _component("clo_xl.compliance.rankings", "the rankings engine")
        session = self.session(deal)
        if weights:
            session = session.with_weights(dict(weights))
        buy = side.strip().lower() != "sale"
        ranking = rankings.rank_assets(
            session.engine(),
            session.pool,
            side=enums.TransactionType.BUY if buy else enums.TransactionType.SALE,
            step=step,
            buy_filter=buy_filter,
            sale_filter=sale_filter,
            allow_increase=allow_increase,
        )
        title = "Assets to Purchase" if buy else "Assets to Sale"
        table: list[list[Any]] = ranking.rows(session.pool, session.engine())
        return [[title], *table]

    def rebalance_tab(
        self,
        deal: str,
        *,
        step: float,
        sale_target: float,
        buy_target: float,
        buy_filter: str,
        sale_filter: str,
        allow_increase: bool,
        weights: Mapping[int, float] | None,
    ) -> list[list[Any]]:
        """``Rebalance-Output``: the "Compliance Test" block (before/after), then the executed trades."""
        rebalance = _component("clo_xl.compliance.rebalance", "the rebalancing engine")
        session = self.session(deal)
        if weights:
            session = session.with_weights(dict(weights))
        result = rebalance.rebalance(
            session.engine(),
            session.pool,
            step=step,
            sale_target=sale_target,
            buy_target=buy_target,
            buy_filter=buy_filter,
            sale_filter=sale_filter,
            allow_increase=allow_increase,
        )
        after = {r.number: r for r in result.after.results}
        rows: list[list[Any]] = [
            ["Compliance Test"],
            ["Test Num", "Test Name", "Threshold", "Before Results", "Before Pass/Fail", None,
             "After Results", "After Pass/Fail", None, "Differences"],
        ]  # fmt: skip
        for b in result.before.results:
            a = after.get(b.number)
            rows.append(
                [b.number, b.name, b.threshold, b.result, _verdict(b.passed), None,
                 a.result if a else None, _verdict(a.passed) if a else None, None,
                 (a.result - b.result) if a else None]
            )  # fmt: skip
        rows.append(
            ["Objective Function", None, None, result.before.objective, None, None, result.after.objective]
        )
        rows.append([])
        for title, trades in (("Assets To Purchase", result.purchases), ("Assets To Sale", result.sales)):
            rows.append([title])
            rows.append(["BlackRock ID", "Par", "Price", "Cash", "Status"])
            for t in trades:
                doc = t.to_json()
                rows.append([doc["brs_id"], doc["executed_par"], doc["executed_price"], doc["cash_change"],
                             doc["status"]])  # fmt: skip
            rows.append([])
        for message in result.messages:
            rows.append([message])
        return rows

    def coverage(self, deal: str, kind: str) -> dict[str, float]:
        """OC or IC ratio per class on the first payment date of the deal's projection (1.25 = 125%)."""
        document = self.cashflow_document(deal)
        if not document.get("periods"):
            raise UsageError(f"deal '{deal}' has no payment dates to test")
        ratios: dict[str, float] = {}
        for test in document["periods"][0]["tests"]:
            if str(test.get("kind", "")).upper() == kind.upper() and test.get("ratio") is not None:
                name = str(test["name"]).removesuffix(f" {kind.upper()}").removeprefix("Class ").strip()
                ratios[name] = float(test["ratio"])
        return ratios

    def cashflows(
        self, deal: str, *, cpr: float | None, cdr: float | None, severity: float | None, lag: int | None
    ) -> tuple[Sequence[str], list[list[Any]]]:
        """CLO_CASHFLOWS: one row per payment date, proceeds, reinvestment, residual and class balances."""
        document = self.cashflow_document(deal, cpr=cpr, cdr=cdr, severity=severity, lag=lag)
        return _cashflow_table(document)

    def cashflow_tab(self, deal: str) -> list[list[Any]]:
        """The legacy ``Deal CF-<Deal>`` tab (grid from A1), as :meth:`deal_cf_sheet`."""
        return self.deal_cf_sheet(deal)

    def _columns(self) -> tuple[Any, Any]:
        """The legacy-convention column arrays of the universe (derived ratings included) and the pool."""
        if not self.data.deals:
            raise UsageError("the workbook has no deal sheet")
        inputs, pool = self._deal(next(iter(self.data.deals)))
        columns = _component("clo_xl.compliance.columns", "the compliance engine")
        quirks = _component("clo_xl.compliance.quirks", "the compliance engine")
        return columns.columns_for(pool.universe, quirks.LEGACY, inputs.analysis_date), pool

    def derived_rating(self, brs_id: str, which: str) -> Any:
        """CLO_DERIVE_RATING: Moody's, DPR, WARF (DPR for WARF), S&P rating text, or the recovery rate."""
        cols, pool = self._columns()
        position = pool.universe.position(brs_id)
        if position is None:
            raise UsageError(f"unknown BLKRockID '{brs_id}' (not in All Assets)")
        derived = cols.derived[position]
        key = which.strip().upper().replace("\u2019", "'")
        if key in {"RECOVERY", "RECOVERY RATE"}:
            return float(derived.recovery_rate)
        if key in {"S&P", "SP", "S&P RATING"}:
            return None if derived.sp is None else str(derived.sp)
        slots = {
            "MOODY'S": derived.moodys,
            "MOODYS": derived.moodys,
            "DPR": derived.dpr,
            "WARF": derived.dpr_warf,
        }
        if key not in slots:
            raise UsageError(f"which must be Moody's, DPR, WARF, S&P or Recovery, not '{which}'")
        slot = slots[key]
        return None if slot.moodys is None else str(slot.moodys)

    def derived_inputs(self) -> dict[str, tuple[float | None, float | None]]:
        """Per BRS ID, the engine's (WARF-test rating factor, Moody's recovery rate), legacy convention.

        The formula check uses them only where the sheet leaves the input blank (column 46) or 0 (column 44),
        i.e. where the legacy itself derives the value (COMPLIANCE_SPEC §2.2, §3.4, §3.7).
        """
        if not self.data.deals:
            return {}
        cols, pool = self._columns()
        return {
            a.brs_id: (float(cols.factor_tests[i]), float(cols.recovery[i]))
            for i, a in enumerate(pool.universe.assets)
        }


def _cashflow_table(document: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    periods = document.get("periods", [])
    classes = [t["class"] for t in periods[0]["tranches"]] if periods else []
    header = [
        "Period", "Payment Date", "Index Rate", "Interest Proceeds", "Principal Proceeds", "Reinvested",
        "Residual", *[f"{c} Ending Balance" for c in classes],
    ]  # fmt: skip
    rows = []
    for p in periods:
        balances = {t["class"]: t["ending_balance"] for t in p["tranches"]}
        rows.append(
            [p["period"], p["payment_date"], p.get("index_rate"), p["interest_proceeds"],
             p["principal_proceeds"], p.get("reinvested"), p.get("residual"),
             *[balances.get(c) for c in classes]]
        )  # fmt: skip
    return header, rows


def _verdict(passed: Any) -> str | None:
    return None if passed is None else ("Pass" if passed else "Fail")


def load_workbook_model(path: Path) -> WorkbookModel:
    return WorkbookModel(path)


def switch_finder(
    model: WorkbookModel, convention: str
) -> Callable[[str], Callable[[int | None, str], tuple[str, ...]]]:
    """Per deal, a function naming the legacy-defect switches that move a given (test, field).

    A switch "moves" a value when turning that one switch off (legacy convention otherwise) changes it.
    Only needed when the run's convention is not ``legacy``; then each deal costs one evaluation per switch.
    """

    def none(test: int | None, key: str) -> tuple[str, ...]:
        return ()

    if convention == "legacy":
        return lambda deal: none
    quirks_mod = _component("clo_xl.compliance.quirks", "the compliance engine")
    memo: dict[str, dict[tuple[int | None, str], tuple[str, ...]]] = {}

    def build(deal: str) -> dict[tuple[int | None, str], tuple[str, ...]]:
        base = model.compliance_document(deal, convention="legacy")
        moved: dict[tuple[int | None, str], list[str]] = {}
        for quirk in quirks_mod.Quirk:
            other = model.report(deal, quirks_mod.LEGACY.without(quirk)).to_json()
            for key, _, _ in _differences(base, other):
                moved.setdefault(key, []).append(quirk.name)
        return {k: tuple(v) for k, v in moved.items()}

    def for_deal(deal: str) -> Callable[[int | None, str], tuple[str, ...]]:
        def lookup(test: int | None, key: str) -> tuple[str, ...]:
            if deal not in memo:  # computed on the first difference that needs a name
                memo[deal] = build(deal)
            return memo[deal].get((test, key), ())

        return lookup

    return for_deal


def hypo_switch_finder(
    model: WorkbookModel, convention: str, pool_mode: bool
) -> Callable[[str, int], Callable[[int | None, str], tuple[str, ...]]]:
    """As :func:`switch_finder`, for the hypo blocks of a deal: ``finder(deal, block)(test, key)``."""

    def none(test: int | None, key: str) -> tuple[str, ...]:
        return ()

    if convention == "legacy":
        return lambda deal, block: none
    quirks_mod = _component("clo_xl.compliance.quirks", "the compliance engine")
    memo: dict[str, list[dict[tuple[int | None, str], tuple[str, ...]]]] = {}

    def build(deal: str) -> list[dict[tuple[int | None, str], tuple[str, ...]]]:
        base = model.hypo_documents(deal, pool_mode=pool_mode, convention="legacy")
        moved: list[dict[tuple[int | None, str], list[str]]] = [{} for _ in base]
        for quirk in quirks_mod.Quirk:
            other = model.hypo_documents(
                deal, pool_mode=pool_mode, convention=quirks_mod.LEGACY.without(quirk)
            )
            for i, ((_, a), (_, b)) in enumerate(zip(base, other, strict=False)):
                for key, _, _ in _differences(a, b):
                    moved[i].setdefault(key, []).append(quirk.name)
        return [{k: tuple(v) for k, v in block.items()} for block in moved]

    def finder(deal: str, block: int) -> Callable[[int | None, str], tuple[str, ...]]:
        def lookup(test: int | None, key: str) -> tuple[str, ...]:
            if deal not in memo:
                memo[deal] = build(deal)
            blocks = memo[deal]
            return blocks[block].get((test, key), ()) if block < len(blocks) else ()

        return lookup

    return finder


def _differences(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[tuple[tuple[int | None, str], Any, Any]]:
    out: list[tuple[tuple[int | None, str], Any, Any]] = []
    for top in ("objective", "hypo_objective"):
        if a.get(top) != b.get(top):
            out.append(((None, top), a.get(top), b.get(top)))
    tests_b = {t["number"]: t for t in b.get("tests", [])}
    for t in a.get("tests", []):
        other = tests_b.get(t["number"], {})
        for key, value in t.items():
            if other.get(key) != value:
                out.append(((t["number"], key), value, other.get(key)))
    return out


def parse_trades(deal: str, trades: Any) -> list[tuple[str, str, float, float | None]]:
    """Trade rows from a range: (BRS ID, Buy/Sale, Par, Price) or with a leading Deal column.

    Empty rows are skipped; rows whose Deal column names another deal are skipped (legacy ``HypoAssets``).
    """
    rows = trades if isinstance(trades, list) else [[trades]]
    if rows and not isinstance(rows[0], list):
        rows = [rows]
    parsed: list[tuple[str, str, float, float | None]] = []
    for i, raw in enumerate(rows, start=1):
        cells = [None if c == "" else c for c in raw]
        if all(c is None for c in cells):
            continue
        if len(cells) >= 5:
            if cells[0] is not None and str(cells[0]).strip() != deal:
                continue
            cells = cells[1:]
        if len(cells) < 3:
            raise UsageError(f"trade row {i}: expected BRS ID, Buy/Sale, Par[, Price]")
        brs_id, side, par = cells[0], cells[1], cells[2]
        price = cells[3] if len(cells) > 3 else None
        if brs_id is None or side is None or par is None:
            raise UsageError(f"trade row {i}: BRS ID, Buy/Sale and Par are required")
        try:
            par_value = float(par)
            price_value = None if price is None else float(price)
        except (TypeError, ValueError):
            raise UsageError(f"trade row {i}: par and price must be numbers") from None
        parsed.append((str(brs_id).strip(), str(side).strip(), par_value, price_value))
    if not parsed:
        raise UsageError(f"no trades for {deal}")
    return parsed


def rating_factor(rating: str) -> float:
    """Moody's rating factor as in the legacy WARF test table (unknown → 10000)."""
    from clo_xl.ratings.tables import rating_factor_rows

    wanted = rating.strip().upper()
    for row in rating_factor_rows():
        if row["moodys"].upper() == wanted:
            return float(row["factor_tests_legacy"])
    return 10000.0
