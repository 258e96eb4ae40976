"""The ``clo-xl`` command line.

Exit codes: 0 done (failing compliance tests are results, not errors); 1 a validation break; 2 bad input or
usage, with one line naming file, sheet, row/cell, column and value; 3 an internal error (one line pointing
at a file with the details); 130 interrupted. No traceback reaches a user.

Streams: results (a readable table, or one JSON document with ``--json``) on stdout; every diagnostic
(errors, warnings, ``wrote PATH`` notices, progress, log records) on stderr, one line each, never
hard-wrapped when stderr is not a terminal (see :mod:`clo_xl.commands._output`).

Commands are imported only when they run: :data:`COMMANDS` maps each name to its module under
:mod:`clo_xl.commands`, which exposes ``register(app)``. ``clo-xl --version`` and ``clo-xl --help`` import
none of them (the help lists each command with its one-line :data:`SUMMARIES` entry).
"""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from importlib import import_module
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from clo_xl import __version__, oplog
from clo_xl.commands._settings import settings
from clo_xl.errors import CloXlError
from clo_xl.progress import ProgressMode

#: command name → module under ``clo_xl.commands`` that registers it, in the order ``--help`` lists them.
#: To add a command: write ``clo_xl/commands/<module>.py`` with ``register(app)``, add one line here and its
#: summary in :data:`SUMMARIES`.
COMMANDS: dict[str, str] = {
    "demo": "demo",
    "compliance": "compliance",
    "hypo": "compliance",
    "rankings": "rankings",
    "rebalance": "rebalance",
    "credit-migration": "credit_migration",
    "cashflows": "cashflows",
    "migrate": "migrate",
    "validate": "validate",
    "db": "db",
    "waterfall": "waterfall",
    "breakeven": "breakeven",
    "collateral-report": "collateral_report",
    "coverage": "coverage",
    "equity": "equity",
    "trade-analytics": "trade_analytics",
    "bench": "bench",
}

#: command name → the first paragraph of its help on one line, as ``clo-xl --help`` lists it (so the root help
#: imports no command module; ``tests/test_cli.py`` checks each against the command's own help text).
SUMMARIES: dict[str, str] = {
    "demo": (
        "The main job: workbook → PostgreSQL → compliance, every deal → hypo → cash flows → parallel run."
    ),
    "compliance": (
        "Run a deal's compliance tests in its threshold-table order; with --hypo, before/after trades. "
        "--deal alone reads the deal stored in the database (--as-of an earlier version)."
    ),
    "hypo": (
        "Hypothetical trades before and after (the Run Hypo button): the deal's Run Model trades, or a "
        "trades file; pool mode (all together) or each trade on its own, as Run Model N8 says."
    ),
    "rankings": (
        "Rank buy or sale candidates by the asset-level objective (the Run Rankings button): buys best "
        "first, sales worst first. Settings default to the deal's Run Model (workbook or database)."
    ),
    "rebalance": (
        "Rebalance the deal towards the sale and buy targets one step at a time (the Run Rebalancing "
        "button), trading at market value. Settings default to the deal's Run Model."
    ),
    "credit-migration": (
        "Simulate correlated rating paths (system-defined correlation, quarterly steps) and run the deal "
        "on each: migration statistics per step and each path's results. Needs the workbook's transition "
        "matrix, so the deal comes from a workbook or the database."
    ),
    "cashflows": "Project a deal's cash flows through its waterfall (one period per payment date).",
    "migrate": (
        "Load WORKBOOK into PostgreSQL: extract, transform, validate (L1 structure, L2 business rules, L3 "
        "reconciliation, L4 calculation parity) and load in one transaction. A refused workbook loads "
        "nothing and exits 2 naming the sheet and cell; running it twice leaves the database unchanged."
    ),
    "validate": "Parallel run: recompute every legacy result the workbook holds and diff it.",
    "db": "Database: schema migrations (Alembic), backup and restore, the embedded server.",
    "waterfall": "Waterfall versions (one data file per Mag family).",
    "breakeven": (
        "Break-even CDR, and severity at a CDR, of every note class: the highest constant rate at which "
        "the class still receives all its interest and principal, by bracketing and bisection to 1 bp."
    ),
    "collateral-report": (
        "The collateral per payment date: beginning par, amortisation, prepayments, defaults, recoveries, "
        "losses, reinvestment par and price, par sold, ending par and principal cash."
    ),
    "coverage": (
        "Each class's OC and IC on the determination date and projected for the first payment date, with "
        "trigger, cushion (currency and points) and pass, and the Adjusted Collateral Principal Amount."
    ),
    "equity": (
        "Sub Notes: distributions and cash-on-cash by period, the IRR of a purchase at a date and price, "
        "and NAV from the collateral's market value."
    ),
    "trade-analytics": (
        "Par build or burn, trading gain or loss, each coverage cushion before and after, and whether "
        "WARF, WAS, diversity and OC are maintained or improved, for a trade list or a rebalancing."
    ),
    "bench": "Run every speed case beside its numpy floor and print medians, ratios and goals.",
}

EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 3

log = logging.getLogger("clo_xl")


class LazyGroup(TyperGroup):
    """A typer group that imports a command's module only when that command is looked up (to run it or
    show its own help); the root help lists the commands not loaded yet from :data:`SUMMARIES`."""

    #: True while the root help is written: unloaded commands are then listed by their summary only
    listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        eager = [name for name in self.commands if name not in COMMANDS]
        return [*COMMANDS, *eager]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        found = self.commands.get(cmd_name)
        if found is None and cmd_name in COMMANDS:
            if self.listing:
                return TyperCommand(cmd_name, help=SUMMARIES[cmd_name])
            found = _load_command(cmd_name)
            self.commands[cmd_name] = found
        return found

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = False

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except Exception as exc:
            message = getattr(exc, "message", None)
            if args and isinstance(message, str) and "Did you mean" not in message:
                from difflib import get_close_matches

                close = get_close_matches(args[0], self.list_commands(ctx))
                if close:
                    exc.message = f"{message.rstrip('.')}. Did you mean {close[0]!r}?"  # type: ignore[attr-defined]
            raise

    def shell_complete(self, ctx: Any, incomplete: str) -> list[Any]:
        """Complete command names without importing every command module."""
        from typer._click.shell_completion import CompletionItem

        names = [n for n in self.list_commands(ctx) if n.startswith(incomplete)]
        # the root's own options (--version, --verbose, ...) as a plain command completes them
        options: list[Any] = super(TyperGroup, self).shell_complete(ctx, incomplete)
        return [CompletionItem(n) for n in names] + options


def _load_command(name: str) -> Any:
    """Import ``clo_xl.commands.<module>``, let it register on a scratch app, return the click command."""
    module = import_module(f"clo_xl.commands.{COMMANDS[name]}")
    scratch = typer.Typer(rich_markup_mode="rich")
    module.register(scratch)
    group = typer.main.get_group(scratch)
    command = group.commands.get(name)
    if command is None:
        raise RuntimeError(f"clo_xl.commands.{COMMANDS[name]}.register() did not add the command {name!r}")
    return command


app = typer.Typer(
    name="clo-xl",
    cls=LazyGroup,
    help=(
        "CLO compliance, hypothetical trades, cash flows and the parallel run for the TradeHypo workbook.\n\n"
        "Every command takes --json (one JSON document on stdout, nothing else there); diagnostics go to "
        "stderr, one line each. Exit codes: 0 done, 1 validation break, 2 bad input or usage, 3 internal "
        "error. CLO_XL_DATABASE_URL (or --database-url) selects PostgreSQL; without it an embedded server "
        "in a per-user folder is started on demand."
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"clo-xl {__version__}\n")
        raise typer.Exit(0)


class _OneLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return " ".join(part.strip() for part in text.splitlines() if part.strip())


def configure_logging(verbose: int, quiet: bool) -> None:
    """Log records of the ``clo_xl`` loggers on stderr, one line each: -q errors only, default warnings,
    -v info, -vv debug."""
    level = logging.ERROR if quiet else {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    logger = logging.getLogger("clo_xl")
    logger.setLevel(level)
    for handler in list(logger.handlers):
        if getattr(handler, "_clo_xl_cli", False):
            logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._clo_xl_cli = True  # type: ignore[attr-defined]
    handler.setFormatter(_OneLineFormatter("%(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.propagate = False


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
    verbose: int = typer.Option(
        0, "--verbose", "-v", count=True, help="More log lines on stderr (-v info, -vv debug)."
    ),
    quiet: bool = typer.Option(
        False, "--quiet", "-q", help="Only errors on stderr: no warnings, notices or progress."
    ),
    progress: ProgressMode = typer.Option(
        ProgressMode.AUTO,
        "--progress",
        envvar="CLO_XL_PROGRESS",
        case_sensitive=False,
        help="Progress bars: auto (on a terminal, not with --json), always (plain lines elsewhere), never.",
    ),
) -> None:
    """clo-xl: the Python core behind the TradeHypo workbook."""
    settings.quiet = quiet
    settings.verbose = verbose
    settings.progress = progress
    settings.inputs.clear()
    configure_logging(verbose, quiet)


def build_command() -> Any:
    """The click command tree of :data:`app` (commands themselves load lazily)."""
    return typer.main.get_command(app)


def _wants_json(argv: Sequence[str]) -> bool:
    return "--json" in argv


def _error(message: str) -> None:
    # the output helpers import rich: only load them when there is something to say
    from clo_xl.commands._output import error

    error(message)


def _write_json_error(payload: dict[str, Any]) -> None:
    from clo_xl.commands._output import to_json_text

    sys.stdout.write(to_json_text(payload) + "\n")
    sys.stdout.flush()


def report_error(exc: CloXlError, as_json: bool) -> None:
    """A user's error: its JSON document on stdout with ``--json``, and one ``error:`` line per problem."""
    from clo_xl.commands._output import error

    if as_json:
        _write_json_error(exc.to_json())
    problems = getattr(exc, "problems", None)
    if isinstance(problems, Sequence) and not isinstance(problems, str) and problems:
        for problem in problems:
            error(problem)
    else:
        error(exc)


def _click_exit(exc: Exception, as_json: bool) -> int | None:
    """Exit code for click's own exceptions (typer vendors click, so match by name, not by class)."""
    from clo_xl.commands._output import error

    name = type(exc).__name__
    if name == "Exit":
        return int(getattr(exc, "exit_code", 0) or 0)
    if name == "Abort":
        error("aborted")
        return 2
    if hasattr(exc, "format_message") and hasattr(exc, "show"):
        message = exc.format_message()
        ctx = getattr(exc, "ctx", None)
        where = getattr(ctx, "command_path", None) or "clo-xl"
        if as_json:
            _write_json_error({"error": "UsageError", "message": f"{where}: {message}"})
        error(f"{where}: {message} (see '{where} --help')")
        return 2
    return None


#: root options that take a value (to find the command word in argv)
_ROOT_VALUE_OPTIONS = frozenset({"--progress"})


def command_words(args: Sequence[str]) -> list[str]:
    """The words naming the command of ``args`` (``["db", "log"]``), root options skipped; ``[]`` for
    ``--help``, ``--version`` and shell completion (not runs)."""
    if "--help" in args or "--version" in args or "--show-completion" in args:
        return []
    words: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg.startswith("-"):
            skip = not words and arg in _ROOT_VALUE_OPTIONS
            continue
        words.append(arg)
        if len(words) == 2:
            break
    return words


@dataclass
class RunOutcome:
    """What :func:`main` learnt about one run, for the operational log."""

    exit_code: int = 0
    error: str | None = None
    exc: BaseException | None = field(default=None, repr=False)


def _run(args: list[str], as_json: bool, outcome: RunOutcome) -> Any:
    """Run the command tree; fills ``outcome``; returns the root click group (to name the command)."""
    root = build_command()
    try:
        rc = root.main(args=args, prog_name="clo-xl", standalone_mode=False)
        # in non-standalone mode click returns the code of a typer.Exit instead of raising it
        outcome.exit_code = rc if isinstance(rc, int) else 0
    except CloXlError as exc:
        report_error(exc, as_json)
        outcome.exit_code, outcome.error = exc.exit_code, str(exc)
    except KeyboardInterrupt:
        outcome.exit_code = EXIT_INTERRUPTED
    except Exception as exc:
        click_code = _click_exit(exc, as_json)
        if click_code is not None:
            outcome.exit_code = click_code
            if click_code and hasattr(exc, "format_message"):
                outcome.error = exc.format_message()
            return root
        # the last line of defence: no traceback reaches a user; the traceback goes to the log
        outcome.exit_code, outcome.exc = EXIT_INTERNAL, exc
        outcome.error = f"{type(exc).__name__}: {exc}"
        if as_json:
            _write_json_error({"error": "InternalError", "message": outcome.error})
        _error(f"internal error: {outcome.error} (traceback in {oplog.log_file()})")
    if outcome.exit_code == EXIT_INTERRUPTED:
        # typer turns Ctrl-C into Exit(130) before we see it: say so on one line
        outcome.error = "interrupted (Ctrl-C)"
        if as_json:
            _write_json_error({"error": "Interrupted", "message": outcome.error})
        _error(outcome.error)
    return root


def _command_name(root: Any, words: list[str]) -> str:
    """``db log`` for a group's subcommand, ``validate`` for a command (its argument is not a word)."""
    if not words:
        return ""
    command = getattr(root, "commands", {}).get(words[0])
    if len(words) > 1 and command is not None and hasattr(command, "commands"):
        return " ".join(words[:2])
    return words[0]


def _log_run(
    args: list[str],
    words: list[str],
    root: Any,
    started: datetime,
    outcome: RunOutcome,
    inputs: dict[str, Any],
) -> None:
    from clo_xl.commands._output import warning

    record = oplog.build_record(
        source="cli",
        command=_command_name(root, words),
        started_at=started,
        finished_at=oplog.now(),
        exit_code=outcome.exit_code,
        argv=args,
        inputs=inputs,
        error=outcome.error,
        exc=outcome.exc,
    )
    try:
        oplog.append(record)
    except OSError as exc:
        warning(f"operational log {oplog.log_file()} not written: {exc}")


#: cyclic garbage collector thresholds of a console-script run (Python's default is 700, 10, 10): a run
#: builds many long-lived objects (imported modules, a workbook's cells, rows) and little cyclic garbage, so
#: frequent young-generation passes cost CPU for nothing (about 0.1 s of a sample migrate)
CONSOLE_GC_THRESHOLDS = (10_000, 10, 10)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code. Every run (not ``--help`` or
    ``--version``) appends one record to the operational log (:mod:`clo_xl.oplog`).

    As the console script (``argv`` None) the run tunes the garbage collector (:data:`CONSOLE_GC_THRESHOLDS`)
    and, once the command is done, freezes every object left so the interpreter's exit does not walk them
    (about 0.25 s after a sample migrate); a caller that passes ``argv`` keeps its own collector settings."""
    console = argv is None
    if console:
        gc.set_threshold(*CONSOLE_GC_THRESHOLDS)
    args = list(sys.argv[1:] if argv is None else argv)
    as_json = _wants_json(args)
    words = command_words(args)
    started = oplog.now()
    inputs = oplog.input_hashes(args) if words else {}
    outcome = RunOutcome()
    root = _run(args, as_json, outcome)
    if words:
        inputs.update(oplog.input_hashes([str(p) for p in settings.inputs if str(p) not in inputs]))
        _log_run(args, words, root, started, outcome, inputs)
    if console:
        gc.freeze()
    return outcome.exit_code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
