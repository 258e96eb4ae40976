"""The legacy output tabs as plain rows (header row + value rows) for writers elsewhere (openpyxl,
XlsxWriter, xlwings) to place: ``Compliance-<Deal>`` at B1 (CT 764–806), ``HYPO-<Deal>-Output`` blocks
(CH 1261–1319, 3355–3446), the deal sheet's objective "Test Results" column (CH 604–632).

Values are formatted as the legacy writes them — **text** (§6 Q21): "0.0000%" / "0.000" in the compliance
table, "0.000%" / "0.00" in the hypo table. Use the reports' numbers for anything else.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from clo_xl.compliance.catalogue import TEST_CCC, numbers_in_unit
from clo_xl.compliance.hypo import ATTRIBUTE_ROWS, HypoOutcome
from clo_xl.compliance.quirks import Quirk, QuirkSet
from clo_xl.compliance.results import ComplianceReport, TestResult

Row = list[Any]

COMPLIANCE_HEADER: tuple[str, ...] = (
    "Test Num",
    "Test Name",
    "Denominator",
    "Numeratior",
    "comments",
    "Results",
    "Threshold",
    "Pass/Fail",
    "Comments on Pass/Fail",
)
HYPO_HEADER: tuple[str, ...] = (
    "Test Num",
    "Test Name",
    "Threshold",
    "Results",
    "Pass/Fail",
    "",
    "Hypo Result",
    "Hypo Pass/Fail",
    "Differences",
    "Hypo Comments",
)
#: tests the legacy writes as plain decimals: the catalogue's number-unit tests (WAL, WARF, diversity)
COMPLIANCE_DECIMAL_TESTS = numbers_in_unit("number")
#: the hypo tab also writes test 40 (CCC) as a decimal, sic (Q21)
HYPO_DECIMAL_TESTS = COMPLIANCE_DECIMAL_TESTS | {TEST_CCC}


def pass_text(passed: bool) -> str:
    return "Pass" if passed else "Fail"


def fmt_percent(value: float, decimals: int) -> str:
    return f"{value * 100:.{decimals}f}%"


def fmt_compliance(test: int, value: float) -> str:
    """Compliance tab: "0.000" for tests 35, 36, 37, 54; "0.0000%" otherwise (JROC shows as a percent)."""
    return f"{value:.3f}" if test in COMPLIANCE_DECIMAL_TESTS else fmt_percent(value, 4)


def fmt_hypo(test: int, value: float) -> str:
    """Hypo tab: "0.00" for 35, 36, 37, 40 (sic, Q21), 54; "0.000%" otherwise."""
    return f"{value:.2f}" if test in HYPO_DECIMAL_TESTS else fmt_percent(value, 3)


def compliance_tab(report: ComplianceReport, *, row_count: int | None = None) -> list[Row]:
    """``Compliance-<Deal>`` rows: header, one row per result, then the objective row.

    The legacy sizes the table by the number of threshold-table rows, not results (Q21): pass
    ``row_count`` (the table's length) to reproduce the truncation/padding; default = all results.
    """
    rows: list[Row] = [list(COMPLIANCE_HEADER)]
    results: Sequence[TestResult | None] = list(report.results)
    if row_count is not None:
        results = list(results[:row_count]) + [None] * max(0, row_count - len(results))
    for r in results:
        if r is None:
            rows.append([None] * len(COMPLIANCE_HEADER))
            continue
        rows.append(
            [
                r.number,
                r.name,
                r.denominator,
                r.numerator,
                r.comment,
                fmt_compliance(r.number, r.result),
                fmt_compliance(r.number, r.threshold),
                pass_text(r.passed),
                r.pass_fail_comment,
            ]
        )
    rows.append([None, None, None, None, None, "Objective Function", report.objective, None, None])
    return rows


def hypo_block(outcome: HypoOutcome) -> tuple[str, list[Row]]:
    """One ``HYPO-<Deal>-Output`` block: (title, rows). Title "Pool" or "<BRSID>     <Issue Name>".

    The threshold column shows the **before** threshold only (Q23)."""
    rows: list[Row] = [list(HYPO_HEADER)]
    after = list(outcome.after.results)
    for i, b in enumerate(outcome.before.results):
        a = after[i] if i < len(after) and after[i].number == b.number else None
        rows.append(
            [
                b.number,
                b.name,
                fmt_hypo(b.number, b.threshold),
                fmt_hypo(b.number, b.result),
                pass_text(b.passed),
                None,
                fmt_hypo(b.number, a.result) if a else None,
                pass_text(a.passed) if a else None,
                fmt_hypo(b.number, a.result - b.result) if a else None,
                a.pass_fail_comment if a else None,
            ]
        )
    diff = outcome.after.objective - outcome.before.objective
    rows.append(
        [
            "Objective Function",
            f"{outcome.before.objective:.2f}",
            f"{outcome.after.objective:.2f}",
            f"{diff:.2f}",
            None,
            None,
            None,
            None,
            None,
            None,
        ]
    )
    return outcome.label, rows


def attributes_block(attributes: dict[str, dict[str, float | None]]) -> tuple[str, list[Row]]:
    """ "Hypothetical Trade's Attributes": rows × (Purchases | Sales); "N/A" where there is no par."""
    rows: list[Row] = [["", "Purchases", "Sales"]]
    names = [
        r for r in ATTRIBUTE_ROWS if r in attributes.get("Purchases", {}) or r in attributes.get("Sales", {})
    ]
    for name in names:
        cells: Row = [name]
        for bucket in ("Purchases", "Sales"):
            v = attributes.get(bucket, {}).get(name)
            cells.append("N/A" if v is None else v)
        rows.append(cells)
    return "Hypothetical Trade's Attributes", rows


def hypo_tab(
    outcomes: Sequence[HypoOutcome], attributes: dict[str, dict[str, float | None]] | None = None
) -> list[tuple[str, list[Row]]]:
    """All blocks of the ``HYPO-<Deal>-Output`` tab, in order (shared-tab mode: each block titled in row 1,
    placed one blank column right of the previous block, §1.9)."""
    blocks = [hypo_block(o) for o in outcomes]
    if attributes is not None:
        blocks.append(attributes_block(attributes))
    return blocks


def hypo_tab_rows(
    outcomes: Sequence[HypoOutcome], attributes: dict[str, dict[str, float | None]] | None = None
) -> list[Row]:
    """The hypo tab as one grid from B1: block titles in row 1, blocks side by side one column apart."""
    blocks = hypo_tab(outcomes, attributes)
    height = max((len(rows) for _, rows in blocks), default=0) + 1
    grid: list[Row] = [[] for _ in range(height)]
    for title, rows in blocks:
        width = max(len(r) for r in rows)
        start = len(grid[0])
        for line in grid:
            line.extend([None] * (start - len(line)))
        grid[0].extend([title] + [None] * (width - 1))
        for i in range(1, height):
            src = rows[i - 1] if i - 1 < len(rows) else []
            grid[i].extend(list(src) + [None] * (width - len(src)))
        for line in grid:
            line.append(None)
    return grid


def objective_results_column(
    report: ComplianceReport, weight_tests: Sequence[int], quirks: QuirkSet
) -> list[str | None]:
    """The deal sheet's "Test Results" column beside the objective weights (CH 604–632).

    Text format: < 2 → "0.00%", > 1000 → "0,000.00", otherwise "00.00". Legacy (Q22) writes the weighted
    tests' results packed in the order the engine produced them, so a weighted test the deal does not
    compute shifts later values up a row (Mag 7: row "33" shows test 46's result, row "46" the WAL).
    """

    def fmt(v: float) -> str:
        if v < 2:
            return fmt_percent(v, 2)
        if v > 1000:
            return f"{v:,.2f}"
        return f"{v:05.2f}"

    if Quirk.Q22_OBJ_RESULTS_PACKED in quirks:
        wanted = set(weight_tests)
        packed: list[str | None] = [fmt(r.result) for r in report.results if r.number in wanted]
        packed = packed[: len(weight_tests)]
        return packed + [None] * (len(weight_tests) - len(packed))
    found = [report.result(n) for n in weight_tests]
    return [fmt(r.result) if r is not None else None for r in found]


__all__ = [
    "COMPLIANCE_HEADER",
    "HYPO_HEADER",
    "attributes_block",
    "compliance_tab",
    "fmt_compliance",
    "fmt_hypo",
    "hypo_block",
    "hypo_tab",
    "hypo_tab_rows",
    "objective_results_column",
]


REBALANCE_HEADER: tuple[str, ...] = (
    "",
    "Test Num",
    "Test Name",
    "Threshold",
    "Before Results",
    "Before Pass/Fail",
    "",
    "After Results",
    "After Pass/Fail",
    "",
    "Differences",
)


def rebalance_compliance_block(before: ComplianceReport, after: ComplianceReport) -> tuple[str, list[Row]]:
    """The "Compliance Test" block of ``Rebalance-Output`` (CH 3015–3249): "0.00" for 35, 36, 37, 40, 54,
    "0.00%" otherwise; last row "Ojective Function" (sic)."""

    def fmt(n: int, v: float) -> str:
        return f"{v:.2f}" if n in HYPO_DECIMAL_TESTS else fmt_percent(v, 2)

    rows: list[Row] = [list(REBALANCE_HEADER)]
    after_by = {r.number: r for r in after.results}
    for b in before.results:
        a = after_by.get(b.number)
        row: Row = [None, b.number, b.name, fmt(b.number, b.threshold), fmt(b.number, b.result)]
        row += [pass_text(b.passed), None]
        if a is None:
            row += [None, None, None, None]
        else:
            row += [fmt(b.number, a.result), pass_text(a.passed), None, fmt(b.number, a.result - b.result)]
        rows.append(row)
    diff = after.objective - before.objective
    last: Row = [None, "Ojective Function", None, None, f"{before.objective:.2f}", None, None]
    last += [f"{after.objective:.2f}", None, None, f"{diff:.2f}"]
    rows.append(last)
    return "Compliance Test", rows
