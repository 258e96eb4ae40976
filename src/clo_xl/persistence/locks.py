"""Making saves wait while a whole-book writer (``clo-xl migrate``, ``clo-xl db restore``) runs.

A migration loads in ONE REPEATABLE READ transaction. Without a lock, an analyst's "Save to DB" that commits
a change to a row the migration also writes makes PostgreSQL refuse the migration at commit ("could not
serialize access due to concurrent update"): under load no migration got through during the working day.

The whole-book writer therefore starts its transaction with ``LOCK TABLE clo.deal IN EXCLUSIVE MODE``:

* plain reads (loading a deal, compliance, refresh) take ACCESS SHARE and are never blocked;
* a save starts with ``SELECT ... FOR UPDATE`` on its deal row (ROW SHARE), and every insert into a deal's
  child tables or ``hypo_trade`` checks its foreign key with ``FOR KEY SHARE`` (ROW SHARE): both conflict
  with EXCLUSIVE, so they wait for the writer to commit, then read the deal's new version and, when the
  migration changed that deal, are refused as stale with who/what/when like any other stale save;
* a save already in flight holds ROW SHARE, so the writer's LOCK waits for it to commit first.

The LOCK must be the transaction's first statement: a REPEATABLE READ snapshot is taken by the first
query, and ``LOCK TABLE`` is not one (PostgreSQL manual, "LOCK"), so the snapshot then includes every save
that committed while the writer waited, and nothing it writes can be concurrently updated.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

#: the lock mode: conflicts with ROW SHARE (``FOR UPDATE``/``FOR KEY SHARE``) and above, not ACCESS SHARE
MODE = "EXCLUSIVE"


def lock_out_deal_writers(conn: Connection) -> None:
    """Take the whole-book writer's lock on ``clo.deal`` (held until the transaction ends). Call it as the
    FIRST statement of the transaction (after ``SET TRANSACTION``), before anything takes a snapshot."""
    conn.execute(text(f"LOCK TABLE clo.deal IN {MODE} MODE"))


def deal_table_exists(conn: Connection) -> bool:
    """Whether ``clo.deal`` exists yet (a new database has nothing to lock)."""
    return bool(conn.execute(text("SELECT to_regclass('clo.deal') IS NOT NULL")).scalar_one())
