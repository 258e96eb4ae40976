"""Cash-flow speed cases (issue 4): ``clo-xl bench --only cashflows`` or ``python bench/bench_cashflows.py``.

Targets (medians): one deal, full life, deterministic <= 50 ms; a 1,000-scenario grid (CPR × CDR ×
severity × curve shift) <= 30 s on 2 worker processes; credit migration of 10,000 paths × 500 assets ×
8 years quarterly (32 correlated steps) <= 30 s on 2 cores.
Data: the Mag 17 extract from ``../shared/legacy`` when present, else a seeded synthetic Mag 17 deal of
195 loans; the migration case uses a seeded 500-asset system correlation and a quarterly root of a
synthetic S&P-style annual matrix.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path

import numpy as np

from clo_xl.cashflows.assumptions import AssetAssumption, CashflowAssumptions
from clo_xl.cashflows.collateral import CollateralArrays
from clo_xl.cashflows.from_deal import curve_tenors, structure_from_document
from clo_xl.cashflows.from_records import collateral_from_records
from clo_xl.cashflows.structure import Conventions, DealStructure
from clo_xl.cashflows.synthetic import synthetic_collateral, synthetic_deal
from clo_xl.curves import CurveSpec, Extrapolation, build_curve
from clo_xl.simulation.correlation import SystemCorrelation, cholesky, system_correlation
from clo_xl.simulation.grid import GridInputs, run_grid, scenario_grid
from clo_xl.simulation.matrix import STATES, period_matrix
from clo_xl.simulation.migration import simulate
from clo_xl.waterfall.run import run_deal

LEGACY_DIR = Path(__file__).resolve().parents[2] / "shared" / "legacy"
ANALYSIS = date(2016, 3, 23)


@cache
def deal_inputs() -> tuple[DealStructure, CollateralArrays, dict[int, float]]:
    if (LEGACY_DIR / "mag17_assets.json").is_file():
        doc = json.loads((LEGACY_DIR / "mag17_deal.json").read_text())
        assets = json.loads((LEGACY_DIR / "mag17_assets.json").read_text())
        return (
            structure_from_document(doc),
            collateral_from_records(assets, "MAG17_Par_Amount"),
            curve_tenors(doc),
        )
    return synthetic_deal("Mag 17"), synthetic_collateral(195, seed=17), {1: 0.0054, 480: 0.0054}


def one_deal() -> object:
    deal, coll, tenors = deal_inputs()
    curve = build_curve(deal.dates.analysis_date, tenors, extrapolation=Extrapolation.FLAT)
    a = CashflowAssumptions(AssetAssumption(0.2, 0.02, 0.35, 12))
    return run_deal(deal, coll, a, curve, conventions=Conventions())


def grid_1000() -> object:
    deal, coll, tenors = deal_inputs()
    grid = scenario_grid(
        cpr=[0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5],
        cdr=[0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1, 0.12],
        severity=[0.25, 0.35, 0.45, 0.55, 0.65],
        shifts=[0.0, 0.01],
    )
    assert len(grid) == 1000
    curve = CurveSpec.of(deal.dates.analysis_date, tenors, extrapolation=Extrapolation.FLAT)
    inputs = GridInputs(deal, coll, curve, Conventions())
    return run_grid(inputs, grid, workers=2)


@cache
def migration_inputs() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2016)
    s = len(STATES)
    annual = np.eye(s) * 0.86 + rng.random((s, s)) * 0.004
    annual[:, -1] += np.linspace(0.0001, 0.25, s)
    annual[-1] = 0.0
    annual[-1, -1] = 1.0
    annual /= annual.sum(axis=1, keepdims=True)
    quarterly = period_matrix(annual, "QUARTERLY")
    n = 500
    issuers = [f"ISS{i % 320}" for i in range(n)]
    industries = [f"IND{i % 33}" for i in range(n)]
    ranks = rng.integers(10, 17, n)
    chol = cholesky(system_correlation(issuers, industries, ranks, SystemCorrelation()))
    initial = rng.integers(11, 17, n)
    maturity_step = rng.integers(8, 33, n)
    return quarterly, chol, initial, maturity_step


def migration() -> object:
    quarterly, chol, initial, maturity_step = migration_inputs()
    return simulate(initial, maturity_step, quarterly, chol, start=ANALYSIS, steps=32, paths=10_000, seed=1)


def cases() -> list[tuple[str, Callable[[], object], float]]:
    return [
        ("one deal full life, deterministic (Mag 17)", one_deal, 0.050),
        ("1,000-scenario grid, 2 processes", grid_1000, 30.0),
        ("migration 10,000 paths x 500 assets x 32 quarters", migration, 30.0),
    ]


def main() -> None:
    repeats = {0: 7, 1: 1, 2: 1}
    print(f"{'case':<52} {'median s':>10} {'target s':>9}  ok")
    for i, (name, fn, target) in enumerate(cases()):
        fn()  # warm-up (imports, caches, the first QuantLib calls)
        times = []
        for _ in range(repeats.get(i, 3) if "--quick" not in sys.argv else 1):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        print(f"{name:<52} {med:>10.3f} {target:>9.3f}  {'yes' if med <= target else 'NO'}")


if __name__ == "__main__":
    main()
