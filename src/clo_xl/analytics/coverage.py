"""Coverage tests on the determination date: each class's OC and IC ratio with its trigger, cushion and pass,
and the Adjusted Collateral Principal Amount behind the OC numerator.

**OC numerator.**

* ``legacy``: the cash-flow engine's numerator (docs/cashflows.md) on the analysis date's balances:
  performing par + defaulted par at market value + principal cash − the CCC adjustment (§5.3, Q22) +
  purchase-finance accrued interest. No discount-obligation haircut, no recovery-rate carrying value.
* ``corrected``: the Adjusted Collateral Principal Amount of a typical indenture (docs/conventions.md):
  par of the performing obligations plus principal cash, with discount obligations at their purchase
  price, the Caa/CCC excess over its limit at market value taking the lowest-priced obligations first,
  defaulted obligations at the lower of market value and the Moody's recovery rate (zero after three
  years in default); an obligation in several categories takes the lowest value.

**Denominators, IC, triggers** are the deal engine's own for the first period (the waterfall version's
tests: classes senior to and including the tested class, current plus deferred balances, before any
payment); the IC numerator and denominator come from a run with no defaults and no prepayments, i.e. the
interest scheduled for the current collection period net of the senior expenses the convention deducts.

**Cushion**: for a ratio test, ``numerator − trigger × denominator`` (currency: par the collateral can lose,
or interest it can miss, before the test fails) and ``ratio − trigger`` (percentage points of the ratio).
A test passes at a ratio above its trigger (legacy, strict) or at or above it (corrected, as indentures do).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import numpy as np

from clo_xl.compliance.columns import AssetColumns
from clo_xl.curves.conventions import FloatArray
from clo_xl.portfolio.pool import Pool
from clo_xl.waterfall.run import TestRow

BoolArray = np.ndarray


@dataclass(frozen=True)
class AcpaInputs:
    """The held obligations (one entry each) and the cash, for the corrected numerator.

    ``market_value`` and ``purchase_price`` as fractions of par (NaN purchase price = unknown: never a
    discount obligation); ``recovery_rate`` the Moody's recovery rate (fraction); ``default_years`` the
    years since the default date (NaN when unknown); ``is_bond`` picks the discount threshold.
    """

    asset_id: Sequence[str]
    par: FloatArray
    market_value: FloatArray
    defaulted: BoolArray
    recovery_rate: FloatArray
    caa: BoolArray
    ccc: BoolArray
    purchase_price: FloatArray
    is_bond: BoolArray
    default_years: FloatArray
    principal_cash: float


@dataclass(frozen=True)
class AcpaParameters:
    """Indenture inputs (deal data with these defaults): Caa and CCC limits as shares of the Collateral
    Principal Amount, discount thresholds (purchase price below it = discount obligation), and the years
    after which a defaulted obligation is carried at zero."""

    caa_limit: float = 0.075
    ccc_limit: float = 0.075
    discount_loan_below: float = 0.80
    discount_bond_below: float = 0.75
    defaulted_zero_after_years: float = 3.0


@dataclass(frozen=True)
class AcpaLine:
    """How one obligation is carried (currency; ``treatment`` names the lowest-value category applied)."""

    asset_id: str
    par: float
    carrying_value: float
    treatment: str


@dataclass(frozen=True)
class Acpa:
    """The Adjusted Collateral Principal Amount and its build-up (currency)."""

    performing_par: float
    principal_cash: float
    discount_haircut: float
    excess_haircut: float
    defaulted_value: float
    excess_bucket: str
    excess_par: float
    lines: tuple[AcpaLine, ...] = field(default=(), repr=False)

    @property
    def collateral_principal_amount(self) -> float:
        """Performing par plus principal cash (the base the Caa/CCC limits apply to)."""
        return self.performing_par + self.principal_cash

    @property
    def amount(self) -> float:
        return (
            self.performing_par
            + self.principal_cash
            - self.discount_haircut
            - self.excess_haircut
            + self.defaulted_value
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "adjusted_collateral_principal_amount": self.amount,
            "collateral_principal_amount": self.collateral_principal_amount,
            "performing_par": self.performing_par,
            "principal_cash": self.principal_cash,
            "discount_obligation_haircut": self.discount_haircut,
            "caa_ccc_excess_haircut": self.excess_haircut,
            "caa_ccc_excess_bucket": self.excess_bucket,
            "caa_ccc_excess_par": self.excess_par,
            "defaulted_carrying_value": self.defaulted_value,
            "adjusted": [asdict(x) for x in self.lines if x.treatment != "par"],
        }


def _excess_share(par: FloatArray, bucket: BoolArray, price: FloatArray, excess: float) -> FloatArray:
    """Par of each obligation inside the excess: the bucket's obligations by market value, lowest first
    (ties in holding order), until ``excess`` par is taken (the crossing obligation in part)."""
    share = np.zeros(len(par))
    if excess <= 0:
        return share
    idx = np.flatnonzero(bucket)
    order = idx[np.argsort(price[idx], kind="stable")]
    taken_before = np.concatenate([[0.0], np.cumsum(par[order])[:-1]])
    share[order] = np.clip(excess - taken_before, 0.0, par[order])
    return share


def _treatment(defaulted: bool, stale: bool, at_mv: bool, discount: bool, excess: str | None) -> str:
    """The category that sets an obligation's carrying value (the lowest applies)."""
    if defaulted:
        if stale:
            return "defaulted over three years: zero"
        return "defaulted at market value" if at_mv else "defaulted at recovery rate"
    parts = (["discount at purchase price"] if discount else []) + (
        [f"{excess} excess at market value"] if excess else []
    )
    return ", ".join(parts) or "par"


def adjusted_collateral_principal_amount(
    inputs: AcpaInputs, params: AcpaParameters = AcpaParameters()
) -> Acpa:
    """The corrected OC numerator (see the module docstring), with a line per obligation."""
    par = np.asarray(inputs.par, dtype=np.float64)
    mv = np.asarray(inputs.market_value, dtype=np.float64)
    defaulted = np.asarray(inputs.defaulted, dtype=bool)
    performing = ~defaulted
    performing_par = float(par[performing].sum())
    cpa = performing_par + inputs.principal_cash
    caa_par = float(par[performing & inputs.caa].sum())
    ccc_par = float(par[performing & inputs.ccc].sum())
    caa_excess = max(caa_par - params.caa_limit * cpa, 0.0)
    ccc_excess = max(ccc_par - params.ccc_limit * cpa, 0.0)
    # the greater excess is carried at market value (indentures take the larger of the two)
    bucket_name, bucket, excess = (
        ("Caa", performing & inputs.caa, caa_excess)
        if caa_excess >= ccc_excess
        else ("CCC", performing & inputs.ccc, ccc_excess)
    )
    if excess <= 0:
        bucket_name = "none"
    in_excess = _excess_share(par, bucket, mv, excess)
    pp = np.asarray(inputs.purchase_price, dtype=np.float64)
    threshold = np.where(inputs.is_bond, params.discount_bond_below, params.discount_loan_below)
    discount = performing & np.isfinite(pp) & (pp < threshold)
    pp_or_par = np.where(discount, np.nan_to_num(pp, nan=1.0), 1.0)
    # value of the excess part: the lower of market value and (for a discount obligation) purchase price
    excess_value = in_excess * np.minimum(mv, pp_or_par)
    rest_value = (par - in_excess) * pp_or_par
    value = np.where(performing, excess_value + rest_value, 0.0)
    stale = np.nan_to_num(np.asarray(inputs.default_years), nan=0.0) > params.defaulted_zero_after_years
    defaulted_value = np.where(defaulted & ~stale, par * np.minimum(mv, inputs.recovery_rate), 0.0)
    discount_haircut = float(np.sum(np.where(performing, (par - in_excess) * (1.0 - pp_or_par), 0.0)))
    excess_haircut = float(np.sum(in_excess - excess_value))
    lines = tuple(
        AcpaLine(
            str(asset),
            float(par[i]),
            float(defaulted_value[i] if defaulted[i] else value[i]),
            _treatment(
                bool(defaulted[i]),
                bool(stale[i]),
                bool(mv[i] <= inputs.recovery_rate[i]),
                bool(discount[i]),
                bucket_name if in_excess[i] > 0 else None,
            ),
        )
        for i, asset in enumerate(inputs.asset_id)
    )
    return Acpa(
        performing_par,
        inputs.principal_cash,
        discount_haircut,
        excess_haircut,
        float(defaulted_value.sum()),
        bucket_name,
        float(in_excess.sum()),
        lines,
    )


@dataclass(frozen=True)
class LegacyNumerator:
    """The cash-flow engine's OC numerator on the analysis date (legacy; currency)."""

    performing_par: float
    defaulted_market_value: float
    principal_cash: float
    ccc_adjustment: float
    purchase_finance_accrued_interest: float

    @property
    def amount(self) -> float:
        return (
            self.performing_par
            + self.defaulted_market_value
            + self.principal_cash
            - self.ccc_adjustment
            + self.purchase_finance_accrued_interest
        )

    def to_json(self) -> dict[str, Any]:
        return {"oc_numerator": self.amount, **asdict(self)}


@dataclass(frozen=True)
class CoverageRow:
    """One test on one date. ``cushion`` in currency, ``cushion_ratio`` = ratio − trigger."""

    test: str
    kind: str
    tranche_class: str | None
    numerator: float
    denominator: float
    ratio: float | None
    trigger: float
    cushion: float
    cushion_ratio: float | None
    passed: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "test": self.test,
            "kind": self.kind,
            "class": self.tranche_class,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "ratio": self.ratio,
            "trigger": self.trigger,
            "cushion": self.cushion,
            "cushion_pct": self.cushion_ratio,
            "pass": self.passed,
        }


def _class_of(test: TestRow) -> str | None:
    if test.kind in ("OC", "IC"):
        return test.name.removesuffix(f" {test.kind}").strip()
    return None


def coverage_row(test: TestRow, numerator: float, *, strict: bool) -> CoverageRow:
    """The test with ``numerator`` (the engine's denominator and trigger kept)."""
    den, trig = test.denominator, test.trigger
    ratio = numerator / den if den > 0 else None
    passed = True if ratio is None else (ratio > trig if strict else ratio >= trig)
    return CoverageRow(
        test.name,
        test.kind,
        _class_of(test),
        numerator,
        den,
        ratio,
        trig,
        numerator - trig * den,
        None if ratio is None else ratio - trig,
        passed,
    )


def determination_rows(
    tests: Sequence[TestRow], *, oc_numerator: float, eod_numerator: float, strict: bool
) -> tuple[CoverageRow, ...]:
    """Every test of the first period with the analysis-date numerators: OC and the interest-diversion
    test on ``oc_numerator``, the event-of-default test on ``eod_numerator``, IC tests as projected."""
    rows = []
    for t in tests:
        if t.kind in ("OC", "IDT"):
            rows.append(coverage_row(t, oc_numerator, strict=strict))
        elif t.kind == "EOD":
            rows.append(coverage_row(t, eod_numerator, strict=strict))
        else:
            rows.append(coverage_row(t, t.numerator, strict=strict))
    return tuple(rows)


def projected_rows(tests: Sequence[TestRow], *, strict: bool) -> tuple[CoverageRow, ...]:
    """The first payment date's tests as the projection computed them (numerators included)."""
    return tuple(coverage_row(t, t.numerator, strict=strict) for t in tests)


def years_between(start: date | None, end: date) -> float:
    return float("nan") if start is None else (end - start).days / 365.25


def price_fraction(value: float) -> float:
    """A price in points (98.5) or as a fraction of par (0.985) → fraction."""
    return value / 100.0 if value > 1.5 else value


def acpa_inputs(
    pool: Pool,
    columns: AssetColumns,
    *,
    principal_cash: float,
    analysis_date: date,
    purchase_prices: Mapping[str, float] | None = None,
) -> AcpaInputs:
    """The pool's obligations as the ACPA reads them: compliance's derived columns (Moody's recovery rate,
    Caa and CCC flags, defaulted flag under the convention's rules), market value in points → fraction,
    purchase prices by BLKRockID (points or fractions; absent = not a discount obligation)."""
    pos = pool.positions
    assets = [pool.universe.assets[p] for p in pos]
    prices = purchase_prices or {}
    return AcpaInputs(
        asset_id=[a.brs_id for a in assets],
        par=np.asarray(pool.par, dtype=np.float64),
        market_value=columns.market_value[pos] / 100.0,
        defaulted=columns.defaulted[pos],
        recovery_rate=columns.recovery[pos],
        caa=columns.caa[pos],
        ccc=columns.ccc[pos],
        purchase_price=np.array(
            [price_fraction(prices[a.brs_id]) if a.brs_id in prices else np.nan for a in assets]
        ),
        is_bond=~columns.loan[pos],
        default_years=np.array([years_between(a.date_of_default, analysis_date) for a in assets]),
        principal_cash=principal_cash,
    )
