"""The legacy output tabs, one builder each: numbers stay numbers and carry Excel number formats.

Every button writes its tab through one of these builders, and both writers (live Excel through xlwings,
a file on disk) write the same :class:`Tab`: one rectangular block of values at its anchor (``B1``, the
legacy new-tab position), number formats set on the ranges, bold header rows, frozen panes. Nothing is
written as text that Excel would turn into a number: ``0.960132`` with the format ``0.0000%`` shows
``96.0132%`` in every locale, where the legacy wrote the text ``"96.0132%"``.

The legacy VBA wrote some cells as formatted text (COMPLIANCE_SPEC §6, Q21: "0.0000%" and "0.000" in the
compliance table, "0.000%"/"0.00" in the hypo and rebalance tables). Each such cell's :class:`Fmt` knows
that text too, so ``build(legacy=True)`` renders a tab exactly as the legacy wrote it (the sample workbook's
"legacy" tabs, which the parallel run compares against) from the **same** builder.

Tabs and their builders: ``Compliance-<Deal>`` :func:`compliance_tab`, ``HYPO-<Deal>-Output``
:func:`hypo_tab`, ``Rankings-Output`` :func:`rankings_tab`, ``Rebalance-Output`` :func:`rebalance_tab`,
``Deal CF-<Deal>`` :func:`deal_cf_tab`, ``RM-<Deal>`` :func:`migration_tab`, ``Parallel Run``
:func:`parallel_run_tab`, and the analytics of issue 14, ``Analytics-<Deal>`` :func:`analytics_tab`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from clo_xl.analytics.breakeven import BreakevenResult
from clo_xl.analytics.collateral_report import COLUMNS as COLLATERAL_COLUMNS
from clo_xl.analytics.coverage import CoverageRow
from clo_xl.analytics.equity import EquityAnalytics
from clo_xl.analytics.service import CollateralReport, CoverageReport
from clo_xl.api import DealSession
from clo_xl.compliance.catalogue import TEST_CCC, numbers_in_unit
from clo_xl.compliance.hypo import ATTRIBUTE_ROWS, HypoOutcome, trade_attributes
from clo_xl.compliance.rankings import RANKING_HEADER, Ranking
from clo_xl.compliance.rebalance import AssetLots, RebalanceResult
from clo_xl.compliance.results import ComplianceReport, TestResult
from clo_xl.enums import TransactionType
from clo_xl.excel.table import Tab, Value
from clo_xl.quirk_warnings import warning_lines
from clo_xl.report.formats import Kind, excel_number_format
from clo_xl.runs.deal_cf_tab import Block


@dataclass(frozen=True)
class Fmt:
    """An Excel number format, and (``legacy``) the text the legacy VBA wrote instead of the number."""

    code: str
    legacy: Callable[[float], str] | None = None

    def text(self, value: float) -> str:
        assert self.legacy is not None
        return self.legacy(value)


def _code(kind: Kind, decimals: int | None = None) -> str:
    """The report vocabulary's Excel number format (one format per kind for tabs, reports and XLSX)."""
    code = excel_number_format(kind, decimals)
    assert code is not None
    return code


GENERAL = Fmt("General")
INTEGER = Fmt(_code(Kind.INTEGER))
MONEY = Fmt(_code(Kind.MONEY))
DECIMAL_2 = Fmt(_code(Kind.NUMBER, 2))
DECIMAL_4 = Fmt(_code(Kind.NUMBER, 4))
PERCENT_2 = Fmt(_code(Kind.RATIO, 2))
PERCENT_3 = Fmt(_code(Kind.RATIO, 3))
PERCENT_4 = Fmt(_code(Kind.RATIO, 4))
DATE = Fmt(_code(Kind.DATE))
#: what the legacy wrote as text (Q21): Format(x, "0.0000%"), "0.000%", "0.00%", "0.000", "0.00"
LEGACY_PERCENT_4 = Fmt(_code(Kind.RATIO, 4), lambda v: f"{v * 100:.4f}%")
LEGACY_PERCENT_3 = Fmt(_code(Kind.RATIO, 3), lambda v: f"{v * 100:.3f}%")
LEGACY_PERCENT_2 = Fmt(_code(Kind.RATIO, 2), lambda v: f"{v * 100:.2f}%")
LEGACY_DECIMAL_3 = Fmt(_code(Kind.NUMBER, 3), lambda v: f"{v:.3f}")
LEGACY_DECIMAL_2 = Fmt(_code(Kind.NUMBER, 2), lambda v: f"{v:.2f}")

#: tests the legacy writes as plain decimals: the catalogue's number-unit tests (WAL, WARF, diversity)
COMPLIANCE_DECIMAL_TESTS = numbers_in_unit("number")
#: the hypo and rebalance tables also write test 40 (CCC) as a decimal, sic (Q21)
HYPO_DECIMAL_TESTS = COMPLIANCE_DECIMAL_TESTS | {TEST_CCC}

COMPLIANCE_HEADER: tuple[str, ...] = (
    "Test Num", "Test Name", "Denominator", "Numeratior", "comments", "Results", "Threshold", "Pass/Fail",
    "Comments on Pass/Fail",
)  # fmt: skip
HYPO_HEADER: tuple[str, ...] = (
    "Test Num", "Test Name", "Threshold", "Results", "Pass/Fail", "", "Hypo Result", "Hypo Pass/Fail",
    "Differences", "Hypo Comments",
)  # fmt: skip
REBALANCE_HEADER: tuple[str, ...] = (
    "Test Num", "Test Name", "Threshold", "Before Results", "Before Pass/Fail", "", "After Results",
    "After Pass/Fail", "", "Differences",
)  # fmt: skip


@dataclass
class Sheet:
    """A tab under construction: cells placed by (row, column) from the anchor, 0-based."""

    cells: dict[tuple[int, int], tuple[Value, Fmt | None]] = field(default_factory=dict)
    bold: set[int] = field(default_factory=set)
    rows: int = 0

    def put(self, r: int, c: int, value: Value, fmt: Fmt | None = None) -> None:
        if value is not None:
            self.cells[(r, c)] = (value, fmt)
        self.rows = max(self.rows, r + 1)

    def row(
        self, values: Sequence[Value], fmts: Sequence[Fmt | None] = (), *, at: int = 0, bold: bool = False
    ) -> int:
        """Append a row starting at column ``at``; returns its index."""
        r = self.rows
        for j, v in enumerate(values):
            self.put(r, at + j, v, fmts[j] if j < len(fmts) else None)
        self.rows = r + 1
        if bold:
            self.bold.add(r)
        return r

    def blank(self) -> None:
        self.rows += 1

    def notes(self, lines: Sequence[str], title: str) -> None:
        """A titled list of one-line notes (the legacy-effect warnings) below what is there."""
        if lines:
            self.blank()
            self.row([title], bold=True)
            for line in lines:
                self.row([line])

    def build(self, name: str, *, legacy: bool = False, freeze_rows: int = 0) -> Tab:
        """The rectangular tab; ``legacy`` writes the cells the legacy formatted as text, as that text."""
        width = max((c for _, c in self.cells), default=-1) + 1
        values: list[list[Value]] = [[None] * width for _ in range(self.rows)]
        formats: list[list[str | None]] = [[None] * width for _ in range(self.rows)]
        for (r, c), (value, fmt) in self.cells.items():
            if fmt is None:
                values[r][c] = value
            elif (
                legacy
                and fmt.legacy is not None
                and isinstance(value, int | float)
                and not isinstance(value, bool)
            ):
                values[r][c] = fmt.text(float(value))
            else:
                values[r][c] = value
                formats[r][c] = None if legacy else fmt.code
        return Tab(
            name,
            tuple(tuple(r) for r in values),
            tuple(tuple(r) for r in formats),
            bold_rows=frozenset(self.bold),
            freeze_rows=0 if legacy else freeze_rows,
        )


def _verdict(passed: bool | None) -> str | None:
    return None if passed is None else ("Pass" if passed else "Fail")


def _number(value: float | None) -> float | None:
    return None if value is None else float(value)


# -- Compliance-<Deal> ----------------------------------------------------------------------------------


def compliance_fmt(test: int) -> Fmt:
    """Compliance tab: "0.000" for tests 35, 36, 37, 54; "0.0000%" otherwise."""
    return LEGACY_DECIMAL_3 if test in COMPLIANCE_DECIMAL_TESTS else LEGACY_PERCENT_4


def compliance_tab(
    deal: str,
    report: ComplianceReport,
    *,
    row_count: int | None = None,
    warnings: Sequence[str] = (),
    legacy: bool = False,
) -> Tab:
    """``Compliance-<Deal>`` (CT 764–806): header, one row per result, the objective row, then the
    legacy-effect warnings. The legacy sizes the table by the threshold-table rows, not the results (Q21):
    ``row_count`` reproduces that truncation/padding."""
    sheet = Sheet()
    sheet.row(COMPLIANCE_HEADER, bold=True)
    results: list[TestResult | None] = list(report.results)
    if row_count is not None:
        results = results[:row_count] + [None] * max(0, row_count - len(results))
    for r in results:
        if r is None:
            sheet.blank()
            continue
        fmt = compliance_fmt(r.number)
        sheet.row(
            [
                r.number,
                r.name,
                _number(r.denominator),
                _number(r.numerator),
                r.comment,
                r.result,
                r.threshold,
                _verdict(r.passed),
                r.pass_fail_comment,
            ],
            [INTEGER, None, MONEY, MONEY, None, fmt, fmt],
        )
    sheet.row(
        [None, None, None, None, None, "Objective Function", report.objective], [None] * 6 + [DECIMAL_4]
    )
    sheet.notes(warnings, "Legacy effects in these figures")
    return sheet.build(f"Compliance-{deal}", legacy=legacy, freeze_rows=1)


# -- HYPO-<Deal>-Output -----------------------------------------------------------------------------------


def hypo_fmt(test: int) -> Fmt:
    """Hypo tab: "0.00" for 35, 36, 37, 40 (sic, Q21), 54; "0.000%" otherwise."""
    return LEGACY_DECIMAL_2 if test in HYPO_DECIMAL_TESTS else LEGACY_PERCENT_3


#: formats of the "Hypothetical Trade's Attributes" rows (units of :func:`trade_attributes`)
ATTRIBUTE_FORMATS: dict[str, Fmt] = {
    "Par Amount": MONEY,
    "Weighted Average Spread": PERCENT_3,
    "WAS with LIBOR Floor": PERCENT_3,
    "Weighted Average Rating": DECIMAL_2,
    "Weighted Average Life": DECIMAL_2,
    "Weighted Average Recovery Rate": PERCENT_2,
    "Weighted Average Market Value": Fmt(_code(Kind.NUMBER, 3)),
    "Weighted Average Trade Price": Fmt(_code(Kind.NUMBER, 3)),
}


def _hypo_block(sheet: Sheet, at: int, outcome: HypoOutcome) -> int:
    """One block from column ``at``: title, header, a row per test, the objective row; returns its width."""
    sheet.put(0, at, outcome.label)
    sheet.bold.update({0, 1})
    for j, h in enumerate(HYPO_HEADER):
        sheet.put(1, at + j, h or None)
    after = list(outcome.after.results)
    r = 2
    for i, b in enumerate(outcome.before.results):
        a = after[i] if i < len(after) and after[i].number == b.number else None
        fmt = hypo_fmt(b.number)
        values: list[Value] = [b.number, b.name, b.threshold, b.result, _verdict(b.passed), None]
        values += (
            [a.result, _verdict(a.passed), a.result - b.result, a.pass_fail_comment] if a else [None] * 4
        )
        for j, v in enumerate(values):
            sheet.put(
                r, at + j, v, [INTEGER, None, fmt, fmt, None, None, fmt, None, fmt][j] if j < 9 else None
            )
        r += 1
    before, after_objective = outcome.before.objective, outcome.after.objective
    sheet.put(r, at, "Objective Function")
    for j, v in enumerate((before, after_objective, after_objective - before), start=1):
        sheet.put(r, at + j, v, LEGACY_DECIMAL_2)
    return len(HYPO_HEADER)


def _attributes_block(
    sheet: Sheet,
    at: int,
    attributes: Mapping[str, Mapping[str, float | None]],
    *,
    title: str = "Hypothetical Trade's Attributes",
) -> int:
    sheet.put(0, at, title)
    sheet.put(1, at + 1, "Purchases")
    sheet.put(1, at + 2, "Sales")
    names = [
        n for n in ATTRIBUTE_ROWS if n in attributes.get("Purchases", {}) or n in attributes.get("Sales", {})
    ]
    for i, name in enumerate(names, start=2):
        sheet.put(i, at, name)
        for j, bucket in enumerate(("Purchases", "Sales"), start=1):
            v = attributes.get(bucket, {}).get(name)
            sheet.put(
                i, at + j, "N/A" if v is None else v, None if v is None else ATTRIBUTE_FORMATS.get(name)
            )
    return 3


def hypo_tab(
    deal: str,
    outcomes: Sequence[HypoOutcome],
    attributes: Mapping[str, Mapping[str, float | None]] | None = None,
    *,
    warnings: Sequence[str] = (),
    legacy: bool = False,
) -> Tab:
    """``HYPO-<Deal>-Output`` (CH 1261–1319, 3355–3446): one block per outcome ("Pool", or one per trade),
    then "Hypothetical Trade's Attributes" in pool mode, side by side one column apart, titles in row 1. The
    threshold column shows the **before** threshold only (Q23)."""
    sheet = Sheet()
    at = 0
    for outcome in outcomes:
        at += _hypo_block(sheet, at, outcome) + 1
    if attributes is not None:
        _attributes_block(sheet, at, attributes)
    sheet.notes(warnings, "Legacy effects in these figures")
    return sheet.build(f"HYPO-{deal}-Output", legacy=legacy, freeze_rows=2)


# -- Rankings-Output ----------------------------------------------------------------------------------------

#: Rankings-Output columns (RANKING_HEADER) → format
RANKING_FORMATS: tuple[Fmt | None, ...] = (
    DECIMAL_4, None, None, MONEY, PERCENT_3, None, None, PERCENT_3, PERCENT_3, PERCENT_3,
    DECIMAL_2, PERCENT_2,
)  # fmt: skip


def rankings_tab(session: DealSession, ranking: Ranking, *, warnings: Sequence[str] = ()) -> Tab:
    """``Rankings-Output`` (shared-tab mode): the block title in row 1, the ranking table below it, the
    legacy-effect warnings under it."""
    sheet = Sheet()
    sheet.row(["Assets to Purchase" if ranking.side.value == "Buy" else "Assets to Sale"], bold=True)
    table = ranking.rows(session.pool, session.engine())
    sheet.row(list(RANKING_HEADER), bold=True)
    for values in table[1:]:
        sheet.row(values, RANKING_FORMATS if len(values) == len(RANKING_HEADER) else ())
    sheet.notes(warnings, "Legacy effects in these figures")
    return sheet.build("Rankings-Output", freeze_rows=2)


# -- Rebalance-Output ---------------------------------------------------------------------------------------


def rebalance_fmt(test: int) -> Fmt:
    """Rebalance "Compliance Test" block (CH 3015–3249): "0.00" for 35, 36, 37, 40, 54, "0.00%" otherwise."""
    return LEGACY_DECIMAL_2 if test in HYPO_DECIMAL_TESTS else LEGACY_PERCENT_2


REBALANCE_ASSET_HEADER: tuple[str, ...] = (
    "BlackRock ID", "Issue Name", "Par", "Market Value", "Moody's Rating", "S&P's Rating", "Coupon", "WAS",
    "LIBOR Floor", "WAL", "Moody's Recovery rate", "Analyst Opinion", "Price", "Lots", "Cash", "Par Build",
)  # fmt: skip
REBALANCE_ASSET_FORMATS: tuple[Fmt | None, ...] = (
    None, None, MONEY, PERCENT_3, None, None, PERCENT_3, PERCENT_3, PERCENT_3, DECIMAL_2,
    PERCENT_2, None, PERCENT_3, INTEGER, MONEY, MONEY,
)  # fmt: skip


def _compliance_test_block(sheet: Sheet, at: int, result: RebalanceResult) -> int:
    sheet.put(0, at, "Compliance Test")
    for j, h in enumerate(REBALANCE_HEADER, start=1):  # the block's first column is blank (§5.4)
        sheet.put(1, at + j, h or None)
    after = {r.number: r for r in result.after.results}
    r = 2
    for b in result.before.results:
        a = after.get(b.number)
        fmt = rebalance_fmt(b.number)
        values: list[Value] = [b.number, b.name, b.threshold, b.result, _verdict(b.passed), None]
        values += [a.result, _verdict(a.passed), None, a.result - b.result] if a else [None] * 4
        for j, (v, f) in enumerate(
            zip(values, [INTEGER, None, fmt, fmt, None, None, fmt, None, None, fmt], strict=True), start=1
        ):
            sheet.put(r, at + j, v, f)
        r += 1
    diff = result.after.objective - result.before.objective
    sheet.put(r, at + 1, "Ojective Function")  # sic, as the legacy labels it
    for j, v in ((4, result.before.objective), (7, result.after.objective), (10, diff)):
        sheet.put(r, at + j, v, LEGACY_DECIMAL_2)
    return len(REBALANCE_HEADER) + 1


def _asset_block(sheet: Sheet, at: int, title: str, session: DealSession, lots: Sequence[AssetLots]) -> int:
    """Executed trades aggregated per asset (:meth:`RebalanceResult.lots`): one row per BLKRockID with the
    par summed over its lots, the par-weighted price (a fraction of par), the number of lots, the cash paid
    or received and the par built (+) or burnt (−: a buy above par)."""
    sheet.put(0, at, title)
    for j, h in enumerate(REBALANCE_ASSET_HEADER):
        sheet.put(1, at + j, h)
    cols = session.columns()
    universe = session.pool.universe
    for i, lot in enumerate(lots, start=2):
        brs_id, par = lot.brs_id, lot.par
        values: list[Value] = [brs_id, None, par, *([None] * 9)]
        position = universe.position(brs_id)
        if position is not None:
            a, d = universe.assets[position], cols.derived[position]
            row: list[Value] = [
                lot.brs_id,
                a.issue_name or a.issuer_name,
                lot.par,
                a.market_value / 100.0,
                str(d.moodys.moodys) if d.moodys.moodys else None,
                str(d.sp) if d.sp else None,
                a.coupon,
                a.coupon_spread,
                a.libor_floor,
                a.wal,
                float(cols.recovery[position]),
                a.analyst_opinion,
            ]
            values = row
        values += [lot.price, lot.lots, lot.cash, lot.par_build]
        for j, v in enumerate(values):
            sheet.put(i, at + j, v, REBALANCE_ASSET_FORMATS[j])
    return len(REBALANCE_ASSET_HEADER)


def rebalance_tab(
    session: DealSession, result: RebalanceResult, *, legacy: bool = False, warnings: Sequence[str] = ()
) -> Tab:
    """``Rebalance-Output`` (shared-tab mode, §5.4): "Compliance Test" (before / after / difference per test,
    then the objective), "Rebalance Trades' Attributes" (as the hypo attributes, without the trade price),
    "Assets To Purchase" and "Assets To Sale" (lots aggregated per asset), side by side one column apart;
    the run's messages below."""
    sheet = Sheet()
    at = _compliance_test_block(sheet, 0, result) + 1
    attributes = trade_attributes(
        session.engine(), session.pool, [*result.purchases, *result.sales], with_price=False
    )
    at += _attributes_block(sheet, at, attributes, title="Rebalance Trades' Attributes") + 1
    at += _asset_block(sheet, at, "Assets To Purchase", session, result.lots(TransactionType.BUY)) + 1
    _asset_block(sheet, at, "Assets To Sale", session, result.lots(TransactionType.SALE))
    sheet.bold.update({0, 1})
    sheet.notes(list(result.messages), "Messages")
    sheet.notes(warnings, "Legacy effects in these figures")
    return sheet.build("Rebalance-Output", legacy=legacy, freeze_rows=2)


# -- Deal CF-<Deal> ----------------------------------------------------------------------------------------

_RATE_WORDS = ("rate", "coupon", "ratio", "threshold", "yield", "spread", "cdr", "cpr", "severity", "irr")


def cashflow_fmt(header: str, value: Any) -> Fmt | None:
    """Deal CF columns: dates as dates, rates and ratios as percent, periods as integers, money otherwise."""
    if isinstance(value, datetime | date):
        return DATE
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    key = header.strip().lower()
    if key == "period":
        return INTEGER
    if key in ("wal", "macaulay", "modified", "price given dm"):
        return DECIMAL_4
    if any(word in key for word in _RATE_WORDS):
        return PERCENT_4
    return MONEY


def deal_cf_tab(deal: str, blocks: Sequence[Block], *, warnings: Sequence[str] = ()) -> Tab:
    """``Deal CF-<Deal>`` (CASHFLOW_SPEC §9): the legacy blocks side by side one column apart from B1 —
    title row, header row, one row per payment date."""
    sheet = Sheet()
    sheet.bold.update({0, 1})
    at = 0
    for block in blocks:
        sheet.put(0, at, block.title)
        for j, header in enumerate(block.headers):
            sheet.put(1, at + j, header)
        for i, row in enumerate(block.rows, start=2):
            for j, value in enumerate(row):
                sheet.put(i, at + j, _plain(value), cashflow_fmt(block.headers[j], value))
        at += len(block.headers) + 1
    sheet.notes(warnings, "Legacy effects in these figures")
    return sheet.build(f"Deal CF-{deal}", freeze_rows=2)


def _plain(value: Any) -> Value:
    if value is None or isinstance(value, str | bool | int | float | datetime | date):
        return value
    return str(value)


# -- RM-<Deal> -----------------------------------------------------------------------------------------------


def migration_tab(
    deal: str, settings: Sequence[tuple[str, Value]], document: Mapping[str, Any], *, with_paths: bool
) -> Tab:
    """``RM-<Deal>``: the settings, the mean migration statistics per step, the min/median/max paths and
    (``with_paths``) each path's deal results."""
    stats = document["migration"]
    sheet = Sheet()
    sheet.row(["Credit Migration Settings"], bold=True)
    for label, value in settings:
        sheet.row([label, value])
    sheet.row(["Note", stats.get("note")])
    sheet.blank()
    sheet.row(["Migration Statistics (mean over paths)"], bold=True)
    sheet.row(
        ["Step", "Date", "Period Default", "Cumulative Default", "CDR", "Upgrades", "Downgrades"], bold=True
    )
    for i, when in enumerate(stats["step_dates"]):
        sheet.row(
            [
                i + 1,
                _as_date(when),
                stats["period_default"][i],
                stats["cumulative_default"][i],
                stats["cdr"][i],
                stats["upgrades"][i],
                stats["downgrades"][i],
            ],
            [INTEGER, DATE, MONEY, MONEY, PERCENT_4, DECIMAL_2, DECIMAL_2],
        )
    sheet.blank()
    sheet.row(["Min Path", "Median Path", "Max Path"], bold=True)
    sheet.row([stats["min_path"], stats["median_path"], stats["max_path"]], [INTEGER, INTEGER, INTEGER])
    if with_paths:
        paths = document.get("paths", [])
        classes = list(paths[0]["tranche_cash"]) if paths else []
        sheet.blank()
        sheet.row(["Deal Results per Path"], bold=True)
        sheet.row(
            ["Path", "Sub Note IRR", "Incentive Fee", "Defaults", *[f"{c} Total Cash" for c in classes]],
            bold=True,
        )
        for p in paths:
            sheet.row(
                [
                    p["path"],
                    p["sub_note_irr"],
                    p["incentive_fee"],
                    p["defaults"],
                    *[p["tranche_cash"].get(c) for c in classes],
                ],
                [INTEGER, PERCENT_4, MONEY, MONEY, *[MONEY] * len(classes)],
            )
    return sheet.build(f"RM-{deal}")


def _as_date(value: Any) -> Value:
    """An ISO date text (as result documents carry dates) as a date; anything else as it is."""
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return value
    return _plain(value)


# -- Parallel Run --------------------------------------------------------------------------------------------


def parallel_run_tab(rows: Sequence[Sequence[Any]], name: str = "Parallel Run") -> Tab:
    """The parallel run's result rows (item | cell | legacy | python | difference | status), header bold;
    a compared date (shown as ISO text by the run) is written as a date."""
    sheet = Sheet()
    for i, row in enumerate(rows):
        values = [_as_date(v) if j in (2, 3) else _plain(v) for j, v in enumerate(row)]
        fmts = [DATE if isinstance(v, date) else None for v in values[:4]] + [Fmt("0.000000E+00")]
        sheet.row(values, fmts, bold=i == 0)
    return sheet.build(name, freeze_rows=1)


__all__ = [
    "COMPLIANCE_HEADER",
    "HYPO_HEADER",
    "Fmt",
    "Sheet",
    "Tab",
    "compliance_tab",
    "deal_cf_tab",
    "hypo_tab",
    "migration_tab",
    "parallel_run_tab",
    "rankings_tab",
    "rebalance_tab",
    "warning_lines",
]


# -- Analytics-<Deal> ----------------------------------------------------------------------------------------


def _breakeven_block(sheet: Sheet, result: BreakevenResult) -> None:
    a = result.assumptions
    sheet.row(["Break-evens (highest constant rate at which the class is paid in full, to 1 bp)"], bold=True)
    text = (
        f"CPR {a.get('cpr')}, severity {a.get('severity')}, lag {a.get('lag_months')} months; "
        f"severity break-even at CDR {a.get('severity_at_cdr')}; reinvestment {a.get('reinvestment')}"
    )
    sheet.row(["Assumptions", text])
    sheet.row(["Class", "Break-even CDR", "Break-even Severity", "Projections", "Note"], bold=True)
    for c in result.classes:
        sheet.row(
            [c.name, c.breakeven_cdr, c.breakeven_severity, c.iterations, c.note],
            [None, PERCENT_2, PERCENT_2, INTEGER, None],
        )


def _coverage_block(sheet: Sheet, title: str, rows: Sequence[CoverageRow]) -> None:
    sheet.row([title], bold=True)
    sheet.row(
        [
            "Test",
            "Class",
            "Numerator",
            "Denominator",
            "Ratio",
            "Trigger",
            "Cushion",
            "Cushion (pts)",
            "Pass/Fail",
        ],
        bold=True,
    )
    for r in rows:
        values = [r.test, r.tranche_class, r.numerator, r.denominator, r.ratio, r.trigger, r.cushion]
        sheet.row(
            [*values, r.cushion_ratio, _verdict(r.passed)],
            [None, None, MONEY, MONEY, PERCENT_3, PERCENT_3, MONEY, PERCENT_2, None],
        )


def _collateral_block(sheet: Sheet, report: CollateralReport) -> None:
    sheet.row(["Collateral by period (par roll-forward)"], bold=True)
    sheet.row([label for _, label in COLLATERAL_COLUMNS], bold=True)
    for p in report.rows:
        values = [getattr(p, key) for key, _ in COLLATERAL_COLUMNS]
        fmts = [
            INTEGER,
            DATE,
            *(PERCENT_2 if k == "reinvestment_price" else MONEY for k, _ in COLLATERAL_COLUMNS[2:]),
        ]
        sheet.row(values, fmts)


def _equity_block(sheet: Sheet, equity: EquityAnalytics) -> None:
    sheet.row([f"{equity.tranche}: purchase, cash-on-cash and NAV"], bold=True)
    sheet.row(["Purchase date", equity.purchase_date], [None, DATE])
    sheet.row(["Purchase price", equity.purchase_price], [None, PERCENT_2])
    sheet.row(["IRR", equity.irr], [None, PERCENT_2])
    sheet.row(["Multiple", equity.multiple], [None, DECIMAL_2])
    sheet.row(["NAV", equity.nav.nav], [None, MONEY])
    sheet.row(["NAV per unit of par", equity.nav.price], [None, PERCENT_2])
    sheet.row(
        ["Period", "Payment date", "Distribution", "Cash-on-cash", "Annualised", "Cumulative"], bold=True
    )
    for p in equity.periods:
        sheet.row(
            [p.period, p.payment_date, p.distribution, p.cash_on_cash, p.cash_on_cash_annualised,
             p.cumulative_distribution],
            [INTEGER, DATE, MONEY, PERCENT_2, PERCENT_2, MONEY],
        )  # fmt: skip


def analytics_tab(
    deal: str,
    breakeven: BreakevenResult,
    coverage: CoverageReport,
    collateral: CollateralReport,
    equity: EquityAnalytics,
) -> Tab:
    """``Analytics-<Deal>``: the break-evens, each class's OC and IC on the analysis date and as projected
    (with cushions), the collateral by period and the Sub Notes; the legacy effects under each."""
    sheet = Sheet()
    _breakeven_block(sheet, breakeven)
    sheet.notes(warning_lines(breakeven.to_json()), "Legacy effects on the break-evens")
    sheet.blank()
    _coverage_block(
        sheet, f"Coverage tests on the analysis date {coverage.analysis_date}", coverage.analysis_date_rows
    )
    sheet.blank()
    _coverage_block(
        sheet,
        f"Projected for the first payment date {coverage.first_payment_date}",
        coverage.first_payment_date_rows,
    )
    sheet.notes(warning_lines(coverage.to_json()), "Legacy effects on the coverage tests")
    sheet.blank()
    _collateral_block(sheet, collateral)
    sheet.notes(warning_lines(collateral.to_json()), "Legacy effects on the collateral")
    sheet.blank()
    _equity_block(sheet, equity)
    sheet.notes(warning_lines(equity.to_json()), "Legacy effects on the Sub Notes")
    return sheet.build(f"Analytics-{deal}")
