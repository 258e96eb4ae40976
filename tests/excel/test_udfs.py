"""CLO_ functions called with plain values (as xlwings hands them over): the deal as stored in PostgreSQL,
errors as one short #CLO! text, arguments parsed at the boundary.

Expected numbers come from independent routes: Moody's published rating-factor table, sums over the sheet's
own cells (read here with python-calamine, not through the engine), and the database changed under the
functions. The full Excel route (VBA wrapper → ``call_udf`` → calculating mode) is in test_emulated_udfs.py.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import sqlalchemy as sa
from python_calamine import CalamineWorkbook

from clo_xl.excel import deal_cache, udfs
from clo_xl.excel.deal_cache import STORED
from clo_xl.excel.formatting import ERROR_PREFIX, as_table, excel_error, plain_number, plain_text
from clo_xl.persistence.engine import engine
from clo_xl.persistence.repository import refresh_deal, save_deal


@pytest.mark.parametrize(
    ("rating", "factor"),
    [("Aaa", 1), ("Baa3", 610), ("B2", 2720), ("b2", 2720), ("CAA1", 4770), ("Ca", 10000), ("XYZ", 10000)],
)
def test_rating_factor_follows_the_moodys_table(rating: str, factor: float) -> None:
    # DOMAIN.md: Baa3 610, B2 2720, Caa1 4770, Ca 10000; the WARF test's table gives unknown ratings 10000
    assert udfs.CLO_RATING_FACTOR(rating) == factor


def test_errors_are_short_text_never_tracebacks() -> None:
    assert udfs.CLO_RATING_FACTOR(None) == f"{ERROR_PREFIX} rating is empty"
    assert udfs.CLO_RATING_FACTOR([["B2"]]) == 2720  # a 1x1 range arrives as a nested list
    long = excel_error("x" * 500 + "\nsecond line")
    assert long.startswith(ERROR_PREFIX) and len(long) < 130 and "second" not in long


def test_argument_parsing() -> None:
    assert plain_text(17.0, "deal") == "17" and plain_text("  Mag 17 ", "deal") == "Mag 17"
    assert plain_number("2.5%", "cpr") == pytest.approx(0.025)
    assert plain_number("1,000", "par") == 1000.0
    with pytest.raises(Exception, match="must be a number"):
        plain_number("abc", "par")
    assert as_table(["a", "b"], [[1], [float("nan"), 2]]) == [["a", "b"], [1, None], [None, 2]]


def test_trades_are_parsed_by_the_one_trade_parser() -> None:
    trades = udfs.parse_trades(
        "Mag 17", [["Mag 17", "A1", "Buy", 1e6, 99.5], ["Mag 6", "B2", "Sale", 5.0, None], [None] * 5]
    )
    assert [(t.brs_id, t.transaction.value if t.transaction else None, t.par, t.price) for t in trades] == [
        ("A1", "Buy", 1e6, 99.5)
    ]  # the other deal's row and the blank row skipped, as the legacy HypoAssets does
    assert udfs.CLO_HYPO("Mag 17", [["A1", "Buy", "lots", None]]) == (
        f"{ERROR_PREFIX} file CLO_HYPO trades, column 'trades[0].Par': value 'lots': "
        "expected a number, got text"
    )


def _defaulted(path: Path) -> set[str]:
    assets = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("All Assets").to_python()
    col = assets[0].index("Default Obligation")
    return {str(r[0]).strip() for r in assets[1:] if r[col] == "Yes"}


def _number(value: object) -> float:
    """A number from a cell or a UDF (an error comes back as "#CLO! ..." text and fails here)."""
    assert isinstance(value, int | float) and not isinstance(value, bool), repr(value)
    return float(value)


def _table(value: object) -> list[list[object]]:
    """A table from a UDF (an error comes back as "#CLO! ..." text and fails here)."""
    assert isinstance(value, list) and all(isinstance(r, list) for r in value), repr(value)[:200]
    return value


def _nd_par(path: Path, deal: str) -> float:
    """Σ holding par of non-defaulted assets, straight from the sheet cells (COMPLIANCE_SPEC §4.2 'ND')."""
    defaulted = _defaulted(path)
    sheet = (
        CalamineWorkbook.from_path(str(path))
        .get_sheet_by_name(f"{deal} Inputs")
        .to_python(skip_empty_area=False)
    )
    total = 0.0
    for row in sheet[3:]:
        brs, par = row[3], row[4]
        if brs in (None, ""):
            break
        if str(brs).strip() not in defaulted:
            total += _number(par)
    return total


@pytest.mark.postgres
def test_deal_functions_read_the_database(stored: str, sample_workbook: Path) -> None:
    # test 35's denominator is the non-defaulted par, summed here from the migrated sheet's own cells
    assert udfs.CLO_TEST("Mag 17", 35, "denominator") == pytest.approx(
        _nd_par(sample_workbook, "Mag 17"), rel=1e-12
    )
    assert udfs.CLO_WAL("Mag 17") == udfs.CLO_TEST("Mag 17", 35)
    assert udfs.CLO_WARF("MAG 17") == udfs.CLO_TEST("Mag 17", 36)  # deal names in any case
    assert udfs.CLO_TEST("Mag 17", "7", "pass") in (True, False)
    assert udfs.CLO_TEST("Mag 17", 1, "min_max") in ("Min", "Max")
    table = udfs.CLO_TESTS("Mag 17")
    assert table[0][:2] == ["Test Num", "Test Name"] and len({len(r) for r in table}) == 1  # a rectangle
    assert udfs.CLO_TEST("Mag 17", 99) == f"{ERROR_PREFIX} deal 'Mag 17' has no test 99"
    assert udfs.CLO_TEST("Mag 17", 7, "colour").startswith(f"{ERROR_PREFIX} unknown field 'colour'")
    # a deal not stored: one line that says how to load it
    assert udfs.CLO_WARF("Mag 99").startswith(f"{ERROR_PREFIX} deal 'Mag 99' is not in the database: load it")
    # measures exist where the deal's threshold table has no such test (Mag 6 lists no WARF test)
    assert 1 <= _number(udfs.CLO_WARF("Mag 6")) <= 10000 and _number(udfs.CLO_DIVERSITY("Mag 6")) > 0


@pytest.mark.postgres
def test_a_saved_change_is_picked_up_by_the_next_call(stored_private: str, sample_workbook: Path) -> None:
    before = _number(udfs.CLO_TEST("Mag 17", 35, "denominator"))
    loads = STORED.loads
    assert udfs.CLO_WARF("Mag 17") == udfs.CLO_TEST("Mag 17", 36) and STORED.loads == loads  # reused
    document = copy.deepcopy(refresh_deal(stored_private, "Mag 17").document)
    document["holdings"][0]["par"] += 2_500_000.0
    assert save_deal(stored_private, document, expected_version=1, actor="test") == 2
    after = udfs.CLO_TEST("Mag 17", 35, "denominator")
    assert STORED.loads == loads + 1  # the new row version loads the deal again
    defaulted = document["holdings"][0]["brs_id"] in _defaulted(sample_workbook)
    assert after == pytest.approx(before + (0.0 if defaulted else 2_500_000.0), rel=1e-12)


@pytest.mark.postgres
def test_a_migrated_universe_is_seen_once_the_full_check_is_due(
    stored_private: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change to the universe (an operations fix, a migrate) moves no deal's version: the full stamp, run
    at least every FULL_CHECK_SECONDS, sees it; in between each call checks the deal's version alone."""
    udfs.CLO_WARF("Mag 17")
    loads = STORED.loads
    held = refresh_deal(stored_private, "Mag 17").document["holdings"][0]["brs_id"]
    with engine(stored_private).begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE clo.asset SET row_version = row_version + 1, market_value = 55 WHERE asset_id = :a"
            ),
            {"a": held},
        )
    monkeypatch.setattr(deal_cache, "FULL_CHECK_SECONDS", 3600.0)
    udfs.CLO_WARF("Mag 17")
    assert STORED.loads == loads  # within the window: the deal's version alone, unchanged
    monkeypatch.setattr(deal_cache, "FULL_CHECK_SECONDS", 0.0)
    udfs.CLO_WARF("Mag 17")
    assert STORED.loads == loads + 1  # the full stamp saw the universe change and loaded the deal again


@pytest.mark.postgres
def test_a_curve_edit_in_the_reference_rows_reaches_the_cash_flows(
    stored_private: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review finding 3: a +200 bp yield-curve edit left ``CLO_CASHFLOWS`` unchanged, because the cache key
    covered only the deal's sheets. The curve is a reference block (``clo.sheet_row``), in the full stamp."""
    header, *before = _table(udfs.CLO_CASHFLOWS("Mag 17"))
    interest = header.index("Interest Proceeds")
    loads = STORED.loads
    with engine(stored_private).begin() as conn:
        moved = conn.execute(
            sa.text(
                "UPDATE clo.sheet_row SET row_version = row_version + 1, cells = jsonb_set(cells, '{Rate}', "
                "to_jsonb((cells->>'Rate')::float8 + 0.02)) WHERE block = 'reference.libor_curve'"
            )
        ).rowcount
    assert moved > 5  # the sample's LIBORCurve rows
    monkeypatch.setattr(deal_cache, "FULL_CHECK_SECONDS", 0.0)
    _, *after = _table(udfs.CLO_CASHFLOWS("Mag 17"))
    assert STORED.loads == loads + 1
    # floating-rate collateral earns more once the forward curve is 200 bp higher
    assert sum(_number(r[interest]) for r in after) > sum(_number(r[interest]) for r in before) * 1.05
