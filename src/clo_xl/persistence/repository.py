"""Reading deals and the universe back from ``clo``, and saving a workbook's edits with optimistic
concurrency ("Refresh from DB" / "Save to DB").

A deal's version is ``clo.deal.row_version``: every change to the deal or any of its child rows bumps it
once per transaction. A workbook refreshed at version *n* may save only while the deal is still at *n*;
otherwise the save is refused with a :class:`ConcurrencyError` that says who changed what and when (read
from ``audit.change_log``) and nothing is written, so neither side's work is lost: the database keeps the
other analyst's change and the workbook keeps the refused edits until it is refreshed and saved again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, insert, select, text

from clo_xl.deal import DealInputs
from clo_xl.enums import TransactionType
from clo_xl.errors import ConcurrencyError, DatabaseError
from clo_xl.ingest.assets import AssetTable
from clo_xl.ingest.assets import read_asset_table as parse_asset_table
from clo_xl.ingest.deal_inputs import parse_deal_inputs
from clo_xl.ingest.problems import Problems
from clo_xl.ingest.raw import RawTable
from clo_xl.persistence.asset_columns import ASSET_COLUMNS, AssetColumn
from clo_xl.persistence.audit import record_run, set_actor
from clo_xl.persistence.engine import engine as engine_for
from clo_xl.persistence.failures import database_errors
from clo_xl.persistence.loader import TableLoad, sync_tables, table_of
from clo_xl.persistence.mappers import DealRows, deal_document, deal_rows, raw_document
from clo_xl.persistence.models import (
    AccountRow,
    CashflowInputRow,
    DealRow,
    HoldingRow,
    HypoTradeRow,
    ObjectiveWeightRow,
    QualityInputRow,
    TestThresholdRow,
    TrancheRow,
)
from clo_xl.portfolio.asset import Asset
from clo_xl.portfolio.pool import Trade

#: child tables of a deal, keyed as in :class:`DealRows`
DEAL_CHILDREN: dict[str, type[Any]] = {
    "accounts": AccountRow,
    "tranches": TrancheRow,
    "thresholds": TestThresholdRow,
    "quality_inputs": QualityInputRow,
    "objective_weights": ObjectiveWeightRow,
    "cashflow_inputs": CashflowInputRow,
}


def _rows(
    conn: Connection, table: Table, where: str = "TRUE", params: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    result = conn.execute(select(table).where(text(where)), dict(params or {}))
    return [dict(r._mapping) for r in result]


def deal_names(conn: Connection) -> list[str]:
    return [str(r[0]) for r in conn.execute(text("SELECT deal FROM clo.deal ORDER BY deal"))]


@dataclass(frozen=True)
class StoredDeal:
    """A deal as stored: the interchange document (CONTRACT §2 shape, the workbook layout's values), its
    version, and who last changed it."""

    deal: str
    version: int
    updated_at: datetime
    updated_by: str
    document: dict[str, Any]

    def inputs(self) -> DealInputs:
        """The core's :class:`DealInputs`, parsed by the same parser as a workbook's deal sheet."""
        return parse_deal_inputs(raw_document(self.document))


def read_deal(conn: Connection, deal: str) -> StoredDeal:
    """The deal's document and version (holdings at the deal's current analysis date)."""
    return read_deals(conn, [deal])[deal]


def read_deals(conn: Connection, deals: Sequence[str]) -> dict[str, StoredDeal]:
    """Several deals as :func:`read_deal` reads one, in one query per table (not one per table and deal:
    L4 of a migrate reads every deal back)."""
    wanted = list(dict.fromkeys(deals))
    heads = {str(r["deal"]): r for r in _rows(conn, table_of(DealRow), "deal = ANY(:d)", {"d": wanted})}
    missing = [d for d in wanted if d not in heads]
    if missing:
        known = ", ".join(deal_names(conn)) or "none loaded yet (run clo-xl migrate)"
        raise DatabaseError(f"no deal {missing[0]!r} in the database (deals: {known})")
    children: dict[str, dict[str, list[dict[str, Any]]]] = {d: {k: [] for k in DEAL_CHILDREN} for d in wanted}
    for key, model in DEAL_CHILDREN.items():
        for row in _rows(conn, table_of(model), "deal = ANY(:d)", {"d": wanted}):
            children[str(row["deal"])][key].append(row)
    holdings: dict[str, list[dict[str, Any]]] = {d: [] for d in wanted}
    current = (
        "(deal, analysis_date) IN (SELECT d.deal, d.analysis_date FROM clo.deal d WHERE d.deal = ANY(:d))"
    )
    for holding in _rows(conn, table_of(HoldingRow), current, {"d": wanted}):
        holdings[str(holding["deal"])].append(holding)
    out: dict[str, StoredDeal] = {}
    for deal in wanted:
        head = heads[deal]
        doc = deal_document(head, holdings=holdings[deal], **children[deal])
        out[deal] = StoredDeal(
            deal, int(head["row_version"]), head["updated_at"], str(head["updated_by"]), doc
        )
    return out


#: ``clo.asset`` columns read per query by :func:`_asset_raw_table` (bounds the driver's result in memory)
READ_COLUMNS = 6


class _ColumnGroups(Mapping[str, list[Any]]):
    """``clo.asset`` columns (by legacy header) fetched :data:`READ_COLUMNS` at a time when first asked for,
    only the latest group kept: a parser reading the columns in order holds one group of raw values at a
    time. Valid while the connection is open; :meth:`close` releases the last group."""

    def __init__(self, fetch: Callable[[Sequence[AssetColumn]], dict[str, list[Any]]]) -> None:
        self._fetch: Callable[[Sequence[AssetColumn]], dict[str, list[Any]]] | None = fetch
        self._group = {c.header: i // READ_COLUMNS for i, c in enumerate(ASSET_COLUMNS)}
        self._current: dict[str, list[Any]] = {}

    def __getitem__(self, header: str) -> list[Any]:
        found = self._current.get(header)
        if found is not None:
            return found
        start = self._group[header] * READ_COLUMNS  # KeyError for a header clo.asset lacks
        if self._fetch is None:
            raise RuntimeError("clo.asset columns are read back only while the table is parsed")
        self._current = {}  # released before the next group is fetched
        self._current = self._fetch(ASSET_COLUMNS[start : start + READ_COLUMNS])
        return self._current[header]

    def __contains__(self, header: object) -> bool:
        return header in self._group

    def __iter__(self) -> Iterator[str]:
        return iter(self._group)

    def __len__(self) -> int:
        return len(self._group)

    def close(self) -> None:
        self._fetch, self._current = None, {}


def _asset_raw_table(
    conn: Connection, asset_ids: Sequence[str] | None, source: str, *, streamed: bool = False
) -> RawTable:
    """``clo.asset`` (all rows, or those listed) as an ``All Assets`` raw table in sheet order, held column
    by column: each query returns one array per column for :data:`READ_COLUMNS` columns (no row object per
    asset, and the driver never holds the whole table), legacy headers, the first data row numbered 2 as in
    the sheet. ``streamed``: the columns are fetched as the table is read (:class:`_ColumnGroups`), for a
    parser that reads them in order while ``conn`` is open."""
    order = 'ORDER BY sheet_row IS NULL, sheet_row, asset_id COLLATE "C"'
    where = "" if asset_ids is None else "WHERE asset_id = ANY(%(ids)s)"
    params = {"ids": list(asset_ids or ())}
    raw = cast(Any, conn.connection.dbapi_connection)

    def fetch(group: Sequence[AssetColumn]) -> dict[str, list[Any]]:
        arrays = ", ".join(f"array_agg({_quoted(c.name)} {order})" for c in group)
        with raw.cursor(binary=True) as cur:
            cur.execute(f"SELECT {arrays} FROM clo.asset {where}", params)
            found: list[list[Any] | None] = list(cur.fetchone() or ())
        out: dict[str, list[Any]] = {}
        for i, c in enumerate(group):
            values, found[i] = found[i] or [], None  # the driver's list is released column by column
            out[c.header] = _one_object_per_text(values) if c.kind in ("text", "flag") else values
        return out

    groups = _ColumnGroups(fetch)
    data: Mapping[str, list[Any]] = groups if streamed else {h: groups[h] for h in groups}
    return RawTable.from_columns(
        source,
        "All Assets",
        tuple(c.header for c in ASSET_COLUMNS),
        data,
        first_row=2,
        columns={c.header: c.position for c in ASSET_COLUMNS},
    )


def _one_object_per_text(values: list[Any]) -> list[Any]:
    """A text column with each distinct text held once: the driver returns a new string per cell, and at
    50,000 assets the repeated ratings, industries, flags and names would take ~100 MB more."""
    first = {v: v for v in values}  # keeps the first object of each distinct text
    return list(map(first.__getitem__, values))


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def read_asset_table(conn: Connection, asset_ids: Sequence[str] | None = None) -> AssetTable:
    """Assets (all, or those listed) parsed column by column by the workbook's parser, in sheet order."""
    problems = Problems()
    table = _asset_raw_table(conn, asset_ids, "database", streamed=True)
    try:
        parsed = parse_asset_table(table, problems)
    finally:
        if isinstance(table.data, _ColumnGroups):
            table.data.close()
    problems.raise_if_any()
    return parsed


def read_assets(conn: Connection, asset_ids: Sequence[str] | None = None) -> tuple[Asset, ...]:
    """Assets (all, or those listed) as core :class:`Asset` records, in sheet order."""
    return read_asset_table(conn, asset_ids).assets


@dataclass(frozen=True)
class DealForCompliance:
    """What a compliance run needs from the database: the deal inputs and the assets it holds."""

    inputs: DealInputs
    assets: tuple[Asset, ...]
    version: int


def load_deal_for_compliance(url: str, deal: str) -> DealForCompliance:
    """One deal's inputs and held assets, read in one snapshot (the hot path of compliance from the DB)."""
    with database_errors(f"loading {deal}", wrote=False), engine_for(url).connect() as conn:
        stored = read_deal(conn, deal)
        inputs = stored.inputs()
        ids = sorted({h.brs_id for h in inputs.holdings})
        assets = read_assets(conn, ids)
    return DealForCompliance(inputs, assets, stored.version)


def refresh_deal(url: str, deal: str) -> StoredDeal:
    """ "Refresh from DB": the deal document to write into its ``Mag N Inputs`` sheet, with the version the
    workbook must present when it saves."""
    with database_errors(f"refreshing {deal}", wrote=False), engine_for(url).connect() as conn:
        return read_deal(conn, deal)


# -- saving ------------------------------------------------------------------------------------------


def deal_loads(deals: Sequence[DealRows]) -> list[TableLoad]:
    """Table loads replacing these deals' rows (other deals untouched). Holdings are replaced only at the
    analysis date being loaded, so earlier dates stay as history."""
    names = [d.deal["deal"] for d in deals]
    scope = {"deal": names}
    loads = [TableLoad(table_of(DealRow), [d.deal for d in deals], scope=scope)]
    for key, model in DEAL_CHILDREN.items():
        loads.append(TableLoad(table_of(model), [r for d in deals for r in getattr(d, key)], scope=scope))
    by_date: dict[Any, list[DealRows]] = {}
    for d in deals:
        by_date.setdefault(d.deal["analysis_date"], []).append(d)
    for analysis_date, group in by_date.items():
        loads.append(
            TableLoad(
                table_of(HoldingRow),
                [h for d in group for h in d.holdings],
                scope={"deal": [d.deal["deal"] for d in group], "analysis_date": [analysis_date]},
            )
        )
    return loads


def bump_changed_deals(conn: Connection, actor: str) -> list[str]:
    """Bump the version of every deal whose child rows changed in this transaction but whose own row did
    not (the change log of the current transaction says which); returns those deals."""
    changed = conn.execute(
        text(
            "SELECT DISTINCT row_key->>'deal' FROM audit.change_log "
            "WHERE transaction_id = txid_current() AND table_name <> 'clo.deal' AND row_key ? 'deal' "
            "EXCEPT SELECT row_key->>'deal' FROM audit.change_log "
            "WHERE transaction_id = txid_current() AND table_name = 'clo.deal'"
        )
    ).scalars()
    deals = sorted(str(d) for d in changed)
    if deals:
        conn.execute(
            text(
                "UPDATE clo.deal SET row_version = row_version + 1, updated_at = now(), updated_by = :a "
                "WHERE deal = ANY(:d)"
            ),
            {"a": actor, "d": deals},
        )
    return deals


def describe_changes_since(conn: Connection, deal: str, version: int) -> str:
    """Who changed what and when in ``deal`` after it was at ``version`` (from the audit trail)."""
    rows = conn.execute(
        text(
            "WITH tx AS (SELECT DISTINCT transaction_id FROM audit.change_log WHERE table_name = 'clo.deal' "
            "AND row_key->>'deal' = :d AND (after->>'row_version')::int > :v) "
            "SELECT actor, changed_at, table_name, operation, row_key, before, after FROM audit.change_log "
            "WHERE transaction_id IN (SELECT transaction_id FROM tx) AND row_key->>'deal' = :d "
            "ORDER BY change_id LIMIT 50"
        ),
        {"d": deal, "v": version},
    ).all()
    if not rows:
        return "the change is not in the audit trail"
    lines = []
    for actor, at, table, op, key, before, after in rows:
        if table == "clo.deal" and op == "UPDATE" and before and after:
            diff = {
                k
                for k in after
                if k not in ("row_version", "updated_at", "updated_by") and before.get(k) != after[k]
            }
            if not diff:
                continue
        what = _describe_row(table, op, key, before, after)
        lines.append(f"{actor} at {at:%Y-%m-%d %H:%M:%S %Z}: {what}")
    return "; ".join(lines) if lines else "the deal's version was bumped"


def _describe_row(
    table: str,
    op: str,
    key: Mapping[str, Any],
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> str:
    where = ", ".join(f"{k} {v}" for k, v in key.items() if k != "deal")
    name = table.removeprefix("clo.")
    if op == "UPDATE" and before is not None and after is not None:
        diffs = [
            f"{k} {before.get(k)!r} → {after[k]!r}"
            for k in after
            if k not in ("row_version", "updated_at", "updated_by") and before.get(k) != after[k]
        ]
        return f"changed {name} ({where}): {', '.join(diffs)}"
    return f"{'added' if op == 'INSERT' else 'removed'} {name} ({where})"


def save_deal(
    url: str, document: Mapping[str, Any], *, expected_version: int, actor: str | None = None
) -> int:
    """ "Save to DB": store a workbook's edited deal document if the deal is still at ``expected_version``.

    Returns the deal's new version (unchanged when nothing differed). A stale version raises
    :class:`ConcurrencyError` naming who changed what and when; nothing is written. A bad value raises the
    located :class:`IngestError` of the parser.
    """
    inputs = parse_deal_inputs(raw_document(document, source="workbook"))
    rows = deal_rows(inputs, sheet_name=None)
    started = datetime.now(UTC)
    with database_errors(f"saving {inputs.deal}"), engine_for(url).begin() as conn:
        who = set_actor(conn, actor)
        current = conn.execute(
            text("SELECT row_version, sheet_name FROM clo.deal WHERE deal = :d FOR UPDATE"),
            {"d": inputs.deal},
        ).one_or_none()
        if current is None:
            raise DatabaseError(f"no deal {inputs.deal!r} in the database; load it with clo-xl migrate first")
        version, sheet = int(current[0]), str(current[1])
        if version != expected_version:
            changes = describe_changes_since(conn, inputs.deal, expected_version)
            raise ConcurrencyError(
                f"save of {inputs.deal} refused: your workbook was refreshed at version {expected_version} "
                f"but the database is at version {version}. Changes since: {changes}. Nothing was written "
                "and your edits are still in the workbook: refresh, re-apply them, and save again."
            )
        rows.deal["sheet_name"] = sheet
        existing_waterfall = conn.execute(
            text("SELECT waterfall FROM clo.deal WHERE deal = :d"), {"d": inputs.deal}
        )
        rows.deal["waterfall"] = existing_waterfall.scalar_one_or_none()
        counts = sync_tables(conn, deal_loads([rows]), actor=who)
        bump_changed_deals(conn, who)
        new_version = int(
            conn.execute(
                text("SELECT row_version FROM clo.deal WHERE deal = :d"), {"d": inputs.deal}
            ).scalar_one()
        )
        if new_version != version:
            record_run(
                conn,
                kind="save",
                status="ok",
                started_at=started,
                deal=inputs.deal,
                actor=who,
                parameters={"expected_version": expected_version},
                outputs={"version": new_version, "tables": {k: v.as_dict() for k, v in counts.items()}},
            )
    return new_version


def workbook_blocks(stored: StoredDeal) -> dict[str, list[list[Any]]]:
    """The deal's ``Mag N Inputs`` blocks as rows of cell values, keyed by the legacy named range
    (COMPLIANCE_SPEC §1.2), for the Excel bridge's "Refresh from DB" to write from each block's first data
    row: ``DealCollateral`` (BLKRockID, Par Amount), ``Accounts`` (number, name, interest, principal),
    ``TestThresholds`` (number, name, Min/Max, threshold, overwrite, previous value), ``QualityTestInputs``
    (label, value), ``ObjWeights`` (test number, weight) and ``CFInputs`` (input, value). ``stored.version``
    is what the workbook must present when it saves."""
    doc = stored.document
    return {
        "DealCollateral": [[h["brs_id"], h["par"]] for h in doc.get("holdings", [])],
        "Accounts": [
            [a["number"], a["name"], a["interest"], a["principal"]] for a in doc.get("accounts", [])
        ],
        "TestThresholds": [
            [
                t["test_number"],
                t["test_name"],
                t["min_max"],
                t["threshold"],
                t["overwrite"],
                t["previous_value"],
            ]
            for t in doc.get("test_thresholds", [])
        ],
        "QualityTestInputs": [[k, v] for k, v in doc.get("quality_test_inputs", {}).items()],
        "ObjWeights": [[w["test_number"], w["weight"]] for w in doc.get("objective_weights", [])],
        "CFInputs": [[k, v] for k, v in (doc.get("cf_inputs") or {}).items()],
    }


# -- hypothetical trades -----------------------------------------------------------------------------


def add_hypo_trades(url: str, deal: str, trades: Sequence[Trade], *, actor: str | None = None) -> list[int]:
    """Store an analyst's hypothetical trades for ``deal`` (one transaction); returns their ids. Trades whose
    transaction is neither Buy nor Sale are refused (the legacy silently ignores them)."""
    rows = []
    for i, trade in enumerate(trades):
        if trade.transaction is None:
            raise DatabaseError(f"trade {i + 1} ({trade.brs_id}) is neither Buy nor Sale; nothing was saved")
        rows.append(
            {
                "deal": deal,
                "asset_id": trade.brs_id,
                "transaction": trade.transaction.value,
                "par": trade.par,
                "price": trade.price,
            }
        )
    if not rows:
        return []
    with database_errors(f"saving trades of {deal}"), engine_for(url).begin() as conn:
        set_actor(conn, actor)
        result = conn.execute(insert(HypoTradeRow).returning(HypoTradeRow.trade_id), rows)
        return [int(r[0]) for r in result]


def hypo_trades(url: str, deal: str) -> tuple[Trade, ...]:
    """The deal's stored hypothetical trades, oldest first, as core :class:`Trade` objects."""
    with database_errors(f"reading trades of {deal}", wrote=False), engine_for(url).connect() as conn:
        found = conn.execute(
            select(HypoTradeRow.asset_id, HypoTradeRow.transaction, HypoTradeRow.par, HypoTradeRow.price)
            .where(HypoTradeRow.deal == deal)
            .order_by(HypoTradeRow.trade_id)
        ).all()
    return tuple(
        Trade(a, TransactionType(t), float(p), None if pr is None else float(pr), deal)
        for a, t, p, pr in found
    )


@dataclass(frozen=True)
class WorkbookSnapshot:
    """Everything "Refresh from DB" writes back into a workbook: ``All Assets`` in the legacy layout (70
    headers, sheet order) and every deal's document and version, read in one consistent snapshot."""

    assets: RawTable
    deals: dict[str, StoredDeal]


def refresh_workbook(url: str, deals: Sequence[str] | None = None) -> WorkbookSnapshot:
    """The universe and the deals (all, or those named) as of one REPEATABLE READ snapshot."""
    with database_errors("refreshing the workbook", wrote=False), engine_for(url).connect() as conn:
        conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        table = _asset_raw_table(conn, None, "database")
        names = list(deals) if deals is not None else deal_names(conn)
        stored = read_deals(conn, names)
        conn.rollback()
    return WorkbookSnapshot(table, stored)
