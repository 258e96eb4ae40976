"""The ``clo-xl`` command line.

Exit codes (CONTRACT §3): 0 done (failing compliance tests are results, not errors); 1 a validation break;
2 bad input or usage, with a message naming file, sheet, row/cell, column and value. An unexpected internal
error prints one line pointing at a log file with the details (exit 3); no traceback reaches the terminal.

Each command lives in its own module under :mod:`clo_xl.commands` and exposes ``register(app)``.
"""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
import traceback
from datetime import datetime
from pathlib import Path

import typer

from clo_xl import __version__
from clo_xl.commands._output import err_console, to_json_text
from clo_xl.errors import CloXlError

app = typer.Typer(
    name="clo-xl",
    help=(
        "CLO compliance, hypothetical trades, cash flows and the parallel run for the TradeHypo workbook.\n\n"
        "Every command takes --json (one JSON document on stdout). Exit codes: 0 done, 1 validation break, "
        "2 bad input or usage. CLO_XL_DATABASE_URL (or --database-url) selects PostgreSQL; without it an "
        "embedded server in a per-user folder is started on demand."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

#: command modules, in the order --help lists them; a module that is not there yet is skipped.
COMMAND_MODULES = (
    "demo",
    "compliance",
    "cashflows",
    "migrate",
    "validate",
    "db",
    "waterfall",
    "bench",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"clo-xl {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version."
    ),
) -> None:
    """clo-xl: the Python core behind the TradeHypo workbook."""


def _register_commands() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"clo_xl.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"clo_xl.commands.{name}":
                continue
            raise
        module.register(app)


def _wants_json(argv: list[str]) -> bool:
    return "--json" in argv


def _log_internal_error(exc: BaseException) -> Path:
    state = Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state")) / "clo-xl"
    try:
        state.mkdir(parents=True, exist_ok=True)
    except OSError:
        state = Path(tempfile.gettempdir())
    path = state / f"error-{datetime.now():%Y%m%d-%H%M%S}.log"
    path.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
    return path


def _click_exit(exc: Exception, as_json: bool) -> int | None:
    """Exit code for click's own exceptions (typer vendors click, so match by name, not by class)."""
    name = type(exc).__name__
    if name == "Exit":
        return int(getattr(exc, "exit_code", 0) or 0)
    if name == "Abort":
        err_console.print("aborted")
        return 2
    if hasattr(exc, "format_message") and hasattr(exc, "show"):
        if as_json:
            sys.stdout.write(to_json_text({"error": "UsageError", "message": exc.format_message()}) + "\n")
        exc.show()
        return 2
    return None


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    as_json = _wants_json(args)
    try:
        _register_commands()
        command = typer.main.get_command(app)
        rc = command.main(args=args, prog_name="clo-xl", standalone_mode=False)
        # in non-standalone mode click returns the code of a typer.Exit instead of raising it
        return rc if isinstance(rc, int) else 0
    except CloXlError as exc:
        if as_json:
            sys.stdout.write(to_json_text(exc.to_json()) + "\n")
        err_console.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
        return exc.exit_code
    except KeyboardInterrupt:
        err_console.print("interrupted")
        return 130
    except Exception as exc:
        code = _click_exit(exc, as_json)
        if code is not None:
            return code
        # the last line of defence: no traceback reaches a user
        path = _log_internal_error(exc)
        err_console.print(f"[bold red]internal error:[/] {type(exc).__name__}: {exc} (details in {path})")
        return 3


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
