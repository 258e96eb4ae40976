"""The credit-migration step as first written (one take/compare/add pass per threshold), kept as the
oracle of the vectorised step in ``clo_xl.simulation.migration`` (issue 13)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from clo_xl.simulation.migration import D_STATE, M_STATE, IntMatrix


def _block(
    seed: np.random.SeedSequence,
    initial: npt.NDArray[np.int64],
    matured_after: npt.NDArray[np.int64],
    z_thresholds: npt.NDArray[np.float32],
    lt: npt.NDArray[np.float32] | None,
    steps: int,
    paths: int,
) -> tuple[IntMatrix, npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """One block of paths (own random stream): default steps, state counts, up/downgrade totals."""
    rng = np.random.default_rng(seed)
    n = len(initial)
    s_count = z_thresholds.shape[0]
    state = np.broadcast_to(initial.astype(np.int16), (paths, n)).copy()
    default_step = np.zeros((paths, n), dtype=np.int16)
    counts = np.zeros((steps, s_count + 1))
    ups = np.zeros(steps)
    downs = np.zeros(steps)
    new = np.zeros((paths, n), dtype=np.int16)
    for t in range(steps):
        z = rng.standard_normal((paths, n), dtype=np.float32)
        eps = z if lt is None else z @ lt
        rows = np.minimum(state, s_count - 1).astype(np.intp)
        # new state = number of cumulative thresholds (in normal space, Φ⁻¹(cum)) at or below ε;
        # an ε beyond every threshold lands on the last state, D (the legacy's "" from GetNextRating)
        new.fill(0)
        for j in range(s_count - 1):
            np.add(new, eps >= np.take(z_thresholds[:, j], rows), out=new, casting="unsafe")
        live = state < D_STATE
        nxt = np.where(live, new, state)
        nxt = np.where((t + 1 > matured_after)[None, :] & (nxt != D_STATE), M_STATE, nxt).astype(np.int16)
        fresh = (nxt == D_STATE) & (state != D_STATE)
        default_step[fresh] = t + 1
        ups[t] = np.sum(live & (nxt < state))
        downs[t] = np.sum(live & (nxt > state) & (nxt <= D_STATE))
        state = nxt
        counts[t] = np.bincount(state.ravel(), minlength=s_count + 1)[: s_count + 1]
    return default_step, counts, ups, downs
