"""The command line's contract (CONTRACT §3): --help reads well, exit codes, one JSON document with --json."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from clo_xl.cli import main
from clo_xl.errors import IngestError, Location


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

    monkeypatch.setattr(cli, "_register_commands", lambda: cli.app.command("boom")(boom))
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
    from clo_xl import cli

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))

    def crash() -> None:
        raise RuntimeError("unexpected")

    monkeypatch.setattr(cli, "_register_commands", lambda: cli.app.command("crash")(crash))
    code = main(["crash"])
    err = capsys.readouterr().err
    assert code == 3
    assert "Traceback" not in err
    assert "details in" in err
    assert list((tmp_path / "clo-xl").glob("error-*.log"))


def test_typer_exit_code_is_returned(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command that ends with typer.Exit(1) (a validation break) exits 1, not 0."""
    import typer

    from clo_xl import cli

    def breaks() -> None:
        raise typer.Exit(1)

    monkeypatch.setattr(cli, "_register_commands", lambda: cli.app.command("breaks")(breaks))
    assert main(["breaks"]) == 1
