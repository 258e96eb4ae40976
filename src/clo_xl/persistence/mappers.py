"""Mappers between the workbook's raw values, ORM row dictionaries and the core's domain objects.

The database keeps every sheet value as the analyst typed it (typed columns, Yes/No flags verbatim), so a
deal can be written back into the workbook layout unchanged. Domain objects (:class:`Asset`,
:class:`DealInputs`) are rebuilt from rows by the same ingest parsers that read the workbook, so the engine
sees identical inputs whether they came from a file or from PostgreSQL.

Direction summary:
* ``RawTable`` (All Assets) → :func:`asset_columns` → ``clo.asset`` rows (column by column); back:
  :func:`assets_table`;
* ``DealInputs`` → :func:`deal_rows` → ``clo.deal`` and child rows; back: :func:`deal_document`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from clo_xl.deal import DealInputs
from clo_xl.errors import IngestError, Location
from clo_xl.ingest.assets import ValueProblem, is_blank, parse_bool, parse_date, parse_number, resolve_headers
from clo_xl.ingest.raw import RawDocument, RawTable
from clo_xl.persistence.asset_columns import ASSET_COLUMNS, AssetColumn
from clo_xl.persistence.loader import Columns

# -- assets ------------------------------------------------------------------------------------------


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return text if text != "" else None


def cell_value(column: AssetColumn, value: object) -> Any:
    """One All Assets cell → the value stored in ``clo.asset`` (raises :class:`ValueProblem`)."""
    if column.kind in ("text", "flag"):
        return _text(value)
    if column.kind == "number":
        if is_blank(value):
            return None
        return parse_number(value)
    if column.kind == "date":
        return parse_date(value)
    if column.kind == "bool":
        return None if is_blank(value) else parse_bool(value)
    raise AssertionError(column.kind)  # pragma: no cover


_MEMO_LIMIT = 200_000
_NUMBERS = frozenset({bool, int, float})
_NONE = type(None)


@dataclass(frozen=True, eq=False)
class AssetColumns(Columns):
    """``clo.asset`` rows held column by column, in sheet order: ``values`` maps each ``clo.asset`` column
    (``asset_id`` and ``sheet_row`` included) to its stored values, all of one length."""

    @property
    def ids(self) -> Sequence[str]:
        return self.values["asset_id"]

    def row(self, i: int) -> dict[str, Any]:
        """Row ``i`` as a dictionary (for messages and tests; loads and checks read the columns)."""
        return {name: column[i] for name, column in self.values.items()}

    def __getitem__(self, i: int) -> dict[str, Any]:
        return self.row(i)


def _convert_column(
    column: AssetColumn, values: Sequence[object]
) -> tuple[list[Any], tuple[int, ValueProblem] | None]:
    """One ``All Assets`` column → its stored values, and the first bad cell (row position, reason) if any.

    Each distinct value is converted once. Values are told apart by type where equal values of different
    types would store differently (``True`` / ``1`` / ``1.0`` in a text column, ``0.0`` / ``-0.0`` in a
    number column); such columns (rare: a workbook column holds one type and blanks) go cell by cell."""
    types = set(map(type, values))
    numeric = types & _NUMBERS
    if column.kind == "number" and types <= {float, int, _NONE}:
        if math.inf in values or -math.inf in values:
            return _convert_cells(column, values)
        # a number cell is stored as the float it holds; a blank (None, NaN) as NULL
        return [None if v is None or v != v else float(v) for v in values], None  # type: ignore[arg-type]
    if len(numeric) > 1 or (column.kind == "number" and float in numeric):
        return _convert_cells(column, values)
    try:
        distinct = set(values)
    except TypeError:  # an unhashable value
        return _convert_cells(column, values)
    converted: dict[object, Any] = {}
    bad: dict[object, ValueProblem] = {}
    for v in distinct:
        try:
            converted[v] = cell_value(column, v)
        except ValueProblem as exc:
            bad[v] = exc
            converted[v] = None
    out = list(map(converted.__getitem__, values))
    if bad:
        first = next(i for i, v in enumerate(values) if v in bad)
        return out, (first, bad[values[first]])
    return out, None


def _convert_cells(
    column: AssetColumn, values: Sequence[object]
) -> tuple[list[Any], tuple[int, ValueProblem] | None]:
    """:func:`_convert_column` cell by cell, each distinct (type, value) converted once (bounded memo;
    0.0/-0.0 and NaN not memoised)."""
    out: list[Any] = []
    memo: dict[tuple[type, object], Any] = {}
    for i, value in enumerate(values):
        try:
            key = (value.__class__, value)
            out.append(memo[key])
            continue
        except KeyError:
            pass
        except TypeError:  # unhashable: converted as it comes
            key = None
        try:
            converted = cell_value(column, value)
        except ValueProblem as exc:
            return out, (i, exc)
        out.append(converted)
        if key is None or (value.__class__ is float and (value == 0.0 or value != value)):
            continue
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        memo[key] = converted
    return out, None


def asset_columns(table: RawTable) -> AssetColumns:
    """``clo.asset`` rows from an ``All Assets`` table, column by column; a bad cell raises a located
    :class:`IngestError` (the first bad cell in sheet order: row, then column).

    Every one of the 70 legacy headers must be present (L1); rows with a blank BLKRockID are skipped (the
    legacy stops at the first); a BLKRockID seen twice is refused.
    """
    headers = resolve_headers(table, [c.header for c in ASSET_COLUMNS])
    for column in ASSET_COLUMNS:
        if headers[column.header] is None:
            raise IngestError(
                Location(file=table.file, sheet=table.sheet, column=column.header),
                None,
                f"missing All Assets column {column.header!r} (legacy column {column.position})",
            )
    id_header = headers["BLKRockID"] or "BLKRockID"
    ids: list[str] = []
    keep: list[int] = []
    first_seen: dict[str, int] = {}
    for i, raw_id in enumerate(table.column(id_header)):
        asset_id = _text(raw_id)
        if asset_id is None or not asset_id.strip():
            continue
        asset_id = asset_id.strip()
        if asset_id in first_seen:
            first = first_seen[asset_id]
            first_row = table.sheet_row(first)
            raise IngestError(
                table.locate(i, id_header),
                asset_id,
                f"BLKRockID appears twice (first in row {first_row if first_row is not None else first + 1})",
            )
        first_seen[asset_id] = i
        ids.append(asset_id)
        keep.append(i)
    every_row = len(keep) == len(table)
    values: dict[str, Sequence[Any]] = {
        "asset_id": ids,
        "sheet_row": [table.sheet_row(i) for i in keep],
    }
    failures: list[tuple[int, int, str, object, ValueProblem]] = []
    for column in ASSET_COLUMNS[1:]:
        source = headers[column.header] or column.header
        raw = table.column(source)
        picked = raw if every_row else [raw[i] for i in keep]
        converted, failed = _convert_column(column, picked)
        values[column.name] = converted
        if failed is not None:
            at, problem = failed
            failures.append((keep[at], column.position, source, picked[at], problem))
    if failures:
        index, _, source, value, problem = min(failures, key=lambda f: (f[0], f[1]))
        raise IngestError(table.locate(index, source), value, str(problem))
    return AssetColumns(values)


def assets_table(rows: Sequence[Mapping[str, Any]], *, source: str = "database") -> RawTable:
    """An ``All Assets`` raw table (legacy headers, row order) rebuilt from ``clo.asset`` rows."""
    ordered = sorted(rows, key=lambda r: (r.get("sheet_row") is None, r.get("sheet_row") or 0, r["asset_id"]))
    values = [{c.header: r.get(c.name) for c in ASSET_COLUMNS} for r in ordered]
    return RawTable(
        file=source,
        sheet="All Assets",
        headers=tuple(c.header for c in ASSET_COLUMNS),
        rows=tuple(values),
        first_row=2,
        columns={c.header: c.position for c in ASSET_COLUMNS},
    )


# -- deals -------------------------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """A value as plain JSON (dates as ISO text, tuples as lists, NaN as None) for reports."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if hasattr(value, "value") and not isinstance(value, int | float | str):  # enums
        return jsonable(value.value)
    return value


def to_document(value: Any) -> Any:
    """A sheet value for a JSONB document, keeping dates typed: ``{"$date": "2016-03-23"}`` and
    ``{"$datetime": ...}``, so a document read back equals the one stored (see :func:`from_document`)."""
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): to_document(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_document(v) for v in value]
    if hasattr(value, "value") and not isinstance(value, int | float | str):  # enums
        return to_document(value.value)
    return value


def from_document(value: Any) -> Any:
    """Inverse of :func:`to_document`."""
    if isinstance(value, Mapping):
        if len(value) == 1 and "$date" in value:
            return date.fromisoformat(value["$date"])
        if len(value) == 1 and "$datetime" in value:
            return datetime.fromisoformat(value["$datetime"])
        return {k: from_document(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_document(v) for v in value]
    return value


def _number_or_none(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    f = float(value)
    return f if math.isfinite(f) else None


@dataclass
class DealRows:
    """The rows of one deal, ready for :func:`clo_xl.persistence.loader.sync_tables`."""

    deal: dict[str, Any]
    holdings: list[dict[str, Any]] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    tranches: list[dict[str, Any]] = field(default_factory=list)
    thresholds: list[dict[str, Any]] = field(default_factory=list)
    quality_inputs: list[dict[str, Any]] = field(default_factory=list)
    objective_weights: list[dict[str, Any]] = field(default_factory=list)
    cashflow_inputs: list[dict[str, Any]] = field(default_factory=list)


#: document keys holding the CFInputs block: ``cf_inputs`` (label → value, the workbook reader's shape) or a
#: list of (input, value) records; written back as ``cf_inputs``
CASHFLOW_INPUT_KEYS = ("cf_inputs", "cashflow_inputs")


def deal_rows(inputs: DealInputs, *, sheet_name: str | None = None) -> DealRows:
    """``clo.deal`` and child rows from parsed deal inputs (holdings at the deal's analysis date)."""
    name = inputs.deal
    extras = dict(inputs.extras)
    cf_records: list[tuple[object, object]] = []
    for key in CASHFLOW_INPUT_KEYS:
        found = extras.pop(key, None)
        if isinstance(found, Mapping):
            cf_records = list(found.items())
        elif isinstance(found, list | tuple):
            cf_records = [
                (r.get("input", r.get("Input", r.get("name"))), r.get("value", r.get("Value"))) for r in found
            ]
    document = to_document(extras)
    if inputs.par_column:
        document["par_column"] = inputs.par_column
    out = DealRows(
        deal={
            "deal": name,
            "sheet_name": sheet_name or f"{name} Inputs",
            "analysis_date": inputs.analysis_date,
            "next_payment_date": inputs.next_payment_date,
            "original_libor": inputs.original_libor,
            "current_libor": inputs.current_libor,
            "waterfall": None,
            "document": document,
        }
    )
    for i, h in enumerate(inputs.holdings, start=1):
        out.holdings.append(
            {
                "deal": name,
                "analysis_date": inputs.analysis_date,
                "position": i,
                "asset_id": h.brs_id,
                "par": h.par,
            }
        )
    for i, a in enumerate(inputs.accounts, start=1):
        out.accounts.append(
            {
                "deal": name,
                "position": i,
                "number": a.number,
                "name": a.name,
                "interest": a.interest,
                "principal": a.principal,
            }
        )
    for i, t in enumerate(inputs.tranches, start=1):
        props = to_document(dict(t))
        out.tranches.append(
            {
                "deal": name,
                "position": i,
                "class_name": str(props.get("class") or props.get("class_name") or f"Tranche {i}"),
                "column_letter": props.get("column_letter"),
                "original_balance": _number_or_none(props.get("Original_Balance")),
                "current_balance": _number_or_none(props.get("Current_Balance")),
                "spread": _number_or_none(props.get("Spread_bps")),
                "properties": props,
            }
        )
    for i, r in enumerate(inputs.thresholds, start=1):
        out.thresholds.append(
            {
                "deal": name,
                "position": i,
                "test_number": r.test_number,
                "test_name": r.test_name,
                "min_max": "Max" if r.min_max_text.strip().upper() == "MAX" else "Min",
                "threshold": r.threshold,
                "overwrite": r.overwrite,
                "previous_value": r.previous_value,
            }
        )
    for i, (label, value) in enumerate(inputs.quality_test_inputs.items(), start=1):
        number, as_text = (None, value.isoformat()) if isinstance(value, date) else (float(value), None)
        out.quality_inputs.append(
            {"deal": name, "label": label, "position": i, "value": number, "value_text": as_text}
        )
    for i, w in enumerate(inputs.objective_weights, start=1):
        out.objective_weights.append(
            {"deal": name, "position": i, "test_number": w.test_number, "weight": w.weight}
        )
    for i, (cf_label, cf_value) in enumerate(cf_records, start=1):
        number = _number_or_none(cf_value)
        out.cashflow_inputs.append(
            {
                "deal": name,
                "position": i,
                "name": str(cf_label),
                "value": number,
                "value_text": None if number is not None or cf_value is None else str(jsonable(cf_value)),
            }
        )
    return out


def deal_document(
    deal: Mapping[str, Any],
    *,
    holdings: Sequence[Mapping[str, Any]] = (),
    accounts: Sequence[Mapping[str, Any]] = (),
    tranches: Sequence[Mapping[str, Any]] = (),
    thresholds: Sequence[Mapping[str, Any]] = (),
    quality_inputs: Sequence[Mapping[str, Any]] = (),
    objective_weights: Sequence[Mapping[str, Any]] = (),
    cashflow_inputs: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The deal-inputs interchange document (CONTRACT §2, shaped like ``mag17_deal.json``) from rows.

    This is what "Refresh from DB" writes into the ``Mag N Inputs`` sheet, and what
    :func:`clo_xl.ingest.deal_inputs.parse_deal_inputs` turns back into :class:`DealInputs`. Rows are
    taken in ``position`` order.
    """

    def by_position(rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        return sorted(rows, key=lambda r: r["position"])

    doc: dict[str, Any] = from_document(dict(deal.get("document") or {}))
    doc.update(
        {
            "deal": deal["deal"],
            "analysis_date": jsonable(deal.get("analysis_date")),
            "next_payment_date": jsonable(deal.get("next_payment_date")),
            "current_libor": deal.get("current_libor"),
            "original_libor": deal.get("original_libor"),
            "accounts": [
                {
                    "number": a["number"],
                    "name": a["name"],
                    "interest": a["interest"],
                    "principal": a["principal"],
                }
                for a in by_position(accounts)
            ],
            "quality_test_inputs": {
                q["label"]: q["value"] if q["value_text"] is None else q["value_text"]
                for q in by_position(quality_inputs)
            },
            "test_thresholds": [
                {
                    "test_number": t["test_number"],
                    "test_name": t["test_name"],
                    "min_max": t["min_max"],
                    "threshold": t["threshold"],
                    "overwrite": t["overwrite"],
                    "previous_value": t["previous_value"],
                }
                for t in by_position(thresholds)
            ],
            "objective_weights": [
                {"test_number": w["test_number"], "weight": w["weight"]}
                for w in by_position(objective_weights)
            ],
            "holdings": [{"brs_id": h["asset_id"], "par": h["par"]} for h in by_position(holdings)],
            "tranches": [from_document(dict(t["properties"])) for t in by_position(tranches)],
        }
    )
    if cashflow_inputs:
        doc["cf_inputs"] = {
            c["name"]: c["value"] if c["value"] is not None else c["value_text"]
            for c in by_position(cashflow_inputs)
        }
    if doc.get("next_payment_date") is None:
        doc.pop("next_payment_date")
    return doc


def raw_document(doc: Mapping[str, Any], *, source: str = "database") -> RawDocument:
    return RawDocument(file=source, data=doc, sheet=f"{doc.get('deal')} Inputs")
