"""The book stored in ``clo``, rebuilt as the workbook reader's :class:`~clo_xl.ingest.workbook.WorkbookData`.

A run on a stored deal sees exactly what a run on the migrated workbook sees: ``All Assets`` from
``clo.asset``, each deal's ``Mag N Inputs`` document from ``clo.deal`` and its child tables, the holdings at
the deal's analysis date, and the ``Run Model`` controls, ``Reference Table`` sections and ``Filter Sheet``
lists from their verbatim rows in ``clo.sheet_row``. The same parsers then build the domain objects
(:func:`clo_xl.ingest.workbook.load_deal`, the cash-flow pipeline's ``inputs_from_workbook``).

**Versions.** ``clo.deal.row_version`` is the deal's version (bumped once per saved change of the deal or
its child rows, see :mod:`clo_xl.persistence.repository`). ``as_of=N`` rebuilds the book as it was just
after the transaction that made the deal version N: every ``audit.change_log`` entry after that transaction,
for the deal's rows, the universe and the reference rows, is undone (newest first: an insert removed, a
delete put back, an update reverted to its ``before`` image). Reading an earlier version needs read access
to the change log (roles ``clo_analyst`` and ``clo_ops``).

**Stamps.** :func:`deal_stamp` is the cache key of a stored deal, read by one query: the deal's row version
plus an aggregate of the universe and of the reference rows (row count, sum of row versions, sum of key
hashes), because a migrate that changes an asset's rating or the yield curve does not bump any deal's version
but does change its results. The aggregates scan ``clo.asset`` and ``clo.sheet_row`` (about 2.5 ms for the
sample's 1,000 assets and 12,800 reference rows on an idle machine); :func:`deal_version` is the deal's row
version alone (an index lookup, about 0.2 ms).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from clo_xl.errors import DatabaseError, Location
from clo_xl.ingest import layout as L
from clo_xl.ingest.raw import RawDocument, RawTable
from clo_xl.ingest.workbook import WorkbookData
from clo_xl.persistence.engine import engine as engine_for
from clo_xl.persistence.failures import database_errors
from clo_xl.persistence.mappers import assets_table, deal_document, from_document, raw_document

#: child tables of a deal (schema clo) → the keyword of :func:`clo_xl.persistence.mappers.deal_document`
DEAL_CHILD_TABLES: dict[str, str] = {
    "account": "accounts",
    "tranche": "tranches",
    "test_threshold": "thresholds",
    "quality_input": "quality_inputs",
    "objective_weight": "objective_weights",
    "cashflow_input": "cashflow_inputs",
}
#: primary keys of the tables a stored book is read from (as the audit trigger records them)
KEYS: dict[str, tuple[str, ...]] = {
    "deal": ("deal",),
    "holding": ("deal", "analysis_date", "position"),
    "account": ("deal", "position"),
    "tranche": ("deal", "position"),
    "test_threshold": ("deal", "position"),
    "quality_input": ("deal", "label"),
    "objective_weight": ("deal", "position"),
    "cashflow_input": ("deal", "position"),
    "asset": ("asset_id",),
    "sheet_row": ("block", "position"),
}
SOURCE = "database"

_STAMP = text(
    "SELECT d.deal, d.row_version, "
    "(SELECT ARRAY[count(*), coalesce(sum(row_version), 0), coalesce(sum(hashtext(asset_id)), 0)] "
    " FROM clo.asset), "
    "(SELECT ARRAY[count(*), coalesce(sum(row_version), 0), "
    " coalesce(sum(hashtext(block || '/' || position::text)), 0)] FROM clo.sheet_row) "
    "FROM clo.deal d WHERE lower(d.deal) = lower(:deal)"
)


_VERSION = text("SELECT deal, row_version FROM clo.deal WHERE lower(deal) = lower(:deal)")


class DealNotStored(DatabaseError):
    """The deal is not in the database (load it with ``clo-xl migrate`` or the Save to DB button)."""


@dataclass(frozen=True)
class DealStamp:
    """What a cached result of a stored deal depends on; equal stamps mean equal inputs."""

    deal: str  # the name as stored (deal names are matched case-insensitively)
    version: int  # clo.deal.row_version
    universe: tuple[int, int, int]  # clo.asset: rows, sum of row versions, sum of key hashes
    reference: tuple[int, int, int]  # clo.sheet_row: the same


@dataclass(frozen=True)
class StoredBook:
    """A stored book and the row version each deal was read at."""

    data: WorkbookData
    versions: Mapping[str, int]


def stored_deal_names(conn: Connection) -> list[str]:
    """Deals in the database, in the order of the stored ``Deals`` list when there is one."""
    names = [str(r[0]) for r in conn.execute(text("SELECT deal FROM clo.deal ORDER BY deal"))]
    listed = [
        str(from_document(r[0]).get("Deals") or "").strip()
        for r in conn.execute(
            text("SELECT cells FROM clo.sheet_row WHERE block = 'reference.deals' ORDER BY position")
        )
    ]
    order = {name: i for i, name in enumerate(n for n in listed if n)}
    return sorted(names, key=lambda n: (order.get(n, len(order)), n))


def _missing(deal: str, known: Sequence[str]) -> DealNotStored:
    listed = ", ".join(known) or "none yet"
    return DealNotStored(
        f"deal '{deal}' is not in the database: load it with Save to DB or `clo-xl migrate WORKBOOK` "
        f"(stored: {listed})"
    )


def deal_stamp(url: str, deal: str) -> DealStamp:
    """The deal's :class:`DealStamp` (one query); :class:`DealNotStored` when the deal is not stored."""
    with database_errors(f"checking the version of {deal}", wrote=False), engine_for(url).connect() as conn:
        row = conn.execute(_STAMP, {"deal": deal.strip()}).first()
        if row is None:
            raise _missing(deal, stored_deal_names(conn))
    return DealStamp(str(row[0]), int(row[1]), _triple(row[2]), _triple(row[3]))


def deal_version(url: str, deal: str) -> tuple[str, int]:
    """(the stored name, ``clo.deal.row_version``) of a deal: the cheapest check (an index lookup);
    :class:`DealNotStored` when the deal is not stored."""
    with database_errors(f"checking the version of {deal}", wrote=False), engine_for(url).connect() as conn:
        row = conn.execute(_VERSION, {"deal": deal.strip()}).first()
        if row is None:
            raise _missing(deal, stored_deal_names(conn))
    return str(row[0]), int(row[1])


def _triple(values: Sequence[Any]) -> tuple[int, int, int]:
    a, b, c = (int(v) for v in values)
    return a, b, c


def resolve_deal(conn: Connection, deal: str) -> str:
    """The stored spelling of ``deal`` (case-insensitive); :class:`DealNotStored` when there is none."""
    names = stored_deal_names(conn)
    wanted = deal.strip().casefold()
    for name in names:
        if name.casefold() == wanted:
            return name
    raise _missing(deal, names)


# -- rows as JSON images, optionally rolled back to a deal version ------------------------------------

Image = dict[str, Any]
Images = dict[tuple[Any, ...], Image]


def _key(table: str, image: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(json.dumps(image.get(k), sort_keys=True) for k in KEYS[table])


def _images(conn: Connection, table: str, where: str, params: Mapping[str, Any]) -> Images:
    rows = conn.execute(text(f"SELECT to_jsonb(t) FROM clo.{table} t WHERE {where}"), dict(params))
    return {_key(table, r[0]): dict(r[0]) for r in rows}


def _boundary(conn: Connection, deal: str, version: int) -> int:
    """The last change-log id of the transaction that made ``deal`` version ``version``."""
    found = conn.execute(
        text(
            "SELECT max(c.change_id) FROM audit.change_log c WHERE c.transaction_id = ("
            " SELECT transaction_id FROM audit.change_log WHERE table_name = 'clo.deal'"
            " AND row_key->>'deal' = :d AND (after->>'row_version')::int = :v"
            " ORDER BY change_id DESC LIMIT 1)"
        ),
        {"d": deal, "v": version},
    ).scalar()
    if found is None:
        current = conn.execute(text("SELECT row_version FROM clo.deal WHERE deal = :d"), {"d": deal}).scalar()
        raise DatabaseError(
            f"deal '{deal}' has no version {version} in the audit trail (versions 1 to {current}; "
            "versions before the last restore of a backup are not kept)"
        )
    return int(found)


def _undo(conn: Connection, deal: str, after: int, images: Mapping[str, Images]) -> None:
    """Undo, newest first, every change after change id ``after`` to the tables in ``images``."""
    deal_tables = [f"clo.{t}" for t in ("deal", "holding", *DEAL_CHILD_TABLES)]
    changes = conn.execute(
        text(
            "SELECT table_name, operation, before, after FROM audit.change_log WHERE change_id > :after AND ("
            " (table_name = ANY(:deal_tables) AND row_key->>'deal' = :d)"
            " OR table_name IN ('clo.asset', 'clo.sheet_row')) ORDER BY change_id DESC"
        ),
        {"after": after, "deal_tables": deal_tables, "d": deal},
    )
    for table_name, operation, before, later in changes:
        table = str(table_name).removeprefix("clo.")
        rows = images[table]
        if operation == "INSERT":
            rows.pop(_key(table, later), None)
        elif operation == "DELETE":
            rows[_key(table, before)] = dict(before)
        else:  # UPDATE: the key may have changed too
            rows.pop(_key(table, later), None)
            rows[_key(table, before)] = dict(before)


def _typed(conn: Connection, table: str, images: Images) -> list[dict[str, Any]]:
    """JSON images back to typed rows (dates as dates) by PostgreSQL's own ``jsonb_populate_recordset``."""
    if not images:
        return []
    result = conn.execute(
        text(f"SELECT r.* FROM jsonb_populate_recordset(NULL::clo.{table}, CAST(:rows AS jsonb)) r"),
        {"rows": json.dumps(list(images.values()))},
    )
    return [dict(r._mapping) for r in result]


# -- the book -----------------------------------------------------------------------------------------


def _deal_images(conn: Connection, deal: str) -> dict[str, Images]:
    return {t: _images(conn, t, "deal = :d", {"d": deal}) for t in ("deal", "holding", *DEAL_CHILD_TABLES)}


Reference = tuple[dict[str, RawTable], RawDocument, dict[str, tuple[object, ...]]]


def _reference(sheet_rows: Sequence[Mapping[str, Any]]) -> Reference:
    """The Reference Table sections, the Run Model controls and the Filter Sheet lists."""
    blocks: dict[str, list[Mapping[str, Any]]] = {}
    for row in sorted(sheet_rows, key=lambda r: (r["block"], r["position"])):
        blocks.setdefault(str(row["block"]), []).append(row)
    reference: dict[str, RawTable] = {}
    for section in L.REFERENCE_SECTIONS:
        rows = blocks.get(f"reference.{section.key}", [])
        numbers = [r["sheet_row"] for r in rows]
        reference[section.key] = RawTable(
            file=SOURCE,
            sheet=L.REFERENCE_TABLE,
            headers=section.headers,
            rows=tuple({h: from_document(r["cells"]).get(h) for h in section.headers} for r in rows),
            first_row=numbers[0] if numbers and numbers[0] is not None else L.REFERENCE_FIRST_ROW,
            columns={h: section.first_col + k for k, h in enumerate(section.headers)},
            row_numbers=numbers if rows and all(n is not None for n in numbers) else None,
        )
    controls = blocks.get("run_model", [])
    run_model = RawDocument(
        file=SOURCE, data=dict(from_document(controls[0]["cells"])) if controls else {}, sheet=L.RUN_MODEL
    )
    filters = {
        key: tuple(from_document(r["cells"]).get("value") for r in blocks.get(f"filter.{key}", []))
        for key, _ in L.FILTER_LISTS
    }
    return reference, run_model, filters


def _read(conn: Connection, deals: Sequence[str], as_of: int | None) -> StoredBook:
    universe = {
        "asset": _images(conn, "asset", "TRUE", {}),
        "sheet_row": _images(conn, "sheet_row", "TRUE", {}),
    }
    per_deal = {deal: _deal_images(conn, deal) for deal in deals}
    if as_of is not None:
        (deal,) = deals
        _undo(conn, deal, _boundary(conn, deal, as_of), {**per_deal[deal], **universe})
    documents: dict[str, RawDocument] = {}
    holdings: dict[str, RawTable] = {}
    versions: dict[str, int] = {}
    for deal, images in per_deal.items():
        typed = {table: _typed(conn, table, rows) for table, rows in images.items()}
        if not typed["deal"]:
            raise DealNotStored(f"deal '{deal}' did not exist at version {as_of}")
        head = typed["deal"][0]
        held = [h for h in typed["holding"] if h["analysis_date"] == head["analysis_date"]]
        children = {DEAL_CHILD_TABLES[t]: typed[t] for t in DEAL_CHILD_TABLES}
        document = deal_document(head, holdings=held, **children)
        # as the workbook reader: the holdings travel as their own table, not inside the document
        documents[deal] = raw_document({k: v for k, v in document.items() if k != "holdings"}, source=SOURCE)
        holdings[deal] = RawTable(
            file=SOURCE,
            sheet=L.deal_sheet(deal),
            headers=("BLKRockID", "Par Amount"),
            rows=tuple({"BLKRockID": h["brs_id"], "Par Amount": h["par"]} for h in document["holdings"]),
        )
        versions[deal] = int(head["row_version"])
    reference, run_model, filters = _reference(_typed(conn, "sheet_row", universe["sheet_row"]))
    data = WorkbookData(
        file=SOURCE,
        sheet_names=(
            L.RUN_MODEL,
            *(L.deal_sheet(d) for d in deals),
            L.ALL_ASSETS,
            L.REFERENCE_TABLE,
            L.FILTER_SHEET,
        ),
        assets=assets_table(_typed(conn, "asset", universe["asset"]), source=SOURCE),
        deals=documents,
        holdings=holdings,
        run_model=run_model,
        reference=reference,
        filter_lists=filters,
    )
    return StoredBook(data, versions)


def load_book(url: str, deals: Sequence[str] | None = None, *, as_of: int | None = None) -> StoredBook:
    """The stored book (every deal, or those named; names case-insensitive) as one consistent snapshot.

    ``as_of``: read the (single) named deal, the universe and the reference rows as they were at that row
    version of the deal. Raises :class:`DealNotStored` for an unknown deal, :class:`DatabaseError` for a
    version the audit trail does not have.
    """
    if as_of is not None and (deals is None or len(deals) != 1):
        raise DatabaseError("as_of needs exactly one deal")
    what = f"reading {', '.join(deals)}" if deals else "reading the stored book"
    with database_errors(what, wrote=False), engine_for(url).connect() as conn:
        conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        names = [resolve_deal(conn, d) for d in deals] if deals is not None else stored_deal_names(conn)
        book = _read(conn, names, as_of)
        conn.rollback()
    return book


def stored_location(deal: str) -> Location:
    """Where a stored deal's values come from, for messages."""
    return Location(file=SOURCE, sheet=L.deal_sheet(deal))


__all__ = [
    "DealNotStored",
    "DealStamp",
    "StoredBook",
    "deal_stamp",
    "deal_version",
    "load_book",
    "resolve_deal",
    "stored_deal_names",
]
