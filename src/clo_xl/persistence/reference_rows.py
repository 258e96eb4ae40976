"""Workbook reference blocks → rows: verbatim ``clo.sheet_row`` rows for every block, and typed rows for
holidays, index fixings, cash-flow vectors, sink schedules, the transition matrix, cash-flow assumptions,
the ``Filter Sheet`` lists, the yield curve (``LIBORCurve``), the ``Asset Correlation`` matrix and the Run
Model's hypothetical trades. A bad date or number raises a located error; a duplicate key keeps its first
row and is reported as a warning (the legacy lookups also take the first match)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from clo_xl.curves.conventions import add_months
from clo_xl.errors import IngestError
from clo_xl.ingest.assets import ValueProblem, is_blank, parse_date, parse_number, parse_text
from clo_xl.ingest.layout import ASSET_CORRELATION, RUN_MODEL_CELLS
from clo_xl.ingest.raw import RawRow, RawTable
from clo_xl.ingest.workbook import read_asset_correlation
from clo_xl.persistence.content import WorkbookContent
from clo_xl.persistence.loader import TableLoad, table_of
from clo_xl.persistence.mappers import to_document
from clo_xl.persistence.models import (
    CashflowAssumptionRow,
    CashflowVectorRow,
    ControlCellRow,
    CorrelationRow,
    CurvePointRow,
    FilterListRow,
    HolidayRow,
    HypoTradeRow,
    RateFixingRow,
    SheetRowRow,
    SinkScheduleRow,
    TransitionRow,
)
from clo_xl.xlsx import Package, PackageProblem


def _get(row: RawRow, header: str, parse: Callable[[object], Any]) -> Any:
    raw = row.get(header)
    try:
        return parse(raw)
    except ValueProblem as exc:
        raise IngestError(row.locate(header), raw, str(exc)) from None


def _number(value: object) -> float | None:
    return None if is_blank(value) else parse_number(value)


def _text_or_none(value: object) -> str | None:
    return parse_text(value) or None


class _Keyed:
    """Rows keyed by primary key; later duplicates are dropped with a warning."""

    def __init__(self, what: str, warnings: list[str]) -> None:
        self.rows: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.what = what
        self.warnings = warnings

    def add(self, key: tuple[Any, ...], row: dict[str, Any], where: RawRow) -> None:
        if key in self.rows:
            self.warnings.append(
                f"{self.what}: duplicate {key} at {where.locate(where.table.headers[0]).describe()}"
            )
            return
        self.rows[key] = row


def reference_loads(content: WorkbookContent, warnings: list[str]) -> list[TableLoad]:
    """Table loads for the workbook's reference blocks (empty when the workbook has none)."""
    sheet_rows = _sheet_rows(content)
    if not sheet_rows:
        return []
    ref: Mapping[str, RawTable] = content.reference
    # built in this order so the warnings come out as before (reference blocks, then curve and trades)
    keyed = [
        TableLoad(table_of(HolidayRow), _holiday_rows(ref, warnings)),
        TableLoad(table_of(RateFixingRow), _fixing_rows(ref, warnings)),
        TableLoad(table_of(SinkScheduleRow), _sink_rows(ref, warnings)),
        TableLoad(table_of(CashflowVectorRow), _vector_rows(ref)),
        TableLoad(table_of(TransitionRow), _transition_rows(ref, warnings)),
        TableLoad(table_of(CashflowAssumptionRow), _assumption_rows(ref)),
        TableLoad(table_of(FilterListRow), _filter_rows(content)),
        TableLoad(table_of(ControlCellRow), _control_rows(content)),
    ]
    return [
        *curve_loads(content, warnings),
        *correlation_loads(content),
        *trade_loads(content, warnings),
        TableLoad(table_of(SheetRowRow), sheet_rows),
        *keyed,
    ]


def _sheet_rows(content: WorkbookContent) -> list[dict[str, Any]]:
    """clo.sheet_row: every reference block row, every Filter Sheet list entry and the Run Model block."""
    sheet_rows: list[dict[str, Any]] = []
    for key, table in content.reference.items():
        for i, values in enumerate(table.rows, start=1):
            sheet_rows.append(
                {
                    "block": f"reference.{key}",
                    "position": i,
                    "sheet": table.sheet,
                    "sheet_row": table.sheet_row(i - 1),
                    "cells": to_document(dict(values)),
                }
            )
    for key, listed in content.filter_lists.items():
        for i, value in enumerate(listed, start=1):
            sheet_rows.append(
                {
                    "block": f"filter.{key}",
                    "position": i,
                    "sheet": "Filter Sheet",
                    "sheet_row": i + 1,
                    "cells": to_document({"value": value}),
                }
            )
    if content.run_model is not None:
        sheet_rows.append(
            {
                "block": "run_model",
                "position": 1,
                "sheet": content.run_model.sheet,
                "sheet_row": None,
                "cells": to_document(dict(content.run_model.data)),
            }
        )
    return sheet_rows


def _holiday_rows(ref: Mapping[str, RawTable], warnings: list[str]) -> list[dict[str, Any]]:
    holidays = _Keyed("holidays", warnings)
    for row in ref.get("holidays", ()):
        day = _get(row, "Date", parse_date)
        if day is not None:
            holidays.add((day,), {"calendar": "Holidays", "day": day}, row)
    return list(holidays.rows.values())


def _fixing_rows(ref: Mapping[str, RawTable], warnings: list[str]) -> list[dict[str, Any]]:
    fixings = _Keyed("LIBOR rates", warnings)
    for row in ref.get("libor_rates", ()):
        day = _get(row, "Date", parse_date)
        rate = _get(row, "Yield", _number)
        series = parse_text(row.get("Sec Desc1")) or parse_text(row.get("CUSIP"))
        if day is not None and rate is not None and series:
            # the sheet quotes yields in percent; the legacy divides by 100 (K4 formula)
            fixings.add((series, day), {"series": series, "fixing_date": day, "rate": rate / 100.0}, row)
    return list(fixings.rows.values())


def _sink_rows(ref: Mapping[str, RawTable], warnings: list[str]) -> list[dict[str, Any]]:
    sinks = _Keyed("sink schedule", warnings)
    for row in ref.get("sink_schedule", ()):
        asset = parse_text(row.get("CUSIP"))
        day = _get(row, "Date", parse_date)
        amount = _get(row, "Amount", _number)
        if asset and day is not None and amount is not None:
            sinks.add((asset, day), {"asset_id": asset, "pay_date": day, "amount": amount}, row)
    return list(sinks.rows.values())


def _vector_rows(ref: Mapping[str, RawTable]) -> list[dict[str, Any]]:
    vectors: list[dict[str, Any]] = []
    vector_table = ref.get("cf_vectors")
    if vector_table is None:
        return vectors
    seen: set[tuple[str, int]] = set()
    for row in vector_table:
        period = _get(row, "Period", _number)
        if period is None:
            continue
        for header in vector_table.headers[1:]:
            value = _get(row, header, _number)
            if (header, int(period)) not in seen:
                seen.add((header, int(period)))
                vectors.append({"name": header, "period": int(period), "value": value})
    return vectors


def _transition_rows(ref: Mapping[str, RawTable], warnings: list[str]) -> list[dict[str, Any]]:
    transitions = _Keyed("transition matrix", warnings)
    matrix = ref.get("transition_matrix")
    if matrix is None:
        return []
    for row in matrix:
        source = parse_text(row.get(matrix.headers[0]))
        if not source:
            continue
        for header in matrix.headers[1:]:
            p = _get(row, header, _number)
            if p is not None:
                transitions.add(
                    (source, header),
                    {"matrix": "S&P 1 year", "from_rating": source, "to_rating": header, "probability": p},
                    row,
                )
    return list(transitions.rows.values())


def _assumption_rows(ref: Mapping[str, RawTable]) -> list[dict[str, Any]]:
    assumptions: list[dict[str, Any]] = []
    for i, row in enumerate(ref.get("cf_assumptions", ()), start=1):
        scope = parse_text(row.get("ID"))
        if not scope:
            continue
        assumptions.append(
            {
                "position": i,
                "scope": scope,
                "prepay": _text_or_none(row.get("Prepay")),
                "default_rate": _text_or_none(row.get("Default")),
                "severity": _get(row, "Severity", _number),
                "lag_months": _get(row, "Lag", _number),
            }
        )
    return assumptions


def _control_rows(content: WorkbookContent) -> list[dict[str, Any]]:
    if content.run_model is None:
        return []
    return [
        {"cell": cell, "label": label, "value": {"value": to_document(content.run_model.data[key])}}
        for key, cell, label in RUN_MODEL_CELLS
        if key in content.run_model.data
    ]


def _filter_rows(content: WorkbookContent) -> list[dict[str, Any]]:
    return [
        {"list_name": key, "position": i, "value": _text_or_none(v)}
        for key, values in content.filter_lists.items()
        for i, v in enumerate(values, start=1)
    ]


#: the curve ``migrate`` stores the workbook's ``LIBORCurve`` as (``clo.curve_point.curve``)
CURVE_NAME = "LIBOR 3M"
#: the correlation matrix name of the ``Asset Correlation`` sheet (``clo.correlation.matrix``)
CORRELATION_NAME = "Asset Correlation"
#: Run Model J11:N39 holds at most 29 trades; migrated trades take ids −N…−1 (see :func:`trade_loads`)
MAX_RUN_MODEL_TRADES = 29


def curve_loads(content: WorkbookContent, warnings: list[str]) -> list[TableLoad]:
    """``LIBORCurve`` (tenor in months, rate) as ``clo.curve_point`` rows anchored at the Run Model analysis
    date (C8, the date the legacy builds the curve on): point date = analysis date + tenor months."""
    table = content.reference.get("libor_curve")
    anchor = content.run_model.data.get("analysis_date") if content.run_model is not None else None
    if table is None or not table.rows:
        return []
    if not isinstance(anchor, date):
        warnings.append("LIBORCurve not stored: Run Model C8 (the curve's analysis date) is blank")
        return []
    points = _Keyed("yield curve", warnings)
    for row in table:
        tenor = _get(row, "Tenor (Months)", _number)
        rate = _get(row, "Rate", _number)
        if tenor is None or rate is None:
            continue
        if tenor != int(tenor) or tenor < 1:
            raise IngestError(row.locate("Tenor (Months)"), tenor, "a tenor is a whole number of months >= 1")
        when = add_months(anchor, int(tenor))
        points.add((when,), {"curve": CURVE_NAME, "as_of": anchor, "point_date": when, "rate": rate}, row)
    return [TableLoad(table_of(CurvePointRow), list(points.rows.values()))]


def correlation_loads(content: WorkbookContent) -> list[TableLoad]:
    """The ``Asset Correlation`` sheet (user-defined correlation of credit migration) as ``clo.correlation``
    rows: the upper triangle with the diagonal (the matrix is symmetric, checked on reading), one row per
    (row asset, column asset). A workbook without the sheet stores none."""
    path = Path(content.file)
    try:
        with Package(path) as package:
            if ASSET_CORRELATION not in {s.name for s in package.sheets}:
                return []
    except (PackageProblem, OSError):
        return []  # not a workbook file (content built in memory): nothing to read
    ids, matrix = read_asset_correlation(path)
    rows = [
        {"matrix": CORRELATION_NAME, "row_key": ids[i], "column_key": ids[j], "value": float(matrix[i, j])}
        for i in range(len(ids))
        for j in range(i, len(ids))
    ]
    return [TableLoad(table_of(CorrelationRow), rows)]


def trade_loads(content: WorkbookContent, warnings: list[str]) -> list[TableLoad]:
    """The Run Model's hypothetical trades (J11:N39) as ``clo.hypo_trade`` rows, in sheet order.

    A migrated trade takes the id −N…−1 by its place among the N trades (the identity sequence that
    :func:`clo_xl.persistence.repository.add_hypo_trades` draws from is positive, so the two never meet),
    which makes a second migrate of the same workbook find the same keys and change nothing; only negative
    ids are replaced, so trades an analyst added through the API stay. A trade for a deal the workbook does
    not hold, of an asset not in ``All Assets``, or neither Buy nor Sale is not stored (a warning names it):
    the hypo run would refuse it."""
    if content.run_model is None:
        return []
    listed = content.run_model.data.get("hypo_trades")
    raw: list[Mapping[str, Any]] = (
        [t for t in listed if isinstance(t, Mapping)] if isinstance(listed, list) else []
    )
    deals = {" ".join(name.casefold().split()): name for name in content.deals}
    ids = {str(r.get("BLKRockID") or "").strip() for r in content.assets.rows}
    kept: list[dict[str, Any]] = []
    for i, trade in enumerate(raw, start=1):
        deal = deals.get(" ".join(str(trade.get("Deal") or "").casefold().split()))
        asset = str(trade.get("BRS ID") or "").strip()
        side = str(trade.get("Transaction") or "").strip().capitalize()
        par, price = trade.get("Par"), trade.get("Price")
        where = f"Run Model trade {i} (row {10 + i})"
        if deal is None:
            warnings.append(f"{where}: deal {trade.get('Deal')!r} is not in the workbook; not stored")
        elif asset not in ids:
            warnings.append(f"{where}: BLKRockID {asset!r} is not in All Assets; not stored")
        elif side not in ("Buy", "Sale") or not isinstance(par, int | float) or par < 0:
            warnings.append(f"{where}: needs Buy or Sale and a par >= 0; not stored")
        else:
            kept.append({"deal": deal, "asset_id": asset, "transaction": side, "par": float(par),
                         "price": float(price) if isinstance(price, int | float) else None})  # fmt: skip
    n = len(kept)
    rows = [{"trade_id": k - n - 1, **row} for k, row in enumerate(kept, start=1)]
    scope = {"trade_id": list(range(-MAX_RUN_MODEL_TRADES, 0))}
    return [TableLoad(table_of(HypoTradeRow), rows, scope)]
