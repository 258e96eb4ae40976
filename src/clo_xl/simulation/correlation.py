"""Asset correlation for the migration Monte Carlo (§8.2) and its Cholesky factor.

System-defined correlation: 1 on the diagonal; same issuer: ρ_issuer − |S&P rank difference| × slope;
same industry: ρ_industry; otherwise ρ_other; floored at 0. The legacy factorised without checking
positive-definiteness; here a matrix that is not positive definite is repaired by clipping its
eigenvalues (``repair=True``) or rejected with a message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from clo_xl.errors import CloXlError
from clo_xl.simulation.matrix import Matrix


@dataclass(frozen=True)
class SystemCorrelation:
    """The `CorrData` parameters (decimals)."""

    same_issuer: float = 0.9
    rank_slope: float = 0.02
    same_industry: float = 0.25
    other: float = 0.1


def system_correlation(
    issuers: Sequence[str], industries: Sequence[str], ranks: Sequence[int], p: SystemCorrelation
) -> Matrix:
    iss = np.asarray(issuers)
    ind = np.asarray(industries)
    rk = np.asarray(ranks, dtype=np.float64)
    same_issuer = iss[:, None] == iss[None, :]
    same_industry = ind[:, None] == ind[None, :]
    rho = np.where(
        same_issuer,
        p.same_issuer - np.abs(rk[:, None] - rk[None, :]) * p.rank_slope,
        np.where(same_industry, p.same_industry, p.other),
    )
    rho = np.maximum(rho, 0.0)
    np.fill_diagonal(rho, 1.0)
    return rho


def cholesky(rho: Matrix, *, repair: bool = True) -> Matrix:
    """Lower-triangular L with L·Lᵀ = ρ (after an eigenvalue repair if ρ is not positive definite)."""
    try:
        return np.asarray(np.linalg.cholesky(rho), dtype=np.float64)
    except np.linalg.LinAlgError:
        if not repair:
            raise CloXlError("the asset correlation matrix is not positive definite") from None
    w, v = np.linalg.eigh((rho + rho.T) / 2.0)
    fixed = (v * np.maximum(w, 1e-10)) @ v.T
    d = np.sqrt(np.diag(fixed))
    return np.asarray(np.linalg.cholesky(fixed / np.outer(d, d)), dtype=np.float64)
