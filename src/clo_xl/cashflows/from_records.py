"""Build :class:`CollateralArrays` from `All Assets` records (CONTRACT §2 extract rows, header → value).

Parsing of the legacy strings happens here, at the boundary: "FLOAT" → floating flag, "Mod Following" →
rule, "True"/"Yes" → bool, market value 99.292 → 0.99292, ISO date strings → day serials. A record that
cannot be parsed raises :class:`IngestError` naming the asset row and column (the legacy skipped such rows
silently).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

import numpy as np
import numpy.typing as npt

from clo_xl.cashflows.collateral import CollateralArrays
from clo_xl.compliance.derive import Deriver
from clo_xl.compliance.quirks import QuirkSet
from clo_xl.curves.conventions import parse_business_day_rule, parse_day_count, to_day_number
from clo_xl.enums import Convention
from clo_xl.errors import IngestError, Location
from clo_xl.ingest.assets import parse_assets
from clo_xl.ingest.raw import RawTable


def _num(rec: Mapping[str, object], key: str, row: int, source: str, default: float | None = None) -> float:
    value = rec.get(key)
    if value is None or (isinstance(value, str) and value.strip() == ""):
        if default is not None:
            return default
        raise IngestError(Location(file=source, row=row, column=key), value, "a number is required")
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        if default is not None:
            return default
        raise IngestError(Location(file=source, row=row, column=key), value, "not a number") from None


def parse_date(value: object) -> date | None:
    """ISO text, datetime or date → date; empty / "0" → None."""
    if value is None or value == "" or value == "0" or value == 0:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "")).date()
    except ValueError:
        return None


def _date(rec: Mapping[str, object], key: str, row: int, source: str, default: date | None = None) -> int:
    d = parse_date(rec.get(key))
    if d is None:
        if default is not None:
            return to_day_number(default)
        raise IngestError(Location(file=source, row=row, column=key), rec.get(key), "a date is required")
    return to_day_number(d)


def _flag(value: object) -> bool:
    return str(value).strip().upper() in ("TRUE", "YES", "Y", "1")


def _derived_sp_ratings(records: Sequence[Mapping[str, object]], source: str) -> dict[str, str]:
    """BLKRockID → derived S&P rating (legacy §3.5 rules) for records that carry the All Assets headers."""
    if not records or "S&P Issuer Rating" not in records[0]:
        return {
            str(r.get("BLKRockID", "")).strip(): str(r.get("S&P Facility Rating") or "NR") for r in records
        }
    headers = tuple(records[0].keys())
    table = RawTable(file=source, sheet=None, headers=headers, rows=tuple(records), first_row=2)
    deriver = Deriver(QuirkSet.for_convention(Convention.LEGACY))
    out: dict[str, str] = {}
    for asset in parse_assets(table, require_all_columns=False):
        sp = deriver.sp_rating(asset)
        out[asset.brs_id] = sp.symbol if sp is not None else "NR"
    return out


def collateral_from_records(
    records: Sequence[Mapping[str, object]],
    par_column: str,
    *,
    source: str = "assets",
    keep_zero: bool = False,
) -> CollateralArrays:
    """Assets with a non-zero par in ``par_column`` (all rows when ``keep_zero``).

    The S&P rating each asset carries (CCC bucket of the OC haircut, migration start state) is the asset's
    *derived* S&P rating of COMPLIANCE_SPEC §3.5 (DIP → facility, defaulted → D, issuer, senior secured,
    subordinated, from Moody's), as the legacy pool stores it, not the raw facility-rating column.
    """
    sp_derived = _derived_sp_ratings(records, source)
    rows: list[tuple[object, ...]] = []
    for i, rec in enumerate(records):
        par = _num(rec, par_column, i + 2, source, default=0.0)
        if par == 0.0 and not keep_zero:
            continue
        row = i + 2  # header is row 1
        mat = _date(rec, "Maturity", row, source)
        dated = parse_date(rec.get("Dated Date")) or parse_date(rec.get("Issue Date"))
        first = parse_date(rec.get("First Payment Date"))
        freq_raw = rec.get("Payment Frequency")
        freq = _num(rec, "Payment Frequency", row, source)
        if freq <= 0:
            raise IngestError(
                Location(file=source, row=row, column="Payment Frequency"), freq_raw, "must be > 0"
            )
        is_float = str(rec.get("Coupon Type", "")).strip().upper() == "FLOAT"
        rows.append(
            (
                str(rec.get("BLKRockID", f"row{row}")),
                par,
                _num(rec, "Coupon Spread", row, source, 0.0),
                _num(rec, "Libor Floor", row, source, 0.0),
                _num(rec, "Coupon", row, source, 0.0),
                is_float,
                mat,
                to_day_number(first) if first else mat,
                to_day_number(dated) if dated else (to_day_number(first) if first else mat),
                round(freq),
                int(parse_day_count(rec.get("Day Count"))),
                int(parse_business_day_rule(rec.get("Business Day Convention"))),
                _flag(rec.get("PMT EOM")),
                _flag(rec.get("Default Obligation")),
                _num(rec, "Market Value", row, source, 100.0) / 100.0,
                sp_derived.get(str(rec.get("BLKRockID", "")).strip(), "NR"),
                str(rec.get("Moody's Rating-21") or "NR").upper(),
                str(rec.get("Amortization Type") or "").strip().upper() == "SCHEDULED",
            )
        )
    cols: list[tuple[object, ...]] = list(zip(*rows, strict=True)) if rows else [() for _ in range(18)]

    def f(c: tuple[object, ...]) -> npt.NDArray[np.float64]:
        return np.array(c, dtype=np.float64)

    def i64(c: tuple[object, ...]) -> npt.NDArray[np.int64]:
        return np.array(c, dtype=np.int64)

    def b(c: tuple[object, ...]) -> npt.NDArray[np.bool_]:
        return np.array(c, dtype=np.bool_)

    def s(c: tuple[object, ...]) -> npt.NDArray[np.str_]:
        return np.array(c, dtype=np.str_)

    return CollateralArrays(
        asset_id=s(cols[0]),
        par=f(cols[1]),
        spread=f(cols[2]),
        floor=f(cols[3]),
        coupon=f(cols[4]),
        is_float=b(cols[5]),
        maturity=i64(cols[6]),
        first_payment=i64(cols[7]),
        dated=i64(cols[8]),
        payments_per_year=i64(cols[9]),
        day_count=i64(cols[10]),
        business_day_rule=i64(cols[11]),
        end_of_month=b(cols[12]),
        defaulted=b(cols[13]),
        market_value=f(cols[14]),
        sp_rating=s(cols[15]),
        moodys_rating=s(cols[16]),
        scheduled=b(cols[17]),
    )
