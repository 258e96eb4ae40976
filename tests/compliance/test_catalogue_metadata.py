"""The catalogue's metadata columns (metric, unit, decimals) against the legacy's own test table.

COMPLIANCE_SPEC §4.2 (the legacy's 54 tests): WARF is tests 36 and 54 (Mag 14's rule), the floating spread
32, 39 (Mag 14) and 46 (Mag 6), WAL 35, diversity 37, WARR 33, WAC 34, the junior OC 38; WAL (years),
WARF (a factor) and diversity (a score) are the tests the legacy tabs write as numbers, not percentages
(CT 764-806: "0.000" for 35, 36, 37, 54).
"""

from __future__ import annotations

from clo_xl.compliance.catalogue import (
    NON_PERCENT_TESTS,
    TEST_DIVERSITY,
    TEST_JROC,
    TEST_WAL,
    TEST_WARF,
    TEST_WARF_MAG14,
    TEST_WARR,
    catalogue,
    metric_tests,
    numbers_in_unit,
)


def test_metrics_name_the_legacy_tests() -> None:
    assert metric_tests("warf") == (36, 54)
    assert metric_tests("was") == (32, 39, 46)
    assert metric_tests("wal") == (35,)
    assert metric_tests("diversity") == (37,)
    assert metric_tests("warr") == (33,)
    assert metric_tests("wac") == (34,)
    assert metric_tests("jroc") == (38,)


def test_units_and_decimals() -> None:
    assert NON_PERCENT_TESTS == numbers_in_unit("number") == {35, 36, 37, 54}
    assert numbers_in_unit("ratio") == {38}
    specs = catalogue()
    assert len(specs) == 54
    assert all(specs[n].decimals == 2 for n in NON_PERCENT_TESTS)
    assert {n for n, s in specs.items() if s.unit == "percent"} == set(range(1, 55)) - {35, 36, 37, 38, 54}


def test_named_numbers_are_the_catalogue_rows() -> None:
    specs = catalogue()
    assert specs[TEST_WARF].kind == specs[TEST_WARF_MAG14].kind == "warf"
    assert specs[TEST_WAL].kind == "wal"
    assert specs[TEST_DIVERSITY].kind == "diversity"
    assert specs[TEST_WARR].kind == "warr"
    assert specs[TEST_JROC].kind == "jroc"
    # a metric is carried only by tests of its own kernel: selecting by metric is selecting by kind
    for metric in ("warf", "was", "wal", "diversity", "warr", "wac", "jroc"):
        assert {specs[n].kind for n in metric_tests(metric)} == {metric}
