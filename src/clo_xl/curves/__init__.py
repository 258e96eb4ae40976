"""Yield curves behind one adapter: the legacy monthly curve (`legacy`) or QuantLib (`corrected`).

>>> from datetime import date
>>> curve = build_curve(date(2016, 3, 23), {1: 0.0044, 3: 0.0063, 12: 0.0119, 120: 0.0200})
>>> float(curve.index_rate(np.array([(date(2016, 3, 23) - date(1970, 1, 1)).days]), 3)[0])
0.0063
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from clo_xl.curves.base import (
    INDICES,
    LIBOR_3M,
    TERM_SOFR_3M,
    CurveConvention,
    CurveRangeError,
    Extrapolation,
    ForwardCurve,
    RateIndex,
)
from clo_xl.curves.legacy import LegacyCurve
from clo_xl.curves.quantlib_curve import QuantLibCurve

__all__ = [
    "INDICES",
    "LIBOR_3M",
    "TERM_SOFR_3M",
    "CurveConvention",
    "CurveRangeError",
    "CurveSpec",
    "Extrapolation",
    "ForwardCurve",
    "LegacyCurve",
    "QuantLibCurve",
    "RateIndex",
    "build_curve",
    "flat_curve",
]


def build_curve(
    anchor: date,
    tenors: Mapping[int, float],
    *,
    convention: CurveConvention = CurveConvention.LEGACY,
    extrapolation: Extrapolation = Extrapolation.ERROR,
    index: RateIndex = LIBOR_3M,
    shift: float = 0.0,
) -> ForwardCurve:
    """The one way the engine gets a curve: {tenor months: rate} anchored at ``anchor``."""
    shifted = {int(k): float(v) + shift for k, v in tenors.items()}
    if convention is CurveConvention.LEGACY:
        return LegacyCurve.from_mapping(anchor, shifted, extrapolation, index)
    return QuantLibCurve.from_mapping(anchor, shifted, extrapolation, index)


@dataclass(frozen=True)
class CurveSpec:
    """A curve as data: its nodes ({tenor months: rate} as sorted pairs, decimals) and how to build it.

    This, not a built curve, is what travels with a task to a worker process, which builds the curve
    itself (:meth:`build`), so no QuantLib object crosses a process boundary. ``shift`` is a parallel move
    of every node (decimal, 0.0001 = 1 bp).
    """

    anchor: date
    nodes: tuple[tuple[int, float], ...]
    convention: CurveConvention = CurveConvention.LEGACY
    extrapolation: Extrapolation = Extrapolation.ERROR
    index: RateIndex = LIBOR_3M
    shift: float = 0.0

    @classmethod
    def of(
        cls,
        anchor: date,
        tenors: Mapping[int, float],
        *,
        convention: CurveConvention = CurveConvention.LEGACY,
        extrapolation: Extrapolation = Extrapolation.ERROR,
        index: RateIndex = LIBOR_3M,
        shift: float = 0.0,
    ) -> CurveSpec:
        nodes = tuple(sorted((int(k), float(v)) for k, v in tenors.items()))
        return cls(anchor, nodes, convention, extrapolation, index, shift)

    def shifted(self, shift: float) -> CurveSpec:
        """The same nodes moved by a further ``shift`` (decimal); ``0.0`` returns ``self``."""
        return self if shift == 0.0 else replace(self, shift=self.shift + shift)

    def build(self) -> ForwardCurve:
        return build_curve(
            self.anchor,
            dict(self.nodes),
            convention=self.convention,
            extrapolation=self.extrapolation,
            index=self.index,
            shift=self.shift,
        )


def flat_curve(anchor: date, rate: float, years: int = 40, **kwargs: object) -> ForwardCurve:
    """A flat curve (every monthly tenor = ``rate``), handy for scenarios and tests."""
    return build_curve(anchor, {1: rate, 12 * years: rate}, **kwargs)  # type: ignore[arg-type]


_ = np  # numpy is used in the doctest
