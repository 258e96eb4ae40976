"""Reading the audit trail: runs (``audit.run_log``) with the changes their transaction made
(``audit.change_log``), and changes no clo-xl run accounts for, for ``clo-xl db log`` and ``db status``.

A run recorded inside the transaction that wrote ``clo`` (migrate, save, restore) carries that transaction's
id; its change-log rows are folded into it as counts per table and operation. Change-log rows of a
transaction without a run (an edit made with SQL outside clo-xl, or a run recorded before revision 0006)
are listed on their own, grouped by transaction. Times are ``timestamptz`` (UTC in the JSON).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

#: change-log operations, in the order a summary lists them, with their one-character mark
OPERATIONS = {"INSERT": "+", "UPDATE": "~", "DELETE": "-"}


@dataclass(frozen=True)
class AuditFilter:
    """What ``db log`` lists: every bound is optional; ``since`` inclusive, ``until`` exclusive."""

    kind: str | None = None
    deal: str | None = None
    actor: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 50
    runs: bool = True
    changes: bool = True


TableCounts = dict[str, dict[str, int]]  # "clo.asset" → {"INSERT": 3, "UPDATE": 1}


def summarise_changes(tables: Mapping[str, Mapping[str, int]], *, top: int = 3) -> str:
    """``+1,010 ~2 in 3 tables: clo.asset +1,000 ~2; clo.deal +10; …`` (+ inserted, ~ updated, - deleted):
    the totals, then the ``top`` tables with the most changed rows (every table in the JSON)."""
    if not tables:
        return ""

    def marks(ops: Mapping[str, int]) -> str:
        return " ".join(f"{mark}{ops[op]:,}" for op, mark in OPERATIONS.items() if ops.get(op))

    totals = {op: sum(t.get(op, 0) for t in tables.values()) for op in OPERATIONS}
    ranked = sorted(tables, key=lambda name: (-sum(tables[name].values()), name))
    shown = "; ".join(f"{name} {marks(tables[name])}" for name in ranked[:top])
    more = f"; {len(ranked) - top} more" if len(ranked) > top else ""
    plural = "table" if len(tables) == 1 else "tables"
    return f"{marks(totals)} in {len(tables)} {plural}: {shown}{more}"


@dataclass(frozen=True)
class RunEntry:
    """One row of ``audit.run_log`` with the changes of its transaction."""

    run_id: int
    started_at: datetime
    finished_at: datetime | None
    actor: str
    kind: str
    deal: str | None
    status: str
    code_version: str
    convention: str | None
    inputs_hash: str | None
    parameters: Mapping[str, Any]
    transaction_id: int | None
    changes: TableCounts = field(default_factory=dict)

    @property
    def duration_s(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    def what(self) -> str:
        """``migrate TradeHypo.xlsm``, ``save Mag 17``, ``backup /path/clo-….zip``."""
        detail = self.deal or ""
        for key in ("workbook", "path"):
            value = self.parameters.get(key)
            if value and not detail:
                detail = str(value).replace("\\", "/").rsplit("/", 1)[-1]
        return f"{self.kind} {detail}".strip()

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "run",
            "run_id": self.run_id,
            "started_at": self.started_at.isoformat(),
            "finished_at": None if self.finished_at is None else self.finished_at.isoformat(),
            "duration_s": None if self.duration_s is None else round(self.duration_s, 3),
            "actor": self.actor,
            "kind": self.kind,
            "deal": self.deal,
            "status": self.status,
            "code_version": self.code_version,
            "convention": self.convention,
            "inputs_hash": self.inputs_hash,
            "parameters": dict(self.parameters),
            "transaction_id": self.transaction_id,
            "changes": self.changes,
        }


@dataclass(frozen=True)
class ChangeEntry:
    """The change-log rows of one transaction that no run accounts for."""

    transaction_id: int
    first_at: datetime
    last_at: datetime
    actor: str
    db_role: str
    tables: TableCounts
    deals: tuple[str, ...]

    @property
    def duration_s(self) -> float:
        return (self.last_at - self.first_at).total_seconds()

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "change",
            "transaction_id": self.transaction_id,
            "started_at": self.first_at.isoformat(),
            "finished_at": self.last_at.isoformat(),
            "duration_s": round(self.duration_s, 3),
            "actor": self.actor,
            "db_role": self.db_role,
            "deals": list(self.deals),
            "changes": self.tables,
        }


def _where(clauses: Sequence[tuple[bool, str]]) -> str:
    used = [sql for keep, sql in clauses if keep]
    return (" WHERE " + " AND ".join(used)) if used else ""


def _params(f: AuditFilter) -> dict[str, Any]:
    return {
        "kind": f.kind,
        "deal": f.deal,
        "actor": f.actor,
        "since": f.since,
        "until": f.until,
        "limit": f.limit,
    }


def _table_counts(conn: Connection, txids: Sequence[int]) -> dict[int, TableCounts]:
    """Changed rows per transaction, table and operation."""
    counts: dict[int, TableCounts] = {}
    if not txids:
        return counts
    for txid, table, op, n in conn.execute(
        text(
            "SELECT transaction_id, table_name, operation, count(*) FROM audit.change_log "
            "WHERE transaction_id = ANY(:txids) GROUP BY 1, 2, 3"
        ),
        {"txids": list(txids)},
    ):
        counts.setdefault(int(txid), {}).setdefault(str(table), {})[str(op)] = int(n)
    return counts


def _runs(conn: Connection, f: AuditFilter) -> list[RunEntry]:
    where = _where(
        [
            (f.kind is not None, "lower(kind) = lower(:kind)"),
            (f.deal is not None, "lower(deal) = lower(:deal)"),
            (f.actor is not None, "actor = :actor"),
            (f.since is not None, "started_at >= :since"),
            (f.until is not None, "started_at < :until"),
        ]
    )
    rows = conn.execute(
        text(
            "SELECT run_id, started_at, finished_at, actor, kind, deal, status, code_version, convention, "
            f"inputs_hash, parameters, transaction_id FROM audit.run_log{where} "
            "ORDER BY started_at DESC, run_id DESC LIMIT :limit"
        ),
        _params(f),
    ).all()
    counts = _table_counts(conn, [int(r.transaction_id) for r in rows if r.transaction_id is not None])
    return [
        RunEntry(
            run_id=int(r.run_id),
            started_at=r.started_at,
            finished_at=r.finished_at,
            actor=r.actor,
            kind=r.kind,
            deal=r.deal,
            status=r.status,
            code_version=r.code_version,
            convention=r.convention,
            inputs_hash=r.inputs_hash,
            parameters=r.parameters or {},
            transaction_id=r.transaction_id,
            changes=counts.get(int(r.transaction_id), {}) if r.transaction_id is not None else {},
        )
        for r in rows
    ]


def _orphan_changes(conn: Connection, f: AuditFilter) -> list[ChangeEntry]:
    where = _where(
        [
            (True, "NOT EXISTS (SELECT 1 FROM audit.run_log r WHERE r.transaction_id = c.transaction_id)"),
            (f.deal is not None, "lower(c.row_key ->> 'deal') = lower(:deal)"),
            (f.actor is not None, "c.actor = :actor"),
            (f.since is not None, "c.changed_at >= :since"),
            (f.until is not None, "c.changed_at < :until"),
        ]
    )
    transactions = conn.execute(
        text(
            "SELECT c.transaction_id, min(c.changed_at) AS first_at, max(c.changed_at) AS last_at, "
            "min(c.actor) AS actor, min(c.db_role) AS db_role, "
            "array_remove(array_agg(DISTINCT c.row_key ->> 'deal'), NULL) AS deals "
            f"FROM audit.change_log c{where} GROUP BY c.transaction_id "
            "ORDER BY first_at DESC LIMIT :limit"
        ),
        _params(f),
    ).all()
    if not transactions:
        return []
    counts = _table_counts(conn, [int(t.transaction_id) for t in transactions])
    return [
        ChangeEntry(
            transaction_id=int(t.transaction_id),
            first_at=t.first_at,
            last_at=t.last_at,
            actor=t.actor,
            db_role=t.db_role,
            tables=counts.get(int(t.transaction_id), {}),
            deals=tuple(sorted(t.deals or ())),
        )
        for t in transactions
    ]


def read_audit_log(conn: Connection, f: AuditFilter) -> list[RunEntry | ChangeEntry]:
    """Runs and unaccounted changes matching ``f``, newest first, at most ``f.limit`` entries."""
    runs: list[RunEntry | ChangeEntry] = list(_runs(conn, f)) if f.runs else []
    # a kind filter names runs; changes outside any run have no kind
    changes: list[RunEntry | ChangeEntry] = (
        list(_orphan_changes(conn, f)) if f.changes and f.kind is None else []
    )
    merged = sorted(runs + changes, key=lambda e: _start(e), reverse=True)
    return merged[: f.limit]


def _start(entry: RunEntry | ChangeEntry) -> datetime:
    return entry.started_at if isinstance(entry, RunEntry) else entry.first_at


__all__ = ["AuditFilter", "ChangeEntry", "RunEntry", "read_audit_log", "summarise_changes"]
