"""Transition-matrix roots, QOM regularisation, correlation and rating paths (CASHFLOW_SPEC §8)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from scipy.linalg import sqrtm

from clo_xl.simulation.correlation import SystemCorrelation, cholesky, system_correlation
from clo_xl.simulation.matrix import STATES, cumulative, matrix_sqrt, period_matrix, regularise_qom
from clo_xl.simulation.migration import D_STATE, M_STATE, default_statistics, rating_index, simulate

S = len(STATES)


def toy_annual() -> np.ndarray:
    rng = np.random.default_rng(3)
    a = np.eye(S) * 0.85 + rng.random((S, S)) * 0.01
    a[:, -1] += np.linspace(0.0001, 0.2, S)
    a[-1] = 0.0
    a[-1, -1] = 1.0
    return a / a.sum(axis=1, keepdims=True)


def test_square_root_matches_scipy_and_a_closed_form() -> None:
    a = toy_annual()
    assert matrix_sqrt(a) == pytest.approx(np.real(sqrtm(a)), abs=1e-10)
    # two states, default probability p: sqrt = [[√(1−p), 1−√(1−p)], [0, 1]]
    p = 0.19
    two = np.array([[1 - p, p], [0.0, 1.0]])
    root = matrix_sqrt(two)
    assert root == pytest.approx(np.array([[np.sqrt(1 - p), 1 - np.sqrt(1 - p)], [0.0, 1.0]]), abs=1e-12)


def test_qom_regularisation_by_hand() -> None:
    # row [0.6, 0.5, -0.05]: subtract 0.05/3 → [0.5833, 0.4833, -0.0667]; k = 2 (Σ(s_m − s_2) = 0.1 ≤ 1,
    # k = 3 gives 1.2 > 1); shift = (1 − 1.0667)/2 → [0.55, 0.45, 0]
    out = regularise_qom(np.array([[0.6, 0.5, -0.05]]))
    assert out[0] == pytest.approx([0.55, 0.45, 0.0])


def test_quarterly_matrix_is_a_stochastic_fourth_root() -> None:
    a = toy_annual()
    q = period_matrix(a, "QUARTERLY")
    assert q.min() >= 0.0
    assert q.sum(axis=1) == pytest.approx(np.ones(S))
    assert np.linalg.matrix_power(q, 4) == pytest.approx(a, abs=1e-3)
    assert period_matrix(a, "ANNUALLY") is not None
    assert cumulative(q)[:, -1] == pytest.approx(np.ones(S))


def test_system_correlation_by_hand_and_cholesky() -> None:
    p = SystemCorrelation(same_issuer=0.9, rank_slope=0.02, same_industry=0.25, other=0.1)
    rho = system_correlation(["X", "X", "Y", "Z"], ["ind1", "ind1", "ind1", "ind2"], [14, 16, 14, 10], p)
    # same issuer, 2 notches apart: 0.9 − 2 × 0.02 = 0.86; same industry 0.25; otherwise 0.1
    assert rho[0, 1] == pytest.approx(0.86)
    assert rho[0, 2] == pytest.approx(0.25)
    assert rho[0, 3] == pytest.approx(0.1)
    low = cholesky(rho)
    assert low @ low.T == pytest.approx(rho)
    bad = np.array([[1.0, 0.99, -0.99], [0.99, 1.0, 0.99], [-0.99, 0.99, 1.0]])
    fixed = cholesky(bad)
    assert np.diag(fixed @ fixed.T) == pytest.approx(np.ones(3))


def test_rating_index_quirks() -> None:
    assert rating_index("A+", legacy=True) == STATES.index("AA+")  # Q40
    assert rating_index("A+", legacy=False) == STATES.index("A+")
    assert rating_index("CCC-") == STATES.index("CCC")


def one_step_matrix(p_default: float) -> np.ndarray:
    m = np.eye(S) * (1 - p_default)
    m[:, -1] += p_default
    m[-1] = 0.0
    m[-1, -1] = 1.0
    return m


def test_uncorrelated_default_frequency_matches_the_matrix() -> None:
    # 4,000 paths × 50 assets, 5% one-step default probability: mean 0.05, σ of the mean ≈ 0.0015
    b = STATES.index("B")
    r = simulate(
        np.full(50, b),
        np.full(50, 10),
        one_step_matrix(0.05),
        None,
        start=date(2016, 3, 23),
        steps=1,
        paths=4000,
    )
    assert (r.default_step == 1).mean() == pytest.approx(0.05, abs=0.006)


def test_fully_correlated_assets_default_together() -> None:
    b = STATES.index("B")
    n = 20
    chol = np.zeros((n, n))
    chol[:, 0] = 1.0  # every asset loads on the same factor
    r = simulate(
        np.full(n, b), np.full(n, 10), one_step_matrix(0.2), chol, start=date(2016, 3, 23), steps=1, paths=500
    )
    per_path = (r.default_step == 1).sum(axis=1)
    assert set(np.unique(per_path)) <= {0, n}
    assert 0 < (per_path == n).mean() < 1


def test_seeded_paths_are_reproducible_and_independent_of_workers() -> None:
    b = STATES.index("B")
    args = (np.full(30, b), np.full(30, 12), period_matrix(toy_annual()), None)
    one = simulate(*args, start=date(2016, 3, 23), steps=12, paths=3000, seed=42, workers=1)
    two = simulate(*args, start=date(2016, 3, 23), steps=12, paths=3000, seed=42, workers=2)
    assert np.array_equal(one.default_step, two.default_step)
    other = simulate(*args, start=date(2016, 3, 23), steps=12, paths=3000, seed=43, workers=2)
    assert not np.array_equal(one.default_step, other.default_step)


def test_matured_assets_stop_migrating_and_defaulted_stay_defaulted() -> None:
    b = STATES.index("B")
    r = simulate(
        np.array([b, D_STATE]),
        np.array([2, 10]),
        one_step_matrix(0.0),
        None,
        start=date(2016, 3, 23),
        steps=4,
        paths=10,
    )
    # after step 2 the first asset is M; the pre-defaulted one stays D (never a "fresh" default)
    assert r.counts[-1][M_STATE] == pytest.approx(1.0)
    assert r.counts[-1][D_STATE] == pytest.approx(1.0)
    assert (r.default_step == 0).all()


def test_statistics_annualise_times_four_in_legacy() -> None:
    b = STATES.index("B")
    r = simulate(
        np.full(10, b),
        np.full(10, 40),
        one_step_matrix(0.1),
        None,
        start=date(2016, 3, 23),
        steps=2,
        paths=500,
    )
    stats = default_statistics(r, np.full(10, 1.0), legacy=True)
    first = stats["period_default"][0]
    assert stats["cdr"][0] == pytest.approx(first / 10.0 * 4.0)
    assert stats["cumulative_default"][1] == pytest.approx(sum(stats["period_default"]))


def test_path_extremes_by_total_defaulted_par() -> None:
    from clo_xl.simulation.migration import MigrationResult, path_extremes

    steps = np.array([[0, 1, 0], [2, 1, 3], [0, 0, 0], [1, 0, 0]], dtype=np.int16)  # 4 paths × 3 assets
    r = MigrationResult((date(2016, 6, 23),), steps, np.zeros((1, S + 1)), np.zeros(1), np.zeros(1))
    # par 10, 20, 30 → totals 20, 60, 0, 10: min path 3, median (2nd of 4 sorted: 10) path 4, max path 2
    assert path_extremes(r, np.array([10.0, 20.0, 30.0])) == {"min_path": 3, "median_path": 4, "max_path": 2}
