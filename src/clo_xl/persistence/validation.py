"""The four validation levels of ``clo-xl migrate``.

* **L1 structure** and **L2 business rules**: the one validation layer every command applies
  (:mod:`clo_xl.ingest.book`): the package, sheets, the 70 ``All Assets`` headers and deal blocks, every
  input cell typed and range-checked (ratings, enumerations, magnitudes, dates in the engine's calendar),
  IDs unique, every holding's asset present in ``All Assets``, ordered dates. A migration stores nothing a
  later command would refuse.
* **L3 reconciliation** (:func:`reconcile`): read back inside the load transaction, per deal the holdings
  count, par sum and a checksum of (ID, par) in sheet order equal the workbook's; the universe's count and
  row checksum equal the transformed rows'.
* **L4 calculation parity** (:func:`calculation_parity`): the deal inputs and assets rebuilt from the
  database equal those parsed from the workbook, and compliance computed from the database equals
  compliance computed from the workbook within the tolerance (legacy convention).

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

from sqlalchemy import Connection, text

from clo_xl.deal import DealInputs
from clo_xl.errors import IngestError, Location
from clo_xl.ingest.raw import RawTable
from clo_xl.persistence.asset_columns import ASSET_COLUMNS, BY_NAME
from clo_xl.persistence.content import WorkbookContent
from clo_xl.portfolio.asset import Asset
from clo_xl.portfolio.pool import Holding, Pool, Universe
from clo_xl.xlsx import column_letter

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

    asset_rows: list[dict[str, Any]]
    deals: dict[str, DealInputs]
    holdings: dict[str, list[HoldingRowIn]]
    warnings: list[str] = field(default_factory=list)


def _asset_location(table: RawTable, row: Mapping[str, Any], column_name: str) -> Location:
    column = BY_NAME[column_name]
    sheet_row = row.get("sheet_row")
    cell = f"{column_letter(column.position)}{sheet_row}" if sheet_row is not None else None
    return Location(file=table.file, sheet=table.sheet, cell=cell, column=column.header, row=sheet_row)


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


def _row_key(values: Sequence[Any]) -> tuple[Any, ...]:
    """A row's values as compared by L3: equal exactly when :func:`rows_checksum` would hash them equal.

    Floats by ``repr`` (any bit differs, NaN equals NaN, -0.0 differs from 0.0), dates by ISO text, and a
    bool kept apart from the int it would equal in Python (JSON tells ``true`` from ``1``).
    """
    out: list[Any] = []
    for v in values:
        if v.__class__ is float:
            out.append(repr(v))
        elif v.__class__ is bool:
            out.append(("bool", v))
        elif isinstance(v, date):
            out.append(v.isoformat())
        else:
            out.append(v)
    return tuple(out)


def holdings_checksum(pairs: Sequence[tuple[str, float]]) -> str:
    return rows_checksum([{"id": a, "par": p} for a, p in pairs], ["id", "par"])


def reconcile(conn: Connection, content: WorkbookContent, t: Transformed) -> list[Check]:
    """L3, inside the load transaction: what the database now holds equals what the workbook says."""
    checks: list[Check] = []
    columns = ["asset_id"] + [c.name for c in ASSET_COLUMNS[1:]] + ["sheet_row"]
    ids = [r["asset_id"] for r in t.asset_rows]
    # row tuples compared value by value (the same equality as rows_checksum, without a dict and a JSON
    # document per row: at 50,000 assets x 72 columns that encoding was most of L3's time)
    stored = [
        _row_key(r)
        for r in conn.execute(
            text(f"SELECT {', '.join(columns)} FROM clo.asset WHERE asset_id = ANY(:ids) ORDER BY asset_id"),
            {"ids": ids},
        )
    ]
    wanted = [
        _row_key([r.get(c) for c in columns]) for r in sorted(t.asset_rows, key=lambda r: r["asset_id"])
    ]
    if len(stored) != len(wanted) or stored != wanted:
        raise IngestError(
            Location(file=content.file, sheet=content.assets.sheet),
            len(stored),
            f"reconciliation failed: the database holds {len(stored)} of the {len(wanted)} assets "
            "or their values differ from All Assets",
        )
    checks.append(Check("L3", "All Assets count and checksum", "passed", f"{len(wanted)} assets"))
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


def _same(a: float, b: float, tolerance: float) -> bool:
    if math.isnan(a) and math.isnan(b):
        return True
    return abs(a - b) <= tolerance * max(1.0, abs(a), abs(b))


def calculation_parity(
    conn: Connection,
    content: WorkbookContent,
    t: Transformed,
    assets: Sequence[Asset],
    *,
    tolerance: float = TOLERANCE,
) -> list[Check]:
    """L4: inputs rebuilt from the database equal the workbook's; compliance agrees within ``tolerance``."""
    from clo_xl.persistence.repository import read_assets, read_deals

    checks: list[Check] = []
    by_id = {a.brs_id: a for a in assets}
    db_assets = read_assets(conn)
    db_by_id = {a.brs_id: a for a in db_assets}
    differing = [i for i, a in by_id.items() if db_by_id.get(i) != a]
    if differing or len(db_by_id) < len(by_id):
        first = differing[0] if differing else None
        row = next((r for r in t.asset_rows if r["asset_id"] == first), {})
        raise IngestError(
            Location(
                file=content.file, sheet=content.assets.sheet, row=row.get("sheet_row"), column="BLKRockID"
            ),
            first,
            f"parity failed: {len(differing)} assets read back from the database differ from the workbook's",
        )
    checks.append(
        Check("L4", "assets from the database equal the workbook's", "passed", f"{len(by_id)} assets")
    )
    engine_available = True
    # one universe per side, so the engine's column arrays are built once per side, not once per deal
    wb_universe = Universe(tuple(assets))
    db_universe = Universe(tuple(db_assets))
    stored_deals = read_deals(conn, list(t.deals))
    for deal, inputs in t.deals.items():
        stored = stored_deals[deal].inputs()
        wb_holdings = tuple(Holding(h.asset_id, h.par) for h in t.holdings.get(deal, []))
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
            from_wb = _compliance_numbers(wb_universe, wb_holdings, inputs)
        except ImportError:
            engine_available = False
            checks.append(Check("L4", "compliance recomputed", "skipped", "compliance engine not installed"))
            continue
        except Exception as exc:  # the engine refused the workbook's own inputs: not a database question
            checks.append(Check("L4", f"{deal} compliance", "skipped", f"engine could not run: {exc}"))
            continue
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
