"""One error tree for clo-xl.

Every error a user can cause derives from :class:`CloXlError`; the CLI prints its message and exits with
its ``exit_code`` (2 for bad input or usage; docs/cli.md), never a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


class CloXlError(Exception):
    """Base of every error clo-xl reports to a user."""

    exit_code: int = 2

    def to_json(self) -> dict[str, Any]:
        return {"error": type(self).__name__, "message": str(self)}


@dataclass(frozen=True)
class Location:
    """Where a value came from: file, sheet, cell (A1), column header and 1-based row.

    Any part may be unknown (``None``); extract files have no sheet or cell, JSON fields have no row.
    """

    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    column: str | None = None
    row: int | None = None

    def describe(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(f"file {self.file}")
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.cell:
            parts.append(f"cell {self.cell}")
        if self.row is not None and not self.cell:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts) if parts else "unknown location"


class IngestError(CloXlError):
    """A bad value in a workbook or extract file, located precisely (``value=None`` when the problem is not
    one cell's value, e.g. a missing sheet: the message then leaves the value out).

    >>> str(IngestError(Location(file="w.xlsm", sheet="Mag 17 Inputs", cell="E7", column="Par Amount"),
    ...                 value="abc", reason="par must be a number"))
    "file w.xlsm, sheet 'Mag 17 Inputs', cell E7, column 'Par Amount': value 'abc': par must be a number"
    """

    def __init__(self, location: Location, value: object, reason: str) -> None:
        self.location = location
        self.value = value
        self.reason = reason
        shown = "" if value is None else f"value {value!r}: "
        super().__init__(f"{location.describe()}: {shown}{reason}")

    def to_json(self) -> dict[str, Any]:
        loc = self.location
        return {
            "error": "IngestError",
            "message": str(self),
            "file": loc.file,
            "sheet": loc.sheet,
            "cell": loc.cell,
            "column": loc.column,
            "row": loc.row,
            "value": None if self.value is None else str(self.value),
            "reason": self.reason,
        }


class InputRejected(IngestError):
    """Every problem found in one input (a workbook, an extract pair, a stored deal), each located.

    The first problem is also this error's own location, value and reason, so a caller that handles a
    single :class:`IngestError` keeps working; ``problems`` holds them all (the CLI prints one ``error:`` line
    each; ``--json`` gets them under ``"problems"``). ``omitted`` counts problems beyond the reporting limit.
    """

    def __init__(self, problems: Sequence[IngestError], omitted: int = 0) -> None:
        if not problems:
            raise ValueError("InputRejected needs at least one problem")
        first = problems[0]
        super().__init__(first.location, first.value, first.reason)
        self.problems: tuple[IngestError, ...] = tuple(problems)
        self.omitted = omitted
        lines = [str(p) for p in self.problems]
        if omitted:
            lines.append(f"... and {omitted} more problem(s) of the same input not listed")
        self.args = ("\n".join(lines),)

    def __str__(self) -> str:
        return str(self.args[0])

    @property
    def count(self) -> int:
        return len(self.problems) + self.omitted

    def to_json(self) -> dict[str, Any]:
        doc = super().to_json()
        doc["message"] = str(self)
        doc["count"] = self.count
        doc["problems"] = [p.to_json() for p in self.problems]
        return doc


class UsageError(CloXlError):
    """Wrong or missing command-line options (exit 2)."""


class ConfigurationError(CloXlError):
    """A deal, test catalogue or waterfall definition that cannot be evaluated (exit 2)."""


class DatabaseError(CloXlError):
    """The database refused or lost a request; nothing was written (exit 2)."""


class ConcurrencyError(DatabaseError):
    """A save based on a stale row version was refused (optimistic concurrency)."""


class ValidationBreak(CloXlError):
    """A parallel run found unexplained differences (exit 1)."""

    exit_code = 1
