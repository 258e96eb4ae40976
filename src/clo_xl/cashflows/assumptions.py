"""Prepayment, default, severity and recovery-lag assumptions (`CFAssumptions`, `CF_Vectors`, §0.4, §1.2b).

A rate is a scalar annual decimal, the name of a vector (one annual rate per interest period, period 1
first) or, for CDR only, ``RATING`` (an asset defaults in full on the first interest date its rating is
D). A recovery lag is a number of months or the name of a vector of months (the lag of the defaults of
each interest period). Assumptions resolve to per-asset × per-column matrices once, before the projection
loop.

Two deal-wide shapes beside the rates: a :class:`DefaultTiming` curve (shares of a cumulative default rate
by year, in place of the CDR) and a :class:`RecoveryTiming` (each recovery spread over several lags, in
place of the one lag).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import numpy.typing as npt

from clo_xl.curves.conventions import FloatArray, IntArray
from clo_xl.errors import CloXlError

RATING = "RATING"


@dataclass(frozen=True)
class AssetAssumption:
    """CPR/CDR/severity as float or vector name (CDR may be ``RATING``); lag in months or a vector name."""

    cpr: float | str = 0.0
    cdr: float | str = 0.0
    severity: float | str = 0.0
    lag_months: int | str = 0


@dataclass(frozen=True)
class DefaultTiming:
    """Defaults as shares of a cumulative default rate by year (a rating-agency style timing curve).

    In year y after the analysis date (y = 1 for an asset's first ``payments per year`` interest periods)
    each asset defaults ``cumulative × shares[y − 1]`` of its starting par, spread evenly over that year's
    interest periods and capped at its performing balance; after the last share, nothing defaults. The
    timing curve replaces the CDR (a ``RATING`` CDR still defaults by rating). Decimals: ``cumulative=0.2``
    and ``shares=(0.25, 0.25, 0.2, 0.15, 0.15)`` default 5% of par in each of the first two years.
    """

    cumulative: float
    shares: tuple[float, ...]

    def __post_init__(self) -> None:
        if not 0.0 <= self.cumulative <= 1.0:
            raise CloXlError(f"cumulative default rate must be a decimal in [0, 1], got {self.cumulative}")
        if any(x < 0 for x in self.shares) or sum(self.shares) > 1.0 + 1e-9:
            raise CloXlError(
                f"default timing shares must be >= 0 and add up to at most 100%, got {list(self.shares)}"
            )


@dataclass(frozen=True)
class RecoveryTiming:
    """Each recovery spread over lags: ``((6, 0.5), (12, 0.5))`` collects half of a default's recovery six
    months after it and half twelve months after (months → an asset's interest periods by banker's
    rounding, Q49). Replaces every asset's single recovery lag (reinvested collateral keeps the deal's
    "Reinvestment Lag", as it keeps its other `CFInputs` rates); the shares add up to 100%."""

    shares: tuple[tuple[int, float], ...]

    def __post_init__(self) -> None:
        if not self.shares or any(m < 0 or w < 0 for m, w in self.shares):
            raise CloXlError(f"recovery timing needs (months >= 0, share >= 0) pairs: {list(self.shares)}")
        if abs(sum(w for _, w in self.shares) - 1.0) > 1e-9:
            raise CloXlError(f"recovery timing shares must add up to 100%, got {list(self.shares)}")


@dataclass(frozen=True)
class CallSpec:
    """An optional redemption: the deal is called on its first payment date on or after ``on`` and the
    collateral sold at ``price`` (a fraction of par for performing par; defaulted at market value)."""

    on: date
    price: float = 1.0

    def __post_init__(self) -> None:
        if not 0.0 < self.price <= 2.0:
            raise CloXlError(f"call price must be a fraction of par (1.0 = par), got {self.price}")


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
    default_timing: DefaultTiming | None = None
    recovery_timing: RecoveryTiming | None = None

    def for_asset(self, asset_id: str) -> AssetAssumption:
        return self.overrides.get(asset_id, self.default)


def edit_assumptions(
    base: CashflowAssumptions, edit: Callable[[AssetAssumption], AssetAssumption]
) -> CashflowAssumptions:
    """``base`` with ``edit`` applied to its default and to each per-asset override (vectors and shapes
    kept): a scenario that changes one rate everywhere."""
    return replace(
        base, default=edit(base.default), overrides={k: edit(v) for k, v in base.overrides.items()}
    )


def _vector_values(
    key: str,
    spec: str,
    counters: IntArray,
    vectors: Mapping[str, tuple[float, ...]],
    legacy: bool,
    unknown_zero: bool | None = None,
) -> FloatArray | None:
    """A vector's value at each counter (rows × columns); ``None`` for an unknown name read as a zero vector
    (Q57: ``unknown_zero``, by default as ``legacy``)."""
    if key not in vectors:
        if legacy if unknown_zero is None else unknown_zero:  # Q57: unknown name → zero vector
            return None
        raise CloXlError(f"unknown CF vector {spec!r}; known: {', '.join(sorted(vectors)) or 'none'}")
    vec = np.asarray(vectors[key], dtype=np.float64)
    k = np.clip(counters, 1, None) - 1
    inside = k < len(vec)
    fill = float(len(vec)) if legacy else (float(vec[-1]) if len(vec) else 0.0)
    values: FloatArray = np.where(
        inside, vec[np.minimum(k, max(len(vec) - 1, 0))] if len(vec) else 0.0, fill
    ).astype(np.float64)
    return values


def _resolve(
    specs: list[float | str],
    counters: IntArray,
    vectors: Mapping[str, tuple[float, ...]],
    legacy: bool,
    *,
    cpr_specs: list[float | str] | None = None,
    unknown_zero: bool | None = None,
) -> FloatArray:
    """Rate matrix (assets × columns) at each column's 1-based interest-period counter (assets that share
    a spec are resolved together)."""
    n, cols = counters.shape
    out = np.zeros((n, cols))
    groups: dict[tuple[float | str, float | str | None], list[int]] = {}
    for i, spec in enumerate(specs):
        partner = cpr_specs[i] if cpr_specs is not None and isinstance(spec, str) else None
        groups.setdefault((spec, partner), []).append(i)
    for (spec, partner), members in groups.items():
        rows = np.asarray(members, dtype=np.int64)
        if not isinstance(spec, str):
            out[rows] = float(spec)
            continue
        key = spec.strip()
        if key.upper() == RATING:
            continue
        if legacy and isinstance(partner, str):
            key = partner.strip()  # Q30: the severity branch reads the CPR vector
        values = _vector_values(key, spec, counters[rows], vectors, legacy, unknown_zero)
        if values is not None:
            out[rows] = values
    return out


def resolve_lags(
    assumptions: CashflowAssumptions, per: list[AssetAssumption], counters: IntArray
) -> FloatArray:
    """Recovery lag in months per asset and column: a number, or a vector of months by interest period (a
    lag vector holds its last value past its end; the legacy had no lag vectors, so no Q30 here)."""
    n, cols = counters.shape
    out = np.zeros((n, cols))
    groups: dict[int | str, list[int]] = {}
    for i, p in enumerate(per):
        groups.setdefault(p.lag_months, []).append(i)
    for spec, members in groups.items():
        rows = np.asarray(members, dtype=np.int64)
        if isinstance(spec, str):
            values = _vector_values(spec.strip(), spec, counters[rows], assumptions.vectors, legacy=False)
            out[rows] = values if values is not None else 0.0
        else:
            out[rows] = float(spec)
    return out


def resolve_matrices(
    assumptions: CashflowAssumptions, asset_ids: list[str], counters: IntArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """(cpr, cdr, severity, lag months, rating-driven flag) for the projection; all but the flag are
    assets × columns."""
    per = [assumptions.for_asset(a) for a in asset_ids]
    legacy = assumptions.legacy_vector_overrun
    zero = assumptions.unknown_vector_zero
    vectors = assumptions.vectors
    cpr_specs = [p.cpr for p in per]
    cpr = _resolve(cpr_specs, counters, vectors, legacy, unknown_zero=zero)
    cdr = _resolve([p.cdr for p in per], counters, vectors, legacy, unknown_zero=zero)
    sevs = [p.severity for p in per]
    sev = _resolve(sevs, counters, vectors, legacy, cpr_specs=cpr_specs, unknown_zero=zero)
    lag = resolve_lags(assumptions, per, counters)
    rating = np.array([isinstance(p.cdr, str) and p.cdr.strip().upper() == RATING for p in per], dtype=bool)
    return cpr, cdr, sev, lag, rating


def timing_fractions(timing: DefaultTiming, counters: IntArray, payments_per_year: IntArray) -> FloatArray:
    """Share of its starting par an asset defaults in each column under a :class:`DefaultTiming` curve:
    interest period k (1-based) falls in year (k − 1) // payments-per-year + 1."""
    per_year = np.maximum(payments_per_year, 1)[:, None]
    year = (np.clip(counters, 1, None) - 1) // per_year
    shares = np.asarray(timing.shares, dtype=np.float64)
    inside = year < len(shares)
    picked = shares[np.minimum(year, max(len(shares) - 1, 0))] if len(shares) else np.zeros(year.shape)
    out: FloatArray = np.where(inside, picked, 0.0) * timing.cumulative / per_year
    return out


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


#: names the scenario vectors given as options take among the assumption's vectors
SCENARIO_VECTOR_NAMES = {"cpr": "scenario CPR", "cdr": "scenario CDR", "severity": "scenario severity",
                         "lag": "scenario lag"}  # fmt: skip


@dataclass(frozen=True)
class ScenarioVectors:
    """Per-period vectors given as options (CLI, API): annual CPR/CDR and severity as decimals, recovery lag
    in months; element k applies to each asset's k-th interest period after the analysis date and the last
    element holds past the end. Read as given in both conventions (the Q30 defects belong to the legacy's
    `CF_Vectors` lookup, not to these)."""

    cpr: tuple[float, ...] | None = None
    cdr: tuple[float, ...] | None = None
    severity: tuple[float, ...] | None = None
    lag: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        for name in ("cpr", "cdr", "severity"):
            values = getattr(self, name)
            if values is not None and (not values or any(not 0.0 <= x <= 1.0 for x in values)):
                raise CloXlError(f"the {name} vector needs decimals between 0 and 1, got {list(values)}")
        if self.lag is not None and (not self.lag or any(x < 0 for x in self.lag)):
            raise CloXlError(f"the lag vector needs months >= 0, got {list(self.lag)}")

    def given(self) -> dict[str, tuple[float, ...]]:
        """``{"cpr": (...), ...}`` for the vectors given."""
        return {k: v for k in SCENARIO_VECTOR_NAMES if (v := getattr(self, k)) is not None}

    def apply(self, base: AssetAssumption) -> tuple[AssetAssumption, dict[str, tuple[float, ...]]]:
        """``base`` with each given vector in place of its rate, and the vectors by name."""
        given = self.given()
        names = {k: SCENARIO_VECTOR_NAMES[k] for k in given}
        assumption = AssetAssumption(
            names.get("cpr", base.cpr),
            names.get("cdr", base.cdr),
            names.get("severity", base.severity),
            names.get("lag", base.lag_months),
        )
        return assumption, {names[k]: v for k, v in given.items()}
