"""Pools as column arrays: a :class:`Universe` of assets (the master ``All Assets`` list) and a
:class:`Pool` = positions into that universe + par per position.

Everything is immutable: :meth:`Pool.with_trades` returns a new pool and leaves the old one untouched (the
legacy applied trades to its pool and then reversed them, §5.2; clo-xl never mutates). Column arrays
derived from the assets (ratings, flags, group keys) are computed once per universe and convention by
the compliance engine and cached on the universe, so evaluating a pool after a trade only re-indexes them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from clo_xl.enums import TransactionType
from clo_xl.errors import Location
from clo_xl.portfolio.asset import Asset

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: A holding whose par magnitude is at or below this after a change is removed (legacy CP 224–231).
REMOVE_AT_OR_BELOW = 1.0


@dataclass(frozen=True)
class Holding:
    """One ``DealCollateral`` row: BLKRockID and par (deal currency); ``location`` = where the ID was read
    (for error messages; not part of equality)."""

    brs_id: str
    par: float
    location: Location | None = field(default=None, compare=False, repr=False)


#: Trade prices strictly between these bounds are refused as ambiguous: read in points (the rule for any
#: price above 1) they would be 1–2 % of par, which no performing loan trades at, while they are what a
#: price above par typed as a fraction looks like (1.015 meant as 101.5 % of par).
AMBIGUOUS_PRICES = (1.0, 2.0)


def price_unit_problem(price: float | None) -> str | None:
    """Why a trade price cannot be read unambiguously (``None`` when it can).

    The unit rule (CONTRACT §3, the legacy's §5.2 4.3): blank or 0 = the asset's market value; above 1 =
    points of par (101.5 = 101.5 % of par); at most 1 = a fraction of par (0.985). A price in
    ``AMBIGUOUS_PRICES`` fits the points rule but almost surely means a fraction above par.
    """
    if price is None or not AMBIGUOUS_PRICES[0] < price < AMBIGUOUS_PRICES[1]:
        return None
    return (
        f"price {price:g} is ambiguous: a price above 1 is read in points of par, so it would mean "
        f"{price:g} % of par; for {price * 100:g} % of par enter {price * 100:g} (points)"
    )


@dataclass(frozen=True)
class Trade:
    """One hypothetical trade (Run Model J:N or a trades file).

    ``price`` (the unit rule, :func:`price_unit_problem`): ``None`` or 0 = use the asset's market value ÷ 100;
    a value > 1 is in points (99.5, 101.5) and is divided by 100; a value <= 1 is a fraction of par (0.995);
    a value strictly between 1 and 2 is refused (ValueError) as ambiguous. ``transaction`` ``None`` = the
    cell held something other than Buy/Sale (the legacy ignores the trade but still lists it in the
    attributes, §6 Q31).
    """

    brs_id: str
    transaction: TransactionType | None
    par: float
    price: float | None = None
    deal: str | None = None

    def __post_init__(self) -> None:
        problem = price_unit_problem(self.price)
        if problem is not None:
            raise ValueError(f"trade of {self.brs_id}: {problem}")

    def price_fraction(self, market_value: float) -> float:
        """Trade price as a fraction of par (legacy rule, §5.2 4.3)."""
        p = self.price or 0.0
        if p == 0.0:
            return market_value / 100.0
        return p / 100.0 if p > 1.0 else p


@dataclass(frozen=True, eq=False)
class Universe:
    """All known assets (the master pool), in sheet order, with par 0. Positions are stable."""

    assets: tuple[Asset, ...]
    _index: Mapping[str, int] = field(init=False, repr=False)
    _cache: dict[Any, Any] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        index: dict[str, int] = {}
        for i, asset in enumerate(self.assets):
            index.setdefault(asset.brs_id, i)  # legacy dictionary keeps the first row of a duplicate ID
        object.__setattr__(self, "_index", index)

    def __len__(self) -> int:
        return len(self.assets)

    def position(self, brs_id: str) -> int | None:
        """Position of a BLKRockID (looked up trimmed, case-sensitive as the legacy dictionary)."""
        return self._index.get(brs_id.strip())

    def __contains__(self, brs_id: object) -> bool:
        return isinstance(brs_id, str) and brs_id.strip() in self._index

    def get(self, brs_id: str) -> Asset | None:
        pos = self.position(brs_id)
        return None if pos is None else self.assets[pos]

    def cached(self, key: Any, build: Any) -> Any:
        """Per-universe cache for derived column arrays (``build()`` runs once per key)."""
        try:
            return self._cache[key]
        except KeyError:
            value = build()
            self._cache[key] = value
            return value


@dataclass(frozen=True, eq=False)
class Pool:
    """A deal's holdings over a universe: ``positions[i]`` is the universe position of holding ``i`` and
    ``par[i]`` its par. Holdings keep the order of first appearance (the legacy sums in that order)."""

    universe: Universe
    positions: IntArray
    par: FloatArray
    unknown_ids: tuple[str, ...] = ()
    _by_positions: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    _by_par: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.positions.shape != self.par.shape:
            raise ValueError("positions and par must have the same length")
        self.positions.setflags(write=False)
        self.par.setflags(write=False)

    def gathered(self, key: Any, build: Callable[[], Any]) -> Any:
        """Cache for values that depend on the positions only (universe columns taken at the pool's
        positions): ``build()`` runs once, and a pool that differs only in par shares the result."""
        try:
            return self._by_positions[key]
        except KeyError:
            value = self._by_positions[key] = build()
            return value

    def derived(self, key: Any, build: Callable[[], Any]) -> Any:
        """Cache for values that depend on positions and par (``build()`` runs once per pool)."""
        try:
            return self._by_par[key]
        except KeyError:
            value = self._by_par[key] = build()
            return value

    def _with_par(self, par: FloatArray) -> Pool:
        """The same positions with other par: shares the positions cache."""
        pool = Pool(self.universe, self.positions, par, self.unknown_ids)
        object.__setattr__(pool, "_by_positions", self._by_positions)
        return pool

    # -- construction ---------------------------------------------------------------------------------
    @classmethod
    def from_holdings(cls, universe: Universe, holdings: Iterable[Holding]) -> Pool:
        """Build a deal pool: duplicate IDs are summed, blank IDs skipped; IDs not in the universe are
        skipped and listed in :attr:`unknown_ids` (the caller decides whether that is an error)."""
        order: dict[int, float] = {}
        unknown: list[str] = []
        for h in holdings:
            key = h.brs_id.strip()
            if not key:
                continue
            pos = universe.position(key)
            if pos is None:
                unknown.append(key)
                continue
            order[pos] = max(order.get(pos, 0.0) + h.par, 0.0)
        positions = np.fromiter(order.keys(), dtype=np.int64, count=len(order))
        par = np.fromiter(order.values(), dtype=np.float64, count=len(order))
        keep = np.abs(par) > REMOVE_AT_OR_BELOW
        return cls(universe, positions[keep], par[keep], tuple(unknown))

    @classmethod
    def from_assets(cls, assets: Sequence[Asset], pars: Sequence[float] | Mapping[str, float]) -> Pool:
        """A pool over its own universe (tests, small examples). ``pars`` by position or by BLKRockID."""
        universe = Universe(tuple(assets))
        if isinstance(pars, Mapping):
            holdings = [Holding(k, float(v)) for k, v in pars.items()]
        else:
            holdings = [Holding(a.brs_id, float(p)) for a, p in zip(assets, pars, strict=True)]
        return cls.from_holdings(universe, holdings)

    # -- views ----------------------------------------------------------------------------------------
    def __len__(self) -> int:
        return int(self.positions.shape[0])

    def __iter__(self) -> Iterator[tuple[Asset, float]]:
        for pos, p in zip(self.positions.tolist(), self.par.tolist(), strict=True):
            yield self.universe.assets[pos], p

    @property
    def assets(self) -> tuple[Asset, ...]:
        return tuple(self.universe.assets[p] for p in self.positions.tolist())

    @property
    def total_par(self) -> float:
        return float(self.par.sum())

    def par_of(self, brs_id: str) -> float:
        pos = self.universe.position(brs_id)
        if pos is None:
            return 0.0
        hit = np.nonzero(self.positions == pos)[0]
        return float(self.par[hit[0]]) if hit.size else 0.0

    def holdings(self) -> tuple[Holding, ...]:
        return tuple(Holding(a.brs_id, p) for a, p in self)

    # -- changes (each returns a new pool) ------------------------------------------------------------
    def with_par_change(self, brs_id: str, delta: float) -> Pool:
        """Add ``delta`` par to one asset (floored at 0; removed when |par| <= 1). Unknown ID → KeyError."""
        pos = self.universe.position(brs_id)
        if pos is None:
            raise KeyError(brs_id)
        hit = np.nonzero(self.positions == pos)[0]
        if hit.size:
            i = int(hit[0])
            par = self.par.copy()
            par[i] = max(par[i] + delta, 0.0)
            if abs(par[i]) <= REMOVE_AT_OR_BELOW:
                keep = np.ones(len(par), dtype=bool)
                keep[i] = False
                return Pool(self.universe, self.positions[keep], par[keep], self.unknown_ids)
            return self._with_par(par)
        new_par = max(delta, 0.0)
        if abs(new_par) <= REMOVE_AT_OR_BELOW:
            return self
        return Pool(
            self.universe,
            np.append(self.positions, np.int64(pos)),
            np.append(self.par, new_par),
            self.unknown_ids,
        )

    def with_trades(self, trades: Iterable[Trade]) -> Pool:
        """Apply buys (add par) and sales (remove par, capped at the holding) in order; no cash logic.
        Trades with no transaction type are ignored. Cash caps and prices live in
        :mod:`clo_xl.compliance.hypo`, which passes already-capped trades here."""
        pool = self
        for t in trades:
            if t.transaction is TransactionType.BUY:
                pool = pool.with_par_change(t.brs_id, t.par)
            elif t.transaction is TransactionType.SALE:
                held = pool.par_of(t.brs_id)
                if held > 0.0:
                    pool = pool.with_par_change(t.brs_id, -min(t.par, held))
        return pool

    def with_par(self, brs_id: str, par: float) -> Pool:
        """Replace one asset's par (0 if negative)."""
        return self.with_par_change(brs_id, max(par, 0.0) - self.par_of(brs_id))


__all__ = [
    "AMBIGUOUS_PRICES",
    "REMOVE_AT_OR_BELOW",
    "Holding",
    "Pool",
    "Trade",
    "Universe",
    "price_unit_problem",
]
