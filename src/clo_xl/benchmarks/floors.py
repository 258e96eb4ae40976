"""Numpy floors: the least work that produces the same numbers as a bench case, written plainly.

A floor is what a competent engineer would write in numpy for one fixed case, with none of the engine's
generality (no threshold table, no quirk switches, no located errors, no audit): its time, measured in the
same run beside the case, is the machine's limit for that work, and a case's ratio to it is what `clo-xl
bench` reports. Each floor is checked against the case's own numbers (``check_*``) before it is timed, so a
floor cannot be fast by doing less.

* :func:`compliance_floor`: the 37 results of a Mag 17-style threshold table (legacy convention) from the
  pool's columns: masked sums, weighted averages, group-by largest obligor / industry / country,
  diversity. Plain ``np.sum`` (pairwise), where the engine sums exactly; the check allows 1e-12 relative.
* :func:`migration_floor`: the same correlated normal draws (standard normals, one matrix multiply per
  step, the same blocks and threads) and no state keeping at all; checked by pushing its first step
  through the transition rule by hand and finding the engine's first-step defaults.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import ndtri

from clo_xl.compliance.catalogue import country_sets
from clo_xl.compliance.columns import AssetColumns
from clo_xl.compliance.kernels import diversity_table
from clo_xl.portfolio.pool import Pool

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

#: tests a Mag 17 threshold table runs (the legacy sheet order), 37 results
MAG17_TESTS = (*range(1, 12), *range(13, 32), 33, 32, 36, 35, 37, 38, 34)


COLUMNS = (
    "defaulted", "loan", "senior_secured", "non_senior_category", "sp_second_lien", "dip", "current_pay",
    "participation", "bridge_loan", "cov_lite", "deferred_interest", "piking", "fixed", "floating",
    "libor_index", "caa", "ccc", "payment_frequency", "unfunded", "facility", "wal", "coupon", "spread",
    "floor", "market_value", "recovery", "factor_tests", "country", "issuer", "sp_industry",
    "moodys_industry",
)  # fmt: skip
#: the Asset attributes behind those columns, read by the first-run floor
ASSET_FIELDS = (
    "defaulted", "dip", "current_pay", "participation", "bridge_loan", "cov_lite", "deferred_interest_bond",
    "letter_of_credit", "piking", "payment_frequency", "unfunded_amount", "facility_size", "wal", "coupon",
    "coupon_spread", "libor_floor", "market_value", "moodys_recovery_rate", "moody_asset_category",
    "sp_priority_category", "coupon_type", "index", "country", "issuer_id", "sp_industry", "moodys_industry",
    "moodys_rating", "sp_issuer_rating", "maturity", "business_day_convention",
)  # fmt: skip


def read_columns(assets: Sequence[Any]) -> list[npt.NDArray[np.generic]]:
    """Every attribute the columns come from, read off the loaded assets into arrays (one pass each)."""
    n = len(assets)
    return [np.fromiter((getattr(a, f) for a in assets), dtype=object, count=n) for f in ASSET_FIELDS]


@dataclass(frozen=True)
class PoolColumns:
    """The pool's columns, gathered once (the warm engine keeps the same arrays with the pool)."""

    par: FloatArray
    cash: float
    libor: float
    jroc_denominator: float
    nd: BoolArray
    flags: dict[str, BoolArray]
    values: dict[str, FloatArray]
    codes: dict[str, IntArray]  # country, issuer, S&P and Moody's industry codes
    country_member: dict[str, BoolArray]  # set name → membership per country key
    issuer_rank: IntArray  # issuer code → position of its ID in text order (test 5 takes the first)

    def with_par(self, par: FloatArray, cash: float) -> PoolColumns:
        return replace(self, par=par, cash=cash)


def pool_columns(cols: AssetColumns, pool: Pool, *, cash: float, libor: float, jroc: float) -> PoolColumns:
    pos = pool.positions
    gathered = {n: getattr(cols, n)[pos] for n in COLUMNS}
    code_names = ("country", "issuer", "sp_industry", "moodys_industry")
    codes = {n: np.asarray(gathered[n], dtype=np.int64) for n in code_names}
    values = {n: np.asarray(v, dtype=np.float64) for n, v in gathered.items() if v.dtype.kind == "f"}
    flags = {n: np.asarray(v, dtype=bool) for n, v in gathered.items() if v.dtype.kind == "b"}
    keys = np.array(cols.country_keys, dtype=object)
    sets = country_sets(False)
    member = {name: np.isin(keys, sorted(members)) for name, members in sets.items()}
    member["USA"] = keys == "USA"
    member["CANADA"] = keys == "CANADA"
    rank = np.argsort(np.array(cols.issuer_keys, dtype=object), kind="stable").argsort()
    nd = ~flags["defaulted"]
    return PoolColumns(pool.par, cash, libor, jroc, nd, flags, values, codes, member, rank)


def _nth(par: FloatArray, codes: IntArray, mask: BoolArray, n_keys: int, n: int) -> float:
    sums = np.bincount(codes[mask], weights=par[mask], minlength=n_keys)
    if np.count_nonzero(sums) < n:
        return 0.0
    return float(np.partition(sums, n_keys - n)[n_keys - n])


def _diversity(par: FloatArray, issuer: IntArray, industry: IntArray) -> float:
    uniq, first, inverse = np.unique(issuer, return_index=True, return_inverse=True)
    issuer_par = np.bincount(inverse, weights=par)
    units = np.minimum(1.0, issuer_par / (par.sum() / uniq.size))
    _, ind_inverse = np.unique(industry[first], return_inverse=True)
    score = np.bincount(ind_inverse, weights=units)
    table = diversity_table()
    values = [
        5.0 if x > 19.95 else 0.0 if x <= 0.0 else table[min(round(round(x, 1) * 10), 200)]
        for x in score.tolist()
    ]
    return sum(values)


def compliance_floor(p: PoolColumns) -> dict[int, float]:
    """The 37 results of the Mag 17 table (legacy convention), test number → result."""
    c, v, k, par, nd = p.flags, p.values, p.codes, p.par, p.nd
    country = k["country"]
    m = {k: v[country] for k, v in p.country_member.items()}
    cpa = par[nd].sum() + p.cash
    share = {
        2: ~(c["senior_secured"] & c["loan"]) | (c["senior_secured"] & c["loan"] & c["sp_second_lien"]),
        7: nd & c["caa"],
        8: v["payment_frequency"] < 4,
        9: nd & c["fixed"],
        10: nd & c["current_pay"],
        11: nd & c["dip"],
        13: nd & c["participation"],
        14: nd & ~m["USA"],
        15: nd & (m["CANADA"] | m["tax"]),
        16: nd & ~m["usa_canada_uk"],
        17: nd & (m["group_1"] | m["group_2"] | m["group_3"]),
        18: nd & m["group_1"],
        20: nd & m["group_2"],
        22: nd & m["group_3"],
        24: nd & m["tax"],
        28: nd & c["bridge_loan"],
        29: c["cov_lite"],
        30: nd & c["deferred_interest"],
        31: nd & ((m["USA"] & (v["facility"] < 150e6)) | (~m["USA"] & (v["facility"] < 250e6))),
    }
    out = {test: par[mask].sum() / cpa for test, mask in share.items()}
    out[1] = (par[nd & c["loan"]].sum() - par[nd & c["non_senior_category"]].sum() + p.cash) / cpa
    issuer, sp_industry = k["issuer"], k["sp_industry"]
    n_iss, n_sp, n_cty = int(issuer.max()) + 1, int(sp_industry.max()) + 1, int(country.max()) + 1
    obligors = nd & ~c["dip"]
    out[3] = _nth(par, issuer, obligors, n_iss, 6) / cpa
    out[4] = _nth(par, issuer, obligors, n_iss, 1) / cpa
    dip = nd & c["dip"]
    dip_sums = np.bincount(issuer[dip], weights=par[dip], minlength=n_iss)
    present = np.flatnonzero(dip_sums)
    first_id = present[np.argmin(p.issuer_rank[present])] if present.size else -1
    out[5] = float(dip_sums[first_id]) / cpa if present.size else 0.0  # Q12: the first ID, not the largest
    out[6] = _nth(par, issuer, nd & c["sp_second_lien"], n_iss, 1) / cpa
    for test, group in ((19, "group_1"), (21, "group_2"), (23, "group_3")):
        out[test] = _nth(par, country, nd & m[group], n_cty, 1) / cpa
    every = np.ones(par.size, dtype=bool)
    for test, n in ((25, 4), (26, 2), (27, 1)):
        out[test] = _nth(par, sp_industry, every, n_sp, n) / cpa
    floating = c["floating"]
    libor_index, floor, coupon = c["libor_index"], v["floor"], v["coupon"]
    above = coupon - p.libor
    spread = np.where(libor_index & (floor > p.libor), above, np.where(libor_index, v["spread"], above))
    out[32] = (par * spread)[floating].sum() / par[floating].sum()
    out[33] = (par * v["recovery"])[nd].sum() / par[nd].sum()
    fixed = c["fixed"]
    out[34] = (par * coupon)[fixed].sum() / par[fixed].sum() if fixed.any() else 0.0
    out[35] = round((par * v["wal"]).sum() / par[nd].sum(), 2)
    out[36] = (par * v["factor_tests"])[nd].sum() / par[nd].sum()
    out[37] = _diversity(par, issuer, k["moodys_industry"])
    value = np.where(
        c["defaulted"], par * v["market_value"] / 100.0, np.where(c["piking"], par * v["recovery"], par)
    )
    out[38] = (value.sum() + p.cash) / p.jroc_denominator
    return {k: float(v) for k, v in out.items()}


def check_compliance(floor: Mapping[int, float], results: Mapping[int, float], *, rel: float = 1e-12) -> None:
    """The floor gives the engine's numbers (37 results, 1e-12 relative; integers such as WAL exactly)."""
    assert sorted(floor) == sorted(MAG17_TESTS), sorted(set(MAG17_TESTS) ^ set(floor))
    bad = {
        k: (floor[k], results[k])
        for k in floor
        if not abs(floor[k] - results[k]) <= rel * max(abs(results[k]), 1e-300)
    }
    assert not bad, f"floor and engine differ: {bad}"


def migration_floor(
    chol: FloatArray | None, assets: int, *, steps: int, paths: int, seed: int, block_paths: int, workers: int
) -> npt.NDArray[np.float32]:
    """The draws of a credit-migration run and nothing else: for each block of paths (its own child
    stream of ``seed``, as :func:`clo_xl.simulation.migration.simulate`), on the same threads, one
    ``standard_normal`` and one correlating matrix multiply per step. Returns block 0's first-step draws
    (for :func:`check_migration`)."""
    lt = None if chol is None else np.ascontiguousarray(chol.T, dtype=np.float32)
    sizes = [min(block_paths, paths - k) for k in range(0, paths, block_paths)]
    seeds = np.random.SeedSequence(seed).spawn(len(sizes))

    def block(seed_size: tuple[np.random.SeedSequence, int]) -> npt.NDArray[np.float32]:
        rng = np.random.default_rng(seed_size[0])
        first: npt.NDArray[np.float32] | None = None
        for _ in range(steps):
            z = rng.standard_normal((seed_size[1], assets), dtype=np.float32)
            eps = z if lt is None else z @ lt
            first = eps if first is None else first
        assert first is not None
        return first

    with ThreadPoolExecutor(max_workers=workers) as pool:
        firsts = list(pool.map(block, zip(seeds, sizes, strict=True)))
    return firsts[0]


def check_migration(
    default_step: npt.NDArray[np.int16],
    first_draws: npt.NDArray[np.float32],
    period_matrix: FloatArray,
    initial: IntArray,
    maturity_step: IntArray,
) -> None:
    """The floor's draws are the ones the engine used: pushed through the rule of §8.3 by hand (a state
    moves to the number of its row's thresholds Φ⁻¹(cumulative) at or below the draw; D absorbs; an asset
    past maturity becomes M), block 0's first step defaults exactly the assets the engine says."""
    thresholds = ndtri(np.clip(np.cumsum(period_matrix, axis=1), 0.0, 1.0)).astype(np.float32)
    states = thresholds.shape[0]
    d_state = states - 1
    start = np.broadcast_to(np.minimum(initial, d_state), first_draws.shape)
    counted = (first_draws[..., None] >= thresholds[start][..., : states - 1]).sum(axis=-1)
    nxt = np.where(start < d_state, counted, start)
    defaulted = (nxt == d_state) & (start != d_state)
    engine = default_step[: first_draws.shape[0]] == 1
    assert np.array_equal(defaulted, engine), f"{int((defaulted != engine).sum())} first-step defaults differ"


@dataclass(frozen=True)
class ProjectionInputs:
    """The collateral on its prepared schedule: what is left of a deal's projection once the dates, the
    coupons (curve resets) and the periodic rates are known. Arrays are asset × schedule column."""

    par: FloatArray  # opening par (0 for assets defaulted before the analysis date)
    valid: BoolArray
    cdr: FloatArray  # periodic default rate per row
    cpr: FloatArray  # periodic prepayment rate per row
    fraction: FloatArray  # scheduled-principal fraction per row (1 on the maturity row)
    accrual: FloatArray  # year fraction × coupon per row
    cash_period: IntArray  # deal period of each row's cash (collection window of its pay date)
    default_period: IntArray  # deal period of each row's default (window of its accrual start)
    periods: int


def projection_floor(p: ProjectionInputs) -> dict[str, FloatArray]:
    """Per deal period: interest, scheduled principal, prepayments and defaults of the collateral.

    The balance recursion b' = b (1 − cdr)(1 − fraction)(1 − cpr) as one cumulative product along the
    columns, each row's flows from its opening balance, and one ``bincount`` per flow into the periods.
    """
    keep = (1.0 - p.cdr) * (1.0 - p.fraction) * (1.0 - p.cpr)
    keep = np.where(p.valid, keep, 1.0)
    opening = p.par[:, None] * np.concatenate(
        [np.ones((keep.shape[0], 1)), np.cumprod(keep, axis=1)[:, :-1]], 1
    )
    opening = np.where(p.valid, opening, 0.0)
    default = opening * p.cdr
    surviving = opening - default
    scheduled = surviving * p.fraction
    flows = {
        "interest": surviving * p.accrual,
        "scheduled": scheduled,
        "prepayment": (surviving - scheduled) * p.cpr,
    }
    in_cash = p.valid & (p.cash_period < p.periods)
    in_acc = p.valid & (p.default_period < p.periods)

    def per_period(where: BoolArray, period: IntArray, values: FloatArray) -> FloatArray:
        summed = np.bincount(period[where], weights=values[where], minlength=p.periods)[: p.periods]
        return np.asarray(summed, dtype=np.float64)

    out = {key: per_period(in_cash, p.cash_period, values) for key, values in flows.items()}
    out["default"] = per_period(in_acc, p.default_period, default)
    return out


def check_projection(
    floor: Mapping[str, FloatArray], engine: Mapping[str, FloatArray], rel: float = 1e-9
) -> None:
    """The floor's period flows are the engine's pool flows (1e-9 relative: a product, not a recursion)."""
    for key, values in floor.items():
        scale = max(float(np.max(np.abs(engine[key]))), 1.0)
        worst = float(np.max(np.abs(values - engine[key]))) / scale
        assert worst <= rel, f"{key}: floor and engine differ by {worst:.2e} of the largest period"
