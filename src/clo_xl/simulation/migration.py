"""Correlated rating paths (§8.3), vectorised over paths × assets; one loop over time steps.

Each step: z ~ N(0, I) from a seedable ``numpy.random.Generator`` (VBA ``Rnd``/``Randomize`` are **not**
reproduced, so paths differ from the workbook's even with its seed — Q56), ε = z·Lᵀ, u = Φ(ε); an asset in
state s moves to the first state j whose cumulative probability exceeds u. "D" and "M" (matured) absorb;
after its maturity an asset becomes "M". In legacy, "A+" starts from the AA+ row (Q40).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
from scipy.special import ndtri

from clo_xl.curves.conventions import add_months, to_day_number
from clo_xl.simulation.matrix import STATES, Matrix, cumulative

IntMatrix = npt.NDArray[np.int16]
D_STATE = STATES.index("D")
M_STATE = len(STATES)  # matured (absorbing, outside the matrix)
CCC_COLLAPSE = {"CCC+": "CCC", "CCC": "CCC", "CCC-": "CCC", "CC": "CCC", "C": "CCC"}


def rating_index(rating: str, *, legacy: bool = True) -> int:
    r = rating.strip().upper()
    r = CCC_COLLAPSE.get(r, r)
    if legacy and r == "A+":
        return STATES.index("AA+")  # Q40
    if r in ("D", "SD"):
        return D_STATE
    if r not in STATES:
        return STATES.index("B-")  # unrated: the worst performing bucket short of CCC [inferred]
    return STATES.index(r)


@dataclass(frozen=True, eq=False)
class MigrationResult:
    """``default_step[p, a]`` = first step (1-based) asset a is D on path p, 0 = never;
    ``counts[t, s]`` = mean number of assets in state s after step t (s = M last)."""

    step_dates: tuple[date, ...]
    default_step: IntMatrix
    counts: npt.NDArray[np.float64]
    upgrades: npt.NDArray[np.float64]
    downgrades: npt.NDArray[np.float64]

    def default_dates(self, path: int) -> npt.NDArray[np.int64]:
        """Serial date of each asset's default on ``path`` (int64 max = never) for the projection."""
        serials = np.array([to_day_number(d) for d in self.step_dates], dtype=np.int64)
        steps = self.default_step[path].astype(np.int64)
        never = np.iinfo(np.int64).max
        return np.where(steps > 0, serials[np.maximum(steps - 1, 0)], never)


def _count_at_or_below(
    thresholds: npt.NDArray[np.float32], rows: npt.NDArray[np.int16], eps: npt.NDArray[np.float32]
) -> npt.NDArray[np.int16]:
    """For each draw, how many of its row's thresholds (non-decreasing) are <= it.

    The draws are grouped by row (a stable radix sort of the small row numbers), then one binary search
    per row over that row's draws: a few calls per step whatever the number of movers."""
    order = np.argsort(rows, kind="stable")
    grouped_rows = rows[order]
    grouped = eps[order]
    bounds = np.searchsorted(grouped_rows, np.arange(thresholds.shape[0] + 1), side="left")
    counts = np.empty(len(rows), dtype=np.int16)
    for s in np.flatnonzero(np.diff(bounds)):
        lo, hi = bounds[s], bounds[s + 1]
        counts[order[lo:hi]] = np.searchsorted(thresholds[s], grouped[lo:hi], side="right")
    return counts


def _block(
    seed: np.random.SeedSequence,
    initial: npt.NDArray[np.int64],
    matured_after: npt.NDArray[np.int64],
    z_thresholds: npt.NDArray[np.float32],
    lt: npt.NDArray[np.float32] | None,
    steps: int,
    paths: int,
) -> tuple[IntMatrix, npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """One block of paths (own random stream): default steps, state counts, up/downgrade totals.

    The new state of an asset in state s is the number of s's thresholds (normal space, Φ⁻¹ of the
    cumulative row, non-decreasing) at or below its draw ε. Most draws stay put: ε in [t[s, s−1], t[s, s))
    means "still s": two comparisons against per-asset bounds that change only when the state does. Only
    the others (a few percent: the movers) and the assets maturing at this step are looked at one by one
    (a binary search in their row's thresholds), so each step costs the draws, one matrix multiply and
    three passes, not one pass per threshold.
    """
    rng = np.random.default_rng(seed)
    n = len(initial)
    s_count = z_thresholds.shape[0]
    inf = np.float32(np.inf)
    stay_low = np.concatenate([[-inf], z_thresholds[np.arange(1, s_count), np.arange(s_count - 1)]])
    stay_high = np.concatenate([z_thresholds[np.arange(s_count - 1), np.arange(s_count - 1)], [inf]])
    rows_thresholds = np.ascontiguousarray(z_thresholds[:, : s_count - 1])
    state = np.broadcast_to(initial.astype(np.int16), (paths, n)).copy().ravel()
    rows0 = np.minimum(state, s_count - 1)
    low, high = stay_low[rows0], stay_high[rows0]  # the "still the same state" interval of each asset
    default_step = np.zeros(paths * n, dtype=np.int16)
    counts = np.zeros((steps, s_count + 1))
    running = np.bincount(state, minlength=s_count + 1)[: s_count + 1].astype(np.float64)
    ups = np.zeros(steps)
    downs = np.zeros(steps)
    path_start = np.arange(paths)[:, None] * n
    leaves = np.empty(paths * n, dtype=bool)  # the draws outside their asset's "still s" interval
    above = np.empty(paths * n, dtype=bool)
    for t in range(steps):
        z = rng.standard_normal((paths, n), dtype=np.float32)
        eps = (z if lt is None else z @ lt).ravel()
        np.less(eps, low, out=leaves)
        np.greater_equal(eps, high, out=above)
        leaves |= above
        maturing = np.flatnonzero(matured_after == t)  # t + 1 > m for the first time (earlier: M or D)
        moved = np.flatnonzero(leaves)
        if maturing.size:
            ends = np.zeros(n, dtype=bool)
            ends[maturing] = True
            moved = np.concatenate([moved[~ends[moved % n]], (path_start + maturing[None, :]).ravel()])
        old = state[moved]
        live = old < D_STATE
        new = _count_at_or_below(rows_thresholds, np.minimum(old, s_count - 1), eps[moved])
        nxt = np.where(live, new, old)
        if maturing.size:
            nxt = np.where(ends[moved % n] & (nxt != D_STATE), np.int16(M_STATE), nxt)
        nxt = nxt.astype(np.int16)
        fresh = (nxt == D_STATE) & (old != D_STATE)
        default_step[moved[fresh]] = t + 1
        ups[t] = np.count_nonzero(live & (nxt < old))
        downs[t] = np.count_nonzero(live & (nxt > old) & (nxt <= D_STATE))
        state[moved] = nxt
        r = np.minimum(nxt, s_count - 1)
        low[moved] = stay_low[r]
        high[moved] = stay_high[r]
        running += np.bincount(nxt, minlength=s_count + 1)[: s_count + 1]
        running -= np.bincount(old, minlength=s_count + 1)[: s_count + 1]
        counts[t] = running
    return default_step.reshape(paths, n), counts, ups, downs


def simulate(
    initial: npt.NDArray[np.int64],
    maturity_step: npt.NDArray[np.int64],
    period_matrix_: Matrix,
    chol: Matrix | None,
    *,
    start: date,
    steps: int,
    paths: int,
    step_months: int = 3,
    seed: int | None = 0,
    workers: int = 2,
    block_paths: int = 2000,
) -> MigrationResult:
    """Simulate ``paths`` correlated rating paths of ``steps`` steps for the assets' ``initial`` states.

    Paths run in fixed blocks of ``block_paths``, each with its own child stream of ``seed``
    (``SeedSequence.spawn``), on ``workers`` threads (numpy releases the GIL): results depend on the seed
    and the block size, not on the number of workers.
    """
    cum = cumulative(period_matrix_)
    z_thresholds = ndtri(np.clip(cum, 0.0, 1.0)).astype(np.float32)
    lt = None if chol is None else np.ascontiguousarray(chol.T, dtype=np.float32)
    sizes = [min(block_paths, paths - k) for k in range(0, paths, block_paths)]
    seeds = np.random.SeedSequence(seed).spawn(len(sizes))
    mat = np.asarray(maturity_step, dtype=np.int64)
    init = np.asarray(initial, dtype=np.int64)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        parts = list(
            pool.map(
                lambda a: _block(a[0], init, mat, z_thresholds, lt, steps, a[1]),
                zip(seeds, sizes, strict=True),
            )
        )
    default_step = np.concatenate([p[0] for p in parts], axis=0)
    counts = sum((p[1] for p in parts), np.zeros((steps, cum.shape[0] + 1))) / paths
    ups = sum((p[2] for p in parts), np.zeros(steps)) / paths
    downs = sum((p[3] for p in parts), np.zeros(steps)) / paths
    step_dates = tuple(add_months(start, step_months * (k + 1)) for k in range(steps))
    return MigrationResult(step_dates, default_step, counts, ups, downs)


def horizon_steps(start: date, last_maturity: date, step_months: int) -> int:
    months = (last_maturity.year - start.year) * 12 + last_maturity.month - start.month
    return max(1, -(-months // step_months))


def maturity_steps(start: date, maturities: npt.NDArray[np.int64], step_months: int) -> npt.NDArray[np.int64]:
    """Index of the last step on or before each maturity (step k is start + k·step months)."""
    d0 = np.datetime64(start, "D")
    mat = maturities.astype("datetime64[D]")
    months = (mat.astype("datetime64[M]") - d0.astype("datetime64[M]")).astype(np.int64)
    steps: npt.NDArray[np.int64] = np.maximum(months // step_months, 0)
    return steps


def default_statistics(
    result: MigrationResult, par: npt.NDArray[np.float64], *, legacy: bool = True
) -> dict[str, list[float]]:
    """Per step: mean defaulted par in the step, cumulative, and an annualised CDR on performing par.

    The legacy annualises ×4 whatever the step length (Q40); corrected uses 12 ÷ step months.
    """
    steps = len(result.step_dates)
    p = result.default_step
    period_def = np.zeros(steps)
    for t in range(steps):
        period_def[t] = float(np.mean((p == t + 1) @ par))
    cum = np.cumsum(period_def)
    total = float(par.sum())
    performing_before = total - np.concatenate([[0.0], cum[:-1]])
    months = 3
    if steps > 1:
        months = max(1, round((result.step_dates[1] - result.step_dates[0]).days / 30.4))
    factor = 4.0 if legacy else 12.0 / months
    cdr = np.where(performing_before > 0, period_def / np.maximum(performing_before, 1e-9) * factor, 0.0)
    return {
        "period_default": period_def.tolist(),
        "cumulative_default": cum.tolist(),
        "cdr": cdr.tolist(),
        "upgrades": result.upgrades.tolist(),
        "downgrades": result.downgrades.tolist(),
    }


def path_extremes(result: MigrationResult, par: npt.NDArray[np.float64]) -> dict[str, int]:
    """1-based paths with the lowest, median and highest cumulative defaulted par at the horizon.

    The legacy keyed a dictionary by the totals, so equal totals raised a runtime error (Q40); here ties
    resolve to the lowest path number (stable sort).
    """
    totals = (result.default_step > 0).astype(np.float64) @ par
    order = np.argsort(totals, kind="stable")
    return {
        "min_path": int(order[0]) + 1,
        "median_path": int(order[(len(order) - 1) // 2]) + 1,
        "max_path": int(order[-1]) + 1,
    }
