"""Fault injectors: drop the connection that runs the Nth SQL statement, or run any action at that moment.

The hook is a SQLAlchemy ``before_cursor_execute`` listener on every engine: when the statement counter
reaches ``at``, it calls ``action(backend_pid)`` for the connection about to run that statement (for
instance ``pg_terminate_backend`` from a second connection, or stopping the server) and lets the statement
go ahead, so the statement itself meets the fault, as it would in production.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from sqlalchemy import event
from sqlalchemy.engine import Engine


@dataclass
class StatementCounter:
    at: int | None = None
    action: Callable[[int], None] | None = None
    count: int = 0
    fired: bool = False
    statements: list[str] = field(default_factory=list)

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.count += 1
        self.statements.append(statement)
        if self.at is not None and self.count == self.at and self.action is not None and not self.fired:
            self.fired = True
            self.action(int(conn.connection.dbapi_connection.info.backend_pid))


@contextmanager
def counting(
    at: int | None = None, action: Callable[[int], None] | None = None
) -> Iterator[StatementCounter]:
    counter = StatementCounter(at, action)
    event.listen(Engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        event.remove(Engine, "before_cursor_execute", counter)


def terminator(admin_url: str) -> Callable[[int], None]:
    """``pg_terminate_backend(pid)`` from a separate superuser connection (what an operator's kill or a
    network drop does to the loading session)."""
    conninfo = admin_url.replace("postgresql+psycopg://", "postgresql://")

    def kill(pid: int) -> None:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            ok = conn.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()
            assert ok is not None and ok[0], f"backend {pid} was not terminated"

    return kill
