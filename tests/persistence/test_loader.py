"""The diff-only loader on two small tables, counts checked by hand: only what differs is written, deletes
stay inside the scope, a table whose columns are all key columns loads too, and a re-run writes nothing."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from clo_xl.persistence.engine import engine
from clo_xl.persistence.loader import TableLoad, sync_tables, table_of
from clo_xl.persistence.models import HolidayRow, RateFixingRow

pytestmark = pytest.mark.postgres

FIX, HOL = table_of(RateFixingRow), table_of(HolidayRow)


def _fixing(series: str, day: int, rate: float) -> dict[str, object]:
    return {"series": series, "fixing_date": date(2016, 1, day), "rate": rate}


def _sync(url: str, loads: list[TableLoad]) -> dict[str, tuple[int, int, int]]:
    with engine(url).begin() as conn:
        counts = sync_tables(conn, loads, actor="test")
    return {t: (c.inserted, c.updated, c.deleted) for t, c in counts.items()}


def _stored(url: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with engine(url).connect() as conn:
        fixings = conn.execute(
            sa.text(
                "SELECT series, extract(day FROM fixing_date)::int, rate, row_version "
                "FROM clo.rate_fixing ORDER BY 1, 2"
            )
        ).all()
        holidays = conn.execute(sa.text("SELECT calendar, day FROM clo.holiday ORDER BY 1, 2")).all()
    return [tuple(r) for r in fixings], [tuple(r) for r in holidays]


@pytest.mark.parametrize("analyze_from", [0, 50_000], ids=["stages-analyzed", "small-stages-unanalyzed"])
def test_only_differences_are_written_and_deletes_stay_in_scope(
    db_url: str, analyze_from: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clo_xl.persistence import loader

    monkeypatch.setattr(loader, "ANALYZE_MIN_ROWS", analyze_from)
    with engine(db_url).begin() as conn:  # a clean slate for the two tables (the template may hold rows)
        conn.execute(sa.text("DELETE FROM clo.rate_fixing"))
        conn.execute(sa.text("DELETE FROM clo.holiday"))
    first = [_fixing("3M", 4, 0.0061), _fixing("3M", 5, 0.0062), _fixing("1M", 4, 0.0041)]
    holidays = [{"calendar": "NY", "day": date(2016, 1, 1)}, {"calendar": "NY", "day": date(2016, 1, 18)}]
    assert _sync(db_url, [TableLoad(FIX, first), TableLoad(HOL, holidays)]) == {
        "rate_fixing": (3, 0, 0),
        "holiday": (2, 0, 0),
    }
    # the same rows again: nothing written, row versions stay 1
    assert _sync(db_url, [TableLoad(FIX, first), TableLoad(HOL, holidays)]) == {
        "rate_fixing": (0, 0, 0),
        "holiday": (0, 0, 0),
    }
    # 3M only (scope): day 5 changes, day 4 goes, day 6 comes; 1M is outside the scope and stays
    second = [_fixing("3M", 5, 0.0065), _fixing("3M", 6, 0.0066)]
    assert _sync(
        db_url, [TableLoad(FIX, second, scope={"series": ["3M"]}), TableLoad(HOL, holidays[1:])]
    ) == {
        "rate_fixing": (1, 1, 1),  # inserted day 6, updated day 5, deleted day 4
        "holiday": (0, 0, 1),  # key-only table: Jan 1 deleted, nothing to update
    }
    fixings, stored_holidays = _stored(db_url)
    assert fixings == [("1M", 4, 0.0041, 1), ("3M", 5, 0.0065, 2), ("3M", 6, 0.0066, 1)]
    assert stored_holidays == [("NY", date(2016, 1, 18))]
