"""The compliance kernels as they were before the speed work (issue 13), kept as an oracle.

Plain and slow on purpose: ``math.fsum`` over Python lists for every exact sum, a Python sort with a key
function for every group ranking, ``np.unique`` for every diversity score. ``test_kernel_identity.py``
runs the engine with these patched in and requires the same report, bit for bit.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from clo_xl.compliance.kernels import BoolArray, FloatArray, IntArray, industry_diversity


class FsumSums:
    """:class:`clo_xl.compliance.kernels.ExactSums` by ``math.fsum`` over the selected values."""

    def __init__(self, values: FloatArray) -> None:
        self.values = values

    def parts(self, mask: BoolArray | None = None) -> list[float]:
        out: list[float] = (self.values if mask is None else self.values[mask]).tolist()
        return out

    def total(self, mask: BoolArray | None = None, *extra: float) -> float:
        return math.fsum([*self.parts(mask), *extra])


def seqsum(x: FloatArray) -> float:
    return math.fsum(x.tolist()) if x.size else 0.0


def top_groups(sums: FloatArray, keys: IntArray, ranks: IntArray, k: int) -> list[tuple[float, int]]:
    """Every group sorted in Python (par descending, then key text through its rank), the first ``k``."""
    order = sorted(range(len(keys)), key=lambda i: (-float(sums[i]), int(ranks[int(keys[i])])))
    return [(float(sums[i]), int(keys[i])) for i in order][:k]


def issuer_groups(issuer: IntArray, industry: IntArray, mask: BoolArray) -> Any:
    """No precomputed grouping: hand the masked codes to :func:`diversity_from_groups`."""
    return issuer[mask], industry[mask]


def diversity_from_groups(groups: Any, p: FloatArray, *, legacy_rounding: bool) -> float:
    """The diversity score as first written: two ``np.unique`` calls per evaluation."""
    iss, ind = groups
    if iss.size == 0:
        return 0.0
    uniq, first_idx, inverse = np.unique(iss, return_index=True, return_inverse=True)
    issuer_par = np.bincount(inverse, weights=p, minlength=uniq.size)
    issuer_industry = ind[first_idx]
    average = seqsum(p) / uniq.size
    units = np.minimum(1.0, issuer_par / average) if average != 0 else np.zeros(uniq.size)
    ind_codes, ind_inverse = np.unique(issuer_industry, return_inverse=True)
    scores = np.bincount(ind_inverse, weights=units, minlength=ind_codes.size)
    return float(sum(industry_diversity(float(s), legacy_rounding=legacy_rounding) for s in scores))
