"""Ingest speed cases (issue 13's reading goal, built by issue 12): ``clo-xl bench --only ingest``.

* **read + derive 10,000 assets** (goal: under 0.5 s): a 10,000-asset extract (JSON, the 70 ``All Assets``
  headers) read, every cell typed and range-checked by the validation layer, the :class:`Asset` records
  built, and the compliance engine's columns derived (ratings, recovery, factors, business-day maturities),
  as a first compliance run after a load does. Its floor reads the same file and turns the same columns into
  numpy arrays with no checking at all (checked: the same assets, spreads and maturities).
* the same at 2,000 assets, for the growth exponent.

Data: a seeded synthetic universe (:func:`clo_xl.persistence.synthetic.synthetic_universe`) written once to a
temporary JSON extract; nothing from the legacy folder.
"""

from __future__ import annotations

import json
import tempfile
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from clo_xl.benchmarks import Case
from clo_xl.compliance.columns import columns_for
from clo_xl.compliance.quirks import QuirkSet
from clo_xl.enums import Convention
from clo_xl.ingest.assets import read_asset_table
from clo_xl.ingest.extract import read_table
from clo_xl.ingest.problems import Problems
from clo_xl.persistence.synthetic import synthetic_universe
from clo_xl.portfolio.pool import Universe

SIZES = (2_000, 10_000)
ANALYSIS = date(2016, 3, 23)


def _jsonable(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return value


@cache
def extract(n: int) -> Path:
    """A JSON extract of ``n`` synthetic assets (written once per process)."""
    folder = Path(tempfile.mkdtemp(prefix="clo-xl-bench-ingest-"))
    rows = [{k: _jsonable(v) for k, v in r.items()} for r in synthetic_universe(n, seed=13).rows]
    path = folder / f"assets-{n}.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    return path


def read_and_derive(n: int) -> tuple[int, Any]:
    """Read the extract, validate and type every cell, build the assets, derive the compliance columns."""
    problems = Problems()
    table = read_asset_table(read_table(extract(n)), problems)
    problems.raise_if_any()
    universe = Universe(table.assets)
    columns = columns_for(universe, QuirkSet.for_convention(Convention.LEGACY), ANALYSIS)
    return len(universe.assets), (columns.spread, universe)


def read_floor(n: int) -> tuple[int, Any]:
    """The least work that yields the same numeric columns: parse the JSON, gather two columns into numpy."""
    rows = json.loads(extract(n).read_text(encoding="utf-8"))
    spread = np.fromiter((float(r["Coupon Spread"]) for r in rows), dtype=np.float64, count=len(rows))
    maturity = np.array([r["Maturity"] for r in rows], dtype="datetime64[D]")
    return len(rows), (spread, maturity)


def _check(run: tuple[int, Any], floor: tuple[int, Any]) -> None:
    n, (spread, universe) = run
    m, (floor_spread, maturity) = floor
    assert n == m, (n, m)
    assert np.array_equal(spread, floor_spread)
    got = np.array([a.maturity for a in universe.assets], dtype="datetime64[D]")
    assert np.array_equal(got, maturity)


def cases() -> list[Case]:
    out: list[Case] = []
    for n in SIZES:
        out.append(
            Case(
                f"read + derive {n:,} assets (extract → typed, checked assets → compliance columns)",
                lambda n=n: read_and_derive(n),  # type: ignore[misc]
                target_s=0.5 if n == 10_000 else None,
                floor=lambda n=n: read_floor(n),  # type: ignore[misc]
                check=_check,
                family="read + derive",
                size=n,
                note="the floor parses the JSON and gathers two columns; no typing, no checks, no derivation",
            )
        )
    return out


__all__ = ["cases", "extract", "read_and_derive", "read_floor"]
