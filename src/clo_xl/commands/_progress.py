"""The command line's progress bar: a :class:`clo_xl.progress.Progress` drawn by rich on stderr.

Use it around any work that can pass a second::

    with progress_bar(as_json=as_json) as progress:
        result = run_validation(workbook, progress=progress)

When it shows (``--progress``, or ``CLO_XL_PROGRESS``):

- ``auto`` (default): a live bar when stderr is a terminal, without ``--json`` and without ``--quiet``;
  otherwise nothing at all, so pipes, CI logs and JSON consumers see no control characters;
- ``always``: as ``auto`` on a terminal; elsewhere (or with ``--json``) plain one-line records on stderr
  (``progress: label 40% (400/1000)``) each time the label changes or another tenth is done;
- ``never``: nothing.

The bar is transient: it disappears when the work ends, leaving only the result on stdout.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    SpinnerColumn,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import Progress as RichProgress

from clo_xl.commands._output import err_console, one_line
from clo_xl.commands._settings import settings
from clo_xl.progress import Progress, ProgressMode, no_progress


def progress_mode() -> ProgressMode:
    """The mode chosen by ``--progress`` or ``CLO_XL_PROGRESS`` (unknown text counts as ``auto``)."""
    if settings.progress is not None:
        return settings.progress
    raw = os.environ.get("CLO_XL_PROGRESS", "auto").strip().lower()
    try:
        return ProgressMode(raw)
    except ValueError:
        return ProgressMode.AUTO


def _count(done: float, total: float) -> str:
    return "" if total == 1.0 else f"{done:,.0f}/{total:,.0f}"


class RichBar:
    """One line of a live rich display; :meth:`sub` gives a second line for nested work."""

    def __init__(self, display: RichProgress) -> None:
        self._display = display
        self._task: TaskID = display.add_task("", total=1.0, count="")
        self._child: RichBar | None = None

    def __call__(self, label: str, done: float, total: float = 1.0) -> None:
        self._display.update(
            self._task, description=one_line(label), completed=done, total=total, count=_count(done, total)
        )

    def sub(self) -> Progress:
        """The line under this one (e.g. a grid's scenarios under the demo's steps), reset for new work."""
        if self._child is None:
            self._child = RichBar(self._display)
        else:
            self._child("", 0.0)
        return self._child


class LineProgress:
    """Plain one-line records on stderr, for ``always`` where no live bar can be drawn."""

    def __init__(self) -> None:
        self._label: str | None = None
        self._tenth = -1

    def __call__(self, label: str, done: float, total: float = 1.0) -> None:
        tenth = int(10 * done / total) if total > 0 else 10
        if label == self._label and tenth == self._tenth:
            return
        self._label, self._tenth = label, tenth
        count = _count(done, total)
        pct = 100.0 * done / total if total > 0 else 100.0
        sys.stderr.write(f"progress: {one_line(label)} {pct:.0f}%{f' ({count})' if count else ''}\n")
        sys.stderr.flush()

    def sub(self) -> Progress:
        return self


def _live_allowed(as_json: bool) -> bool:
    return err_console.is_terminal and not as_json and not settings.quiet


@contextmanager
def progress_bar(*, as_json: bool = False) -> Iterator[Progress]:
    """A :class:`~clo_xl.progress.Progress` for the duration of the block (see the module docstring)."""
    mode = progress_mode()
    if mode is ProgressMode.NEVER or (mode is ProgressMode.AUTO and not _live_allowed(as_json)):
        yield no_progress
        return
    if not _live_allowed(as_json):
        yield LineProgress()
        return
    with RichProgress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[count]}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as display:
        yield RichBar(display)


def sub_progress(progress: Progress) -> Progress:
    """A nested bar under ``progress`` when it can show one, else ``progress`` itself."""
    sub = getattr(progress, "sub", None)
    return sub() if callable(sub) else progress


__all__ = ["LineProgress", "ProgressMode", "RichBar", "progress_bar", "progress_mode", "sub_progress"]
