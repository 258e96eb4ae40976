"""The deal sheet's objective "Test Results" column as the legacy writes it (CH 604–632).

The legacy output tabs themselves (``Compliance-<Deal>``, ``HYPO-<Deal>-Output``, ``Rebalance-Output``, ...)
have one builder each in :mod:`clo_xl.excel.tabs`, which writes numbers with number formats and can render
the legacy's text (Q21) from the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from clo_xl.compliance.quirks import Quirk, QuirkSet
from clo_xl.compliance.results import ComplianceReport


def objective_results_column(
    report: ComplianceReport, weight_tests: Sequence[int], quirks: QuirkSet
) -> list[str | None]:
    """The deal sheet's "Test Results" column beside the objective weights (CH 604–632), as text.

    Text format: < 2 → "0.00%", > 1000 → "0,000.00", otherwise "00.00". Legacy (Q22) writes the weighted
    tests' results packed in the order the engine produced them, so a weighted test the deal does not
    compute shifts later values up a row (Mag 7: row "33" shows test 46's result, row "46" the WAL).
    """

    def fmt(v: float) -> str:
        if v < 2:
            return f"{v * 100:.2f}%"
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


__all__ = ["objective_results_column"]
