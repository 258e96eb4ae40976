"""The four validation levels of ``clo-xl migrate``.

* **L1 structure** and **L2 business rules**: the one validation layer every command applies
  (:mod:`clo_xl.ingest.book`): the package, sheets, the 70 ``All Assets`` headers and deal blocks, every
  input cell typed and range-checked (ratings, enumerations, magnitudes, dates in the engine's calendar),
  IDs unique, every holding's asset present in ``All Assets``, ordered dates. A migration stores nothing a
  later command would refuse.
* **L3 reconciliation** (:func:`reconcile`): read back inside the load transaction, per deal the holdings
  count, par sum and a checksum of (ID, par) in sheet order equal the workbook's; the universe's count and
  a digest of every ``clo.asset`` column, computed by PostgreSQL over the stored rows, equal the same
  digest computed from the transformed columns (every bit of a number, every character of a text).
* **L4 calculation parity** (:func:`calculation_parity`): the deal inputs and assets rebuilt from the
  database equal those parsed from the workbook (compared column by column), and compliance computed from
  the database equals compliance computed from the workbook within the tolerance (legacy convention), each
  over the deal's held assets as ``compliance --deal`` reads them.

Each failed rule raises :class:`~clo_xl.errors.IngestError` naming sheet and cell where a cell is at
fault; the caller rolls back, so nothing is loaded.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import Connection, text

from clo_xl.deal import DealInputs
from clo_xl.errors import IngestError, Location
from clo_xl.ingest.assets import AssetTable
from clo_xl.persistence.asset_columns import ASSET_COLUMNS, BY_NAME
from clo_xl.persistence.content import WorkbookContent
from clo_xl.persistence.mappers import AssetColumns
from clo_xl.portfolio.pool import Holding, Pool, Universe

TOLERANCE = 1e-9


@dataclass
class Check:
    """One validation outcome for the report."""

    level: str
    name: str
    status: str  # passed | failed | skipped
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"level": self.level, "name": self.name, "status": self.status, "detail": self.detail}


@dataclass(frozen=True)
class HoldingRowIn:
    """A ``DealCollateral`` row as read, with where it sits."""

    asset_id: str
    par: float
    location: Location


@dataclass
class Transformed:
    """Rows ready to load plus the workbook's own figures the load must reproduce."""

    asset_rows: AssetColumns
    deals: dict[str, DealInputs]
    holdings: dict[str, list[HoldingRowIn]]
    warnings: list[str] = field(default_factory=list)


# -- L3 ------------------------------------------------------------------------------------------------


def _canonical(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return value


def rows_checksum(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """SHA-256 over rows' values (in the given order), floats by ``repr`` so any bit differs."""
    h = hashlib.sha256()
    for row in rows:
        h.update(json.dumps([_canonical(row.get(c)) for c in columns]).encode())
    return h.hexdigest()


#: how each ``clo.asset`` column is digested: its SQL type's family
_DIGEST_KIND: dict[str, str] = {
    "text": "text",
    "flag": "text",
    "number": "float",
    "date": "date",
    "bool": "bool",
}
#: the asset columns in the order L3 digests them, with their digest kind
_L3_COLUMNS: tuple[tuple[str, str], ...] = (
    ("asset_id", "text"),
    ("sheet_row", "int"),
    *((c.name, _DIGEST_KIND[c.kind]) for c in ASSET_COLUMNS[1:]),
)
_ORDER = 'ORDER BY asset_id COLLATE "C"'


def _digest_sql(column: str, kind: str) -> str:
    """PostgreSQL's digest of one ``clo.asset`` column over every row in ``asset_id`` order (code-point
    order, as Python sorts): see :func:`_digest` for the same digest computed client-side."""
    c = f'"{column}"'
    if kind == "float":  # every bit: the IEEE 754 binary64 of each value (NULL as +0) and the NULL positions
        return (
            f"coalesce(md5(string_agg(float8send(coalesce({c}, 0)), ''::bytea {_ORDER})), '') || "
            f"coalesce(md5(string_agg(CASE WHEN {c} IS NULL THEN '1' ELSE '0' END, '' {_ORDER})), '')"
        )
    if kind == "bool":
        value = f"CASE WHEN {c} IS NULL THEN '~' WHEN {c} THEN 't' ELSE 'f' END"
        return f"coalesce(md5(string_agg({value}, '' {_ORDER})), '')"
    text_of = {
        "text": f"length({c}) || ':' || {c}",  # length-prefixed: a value holding the separator cannot shift
        "int": f"{c}::text",
        "date": f"to_char({c}, 'YYYY-MM-DD')",
    }[kind]
    return f"coalesce(md5(string_agg(coalesce({text_of}, '~'), E'\\n' {_ORDER})), '')"


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _digest(values: Sequence[Any], kind: str) -> str:
    """The digest :func:`_digest_sql` computes, over values already in ``asset_id`` order, computed from the
    transformed values (not from the text the load sent)."""
    if not values:
        return ""
    if kind == "float":
        numbers = np.array(values, dtype=np.float64)  # None → NaN (a stored number is never NaN)
        missing = np.isnan(numbers)
        numbers[missing] = 0.0
        flags = (missing.astype(np.uint8) + ord("0")).tobytes()
        return _md5(numbers.astype(">f8").tobytes()) + _md5(flags)
    if kind == "bool":
        return _md5("".join("~" if v is None else "t" if v else "f" for v in values).encode())
    if kind == "text":
        each = {v: "~" if v is None else f"{len(v)}:{v}" for v in set(values)}
    elif kind == "date":
        each = {v: "~" if v is None else v.isoformat() for v in set(values)}
    else:
        each = {v: "~" if v is None else str(v) for v in set(values)}
    return _md5("\n".join(map(each.__getitem__, values)).encode())


def _assets_reconciled(conn: Connection, content: WorkbookContent, rows: AssetColumns) -> Check:
    """The universe: ``clo.asset`` holds exactly the transformed rows, value for value (every bit of every
    number, every character of every text). PostgreSQL digests each column over the stored rows; the same
    digest is computed from the transformed columns; a count or any digest that differs refuses the load."""
    found = conn.execute(
        text(f"SELECT count(*), {', '.join(_digest_sql(c, k) for c, k in _L3_COLUMNS)} FROM clo.asset")
    ).one()
    stored, digests = int(found[0]), found[1:]
    wanted = len(rows)
    order = sorted(range(wanted), key=rows.ids.__getitem__)
    in_order = order != list(range(wanted))
    differing = None
    if stored == wanted:
        for (name, kind), digest in zip(_L3_COLUMNS, digests, strict=True):
            values = rows.values[name]
            if in_order and values:
                values = list(map(values.__getitem__, order))
            if _digest(values, kind) != digest:
                differing = name
                break
    if stored != wanted or differing is not None:
        column = BY_NAME[differing].header if differing in BY_NAME else differing
        raise IngestError(
            Location(file=content.file, sheet=content.assets.sheet, column=column),
            stored,
            f"reconciliation failed: the database holds {stored} of the {wanted} assets "
            "or their values differ from All Assets",
        )
    return Check("L3", "All Assets count and checksum", "passed", f"{wanted} assets")


def holdings_checksum(pairs: Sequence[tuple[str, float]]) -> str:
    return rows_checksum([{"id": a, "par": p} for a, p in pairs], ["id", "par"])


def reconcile(conn: Connection, content: WorkbookContent, t: Transformed) -> list[Check]:
    """L3, inside the load transaction: what the database now holds equals what the workbook says."""
    checks = [_assets_reconciled(conn, content, t.asset_rows)]
    keys = [(deal, t.deals[deal].analysis_date) for deal in t.holdings]
    stored_pairs: dict[str, list[tuple[str, float]]] = {deal: [] for deal, _ in keys}
    stored_sums: dict[str, float] = {}
    for deal, asset_id, par, total in conn.execute(
        text(
            "SELECT h.deal, h.asset_id, h.par, sum(h.par) OVER (PARTITION BY h.deal) FROM clo.holding h "
            "JOIN unnest(CAST(:deals AS text[]), CAST(:dates AS date[])) AS k(deal, analysis_date) "
            "ON h.deal = k.deal AND h.analysis_date = k.analysis_date ORDER BY h.deal, h.position"
        ),
        {"deals": [k[0] for k in keys], "dates": [k[1] for k in keys]},
    ):
        stored_pairs[str(deal)].append((str(asset_id), float(par)))
        stored_sums[str(deal)] = float(total)
    for deal, rows in t.holdings.items():
        db_pairs = stored_pairs[deal]
        db_sum = stored_sums.get(deal, 0.0)
        wb_pairs = [(h.asset_id, h.par) for h in rows]
        wb_sum = math.fsum(p for _, p in wb_pairs)
        sheet = content.deals[deal].sheet
        if len(db_pairs) != len(wb_pairs):
            raise IngestError(
                Location(file=content.file, sheet=sheet, column="BLKRockID"),
                len(db_pairs),
                f"reconciliation failed: {len(db_pairs)} holdings stored, the sheet has {len(wb_pairs)}",
            )
        if abs(db_sum - wb_sum) > 0.005:
            raise IngestError(
                Location(file=content.file, sheet=sheet, column="Par Amount"),
                db_sum,
                f"reconciliation failed: stored par sum {db_sum:,.2f} ≠ sheet par sum {wb_sum:,.2f}",
            )
        if holdings_checksum(db_pairs) != holdings_checksum(wb_pairs):
            raise IngestError(
                Location(file=content.file, sheet=sheet, column="Par Amount"),
                None,
                "reconciliation failed: the stored holdings differ from the sheet's (ID, par) in order",
            )
        checks.append(
            Check(
                "L3", f"{deal} holdings", "passed", f"{len(wb_pairs)} rows, par {wb_sum:,.2f}, checksum equal"
            )
        )
    return checks


# -- L4 ------------------------------------------------------------------------------------------------


def _compliance_numbers(
    universe: Universe, holdings: Sequence[Holding], inputs: DealInputs
) -> dict[int, float]:
    from clo_xl.compliance.engine import evaluate

    pool = Pool.from_holdings(universe, holdings)
    report = evaluate(pool, inputs, "legacy")
    return {r.number: float(r.result) for r in report.results}


#: L4 builds one universe per side for every deal when the deals hold at most this many assets in all (the
#: sample: 1,000), else one per deal, which keeps a large book's peak memory to one deal's records
SHARED_UNIVERSE_MAX = 5_000


def _held(table: AssetTable, holdings: Sequence[Holding]) -> Universe:
    """The universe a compliance run of these holdings reads: the held assets, in sheet order (as
    ``compliance --deal`` reads a deal from the database), so no record is built for an asset no deal
    holds."""
    index = table.index
    positions = sorted({p for p in (index.get(h.brs_id.strip()) for h in holdings) if p is not None})
    return Universe(tuple(table.asset(i) for i in positions))


def _same(a: float, b: float, tolerance: float) -> bool:
    if math.isnan(a) and math.isnan(b):
        return True
    return abs(a - b) <= tolerance * max(1.0, abs(a), abs(b))


def _differing_assets(wb: AssetTable, db: AssetTable) -> list[str]:
    """The workbook's assets (BLKRockIDs, in sheet order) whose record read back from the database is
    missing or differs in any field (the equality of :class:`~clo_xl.portfolio.asset.Asset`), compared
    column by column: one list comparison per field, asset by asset only in a column that differs."""
    same_order = db.ids == wb.ids
    position: Sequence[int | None] = range(len(wb)) if same_order else [db.index.get(i) for i in wb.ids]
    differing = {i for i, p in enumerate(position) if p is None}
    for name in sorted(set(wb.values) | set(db.values)):
        mine, theirs = wb.values.get(name), db.values.get(name)
        if mine is None or theirs is None:  # a field parsed on one side only
            return list(wb.ids)
        stored = list(theirs) if same_order else [None if p is None else theirs[p] for p in position]
        if list(mine) != stored:
            differing.update(i for i, (a, b) in enumerate(zip(mine, stored, strict=True)) if a != b)
    empty: frozenset[str] = frozenset()
    for i, p in enumerate(position):
        if p is not None and (
            wb.inexact.get(i, empty) != db.inexact.get(p, empty)
            or wb.withdrawn.get(i, empty) != db.withdrawn.get(p, empty)
        ):
            differing.add(i)
    return [wb.ids[i] for i in sorted(differing)]


def calculation_parity(
    conn: Connection,
    content: WorkbookContent,
    t: Transformed,
    universe: AssetTable,
    *,
    tolerance: float = TOLERANCE,
) -> list[Check]:
    """L4: inputs rebuilt from the database equal the workbook's; compliance agrees within ``tolerance``.

    ``universe`` is the workbook's ``All Assets`` as the validation layer parsed it; the database's is read
    back and parsed by the same parser (:func:`~clo_xl.persistence.repository.read_asset_table`)."""
    from clo_xl.persistence.repository import read_asset_table, read_deals

    checks: list[Check] = []
    stored_universe = read_asset_table(conn)
    differing = _differing_assets(universe, stored_universe)
    if differing or len(stored_universe) < len(universe):
        first = differing[0] if differing else None
        sheet_row = None
        if first is not None and first in universe.index:
            sheet_row = universe.table.sheet_row(universe.rows[universe.index[first]])
        raise IngestError(
            Location(file=content.file, sheet=content.assets.sheet, row=sheet_row, column="BLKRockID"),
            first,
            f"parity failed: {len(differing)} assets read back from the database differ from the workbook's",
        )
    checks.append(
        Check("L4", "assets from the database equal the workbook's", "passed", f"{len(universe)} assets")
    )
    engine_available = True
    stored_deals = {deal: found.inputs() for deal, found in read_deals(conn, list(t.deals)).items()}
    wb_holdings_of = {
        deal: tuple(Holding(h.asset_id, h.par) for h in t.holdings.get(deal, [])) for deal in t.deals
    }
    # a small book: one universe per side of the assets some deal holds, so each asset record and the
    # engine's column arrays are built once per side, not once per deal; a large one: one per deal (memory)
    wb_all = [h for held in wb_holdings_of.values() for h in held]
    shared = len({h.brs_id for h in wb_all}) <= SHARED_UNIVERSE_MAX
    wb_shared = _held(universe, wb_all) if shared else None
    db_shared = (
        _held(stored_universe, [h for d in stored_deals.values() for h in d.holdings]) if shared else None
    )
    for deal, inputs in t.deals.items():
        stored = stored_deals[deal]
        wb_holdings = wb_holdings_of[deal]
        same_inputs = (
            stored.analysis_date == inputs.analysis_date
            and stored.accounts == inputs.accounts
            and stored.thresholds == inputs.thresholds
            and stored.current_libor == inputs.current_libor
            and dict(stored.quality_test_inputs) == dict(inputs.quality_test_inputs)
            and stored.objective_weights == inputs.objective_weights
            and stored.holdings == wb_holdings
        )
        if not same_inputs:
            raise IngestError(
                Location(file=content.file, sheet=content.deals[deal].sheet),
                deal,
                "parity failed: the deal inputs read back from the database differ from the sheet's",
            )
        if not engine_available:
            continue
        try:
            from_wb = _compliance_numbers(wb_shared or _held(universe, wb_holdings), wb_holdings, inputs)
        except ImportError:
            engine_available = False
            checks.append(Check("L4", "compliance recomputed", "skipped", "compliance engine not installed"))
            continue
        except Exception as exc:  # the engine refused the workbook's own inputs: not a database question
            checks.append(Check("L4", f"{deal} compliance", "skipped", f"engine could not run: {exc}"))
            continue
        db_universe = db_shared or _held(stored_universe, stored.holdings)
        from_db = _compliance_numbers(db_universe, stored.holdings, stored)
        broken = [n for n in from_wb if n not in from_db or not _same(from_wb[n], from_db[n], tolerance)]
        if broken:
            n = broken[0]
            raise IngestError(
                Location(file=content.file, sheet=f"Compliance-{deal}"),
                from_db.get(n),
                f"parity failed: test {n} from the database {from_db.get(n)!r} ≠ from the workbook "
                f"{from_wb[n]!r} (tolerance {tolerance:g})",
            )
        checks.append(
            Check(
                "L4",
                f"{deal} compliance",
                "passed",
                f"{len(from_wb)} test results equal (tolerance {tolerance:g})",
            )
        )
    return checks
