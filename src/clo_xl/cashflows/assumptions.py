"""Prepayment, default, severity and recovery-lag assumptions (`CFAssumptions`, `CF_Vectors`, §0.4, §1.2b).

A rate is a scalar annual decimal, the name of a vector (one annual rate per interest period, period 1
first) or, for CDR only, ``RATING`` (an asset defaults in full on the first interest date its rating is
D). Assumptions resolve to per-asset × per-column matrices once, before the projection loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from clo_xl.curves.conventions import FloatArray, IntArray
from clo_xl.errors import CloXlError

RATING = "RATING"


@dataclass(frozen=True)
class AssetAssumption:
    """CPR/CDR/severity as float or vector name (CDR may be ``RATING``); lag in months."""

    cpr: float | str = 0.0
    cdr: float | str = 0.0
    severity: float | str = 0.0
    lag_months: int = 0


@dataclass(frozen=True)
class CashflowAssumptions:
    """Default assumption for every asset, per-asset overrides (last matching row wins, as the legacy),
    named vectors, and the two vector quirks of Q30 (``legacy_vector_overrun``: past the vector's end the
    rate is the vector's *length*, and the severity vector reads the CPR vector; ``False`` holds the last
    value and reads the right vector)."""

    default: AssetAssumption = field(default_factory=AssetAssumption)
    overrides: Mapping[str, AssetAssumption] = field(default_factory=dict)
    vectors: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    legacy_vector_overrun: bool = True
    unknown_vector_zero: bool | None = None  # Q57; None = as ``legacy_vector_overrun``

    def for_asset(self, asset_id: str) -> AssetAssumption:
        return self.overrides.get(asset_id, self.default)


def _resolve(
    specs: list[float | str],
    counters: IntArray,
    vectors: Mapping[str, tuple[float, ...]],
    legacy: bool,
    *,
    cpr_specs: list[float | str] | None = None,
    unknown_zero: bool | None = None,
) -> FloatArray:
    """Rate matrix (assets × columns) at each column's 1-based interest-period counter."""
    n, cols = counters.shape
    out = np.zeros((n, cols))
    for i, spec in enumerate(specs):
        if isinstance(spec, str):
            key = spec.strip()
            if key.upper() == RATING:
                continue
            if legacy and cpr_specs is not None and isinstance(cpr_specs[i], str):
                key = str(cpr_specs[i]).strip()  # Q30: the severity branch reads the CPR vector
            if key not in vectors:
                if legacy if unknown_zero is None else unknown_zero:  # Q57: unknown name → zero vector
                    continue
                raise CloXlError(f"unknown CF vector {spec!r}; known: {', '.join(sorted(vectors)) or 'none'}")
            vec = np.asarray(vectors[key], dtype=np.float64)
            k = np.clip(counters[i], 1, None) - 1
            inside = k < len(vec)
            fill = float(len(vec)) if legacy else (float(vec[-1]) if len(vec) else 0.0)
            out[i] = np.where(inside, vec[np.minimum(k, max(len(vec) - 1, 0))] if len(vec) else 0.0, fill)
        else:
            out[i] = float(spec)
    return out


def resolve_matrices(
    assumptions: CashflowAssumptions, asset_ids: list[str], counters: IntArray
) -> tuple[FloatArray, FloatArray, FloatArray, IntArray, np.ndarray]:
    """(cpr, cdr, severity, lag months, rating-driven flag) for the projection."""
    per = [assumptions.for_asset(a) for a in asset_ids]
    legacy = assumptions.legacy_vector_overrun
    zero = assumptions.unknown_vector_zero
    vectors = assumptions.vectors
    cpr_specs = [p.cpr for p in per]
    cpr = _resolve(cpr_specs, counters, vectors, legacy, unknown_zero=zero)
    cdr = _resolve([p.cdr for p in per], counters, vectors, legacy, unknown_zero=zero)
    sevs = [p.severity for p in per]
    sev = _resolve(sevs, counters, vectors, legacy, cpr_specs=cpr_specs, unknown_zero=zero)
    lag = np.array([int(p.lag_months) for p in per], dtype=np.int64)
    rating = np.array([isinstance(p.cdr, str) and p.cdr.strip().upper() == RATING for p in per], dtype=bool)
    return cpr, cdr, sev, lag, rating


def periodic_rate(annual: FloatArray, days360: IntArray) -> FloatArray:
    """1 − (1 − annual)^(DAYS360/360) (`ConvertAnnualRates`, Q47): errors (zero days, negative base with a
    fractional exponent) give 0, as the VBA's error handler did."""
    base = 1.0 - annual
    expo = days360 / 360.0
    with np.errstate(invalid="ignore", divide="ignore"):
        r = 1.0 - np.power(base, expo)
    bad = (days360 <= 0) | ((base < 0) & (expo != np.round(expo))) | ~np.isfinite(r)
    return np.where(bad, 0.0, r)


def smm_from_cpr(cpr: float, months: int = 1) -> float:
    """Closed form: the per-period rate of an annual CPR over ``months`` (30/360 months)."""
    return float(1.0 - (1.0 - cpr) ** (months / 12.0))
