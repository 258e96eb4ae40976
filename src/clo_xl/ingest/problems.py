"""Collecting every problem of an input in one run, instead of stopping at the first.

Readers and parsers take a :class:`Problems` collector, record each bad value with its location and carry
on (the bad value is skipped); at the end of the input, :meth:`Problems.raise_if_any` raises one
:class:`~clo_xl.errors.InputRejected` listing them all, in the order they were found. A workbook with a
hundred bad cells is fixed in one round trip, not a hundred.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

from clo_xl.errors import IngestError, InputRejected, Location

T = TypeVar("T")

#: problems listed in full; beyond this they are counted (a corrupt sheet could yield a million)
LIMIT = 500


class Problems:
    """An ordered, de-duplicated list of located problems."""

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self._items: list[IngestError] = []
        self._seen: set[str] = set()
        self.omitted = 0

    def __len__(self) -> int:
        return len(self._items) + self.omitted

    def __bool__(self) -> bool:
        return len(self) > 0

    def __iter__(self) -> Iterator[IngestError]:
        return iter(self._items)

    def add(self, location: Location, value: object, reason: str) -> None:
        """Record one problem (a repeat of the same message is dropped)."""
        self.error(IngestError(location, value, reason))

    def error(self, exc: IngestError) -> None:
        """Record an error raised by a parser; an :class:`InputRejected` contributes each of its problems."""
        if isinstance(exc, InputRejected):
            for p in exc.problems:
                self.error(p)
            self.omitted += exc.omitted
            return
        loc = exc.location
        # one problem per cell: the first says why (a formula error), the rest would only echo it
        key = f"{loc.file}|{loc.sheet}|{loc.cell}" if loc.cell else str(exc)
        if key in self._seen:
            return
        self._seen.add(key)
        if len(self._items) >= self.limit:
            self.omitted += 1
            return
        self._items.append(exc)

    def attempt(self, fn: Callable[[], T]) -> T | None:
        """``fn()``, or None after recording the :class:`IngestError` it raised."""
        try:
            return fn()
        except IngestError as exc:
            self.error(exc)
            return None

    def raise_if_any(self) -> None:
        if self:
            raise InputRejected(self._items, self.omitted)


__all__ = ["LIMIT", "Problems"]
