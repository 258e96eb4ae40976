"""Pure numeric kernels: numpy arrays in, numbers out (no assets, no deals, no quirks objects).

Sums of par are **exact** (correctly rounded, the value ``math.fsum`` returns), so no result depends on
the order of the holdings and a result sitting on its threshold is not pushed off it by rounding noise
(COMPLIANCE_SPEC §4.8). They are computed without a Python loop over the values: :class:`ExactSums`
splits a vector, error-free, into a few rows on fixed grids (Rump, Ogita and Oishi, "Accurate
floating-point summation", SIAM J. Sci. Comput. 31(1), 2008, Algorithm 3.2 *ExtractVector*) on which any
subset sum is exact in floating point in any order; a masked sum is then one matrix-vector product, and
``math.fsum`` rounds the few row totals. Group sums (largest obligor, industry) keep the legacy's
sequential accumulation in pool order (``bincount``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

#: below this length ``math.fsum`` over a list is cheaper than the split (both give the same value)
_SPLIT_FROM = 256
#: groups up to this many are ranked by Python's sort (same order), above it by numpy
_SORT_IN_PYTHON_UP_TO = 16
#: rows tried before giving up on the split (values spread over more than ~4 × 39 binary orders of
#: magnitude, or non-finite); ``math.fsum`` then sums the values one by one
_MAX_ROWS = 4


def _split(x: FloatArray) -> FloatArray | None:
    """Rows q_0..q_{L-1} with Σ_l q_l[i] = x[i] exactly, each row on a grid where every subset sum is exact
    (``None`` when the values need more than :data:`_MAX_ROWS` rows, or are not finite).

    With n < 2^M values and σ = 2^(M+e) >= 2^M·max|p|, q = (σ + p) − σ is p rounded to a multiple of
    2^-53·σ, p − q is exact, |q| <= 2^-M·σ, so any sum of up to n of the q is a multiple of 2^-53·σ below
    σ in magnitude: representable, hence exact in any order (the cited Lemma 3.3). The remainders p − q are
    at most 2^-53·σ and go to the next row, until none is left.
    """
    m_bits = x.size.bit_length()
    p = x
    rows = []
    for _ in range(_MAX_ROWS):
        biggest = float(np.max(np.abs(p)))
        if biggest == 0.0:
            break
        if not math.isfinite(biggest):
            return None
        exponent = math.frexp(biggest)[1]  # biggest < 2^exponent
        if exponent + m_bits > 1000 or exponent < -900:  # σ would overflow, or the grid underflow
            return None
        sigma = math.ldexp(1.0, m_bits + exponent)
        q = (sigma + p) - sigma
        p = p - q
        rows.append(q)
    else:
        if np.any(p):
            return None
    if not rows:
        return np.zeros((1, x.size))
    return np.stack(rows)


class ExactSums:
    """Exact sums of masked subsets of one vector (e.g. the pool's par), each equal to
    ``math.fsum(values[mask].tolist())``: split once, then one matrix-vector product per sum.

    >>> s = ExactSums(np.array([0.1, 0.2, 0.3, 1e16, -1e16]))
    >>> s.total(), s.total(np.array([True, True, True, False, False])) == math.fsum([0.1, 0.2, 0.3])
    (0.6000000000000001, True)
    """

    __slots__ = ("_rows", "_values")

    def __init__(self, values: FloatArray) -> None:
        self._values = values
        self._rows = _split(values) if values.size >= _SPLIT_FROM else None

    def parts(self, mask: BoolArray | None = None) -> list[float]:
        """Exact addends whose ``math.fsum`` is the masked sum (row totals, or the values themselves)."""
        if self._rows is None:
            values: list[float] = (self._values if mask is None else self._values[mask]).tolist()
            return values
        totals: list[float] = (self._rows.sum(axis=1) if mask is None else self._rows @ mask).tolist()
        return totals

    def total(self, mask: BoolArray | None = None, *extra: float) -> float:
        """Σ values[mask] (+ ``extra``), correctly rounded."""
        return math.fsum([*self.parts(mask), *extra])


def seqsum(x: FloatArray) -> float:
    """Exactly rounded sum (the value of ``math.fsum``): independent of summation order, like the legacy's
    fixed-point Currency arithmetic for par (500,000,000.00 comes out as exactly that, not
    499,999,999.99999994)."""
    if x.size == 0:
        return 0.0
    return ExactSums(x).total()


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


def key_ranks(key_text: tuple[str, ...]) -> IntArray:
    """Position of each key in ascending text order (Python string order), for tie-breaks by key."""
    order = sorted(range(len(key_text)), key=key_text.__getitem__)
    ranks = np.empty(len(key_text), dtype=np.int64)
    ranks[order] = np.arange(len(key_text), dtype=np.int64)
    return ranks


def top_groups(sums: FloatArray, keys: IntArray, ranks: IntArray, k: int) -> list[tuple[float, int]]:
    """The ``k`` largest groups (fewer when there are fewer) as (par, key code), by par descending, ties
    by key text ascending (``ranks`` from :func:`key_ranks`; a stable rule, where the legacy quicksort
    leaves ties in no defined order, §4.8).

    Only the groups at or above the k-th largest par are sorted (``np.partition``, then ``np.lexsort``),
    so ties at the k-th place are all in the sort and resolved by key.
    """
    g = int(sums.size)
    if g == 0 or k <= 0:
        return []
    k = min(k, g)
    if g <= _SORT_IN_PYTHON_UP_TO:  # a handful of countries or industries: numpy's call overhead dominates
        s, c, r = sums.tolist(), keys.tolist(), ranks.tolist()
        best = sorted(range(g), key=lambda i: (-s[i], r[c[i]]))[:k]
        return [(s[i], c[i]) for i in best]
    if k < g:
        kth = np.partition(sums, g - k)[g - k]
        cand = np.flatnonzero(sums >= kth)
    else:
        cand = np.arange(g)
    order = np.lexsort((ranks[keys[cand]], -sums[cand]))[:k]
    chosen = cand[order]
    return list(zip(sums[chosen].tolist(), keys[chosen].tolist(), strict=True))


def rank_groups(sums: FloatArray, keys: IntArray, key_text: tuple[str, ...]) -> list[tuple[float, int]]:
    """All groups sorted by par descending, ties by key text ascending (see :func:`top_groups`)."""
    return top_groups(sums, keys, key_ranks(key_text), int(sums.size))


def nth_largest(
    par: FloatArray, codes: IntArray, mask: BoolArray, key_text: tuple[str, ...], n: int
) -> tuple[float, str] | None:
    """The ``n``-th largest group (1-based): (par, key), or ``None`` with fewer than ``n`` groups."""
    sums, keys = group_sums(par, codes, mask, len(key_text))
    ranked = top_groups(sums, keys, key_ranks(key_text), n)
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
    """Diversity value of one industry score x (Aggregate Industry Equivalent Units, §4.3).

    x > 19.95 → 5; x <= 0 → 0. Legacy (Q19): T[k] with k = round(round(x, 1) × 10), VBA half-to-even.
    Corrected: Moody's table as published lists T[k] at the break points x_k = k/10 − 0.05 (0.05 → 0.1,
    0.15 → 0.2, …, 19.95 → 5.0) and takes the lower entry when x falls between two of them, i.e. the
    largest k with x_k <= x: k = floor(x × 10 + 0.5) (8.7983 units → k = 88 → 3.700, not 3.675).
    """
    if score > 19.95:
        return 5.0
    if score <= 0.0:
        return 0.0
    k = round(round(score, 1) * 10) if legacy_rounding else math.floor(score * 10 + 0.5 + 1e-09)
    return diversity_table()[min(max(k, 0), 200)]


@dataclass(frozen=True, eq=False)
class IssuerGroups:
    """How the assets under a mask group into issuers and industries for the diversity score; depends on
    the pool's positions only, so it can be kept with the pool while par changes.

    ``issuer_of[i]`` = issuer index (0…issuers−1, in ascending issuer code) of the i-th masked asset;
    ``industry_of[j]`` = industry index (ascending industry code) of issuer j's first asset in pool order.
    """

    issuer_of: IntArray
    industry_of: IntArray
    issuers: int
    industries: int


def issuer_groups(issuer: IntArray, industry: IntArray, mask: BoolArray) -> IssuerGroups:
    iss = issuer[mask]
    uniq, first_idx, inverse = np.unique(iss, return_index=True, return_inverse=True)
    ind_codes, ind_inverse = np.unique(industry[mask][first_idx], return_inverse=True)
    return IssuerGroups(
        inverse.astype(np.intp).ravel(),
        ind_inverse.astype(np.intp).ravel(),
        int(uniq.size),
        int(ind_codes.size),
    )


def diversity_from_groups(groups: IssuerGroups, par: FloatArray, *, legacy_rounding: bool) -> float:
    """Moody's diversity score from the masked par (in pool order) and its :class:`IssuerGroups`."""
    if groups.issuers == 0:
        return 0.0
    issuer_par = np.bincount(groups.issuer_of, weights=par, minlength=groups.issuers)
    average = seqsum(par) / groups.issuers
    units = np.minimum(1.0, issuer_par / average) if average != 0 else np.zeros(groups.issuers)
    scores = np.bincount(groups.industry_of, weights=units, minlength=groups.industries)
    return float(sum(industry_diversity(float(s), legacy_rounding=legacy_rounding) for s in scores))


def diversity_score(
    par: FloatArray, issuer: IntArray, industry: IntArray, mask: BoolArray, *, legacy_rounding: bool
) -> float:
    """Moody's diversity score (§4.3) over ``mask``, in pool order.

    Issuer par = Σ par per issuer; the issuer's industry is the industry of its first asset in pool order;
    average = total ÷ number of issuers; unit = min(1, issuer par ÷ average); industry score = Σ units;
    score = Σ industry values.
    """
    groups = issuer_groups(issuer, industry, mask)
    return diversity_from_groups(groups, par[mask], legacy_rounding=legacy_rounding)


__all__ = [
    "ExactSums",
    "IssuerGroups",
    "diversity_from_groups",
    "diversity_score",
    "diversity_table",
    "floating_spread",
    "group_sums",
    "industry_diversity",
    "issuer_groups",
    "key_ranks",
    "masked_sum",
    "nth_largest",
    "rank_groups",
    "ratio",
    "round_half_even",
    "round_half_up",
    "seqsum",
    "top_groups",
    "weighted_average",
]
