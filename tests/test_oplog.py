"""The operational log (clo_xl.oplog): one JSON line per run, appended, never overwritten."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from clo_xl import cli, oplog
from clo_xl.cli import main
from clo_xl.errors import IngestError, Location


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "logs" / "clo-xl.jsonl"
    monkeypatch.setenv("CLO_XL_LOG_FILE", str(path))
    before = list(cli.app.registered_commands)
    yield path
    cli.app.registered_commands[:] = before


def records(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def text(record: dict[str, object], key: str) -> str:
    """A record's text field (ISO times, versions), refused when it is anything else."""
    value = record[key]
    assert isinstance(value, str), f"{key}: {value!r}"
    return value


def test_one_record_per_run_with_command_inputs_duration_and_outcome(
    log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = tmp_path / "book.xlsm"
    book.write_bytes(b"not really a workbook, but a file whose hash we know")

    def ok(path: Path) -> None:
        pass

    def bad(path: Path) -> None:
        raise IngestError(Location(file=str(path), sheet="All Assets", cell="F7"), "abc", "par is text")

    cli.app.command("ok")(ok)
    cli.app.command("bad")(bad)
    assert main(["ok", str(book)]) == 0
    assert main(["-q", "bad", str(book)]) == 2
    assert main(["--version"]) == 0  # not a run: no record
    assert main(["ok", "--help"]) == 0
    capsys.readouterr()

    first, second = records(log)
    expected = hashlib.sha256(book.read_bytes()).hexdigest()  # the hash computed here, independently
    assert first["command"] == "ok" and first["outcome"] == "ok" and first["exit_code"] == 0
    assert first["inputs"] == {str(book): {"sha256": expected, "bytes": book.stat().st_size}}
    assert isinstance(first["duration_s"], float) and first["duration_s"] >= 0
    assert text(first, "started_at") <= text(first, "time")  # ISO text in UTC sorts as time
    assert first["source"] == "cli" and text(first, "code_version").startswith("clo-xl ")
    assert second["command"] == "bad" and second["outcome"] == "bad_input" and second["exit_code"] == 2
    assert "cell F7" in str(second["error"]) and "traceback" not in second


def test_group_commands_are_named_with_their_subcommand(
    log: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["waterfall", "show", "Mag 17", "--json"]) == 0
    capsys.readouterr()
    assert records(log)[-1]["command"] == "waterfall show"


def test_database_passwords_are_masked() -> None:
    assert oplog.mask_secrets("--database-url=postgresql+psycopg://ops:s3cr:et@db:5432/clo") == (
        "--database-url=postgresql+psycopg://ops:***@db:5432/clo"
    )
    assert oplog.mask_secrets("postgresql://localhost/clo") == "postgresql://localhost/clo"


def test_output_options_are_not_hashed_as_inputs(tmp_path: Path) -> None:
    report = tmp_path / "old-report.html"
    book = tmp_path / "b.xlsm"
    report.write_text("x")
    book.write_text("y")
    found = oplog.input_files(["validate", str(book), "--report", str(report), f"--backup={report}"])
    assert found == [book]


def test_button_errors_are_appended_not_overwritten(log: Path) -> None:
    for i in range(2):
        try:
            raise ValueError(f"boom {i}")
        except ValueError as exc:
            assert oplog.record_button_error("run_hypo", exc, workbook="C:/books/TradeHypo.xlsm") == log
    first, second = records(log)
    assert first["source"] == second["source"] == "excel" and first["command"] == "run_hypo"
    assert "ValueError: boom 0" in str(first["traceback"]) and "ValueError: boom 1" in str(
        second["traceback"]
    )
    assert second["workbook"] == "C:/books/TradeHypo.xlsm"


@pytest.mark.slow  # many seconds of CPU: make test runs it, make test-fast does not
def test_concurrent_writers_never_interleave_inside_a_line(tmp_path: Path) -> None:
    """Two processes append 200 records each with long lines: every line parses, none is lost."""
    path = tmp_path / "shared.jsonl"
    code = (
        "import sys; from datetime import datetime, UTC; from pathlib import Path; from clo_xl import oplog\n"
        "t = datetime.now(UTC)\n"
        "for i in range(200):\n"
        "    oplog.append(oplog.build_record(source='cli', command=sys.argv[1], started_at=t, finished_at=t,"
        " exit_code=0, error='x' * 3000), Path(sys.argv[2]))\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, name, str(path)]) for name in ("a", "b")]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    lines = records(path)
    assert len(lines) == 400
    assert sorted({str(r["command"]) for r in lines}) == ["a", "b"]


def test_an_unwritable_log_warns_once_and_keeps_the_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("CLO_XL_LOG_FILE", str(blocker / "sub" / "log.jsonl"))  # a file as a folder
    assert main(["waterfall", "show", "Mag 17", "--json"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("warning: operational log ")
