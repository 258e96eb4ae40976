"""Turning driver failures into the one error a user sees: a :class:`DatabaseError` (exit 2) that says
what was being done and that nothing was written (the transaction was rolled back), never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import SQLAlchemyError

from clo_xl.errors import DatabaseError


def describe(exc: BaseException) -> str:
    """The first line of the driver's message (no SQL, no parameters, no SQLAlchemy help link)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return (text.splitlines() or [type(exc).__name__])[0]


@contextmanager
def database_errors(action: str, *, wrote: bool = True) -> Iterator[None]:
    """Re-raise SQLAlchemy errors inside the block as :class:`DatabaseError` naming ``action``."""
    try:
        yield
    except SQLAlchemyError as exc:
        outcome = "nothing was written" if wrote else "nothing was read"
        raise DatabaseError(f"{action} failed, {outcome}: {describe(exc)}") from exc
