"""The command line's contract (docs/cli.md): --help reads well, exit codes, one JSON document with --json,
commands imported lazily, diagnostics one line each on stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from clo_xl import cli
from clo_xl.cli import COMMANDS, main
from clo_xl.errors import IngestError, Location


@pytest.fixture(autouse=True)
def _restore_app() -> Iterator[None]:
    """Tests add throw-away commands to the root app; take them off again."""
    before = list(cli.app.registered_commands)
    yield
    cli.app.registered_commands[:] = before


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clo_xl.cli", *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_help_lists_the_contract_commands() -> None:
    proc = run("--help")
    assert proc.returncode == 0
    for command in ("demo", "compliance", "bench"):
        assert command in proc.stdout


def test_version() -> None:
    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout.startswith("clo-xl ")


def test_unknown_command_is_a_usage_error_exit_2() -> None:
    proc = run("no-such-command")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout


def test_located_error_exits_2_with_json_document(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CloXlError raised inside a command becomes exit 2 and, with --json, one JSON error document."""
    import typer

    from clo_xl import cli

    def boom(as_json: bool = typer.Option(False, "--json")) -> None:
        raise IngestError(
            Location(file="w.xlsm", sheet="All Assets", cell="H7", column="Maturity"), "soon", "not a date"
        )

    cli.app.command("boom")(boom)
    code = main(["boom", "--json"])
    out = capsys.readouterr()
    assert code == 2
    doc = json.loads(out.out)
    assert doc["sheet"] == "All Assets" and doc["cell"] == "H7" and doc["column"] == "Maturity"
    assert doc["value"] == "soon"
    assert "cell H7" in out.err


def test_internal_error_is_one_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "ops.jsonl"
    monkeypatch.setenv("CLO_XL_LOG_FILE", str(log))

    def crash() -> None:
        raise RuntimeError("unexpected")

    cli.app.command("crash")(crash)
    code = main(["crash"])
    err = capsys.readouterr().err
    assert code == 3
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert f"traceback in {log}" in err
    record = json.loads(log.read_text().splitlines()[-1])
    assert record["outcome"] == "internal_error" and "RuntimeError: unexpected" in record["traceback"]


def test_typer_exit_code_is_returned(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command that ends with typer.Exit(1) (a validation break) exits 1, not 0."""
    import typer

    from clo_xl import cli

    def breaks() -> None:
        raise typer.Exit(1)

    cli.app.command("breaks")(breaks)
    assert main(["breaks"]) == 1


def test_version_imports_no_command_module() -> None:
    """``--version`` answers without importing any command (nor numpy, rich, SQLAlchemy)."""
    code = (
        "import sys; from clo_xl.cli import main; rc = main(['--version']); "
        "heavy = sorted(m for m in sys.modules if m.startswith(('clo_xl.commands.', 'numpy', 'rich', "
        "'sqlalchemy')) and m != 'clo_xl.commands._settings'); print(rc, heavy)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.splitlines()[-1] == "0 []"


def test_help_imports_no_command_module() -> None:
    """``--help`` lists every command from :data:`cli.SUMMARIES` without importing one (it took 1.8 s when it
    imported all of them, pandas, QuantLib, SQLAlchemy and matplotlib included)."""
    code = (
        "import sys; from clo_xl.cli import main; rc = main(['--help']); "
        "heavy = sorted(m for m in sys.modules if m.startswith(('clo_xl.commands.', 'numpy', 'sqlalchemy', "
        "'QuantLib', 'pandas')) and m != 'clo_xl.commands._settings'); print(rc, heavy)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.splitlines()[-1] == "0 []"
    for name in COMMANDS:
        assert f" {name} " in proc.stdout
    assert "Load WORKBOOK into PostgreSQL" in proc.stdout


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_listed_command_loads_from_its_module(name: str) -> None:
    import inspect

    import click

    group = cli.build_command()
    command = group.get_command(click.Context(group), name)
    assert command is not None and command.name == name
    assert (command.help or "").strip(), f"{name} has no help text"
    # the root help's summary is the command's own first paragraph, on one line
    first = inspect.cleandoc(command.short_help or command.help or "").split("\n\n")[0]
    assert cli.SUMMARIES[name] == " ".join(first.split())


def test_every_command_has_a_summary() -> None:
    assert list(cli.SUMMARIES) == list(COMMANDS)


def test_help_texts_do_not_cite_files_outside_the_repository() -> None:
    """A user of the package has no ../shared/: help points at docs/ instead."""
    import click

    group = cli.build_command()
    texts = [group.help or ""]
    for name in COMMANDS:
        command = group.get_command(click.Context(group), name)
        subs = list(getattr(command, "commands", {}).values()) or [command]
        for c in subs:
            texts.append(c.help or "")
            texts.extend(getattr(p, "help", None) or "" for p in c.params)
    joined = "\n".join(texts)
    for forbidden in (
        "../shared",
        "CONTRACT",
        "DOMAIN.md",
        "legacy/mag17",
        "COMPLIANCE_SPEC",
        "CASHFLOW_SPEC",
    ):
        assert forbidden not in joined


def test_enum_choices_refuse_unknown_values_in_one_line() -> None:
    proc = run("compliance", "--convention", "foo", "--workbook", "x.xlsm", "--deal", "Mag 17")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: clo-xl compliance: ")
    assert "legacy" in lines[0] and "corrected" in lines[0]
    assert proc.stdout == ""


def test_choices_are_case_insensitive(tmp_path) -> None:  # type: ignore[no-untyped-def]
    proc = run("waterfall", "show", "Mag 17", "--convention", "CORRECTED", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["name"]


def test_long_located_error_is_one_unwrapped_line_on_a_pipe(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """Not a terminal: no rich wrapping at 80 columns, no line breaks inside a message, no 'value None'."""
    sheet = "HYPO-Mag 17-Output with a long sheet name that would wrap"

    def located() -> None:
        raise IngestError(
            Location(
                file="/a/very/long/path/to/a/workbook/TradeHypo.xlsm", sheet=sheet, column="Coupon Spread"
            ),
            None,
            "missing sheet: the legacy layout needs it;\nsee the deals listed by name: Mag 6, Mag 7, Mag 8",
        )

    cli.app.command("located")(located)
    assert main(["located"]) == 2
    err = capfd.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert sheet in err and "'Coupon Spread'" in err and "value None" not in err
    assert len(err) > 150  # really longer than a terminal line, and still one line


def test_an_error_with_several_problems_prints_one_line_each(
    capfd: pytest.CaptureFixture[str],
) -> None:
    class Problems(IngestError):
        problems = ("sheet 'All Assets', cell F7: par is text", "sheet 'Mag 17 Inputs', cell E9: no date")

    def several() -> None:
        raise Problems(Location(sheet="All Assets"), None, "2 problems")

    cli.app.command("several")(several)
    assert main(["several"]) == 2
    err = capfd.readouterr().err.splitlines()
    assert err == [f"error: {p}" for p in Problems.problems]


def test_shell_completion_completes_command_names() -> None:
    env = dict(os.environ, _CLO_XL_COMPLETE="complete_bash", COMP_WORDS="clo-xl comp", COMP_CWORD="1")
    proc = subprocess.run(
        [sys.executable, "-c", "from clo_xl.cli import main; main()"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert "compliance" in proc.stdout.split()


def test_json_run_keeps_stdout_to_one_document_and_stderr_quiet() -> None:
    proc = run("waterfall", "diff", "Mag 15", "Mag 16", "--json")
    assert proc.returncode == 0
    json.loads(proc.stdout)
    assert proc.stderr == ""


def test_progress_always_gives_plain_lines_where_no_bar_can_be_drawn(
    capfd: pytest.CaptureFixture[str],
) -> None:
    from clo_xl.progress import tracked

    def work(as_json: bool = False) -> None:
        from clo_xl.commands._progress import progress_bar

        with progress_bar(as_json=as_json) as progress:
            for _ in tracked(range(20), "scenarios", progress):
                pass

    cli.app.command("work")(work)
    assert main(["--progress", "always", "work"]) == 0
    lines = capfd.readouterr().err.splitlines()
    assert lines[0] == "progress: scenarios 0% (0/20)" and lines[-1] == "progress: scenarios 100% (20/20)"
    assert 10 <= len(lines) <= 12  # one per tenth, not one per item
    assert main(["work"]) == 0  # auto on a pipe: nothing
    assert capfd.readouterr().err == ""


def test_a_caller_passing_argv_keeps_its_garbage_collector_settings() -> None:
    """Only the console script tunes and freezes the collector (an in-process caller, a test, keeps its)."""
    import gc

    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    assert main(["--version"]) == 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen
