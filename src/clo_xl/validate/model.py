"""The records of a parallel run: one :class:`Check` per legacy cell, one :class:`Outcome` per check."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clo_xl.validate.compare import Status, compare, read_value

#: the "Parallel Run" sheet's columns (issue 6).
SHEET_HEADER = ("item", "cell", "legacy", "python", "difference", "status")


@dataclass(frozen=True)
class Check:
    """One legacy value to compare: where it is, what it means, and Python's value for it.

    ``python_legacy`` is Python's value under the ``legacy`` convention when the run uses another one;
    ``switches`` names the legacy-defect switches that change this value between conventions.
    """

    sheet: str
    cell: str
    item: str
    legacy: Any
    python: Any
    source: str = "legacy tab"  # or "LibreOffice formula"
    python_legacy: Any = None
    switches: tuple[str, ...] | Callable[[], tuple[str, ...]] = ()  # a callable is asked only if needed


@dataclass(frozen=True)
class Outcome:
    check: Check
    status: Status
    relative_difference: float | None
    explanation: str | None = None

    def to_json(self) -> dict[str, Any]:
        c = self.check
        out: dict[str, Any] = {
            "sheet": c.sheet,
            "cell": c.cell,
            "item": c.item,
            "legacy": read_value(c.legacy).display(),
            "python": read_value(c.python).display(),
            "relative_difference": self.relative_difference,
            "source": c.source,
        }
        if self.explanation:
            out["explained_by"] = self.explanation
        return out

    def sheet_row(self) -> list[Any]:
        c = self.check
        legacy, python = read_value(c.legacy), read_value(c.python)
        if legacy.number is not None and python.number is not None:
            difference: Any = python.number - legacy.number
        else:
            difference = None
        status = self.status if not self.explanation else f"explained: {self.explanation}"
        return [
            c.item,
            f"'{c.sheet}'!{c.cell}",
            legacy.display(),
            python.display(),
            difference,
            status,
        ]


def judge(check: Check, tolerance: float) -> Outcome:
    """Compare one check; a difference that the legacy convention reproduces is explained by its switch."""
    legacy = read_value(check.legacy)
    diff = compare(legacy, read_value(check.python), tolerance)
    if diff.agree:
        return Outcome(check, "match", diff.relative_difference)
    if check.switches and compare(legacy, read_value(check.python_legacy), tolerance).agree:
        names = check.switches() if callable(check.switches) else check.switches
        if names:
            return Outcome(check, "explained", diff.relative_difference, ", ".join(names))
    return Outcome(check, "break", diff.relative_difference)


@dataclass
class ValidationResult:
    """A finished parallel run."""

    workbook: Path
    tolerance: float
    convention: str
    outcomes: list[Outcome]
    skipped: list[str] = field(default_factory=list)  # what could not be compared, and why
    seconds: float = 0.0
    reports: list[Path] = field(default_factory=list)

    @property
    def compared(self) -> int:
        return len(self.outcomes)

    @property
    def breaks(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "break"]

    @property
    def explained(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "explained"]

    def sources(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for o in self.outcomes:
            counts[o.check.source] = counts.get(o.check.source, 0) + 1
        return counts

    def by_sheet(self) -> list[tuple[str, int, int, int]]:
        """(sheet, compared, breaks, explained) per sheet, in first-seen order."""
        table: dict[str, list[int]] = {}
        for o in self.outcomes:
            row = table.setdefault(o.check.sheet, [0, 0, 0])
            row[0] += 1
            row[1] += o.status == "break"
            row[2] += o.status == "explained"
        return [(sheet, *counts) for sheet, counts in table.items()]  # type: ignore[misc]

    def summary(self) -> str:
        return (
            f"compared {self.compared:,} legacy results: {len(self.breaks):,} unexplained break(s), "
            f"{len(self.explained):,} explained"
        )

    def to_json(self) -> dict[str, Any]:
        """CONTRACT §3 ``validate --json`` (plus extra keys: convention, by source, skipped, reports)."""
        return {
            "workbook": str(self.workbook),
            "tolerance": self.tolerance,
            "compared": self.compared,
            "breaks": [o.to_json() for o in self.breaks],
            "explained": [o.to_json() for o in self.explained],
            "convention": self.convention,
            "sources": self.sources(),
            "skipped": list(self.skipped),
            "seconds": round(self.seconds, 3),
            "reports": [str(p) for p in self.reports],
        }

    def sheet_rows(self) -> list[list[Any]]:
        """The "Parallel Run" sheet: header, then breaks first, then explained, then matches."""
        order = {"break": 0, "explained": 1, "match": 2}
        ranked: Sequence[Outcome] = sorted(self.outcomes, key=lambda o: order[o.status])
        return [list(SHEET_HEADER), *(o.sheet_row() for o in ranked)]
