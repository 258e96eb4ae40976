"""Reading legacy cell values and comparing them with Python's numbers (hand-worked expectations)."""

from __future__ import annotations

import pytest

from clo_xl.validate.compare import compare, read_value, relative_difference
from clo_xl.validate.model import Check, judge


@pytest.mark.parametrize(
    ("text", "number", "resolution"),
    [
        ("2.7400%", 0.0274, 0.000001),  # "0.0000%": 4 decimals of a percent = 1e-6 of the fraction
        ("97.1082%", 0.971082, 0.000001),
        ("2740.000", 2740.0, 0.001),  # WARF shown "0.000"
        ("4.72", 4.72, 0.01),
        ("1,234.56", 1234.56, 0.01),
        ("04.72", 4.72, 0.01),  # the deal sheet's "00.00" format
        ("-0.000%", 0.0, 0.00001),
        ("(12.5)", -12.5, 0.1),
    ],
)
def test_numeric_text_keeps_its_display_resolution(text: str, number: float, resolution: float) -> None:
    reading = read_value(text)
    assert reading.number == pytest.approx(number, abs=1e-15)
    assert reading.resolution == pytest.approx(resolution)


def test_plain_values() -> None:
    assert read_value(12.5).number == 12.5 and read_value(12.5).resolution == 0
    assert read_value(True).boolean is True
    assert read_value("Pass").boolean is True and read_value("FAIL").boolean is False
    assert read_value("VVFCS9").text == "VVFCS9"
    assert read_value(None).is_empty and read_value("  ").is_empty


def test_a_date_cell_read_as_midnight_datetime_is_the_same_date() -> None:
    from datetime import date, datetime

    same = compare(read_value(datetime(2016, 7, 20)), read_value(date(2016, 7, 20)), 1e-5)
    assert same.agree
    assert not compare(read_value(datetime(2016, 7, 20, 12)), read_value(date(2016, 7, 20)), 1e-5).agree


def test_display_rounding_is_not_a_break_but_a_real_change_is() -> None:
    # 0.02740049 shows as "2.7400%"; anything within half a unit (5e-7) of 0.0274 agrees
    assert compare(read_value("2.7400%"), read_value(0.02740049), 1e-5).agree
    assert not compare(read_value("2.7400%"), read_value(0.02740051 + 1e-7), 1e-5).agree
    # a real number cell: relative tolerance only. 0.0274 vs 0.0276: |Δ| / 0.0276 = 0.007246...
    diff = compare(read_value(0.0274), read_value(0.0276), 1e-5)
    assert not diff.agree
    assert diff.relative_difference == pytest.approx(0.0002 / 0.0276)
    assert compare(read_value(1_000_000.0), read_value(1_000_009.0), 1e-5).agree  # 9e-6 relative
    assert not compare(read_value(1_000_000.0), read_value(1_000_011.0), 1e-5).agree


def test_text_and_booleans() -> None:
    assert compare(read_value("Pass"), read_value(True), 1e-5).agree
    assert not compare(read_value("Fail"), read_value(True), 1e-5).agree
    assert compare(read_value("VVFCS9 "), read_value("VVFCS9"), 1e-5).agree
    assert not compare(read_value("2.74%"), read_value("no Python result"), 1e-5).agree
    assert compare(read_value(None), read_value(None), 1e-5).agree
    assert relative_difference(0.0, 0.0) == 0.0


def test_classification_names_the_switch_only_when_the_legacy_convention_reproduces_the_value() -> None:
    check = Check("Compliance-Mag 17", "G12", "test 51 numerator", 20.0, 25.0, python_legacy=20.0,
                  switches=("Q12_TEST51_NUMERATOR_IS_2ND",))  # fmt: skip
    outcome = judge(check, 1e-5)
    assert outcome.status == "explained" and outcome.explanation == "Q12_TEST51_NUMERATOR_IS_2ND"
    unexplained = Check("Compliance-Mag 17", "G12", "test 51 numerator", 20.0, 25.0, python_legacy=24.0,
                        switches=("Q12_TEST51_NUMERATOR_IS_2ND",))  # fmt: skip
    assert judge(unexplained, 1e-5).status == "break"
    assert judge(Check("s", "A1", "x", 1.0, 1.0), 1e-5).status == "match"
