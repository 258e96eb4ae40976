"""Run Analytics, headless: the selected deal's break-evens, coverage with cushions, collateral by period and
Sub Notes into an ``Analytics-<Deal>`` tab.

Checks by independent routes on what the tab holds: the break-evens are those of ``clo-xl breakeven`` on the
same workbook (the CLI in a subprocess), each coverage row's ratio is its numerator over its denominator, its
cushion the numerator less trigger × denominator and it passes exactly when the ratio reaches the trigger,
and the par roll-forward of every collateral row closes to the cent from the tab's own cells.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from clo_xl.excel import handlers
from clo_xl.excel.file_workbook import FileWorkbook

DEAL = "Mag 17"  # Run Model C9 of the sample

pytestmark = pytest.mark.slow  # break-evens of every class (a few seconds of CPU)


def _rows(path: Path) -> list[list[object]]:
    """The tab's rows from its first used column (the tab builder's anchor), trailing blanks dropped."""
    grid = FileWorkbook(path).read_sheet(f"Analytics-{DEAL}")
    first = min(
        next(i for i, v in enumerate(r) if v is not None) for r in grid if any(v is not None for v in r)
    )
    rows: list[list[object]] = [list(r[first:]) for r in grid]
    return [r[: max((i + 1 for i, v in enumerate(r) if v is not None), default=0)] for r in rows]


def _block(rows: list[list[object]], title: str, header: str) -> list[list[object]]:
    """The rows under a block's title and its header row (first cell ``header``), up to the next blank row."""
    top = next(i for i, r in enumerate(rows) if r and str(r[0]).startswith(title))
    start = next(i for i in range(top, len(rows)) if rows[i] and rows[i][0] == header) + 1
    end = next((i for i in range(start, len(rows)) if not rows[i]), len(rows))
    return rows[start:end]


def test_analytics_tab_from_the_selected_deal(workbook_copy: Path) -> None:
    result = handlers.run_headless("RunAnalytics", workbook_copy)
    assert result.sheets == (f"Analytics-{DEAL}",)
    rows = _rows(workbook_copy)

    cli = subprocess.run(
        [sys.executable, "-m", "clo_xl.cli", "breakeven", "--workbook", str(workbook_copy), "--deal", DEAL,
         "--json"], capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    expected = {c["class"]: c for c in json.loads(cli.stdout)["classes"]}
    breakevens = _block(rows, "Break-evens", "Class")
    assert [r[0] for r in breakevens] == list(expected)
    for name, cdr, severity, *_ in breakevens:
        assert cdr == expected[str(name)]["breakeven_cdr"]
        assert severity == expected[str(name)]["breakeven_severity"]

    for title in ("Coverage tests on the analysis date", "Projected for the first payment date"):
        coverage = _block(rows, title, "Test")
        names = [str(r[0]) for r in coverage]
        assert any(n.endswith(" OC") for n in names) and any(n.endswith(" IC") for n in names), names
        for _test, _cls, num, den, ratio, trigger, cushion, cushion_pts, verdict in coverage:
            assert isinstance(num, float) and isinstance(den, float) and isinstance(trigger, float)
            assert ratio == pytest.approx(num / den, rel=1e-12)
            assert cushion == pytest.approx(num - trigger * den, abs=0.01)
            assert cushion_pts == pytest.approx(num / den - trigger, abs=1e-12)
            assert verdict == ("Pass" if num / den >= trigger else "FAIL")

    collateral = _block(rows, "Collateral by period", "Period")
    assert [r[0] for r in collateral] == list(range(1, len(collateral) + 1))
    for r in collateral:
        beginning, amortisation, prepaid, defaults = (float(v) for v in r[2:6])  # type: ignore[arg-type]
        bought, sold, end = float(r[8]), float(r[10]), float(r[12])  # type: ignore[arg-type]
        assert beginning + bought - amortisation - prepaid - defaults - sold == pytest.approx(end, abs=0.005)
    for earlier, later in itertools.pairwise(collateral):
        assert later[2] == pytest.approx(earlier[12], abs=0.005)  # each period opens where the last closed

    equity = {r[0]: r[1] for r in rows if r and r[0] in ("Purchase price", "IRR", "NAV")}
    assert set(equity) == {"Purchase price", "IRR", "NAV"}
