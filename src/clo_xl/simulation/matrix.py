"""Transition-matrix algebra (`M/MatrixMath.bas`, §8.1): roots and regularisation.

* :func:`matrix_sqrt`: Denman–Beavers iteration Y←(Y+Z⁻¹)/2, Z←(Z+Y⁻¹)/2 from Y=A, Z=I (≤ 500 steps,
  stop when ‖Y²−A‖_F < 1e−15·n), as the legacy; inverses by numpy's LU.
* :func:`regularise_qom`: Kreinin–Sidelnikova "QOM" per row — subtract the row's excess mass evenly;
  if an entry goes negative, keep the top-k entries (k largest with Σ_{m≤k}(s_m − s_k) ≤ 1), shift them so
  the row sums to 1, and zero the rest. The legacy keyed a dictionary by value, so rows with duplicate
  values raised a runtime error (Q40); a stable sort here has no such failure.
* :func:`period_matrix`: annual → "ANNUALLY" as is, "SEMI-ANNUALLY" one root, otherwise two roots,
  regularising after each.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from clo_xl.errors import CloXlError

Matrix = npt.NDArray[np.float64]

RATINGS = (
    "AAA",
    "AA+",
    "AA",
    "AA-",
    "A+",
    "A",
    "A-",
    "BBB+",
    "BBB",
    "BBB-",
    "BB+",
    "BB",
    "BB-",
    "B+",
    "B",
    "B-",
)
STATES = (*RATINGS, "CCC", "D")
STEP_MONTHS = {"ANNUALLY": 12, "SEMI-ANNUALLY": 6, "QUARTERLY": 3}


def matrix_sqrt(a: Matrix, *, max_iter: int = 500) -> Matrix:
    n = a.shape[0]
    y = a.astype(np.float64).copy()
    z = np.eye(n)
    for _ in range(max_iter):
        y_inv = np.linalg.inv(y)
        z_inv = np.linalg.inv(z)
        y, z = (y + z_inv) / 2.0, (z + y_inv) / 2.0
        if np.linalg.norm(y @ y - a) < 1e-15 * n:
            break
    return y


def regularise_qom(m: Matrix) -> Matrix:
    """Rows become probability vectors (non-negative, summing to 1)."""
    out = np.array(m, dtype=np.float64)
    n = out.shape[1]
    for i, row in enumerate(out):
        r = row - (row.sum() - 1.0) / n
        if np.all(r >= 0):
            out[i] = r
            continue
        order = np.argsort(-r, kind="stable")
        s = r[order]
        k_best = 1
        for k in range(1, n + 1):
            if np.sum(s[:k] - s[k - 1]) <= 1.0:
                k_best = k
        shift = (1.0 - s[:k_best].sum()) / k_best
        fixed = np.zeros(n)
        fixed[order[:k_best]] = s[:k_best] + shift
        out[i] = np.maximum(fixed, 0.0)
    return out


def period_matrix(annual: Matrix, frequency: str = "QUARTERLY") -> Matrix:
    a = np.asarray(annual, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise CloXlError(f"the transition matrix must be square, got shape {a.shape}")
    key = frequency.strip().upper()
    if key == "ANNUALLY":
        return a
    root = regularise_qom(matrix_sqrt(a))
    if key == "SEMI-ANNUALLY":
        return root
    return regularise_qom(matrix_sqrt(root))


def matrix_from_rows(rows: list[dict[str, object]]) -> Matrix:
    """`SpTransMat` rows keyed by the 18 state names (blank → 0) → annual matrix in :data:`STATES` order."""
    if len(rows) < len(STATES):
        raise CloXlError(f"the transition matrix needs {len(STATES)} rows (AAA … D), got {len(rows)}")
    out = np.zeros((len(STATES), len(STATES)))
    for i, row in enumerate(rows[: len(STATES)]):
        for j, state in enumerate(STATES):
            value = row.get(state)
            out[i, j] = float(value) if isinstance(value, int | float) else 0.0
    return out


def cumulative(m: Matrix) -> Matrix:
    """Row-wise cumulative probabilities (the legacy stores the matrix this way); last column forced to 1."""
    c = np.cumsum(m, axis=1)
    c[:, -1] = np.maximum(c[:, -1], 1.0)
    return c
