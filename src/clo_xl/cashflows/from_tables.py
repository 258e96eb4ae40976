"""Scenario assumptions from the workbook's `CFAssumptions` and `CF_Vectors` tables (§0.4).

`CFAssumptions` rows: ID (asset id or "ALL"), Prepay, Default, Severity, Lag (months); each rate a number,
a vector name, or (default only) "RATING". Every matching row overwrites earlier ones, so the **last
matching row wins** — also for "ALL" rows that come after an asset's own row, as in the legacy.
`CF_Vectors`: a Period column plus one column per vector (non-numeric cells → 0).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from clo_xl.cashflows.assumptions import (
    AssetAssumption,
    CallSpec,
    CashflowAssumptions,
    DefaultTiming,
    RecoveryTiming,
)
from clo_xl.cashflows.collateral import CollateralArrays
from clo_xl.cashflows.projection import SinkSchedule
from clo_xl.curves.conventions import to_day_number
from clo_xl.errors import IngestError, Location


def _rate(value: object, where: str) -> float | str:
    if value is None or value == "":
        return 0.0
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        if not text:
            raise IngestError(Location(column=where), value, "a rate or a vector name is required") from None
        return text


def _lag(value: object) -> int | str:
    """A recovery lag in months, or the name of a `CF_Vectors` vector of months by interest period."""
    if value is None or value == "":
        return 0
    if isinstance(value, int | float):
        return int(value)
    text = str(value).strip()
    try:
        return int(float(text))
    except ValueError:
        return text


def parse_date(value: object) -> date | None:
    """A date cell of a table the ingest layer has already checked: a date (or datetime), an ISO date text
    (an extract's), else None (blank)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        return date.fromisoformat(value.strip()[:10])
    return None


def vectors_from_rows(rows: Sequence[Mapping[str, object]]) -> dict[str, tuple[float, ...]]:
    names = [k for k in (rows[0].keys() if rows else []) if k != "Period"]
    out: dict[str, tuple[float, ...]] = {}
    for name in names:
        values = []
        for r in rows:
            v = r.get(name)
            values.append(float(v) if isinstance(v, int | float) else 0.0)
        out[name] = tuple(values)
    return out


def sink_from_rows(rows: Sequence[Mapping[str, object]], coll: CollateralArrays) -> SinkSchedule:
    """`Sink_Schedule` rows (CUSIP/ID, Date, Amount) for the pool's "SCHEDULED" loans only (§0.4)."""
    index = {str(a): i for i, a in enumerate(coll.asset_id)}
    scheduled = coll.scheduled if coll.scheduled is not None else np.zeros(len(coll), dtype=bool)
    asset, when, amount = [], [], []
    for r in rows:
        key = str(r.get("CUSIP") or r.get("ID") or r.get("BLKRockID") or "").strip()
        i = index.get(key)
        d = parse_date(r.get("Date"))
        if i is None or not scheduled[i] or d is None:
            continue
        asset.append(i)
        when.append(to_day_number(d))
        amount.append(float(str(r.get("Amount") or 0.0)))
    return SinkSchedule(
        np.array(asset, dtype=np.int64), np.array(when, dtype=np.int64), np.array(amount, dtype=np.float64)
    )


def assumptions_from_rows(
    rows: Sequence[Mapping[str, object]],
    vector_rows: Sequence[Mapping[str, object]] = (),
    asset_ids: Sequence[str] = (),
    *,
    legacy: bool = True,
    unknown_vector_zero: bool | None = None,
) -> CashflowAssumptions:
    """Resolve the table for ``asset_ids`` (last matching row wins). ``legacy`` is the Q30 vector overrun,
    ``unknown_vector_zero`` Q57 (default: as ``legacy``)."""
    default = AssetAssumption()
    per_asset: dict[str, AssetAssumption] = {}
    wanted = set(asset_ids)
    for r in rows:
        key = str(r.get("ID") or "").strip()
        a = AssetAssumption(
            cpr=_rate(r.get("Prepay"), "Prepay"),
            cdr=_rate(r.get("Default"), "Default"),
            severity=_rate(r.get("Severity"), "Severity"),
            lag_months=_lag(r.get("Lag")),
        )
        if key.upper() == "ALL":
            default = a
            per_asset = {k: a for k in per_asset}  # a later ALL row overrides earlier asset rows
        elif key in wanted or not wanted:
            per_asset[key] = a
    return CashflowAssumptions(
        default,
        per_asset,
        vectors_from_rows(vector_rows),
        legacy_vector_overrun=legacy,
        unknown_vector_zero=legacy if unknown_vector_zero is None else unknown_vector_zero,
    )


#: `CFInputs` labels of the optional scenario shapes (blank or absent = none): a call, a default-timing
#: curve (shares by year, a `CF_Vectors` vector) with its cumulative rate, a recovery-timing curve (share of
#: each recovery collected 1, 2, … payment periods after the default, a `CF_Vectors` vector)
CALL_DATE = "Call Date"
CALL_PRICE = "Call Price"
CUMULATIVE_DEFAULT = "Cumulative Default Rate"
DEFAULT_TIMING = "Default Timing Curve"
RECOVERY_TIMING = "Recovery Timing Curve"


@dataclass(frozen=True)
class ScenarioShapes:
    default_timing: DefaultTiming | None = None
    recovery_timing: RecoveryTiming | None = None
    call: CallSpec | None = None


def _located(label: str, value: object, message: str) -> IngestError:
    """A bad `CFInputs` value (:func:`shapes_from_document` names the deal's sheet when it is known)."""
    return IngestError(Location(sheet="CFInputs", column=label), value, message)


def _vector(name: object, vectors: Mapping[str, tuple[float, ...]], label: str) -> tuple[float, ...]:
    key = str(name).strip()
    if key not in vectors:
        known = ", ".join(sorted(vectors)) or "none"
        raise _located(label, name, f"not a CF_Vectors vector ({known})")
    values = list(vectors[key])
    while values and values[-1] == 0.0:  # trailing blank rows of the block
        values.pop()
    return tuple(values)


def _call(get: Mapping[str, object]) -> CallSpec | None:
    """`Call Date` (a date, or ISO text) and `Call Price` (a fraction of par or points, 99.5; blank: par)."""
    raw = get.get(CALL_DATE)
    if raw in (None, ""):
        if get.get(CALL_PRICE) not in (None, ""):
            raise _located(CALL_PRICE, get.get(CALL_PRICE), "a call price needs a Call Date")
        return None
    when = parse_date(raw)
    if when is None:
        raise _located(CALL_DATE, raw, "expected a date (the first payment date on or after it is the call)")
    price = get.get(CALL_PRICE)
    if price in (None, ""):
        return CallSpec(when, 1.0)
    value = _number(CALL_PRICE, price)
    value = value / 100.0 if value > 2.0 else value  # points, as the CLI's --call-price
    if not 0.0 < value <= 2.0:
        raise _located(CALL_PRICE, price, "expected a price: a fraction of par (0.995) or points (99.5)")
    return CallSpec(when, value)


def _number(label: str, value: object) -> float:
    try:
        return float(str(value).strip().rstrip("%")) / (100.0 if str(value).strip().endswith("%") else 1.0)
    except ValueError:
        raise _located(label, value, "expected a number") from None


def shapes_from_document(
    cf_inputs: Mapping[str, object],
    vectors: Mapping[str, tuple[float, ...]],
    months_between_payments: int,
    *,
    sheet: str | None = None,
) -> ScenarioShapes:
    """The scenario shapes a deal sheet's `CFInputs` block sets (see the labels above); a value that is not
    what its label takes raises :class:`IngestError` naming the label (on ``sheet``, the deal's sheet)."""
    try:
        return _shapes(cf_inputs, vectors, months_between_payments)
    except IngestError as exc:
        if sheet is None:
            raise
        where = Location(sheet=sheet, column=f"CFInputs {exc.location.column}")
        raise IngestError(where, exc.value, exc.reason) from None


def _shapes(
    cf_inputs: Mapping[str, object], vectors: Mapping[str, tuple[float, ...]], months_between_payments: int
) -> ScenarioShapes:
    get = {str(k).strip(): v for k, v in cf_inputs.items()}
    timing = None
    if get.get(DEFAULT_TIMING) not in (None, ""):
        cumulative = _number(CUMULATIVE_DEFAULT, get.get(CUMULATIVE_DEFAULT) or 0.0)
        if not 0.0 <= cumulative <= 1.0:
            raise _located(CUMULATIVE_DEFAULT, get.get(CUMULATIVE_DEFAULT), "expected a decimal from 0 to 1")
        timing = DefaultTiming(cumulative, _vector(get[DEFAULT_TIMING], vectors, DEFAULT_TIMING))
    recovery = None
    if get.get(RECOVERY_TIMING) not in (None, ""):
        shares = _vector(get[RECOVERY_TIMING], vectors, RECOVERY_TIMING)
        recovery = RecoveryTiming(
            tuple(((i + 1) * months_between_payments, w) for i, w in enumerate(shares) if w)
        )
    return ScenarioShapes(timing, recovery, _call(get))
