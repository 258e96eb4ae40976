"""How every command talks: results on stdout, diagnostics on stderr, each message one line.

- **Results** (the readable table, or one JSON document with ``--json``) go to stdout through :func:`emit`
  and :data:`console`; with ``--json`` nothing else is ever written to stdout.
- **Diagnostics** go to stderr, one line each: :func:`error` (always), :func:`warning` (unless
  ``--quiet``), :func:`notice` for what the run did, such as ``wrote PATH`` (unless ``--quiet``), and the
  ``logging`` records of the ``clo_xl`` logger (``-v`` for INFO, ``-vv`` for DEBUG).
- Nothing is hard-wrapped when the stream is not a terminal: a message, a path or a sheet name stays on one
  line, so ``grep`` over a nightly log finds it. On a terminal, tables fit the window as usual.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console, ConsoleDimensions
from rich.table import Table

from clo_xl.commands._settings import settings
from clo_xl.quirk_warnings import warning_lines

#: width used for a stream that is not a terminal: wide enough that rich never wraps a line of ours
NON_TERMINAL_WIDTH = 10_000

_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")


def one_line(text: object) -> str:
    """``text`` as one line: line breaks (and the blanks around them) become one space."""
    return _LINE_BREAKS.sub(" ", str(text)).strip()


class StreamConsole(Console):
    """A rich console that does not hard-wrap when its stream is not a terminal (pipes, files, CI logs)."""

    @property
    def size(self) -> ConsoleDimensions:
        dims = super().size
        if self.is_terminal:
            return dims
        return ConsoleDimensions(NON_TERMINAL_WIDTH, dims.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        self._width, self._height = new_size

    def print(self, *objects: Any, **kwargs: Any) -> None:
        if not self.is_terminal:
            kwargs.setdefault("soft_wrap", True)
        super().print(*objects, **kwargs)


#: results (stdout)
console = StreamConsole(stderr=False, highlight=False)
#: diagnostics (stderr): prefer :func:`error`, :func:`warning` and :func:`notice` for messages
err_console = StreamConsole(stderr=True, highlight=False)


def _stderr_line(label: str, style: str, message: object) -> None:
    text = one_line(message)
    stream: TextIO = sys.stderr
    if err_console.is_terminal:
        err_console.print(f"[{style}]{label}:[/] ", end="", markup=True, soft_wrap=True)
        err_console.print(text, markup=False, highlight=False, soft_wrap=True)
    else:
        stream.write(f"{label}: {text}\n")
        stream.flush()


def error(message: object) -> None:
    """One ``error: ...`` line on stderr (always shown)."""
    _stderr_line("error", "bold red", message)


def warning(message: object) -> None:
    """One ``warning: ...`` line on stderr (hidden by ``--quiet``)."""
    if not settings.quiet:
        _stderr_line("warning", "bold yellow", message)


def notice(message: object) -> None:
    """One line on stderr about what the run did, e.g. ``wrote clo-xl-out/report.html`` (hidden by
    ``--quiet``). Results never go here: they are printed by :func:`emit`."""
    if settings.quiet:
        return
    text = one_line(message)
    if err_console.is_terminal:
        err_console.print(text, markup=False, highlight=False, style="dim", soft_wrap=True)
    else:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()


def wrote(paths: Path | str | Iterable[Path | str]) -> None:
    """``wrote PATH`` notices, one per file written."""
    for p in [paths] if isinstance(paths, Path | str) else paths:
        notice(f"wrote {p}")


def _default(obj: object) -> Any:
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    if isinstance(obj, Decimal):
        return float(obj)
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "item"):  # numpy scalar
        return obj.item()
    if hasattr(obj, "tolist"):  # numpy array
        return obj.tolist()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _clean(obj: Any) -> Any:
    """Replace NaN/inf by None so the document is strict JSON."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, Mapping):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    return obj


def to_json_text(payload: Any) -> str:
    return json.dumps(_clean(payload), default=_default, allow_nan=False)


def emit(payload: Any, *, as_json: bool, render: Callable[[], None] | None = None) -> None:
    """The result: ``payload`` as one JSON document on stdout (``as_json``), else ``render()`` prints a
    readable view on stdout (through :data:`console`)."""
    if as_json:
        sys.stdout.write(to_json_text(payload) + "\n")
        sys.stdout.flush()
    elif render is not None:
        render()
    else:
        console.print_json(to_json_text(payload))


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> Table:
    """A rich table; numbers right-aligned."""
    t = Table(title=title, title_justify="left")
    first = rows[0] if rows else []
    for i, col in enumerate(columns):
        numeric = i < len(first) and isinstance(first[i], int | float) and not isinstance(first[i], bool)
        t.add_column(col, justify="right" if numeric else "left")
    for row in rows:
        t.add_row(*("" if v is None else str(v) for v in row))
    return t


def print_warnings(doc: Mapping[str, Any]) -> None:
    """Under a readable table: one line per legacy switch that changed a figure of ``doc`` (CONTRACT §5)."""
    lines = warning_lines(doc)
    if not lines:
        return
    console.print(f"Legacy effects in these figures ({len(lines)}):", markup=False)
    for line in lines:
        console.print(line, markup=False, soft_wrap=True)
