"""The portfolio objective function (COMPLIANCE_SPEC §4.7, CT 51–78)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from clo_xl.compliance.catalogue import TEST_FACILITY_SIZE
from clo_xl.compliance.quirks import Quirk, QuirkSet
from clo_xl.compliance.results import TestResult
from clo_xl.enums import MinMax


def portfolio_objective(
    results: Iterable[TestResult], weights: Mapping[int, float], quirks: QuirkSet
) -> float:
    """0 if a test fails (legacy: unless it is test 31 or its numerator is 0, Q20); otherwise
    100 × Σ weight × (threshold ÷ result for MAX tests, result ÷ threshold for the others), skipping a
    zero result (MAX) or a zero threshold (MIN)."""
    legacy = Quirk.Q20_OBJECTIVE_SKIPS in quirks
    total = 0.0
    for r in results:
        if not r.passed and (not legacy or (r.number != TEST_FACILITY_SIZE and r.numerator > 0)):
            return 0.0
        w = weights.get(r.number)
        if not w:
            continue
        if r.min_max is MinMax.MAX:
            if r.result != 0.0:
                total += r.threshold / r.result * w
        elif r.threshold != 0.0:
            total += r.result / r.threshold * w
    return total * 100.0


__all__ = ["portfolio_objective"]
