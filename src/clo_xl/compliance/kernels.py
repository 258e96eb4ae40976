"""Pure numeric kernels: numpy arrays in, numbers out (no assets, no deals, no quirks objects).

Sums are **exact** (``math.fsum``), so no result depends on the order of the holdings and a result
sitting on its threshold is not pushed off it by rounding noise (COMPLIANCE_SPEC §4.8).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


def seqsum(x: FloatArray) -> float:
    """Exactly rounded sum (``math.fsum``): independent of summation order, like the legacy's fixed-point
    Currency arithmetic for par (500,000,000.00 comes out as exactly that, not 499,999,999.99999994)."""
    if x.size == 0:
        return 0.0
    return math.fsum(x.tolist())


def ratio(numerator: float, denominator: float) -> float:
    """numerator ÷ denominator, 0 when the denominator is 0 (the legacy's 0/0 → 0, §4.8)."""
    return numerator / denominator if denominator != 0.0 else 0.0


def masked_sum(values: FloatArray, mask: BoolArray) -> float:
    return seqsum(values[mask])


def group_sums(par: FloatArray, codes: IntArray, mask: BoolArray, n_keys: int) -> tuple[FloatArray, IntArray]:
    """Par summed per key over ``mask``: returns (sums, key codes) for the keys that occur, in first-seen
    order. ``bincount`` adds in array order, so each group's sum is sequential too."""
    sel_codes = codes[mask]
    if sel_codes.size == 0:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    sums = np.bincount(sel_codes, weights=par[mask], minlength=n_keys)
    present = np.zeros(n_keys, dtype=bool)
    present[sel_codes] = True
    keys = np.nonzero(present)[0]
    return sums[keys].astype(np.float64), keys.astype(np.int64)


def rank_groups(sums: FloatArray, keys: IntArray, key_text: tuple[str, ...]) -> list[tuple[float, int]]:
    """Groups sorted by par descending, ties by key text ascending (a stable rule; the legacy quicksort
    leaves ties in no defined order, §4.8)."""
    order = sorted(range(len(keys)), key=lambda i: (-float(sums[i]), key_text[int(keys[i])]))
    return [(float(sums[i]), int(keys[i])) for i in order]


def nth_largest(
    par: FloatArray, codes: IntArray, mask: BoolArray, key_text: tuple[str, ...], n: int
) -> tuple[float, str] | None:
    """The ``n``-th largest group (1-based): (par, key), or ``None`` with fewer than ``n`` groups."""
    sums, keys = group_sums(par, codes, mask, len(key_text))
    ranked = rank_groups(sums, keys, key_text)
    if len(ranked) < n:
        return None
    value, code = ranked[n - 1]
    return value, key_text[code]


def weighted_average(values: FloatArray, par: FloatArray, mask: BoolArray) -> tuple[float, float, float]:
    """(Σ par×value, Σ par, ratio) over ``mask``."""
    num = seqsum(par[mask] * values[mask])
    den = seqsum(par[mask])
    return num, den, ratio(num, den)


def floating_spread(
    coupon: FloatArray, spread: FloatArray, floor: FloatArray, libor_index: BoolArray, libor: float
) -> FloatArray:
    """Per-asset spread of the WAS tests (§4.3): LIBOR-indexed with floor > L → coupon − L (floor
    benefit); LIBOR-indexed with floor <= L → coupon spread; other index → coupon − L."""
    return np.where(
        libor_index & (floor > libor), coupon - libor, np.where(libor_index, spread, coupon - libor)
    )


def round_half_even(x: float, digits: int) -> float:
    """Round half-to-even on the binary double (VBA ``Round``, Python ``round``)."""
    return float(round(x, digits))


def round_half_up(x: float, digits: int) -> float:
    """Round half away from zero on the decimal value as printed."""
    q = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(x)).quantize(q, rounding=ROUND_HALF_UP))


@cache
def diversity_table() -> tuple[float, ...]:
    """T[k] for k = 0…200 (industry score k/10 → diversity value), as the literals of CT 223–628."""
    out: list[float] = []
    for k in range(201):
        if k <= 10:
            v = k / 10
        elif k <= 30:
            v = 1 + (k - 10) * 0.05
        elif k <= 60:
            v = 2 + (k - 30) / 30
        elif k <= 100:
            v = 3 + (k - 60) * 0.025
        else:
            v = 4 + (k - 100) * 0.01
        out.append(round(v, 4))
    return tuple(out)


def industry_diversity(score: float, *, legacy_rounding: bool) -> float:
    """Diversity value of one industry score x (§4.3): x > 19.95 → 5; x <= 0 → 0; else T[k] with
    k = round(round(x, 1) × 10) half-to-even (legacy) or k = floor(x × 10) (the lower entry, DOMAIN.md)."""
    if score > 19.95:
        return 5.0
    if score <= 0.0:
        return 0.0
    k = round(round(score, 1) * 10) if legacy_rounding else math.floor(score * 10 + 1e-09)
    return diversity_table()[min(max(k, 0), 200)]


def diversity_score(
    par: FloatArray, issuer: IntArray, industry: IntArray, mask: BoolArray, *, legacy_rounding: bool
) -> float:
    """Moody's diversity score (§4.3) over ``mask``, in pool order.

    Issuer par = Σ par per issuer; the issuer's industry is the industry of its first asset in pool order;
    average = total ÷ number of issuers; unit = min(1, issuer par ÷ average); industry score = Σ units;
    score = Σ industry values.
    """
    iss = issuer[mask]
    if iss.size == 0:
        return 0.0
    p = par[mask]
    ind = industry[mask]
    uniq, first_idx, inverse = np.unique(iss, return_index=True, return_inverse=True)
    issuer_par = np.bincount(inverse, weights=p, minlength=uniq.size)
    issuer_industry = ind[first_idx]
    average = seqsum(p) / uniq.size
    units = np.minimum(1.0, issuer_par / average) if average != 0 else np.zeros(uniq.size)
    ind_codes, ind_inverse = np.unique(issuer_industry, return_inverse=True)
    scores = np.bincount(ind_inverse, weights=units, minlength=ind_codes.size)
    return float(sum(industry_diversity(float(s), legacy_rounding=legacy_rounding) for s in scores))


__all__ = [
    "diversity_score",
    "diversity_table",
    "floating_spread",
    "group_sums",
    "industry_diversity",
    "masked_sum",
    "nth_largest",
    "rank_groups",
    "ratio",
    "round_half_even",
    "round_half_up",
    "seqsum",
    "weighted_average",
]
