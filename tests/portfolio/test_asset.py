"""Assets built column by column (the bulk route of a 10,000-asset read) equal the dataclass built row by
row, and are refused the same way; the collector pause around bulk parsing leaves the collector as found."""

from __future__ import annotations

import gc
from dataclasses import fields
from datetime import date

import pytest

from clo_xl.enums import BusinessDayConvention
from clo_xl.gc_pause import paused_gc
from clo_xl.portfolio.asset import Asset, assets_from_columns
from clo_xl.ratings.scales import MoodysRating

ROWS = [
    {
        "brs_id": "A1",
        "coupon_spread": 0.0375,
        "maturity": date(2021, 9, 17),
        "moodys_rating": MoodysRating.B1,
    },
    {
        "brs_id": "A2",
        "coupon_spread": 0.04,
        "maturity": date(2022, 1, 31),
        "business_day_convention": BusinessDayConvention.FOLLOWING,
        "inexact_flags": frozenset({"cov_lite"}),
    },
]


def columns(rows: list[dict[str, object]]) -> dict[str, list[object]]:
    """Each field named in any row; a row without it takes the dataclass default (as Asset(**row) does)."""
    defaults = Asset(brs_id="x")
    names = {k for r in rows for k in r}
    return {n: [r.get(n, getattr(defaults, n)) for r in rows] for n in names}


def test_columns_build_the_same_assets_as_the_dataclass() -> None:
    built = assets_from_columns(2, columns(ROWS))
    expected = tuple(Asset(**r) for r in ROWS)  # type: ignore[arg-type]
    assert built == expected
    assert [hash(a) for a in built] == [hash(a) for a in expected]
    for a, e in zip(built, expected, strict=True):  # every field, the defaults too, and of the same type
        assert [(type(getattr(a, f.name)), getattr(a, f.name)) for f in fields(Asset)] == [
            (type(getattr(e, f.name)), getattr(e, f.name)) for f in fields(Asset)
        ]
    assert built[1].business_day_convention is BusinessDayConvention.FOLLOWING
    assert built[0].business_day_convention is BusinessDayConvention.MOD_FOLLOWING  # the default
    with pytest.raises(AttributeError):
        built[0].brs_id = "B"  # type: ignore[misc]  # still frozen


@pytest.mark.parametrize(
    ("override", "error", "match"),
    [
        ({"brs_id": ["A1", " A2"]}, ValueError, "BLKRockID must be non-blank and trimmed"),
        ({"brs_id": ["A1", ""]}, ValueError, "BLKRockID must be non-blank and trimmed"),
        ({"payment_frequency": [4, -1]}, ValueError, "payment frequency must be >= 0"),
        ({"coupon_spread": [0.03]}, ValueError, "column 'coupon_spread' holds 1 values for 2 assets"),
    ],
)
def test_columns_are_refused_as_the_dataclass_refuses_rows(
    override: dict[str, list[object]], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        assets_from_columns(2, {**columns(ROWS), **override})


def test_a_required_field_is_required() -> None:
    with pytest.raises(TypeError, match="brs_id"):
        assets_from_columns(1, {"coupon_spread": [0.03]})


def test_paused_gc_restores_the_collector_and_keeps_a_freeze() -> None:
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():  # nested: the inner block leaves it paused
            pass
        assert not gc.isenabled()
        cycle: list[object] = []
        cycle.append(cycle)
    assert gc.isenabled()
    del cycle
    assert gc.collect() >= 1  # the cycle made in the pause is still found
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()  # the caller's choice stays
    finally:
        gc.enable()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with paused_gc():
            pass
        assert gc.get_freeze_count() == frozen  # a program's own freeze is not undone
    finally:
        gc.unfreeze()
