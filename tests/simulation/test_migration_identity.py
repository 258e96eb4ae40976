"""The vectorised migration step gives the paths of the first-written one, exactly (issue 13).

The reference (``reference_migration.py``) counts thresholds one pass at a time over the whole matrix; the
engine checks a "stay" interval per asset and binary-searches only the movers. Same random streams, so
the default steps, state counts and up/downgrade counts must be equal element for element, including
with zero-probability entries (tied and infinite thresholds), assets maturing at the first step, a
correlated pool and a matrix whose D row is not absorbing.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from tests.simulation import reference_migration

from clo_xl.simulation import migration
from clo_xl.simulation.correlation import SystemCorrelation, cholesky, system_correlation
from clo_xl.simulation.matrix import STATES, period_matrix

START = date(2016, 3, 23)


def _matrix(seed: int, *, leaky_d: bool = False) -> np.ndarray:
    rng = np.random.default_rng(seed)
    s = len(STATES)
    m = np.eye(s) * 0.7 + rng.random((s, s)) * (rng.random((s, s)) < 0.3) * 0.2  # many exact zeros
    m[:, -1] += 0.02
    m[-1] = 0.0
    m[-1, -1] = 1.0
    m /= m.sum(axis=1, keepdims=True)
    if leaky_d:
        m[-1] = 1.0 / s
    return m


def _both(**kw: object) -> tuple[migration.MigrationResult, migration.MigrationResult]:
    fast = migration.simulate(**kw)  # type: ignore[arg-type]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(migration, "_block", reference_migration._block)
        slow = migration.simulate(**kw)  # type: ignore[arg-type]
    return fast, slow


def _same(a: migration.MigrationResult, b: migration.MigrationResult) -> None:
    assert np.array_equal(a.default_step, b.default_step)
    assert np.array_equal(a.counts, b.counts)
    assert np.array_equal(a.upgrades, b.upgrades)
    assert np.array_equal(a.downgrades, b.downgrades)
    assert a.step_dates == b.step_dates


@pytest.mark.parametrize("leaky_d", [False, True])
def test_uncorrelated_paths_with_ties_and_first_step_maturities(leaky_d: bool) -> None:
    rng = np.random.default_rng(5)
    n = 300
    initial = rng.integers(0, len(STATES), n)
    maturity = rng.integers(0, 20, n)
    maturity[:7] = 0
    fast, slow = _both(
        initial=initial, maturity_step=maturity, period_matrix_=_matrix(11, leaky_d=leaky_d), chol=None,
        start=START, steps=14, paths=700, seed=9, workers=1, block_paths=300,
    )  # fmt: skip
    assert fast.default_step.any() and (fast.counts[-1, -1] > 0)  # defaults and maturities happened
    _same(fast, slow)


def test_correlated_pool_on_two_threads() -> None:
    rng = np.random.default_rng(2016)
    n = 120
    ranks = [int(r) for r in rng.integers(10, 17, n)]
    chol = cholesky(
        system_correlation(
            [f"I{i % 70}" for i in range(n)], [f"S{i % 9}" for i in range(n)], ranks, SystemCorrelation()
        )
    )
    annual = _matrix(3)
    fast, slow = _both(
        initial=rng.integers(8, 17, n), maturity_step=rng.integers(3, 30, n),
        period_matrix_=period_matrix(annual, "QUARTERLY"), chol=chol, start=START, steps=24, paths=1500,
        seed=4, workers=2, block_paths=500,
    )  # fmt: skip
    _same(fast, slow)
