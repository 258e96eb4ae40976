"""Progress reporting without a display: the callback long work calls, whoever shows it.

Code below the command line (a migration, a scenario grid, credit-migration paths, the parallel run, the
bench) takes a ``progress: Progress = no_progress`` argument and calls ``progress(label, done, total)``
as it goes; it never imports rich and never prints. The command line passes a bar
(:func:`clo_xl.commands._progress.progress_bar`), the Excel bridge could pass its status bar, tests pass
nothing. A call costs one function call, so report per chunk or per step, not per asset.

``progress("L2 business rules", 0.35)`` reads as 35 % of one unit of work (``total`` defaults to 1.0);
``progress("scenarios", 40, 1000)`` as 40 of 1,000.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sized
from enum import StrEnum
from typing import Protocol, TypeVar

T = TypeVar("T")


class Progress(Protocol):
    """``progress(label, done, total=1.0)``: ``done`` of ``total`` units finished, now doing ``label``."""

    def __call__(self, label: str, done: float, total: float = 1.0) -> None: ...


class ProgressMode(StrEnum):
    """When the command line shows progress (``--progress`` / ``CLO_XL_PROGRESS``)."""

    AUTO = "auto"  # a live bar on a terminal, nothing elsewhere or with --json
    ALWAYS = "always"  # also plain one-line records where no bar can be drawn
    NEVER = "never"


def no_progress(label: str, done: float, total: float = 1.0) -> None:
    """The default: report nothing."""


def tracked(items: Iterable[T], label: str, progress: Progress, *, total: int | None = None) -> Iterator[T]:
    """Yield ``items``, reporting ``done/total`` after each (``total`` from ``len(items)`` if sized)."""
    count = total if total is not None else (len(items) if isinstance(items, Sized) else 0)
    progress(label, 0, float(count or 1))
    for i, item in enumerate(items, start=1):
        yield item
        progress(label, float(i), float(max(count, i)))


def counter(progress: Progress, label: str, total: int) -> Callable[[int], None]:
    """An adapter for code that reports "``n`` more items finished" (the executor's chunks): keeps the
    running count and tells ``progress`` ``label``, count, ``total``."""
    done = 0
    progress(label, 0.0, float(max(total, 1)))

    def finished(n: int) -> None:
        nonlocal done
        done += n
        progress(label, float(done), float(max(total, done, 1)))

    return finished


__all__ = ["Progress", "ProgressMode", "counter", "no_progress", "tracked"]
