"""The collateral as typed numpy columns: what the projection needs, nothing more.

Units: par in currency; spread, floor, coupon as decimals per annum; ``market_value`` as a fraction of par
(the workbook's 95.5 becomes 0.955); dates as int64 day serials; ``payments_per_year`` an integer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from clo_xl.curves.conventions import FloatArray, IntArray
from clo_xl.errors import CloXlError

BoolArray = npt.NDArray[np.bool_]
StrArray = npt.NDArray[np.str_]


@dataclass(frozen=True, eq=False)
class CollateralArrays:
    """One entry per asset; every array has the same length."""

    asset_id: StrArray
    par: FloatArray
    spread: FloatArray
    floor: FloatArray
    coupon: FloatArray
    is_float: BoolArray
    maturity: IntArray
    first_payment: IntArray
    dated: IntArray
    payments_per_year: IntArray
    day_count: IntArray
    business_day_rule: IntArray
    end_of_month: BoolArray
    defaulted: BoolArray
    market_value: FloatArray
    sp_rating: StrArray
    moodys_rating: StrArray
    scheduled: BoolArray | None = None  # "SCHEDULED" amortisation (sink schedule applies); None = none

    def __post_init__(self) -> None:
        n = len(self.par)
        for name, value in vars(self).items():
            if value is not None and len(value) != n:
                raise CloXlError(f"collateral column {name} has {len(value)} entries, expected {n}")
        if np.any(self.payments_per_year <= 0):
            bad = self.asset_id[self.payments_per_year <= 0][0]
            raise CloXlError(f"asset {bad}: payment frequency must be a positive number of payments a year")

    def __len__(self) -> int:
        return len(self.par)

    def select(self, mask: BoolArray) -> CollateralArrays:
        """The assets where ``mask`` is true (a new, independent object)."""
        picked: dict[str, Any] = {
            k: None if v is None else np.asarray(v)[mask] for k, v in vars(self).items()
        }
        return CollateralArrays(**picked)

    def with_par(self, par: FloatArray) -> CollateralArrays:
        fields: dict[str, Any] = {**vars(self), "par": np.asarray(par, dtype=np.float64)}
        return CollateralArrays(**fields)
