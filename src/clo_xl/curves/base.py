"""The curve interface the cash-flow engine sees, and the rate indices it can project.

Rates are decimals (0.05 = 5%). Dates in vectorised calls are int64 day serials (see
:mod:`clo_xl.curves.conventions`). No QuantLib type crosses this interface.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Protocol

from clo_xl.curves.conventions import DayCount, FloatArray, IntArray
from clo_xl.errors import CloXlError


class CurveRangeError(CloXlError):
    """A curve was queried past its last node while extrapolation is switched off (legacy Q1 guard)."""


class Extrapolation(Enum):
    """What a query past the last curve node does (never the legacy's silent corruption, Q1)."""

    ERROR = "error"
    FLAT = "flat"


class CurveConvention(Enum):
    """`legacy` reproduces the VBA `YieldCurve` (Q2–Q4); `corrected` uses QuantLib term structures."""

    LEGACY = "legacy"
    CORRECTED = "corrected"


@dataclass(frozen=True)
class RateIndex:
    """A floating-rate index.

    ``spread_adjustment`` is the ISDA credit-spread adjustment added when a LIBOR-referencing loan falls
    back to Term SOFR (decimal; e.g. 0.0026161 for 3M). ``fixing_lag_days`` is in business days.
    """

    name: str
    tenor_months: int
    day_count: DayCount
    fixing_lag_days: int = 2
    spread_adjustment: float = 0.0


LIBOR_3M = RateIndex("USD LIBOR 3M", 3, DayCount.ACT_360, 2)
TERM_SOFR_3M = RateIndex("USD Term SOFR 3M", 3, DayCount.ACT_360, 2, spread_adjustment=0.0026161)
INDICES = {"LIBOR": LIBOR_3M, "SOFR": TERM_SOFR_3M}


class ForwardCurve(Protocol):
    """What the engine asks a curve."""

    @property
    def anchor(self) -> date: ...

    @property
    def index(self) -> RateIndex: ...

    def index_rate(self, fixing: IntArray, months: int) -> FloatArray:
        """Annual index rate for a ``months``-long period starting on each ``fixing`` serial."""
        ...

    def zero_rate(self, start: date, end: date) -> float:
        """Annual zero rate from ``start`` to ``end``."""
        ...

    def discount_factor(self, when: date) -> float:
        """Discount factor from the anchor date to ``when``."""
        ...

    def shifted(self, shift: float) -> ForwardCurve:
        """The same curve with every node moved by ``shift`` (decimal)."""
        ...
