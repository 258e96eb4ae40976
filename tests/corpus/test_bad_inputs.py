"""The bad-input corpus through the real command line: every broken workbook or extract is refused with
exit 2, a message naming the sheet, cell or field, one JSON error document on stdout with ``--json``, no
traceback, nothing written, and (for ``migrate``) the database unchanged: schema ``clo`` checksums and the
audit change log are the same before and after.

One validation layer serves every command, so every command refuses a case with the same lines: ``compliance``
and ``cashflows`` (which name a deal) print the same ``error:`` lines, ``validate`` and ``migrate`` (which
read the whole workbook) print the same lines, and the deal commands' lines include theirs (a deal command
may add one about the deal it was asked for, e.g. a deal whose sheet is missing). The odd-but-valid inputs of
:func:`cases.odd_cases` must run.

Cases live in :mod:`cases`; known reader gaps are listed in :data:`GAPS` and run as strict xfails.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from clo_xl.cli import main
from clo_xl.persistence.server import EmbeddedServer

from .cases import DEAL, WORKBOOK, Case, extract_cases, held_asset_row, odd_cases, workbook_cases
from .pg import create_database, db_state, drop_database
from .xlsx_edit import Package

#: Cases a reader does not refuse cleanly yet: case name (or "case@command") → the module that must fix it.
#: Each runs as xfail(strict=True). Empty since every gap the corpus found was fixed in its reader; the
#: history of this dict (git log -p) lists them.
GAPS: dict[str, str] = {}

WORKBOOK_CASES = workbook_cases()
EXTRACT_CASES = extract_cases()
ODD_CASES = odd_cases()

#: case name → command → the refusal's ``error:`` lines (file paths replaced), filled as the tests run, so
#: the comparison of the commands' messages reuses the runs instead of repeating them
MESSAGES: dict[str, dict[str, list[str]]] = {}


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + "\n" + self.err


def command_available(name: str) -> bool:
    return importlib.util.find_spec(f"clo_xl.commands.{name}") is not None


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> Outcome:
    capsys.readouterr()
    code = main(argv)
    captured = capsys.readouterr()
    return Outcome(code, captured.out, captured.err)


def _param(case: Case, command: str) -> object:
    marks: list[pytest.MarkDecorator] = []
    gap = GAPS.get(f"{case.name}@{command}") or GAPS.get(case.name)
    if gap:
        marks.append(pytest.mark.xfail(strict=True, reason=gap))
    if case.slow or command in _FULL_SUITE_ONLY:
        marks.append(pytest.mark.slow)
    return pytest.param(case, id=case.name, marks=marks)


# the fast lane keeps each case once (compliance, and migrate with the database lanes); the same case
# through cashflows, validate and the button, which check that every route prints the same lines, runs in
# the full suite only (``make test``): ~300 CLI runs that would take the fast lane past two minutes
_FULL_SUITE_ONLY = frozenset({"cashflows", "validate", "buttons"})


def assert_refused(outcome: Outcome, case: Case, context: dict[str, str]) -> None:
    """Exit 2, a located message, one JSON error document, no traceback; on stderr (not a terminal here)
    every message is one line: each line is an ``error:``/``warning:`` message or a ``wrote PATH`` notice,
    never the wrapped continuation of one."""
    assert "Traceback" not in outcome.text, outcome.text
    lines = [line for line in outcome.err.splitlines() if line.strip()]
    assert lines, "a refusal says why on stderr"
    assert all(line.startswith(("error: ", "warning: ", "wrote ")) for line in lines), outcome.err[-2000:]
    assert outcome.code == 2, f"exit {outcome.code}, expected 2 (refused):\n{outcome.text[-2000:]}"
    doc = json.loads(outcome.out)  # --json: exactly one JSON document on stdout
    assert isinstance(doc, dict) and doc.get("error") and doc.get("message"), doc
    message = outcome.err + "\n" + str(doc.get("message"))
    errors = [line for line in lines if line.startswith("error: ")]
    assert case.max_errors is None or len(errors) <= case.max_errors, (
        f"{len(errors)} error lines, expected at most {case.max_errors}: {errors[:3]}"
    )
    for group in case.expect:
        options = [o.format(**context) for o in group.split("|")]
        assert any(o.casefold() in message.casefold() for o in options), (
            f"the refusal does not name {' or '.join(options)!r}: {message.strip()[:600]}"
        )


def _context(base: Path) -> dict[str, str]:
    return {"r": str(held_asset_row(Package(base)))}


@pytest.fixture(scope="module")
def context(base_workbook: Path) -> dict[str, str]:
    return _context(base_workbook)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty current directory: after a refusal it must still be empty (nothing written)."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("CLO_XL_DATA_DIR", str(tmp_path / "data"))
    return cwd


def _inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir(parents=True)
    return folder


def _compliance_argv(files: dict[str, Path]) -> list[str]:
    return _deal_argv("compliance", files)


def _deal_argv(command: str, files: dict[str, Path]) -> list[str]:
    """``compliance`` or ``cashflows`` of Mag 17 from the case's workbook or extract pair."""
    if "workbook" in files:
        return [command, "--workbook", str(files["workbook"]), "--deal", DEAL, "--json"]
    return [command, "--assets", str(files["assets"]), "--deal-inputs", str(files["deals"]), "--json"]


def _validate_argv(files: dict[str, Path]) -> list[str]:
    return ["validate", str(files["workbook"]), "--no-libreoffice", "--json"]


def error_lines(outcome: Outcome, files: dict[str, Path]) -> list[str]:
    """The refusal's ``error:`` lines, each input file's path replaced by ``<file>`` (cases are written to a
    new folder per test)."""
    text = outcome.err
    for path in sorted(files.values(), key=lambda p: -len(str(p))):
        text = text.replace(str(path), "<file>")
    return sorted(line for line in text.splitlines() if line.startswith("error: "))


def record(case: Case, command: str, outcome: Outcome, files: dict[str, Path]) -> list[str]:
    lines = error_lines(outcome, files)
    MESSAGES.setdefault(case.name, {})[command] = lines
    return lines


def messages_of(
    case: Case, command: str, tmp_path: Path, base: Path, capsys: pytest.CaptureFixture[str]
) -> list[str]:
    """The lines ``command`` printed for ``case`` (run again here when its own test did not run first)."""
    if command not in MESSAGES.get(case.name, {}):
        files = case.make(_inputs(tmp_path / f"again-{command}"), base)
        argv = _validate_argv(files) if command == "validate" else _deal_argv(command, files)
        record(case, command, run_cli(argv, capsys), files)
    return MESSAGES[case.name][command]


def _skip_unless(command: str) -> None:
    if not command_available(command):
        pytest.skip(f"`clo-xl {command}` is not built yet (clo_xl.commands.{command})")


# ------------------------------------------------------------------------------------------------
# controls: the unbroken bases are accepted, so a refusal below is for the defect, not the base


def test_control_extract_is_accepted(
    tmp_path: Path, workdir: Path, base_workbook: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _skip_unless("compliance")
    from .cases import _ex

    files = _ex()(_inputs(tmp_path), base_workbook)
    outcome = run_cli(_compliance_argv(files), capsys)
    assert outcome.code == 0, outcome.text[-2000:]
    assert json.loads(outcome.out)["deal"] == DEAL


def test_control_edited_but_unbroken_workbook_is_accepted(
    tmp_path: Path, workdir: Path, base_workbook: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The XML editor itself changes nothing a reader cares about: rewrite a cell with its own value."""
    _skip_unless("compliance")
    pkg = Package(base_workbook)
    pkg.set("Mag 17 Inputs", "E4", pkg.get("Mag 17 Inputs", "E4"))
    path = pkg.save(_inputs(tmp_path) / "TradeHypo.xlsm")
    outcome = run_cli(_compliance_argv({"workbook": path}), capsys)
    assert outcome.code == 0, outcome.text[-2000:]
    assert json.loads(outcome.out)["deal"] == DEAL


def test_corpus_is_large_enough() -> None:
    names = [c.name for c in WORKBOOK_CASES + EXTRACT_CASES]
    assert len(names) == len(set(names))
    assert len(names) >= 40, len(names)


# ------------------------------------------------------------------------------------------------
# compliance: workbook and extract cases


@pytest.mark.parametrize(
    "case",
    [
        _param(c, "compliance")
        for c in WORKBOOK_CASES + EXTRACT_CASES
        if "compliance" in (c.commands or ("compliance",))
    ],
)
def test_compliance_refuses(
    case: Case,
    tmp_path: Path,
    workdir: Path,
    base_workbook: Path,
    context: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    _skip_unless("compliance")
    files = case.make(_inputs(tmp_path), base_workbook)
    outcome = run_cli(_compliance_argv(files), capsys)
    assert_refused(outcome, case, context)
    assert list(workdir.iterdir()) == [], "a refused run wrote files"
    record(case, "compliance", outcome, files)


# ------------------------------------------------------------------------------------------------
# cashflows and validate: the same refusals, with the same lines


@pytest.mark.parametrize(
    "case",
    [
        _param(c, "cashflows")
        for c in WORKBOOK_CASES + EXTRACT_CASES
        if "cashflows" in (c.commands or ("cashflows",))
    ],
)
def test_cashflows_refuses_with_the_lines_of_compliance(
    case: Case,
    tmp_path: Path,
    workdir: Path,
    base_workbook: Path,
    context: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A holding of an unknown asset, a duplicated ID (the sheet named), text in a tranche balance: what
    compliance refuses, cash flows refuse, in the same words."""
    files = case.make(_inputs(tmp_path), base_workbook)
    outcome = run_cli(_deal_argv("cashflows", files), capsys)
    assert_refused(outcome, case, context)
    assert list(workdir.iterdir()) == [], "a refused run wrote files"
    lines = record(case, "cashflows", outcome, files)
    if "compliance" in (case.commands or ("compliance",)):
        assert lines == messages_of(case, "compliance", tmp_path, base_workbook, capsys)


@pytest.mark.parametrize(
    "case",
    [_param(c, "validate") for c in WORKBOOK_CASES if "validate" in (c.commands or ("validate",))],
)
def test_validate_refuses_with_the_lines_of_the_deal_commands(
    case: Case,
    tmp_path: Path,
    workdir: Path,
    base_workbook: Path,
    context: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    files = case.make(_inputs(tmp_path), base_workbook)
    outcome = run_cli(_validate_argv(files), capsys)
    assert_refused(outcome, case, context)
    assert list(workdir.iterdir()) == [], "a refused run wrote files"
    lines = record(case, "validate", outcome, files)
    if "compliance" in (case.commands or ("compliance",)):
        deal_lines = messages_of(case, "compliance", tmp_path, base_workbook, capsys)
        assert set(lines) <= set(deal_lines), sorted(set(lines) - set(deal_lines))


# ------------------------------------------------------------------------------------------------
# migrate: workbook cases against a database that already holds the sample


@pytest.fixture(scope="module")
def loaded_db(pg_server: EmbeddedServer, template_url: str, base_workbook: Path) -> Iterator[str]:
    """A database holding the migrated sample workbook (the state every refused migration must keep)."""
    _skip_unless("migrate")
    url = create_database(pg_server)
    code = main(["migrate", str(base_workbook), "--database-url", url, "--json"])
    if code != 0:
        drop_database(pg_server, url)
        pytest.skip(f"the sample workbook does not migrate (exit {code}): see the persistence tests")
    yield url
    drop_database(pg_server, url)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "case", [_param(c, "migrate") for c in WORKBOOK_CASES if "migrate" in (c.commands or ("migrate",))]
)
def test_migrate_refuses_and_leaves_the_database_unchanged(
    case: Case,
    tmp_path: Path,
    workdir: Path,
    base_workbook: Path,
    context: dict[str, str],
    loaded_db: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    files = case.make(_inputs(tmp_path), base_workbook)
    before = db_state(loaded_db)
    outcome = run_cli(["migrate", str(files["workbook"]), "--database-url", loaded_db, "--json"], capsys)
    assert_refused(outcome, case, context)
    assert db_state(loaded_db) == before, "a refused migration changed the database"
    if "validate" in (case.commands or ("validate",)):
        lines = error_lines(outcome, files)
        assert lines == messages_of(case, "validate", tmp_path, base_workbook, capsys)


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, id=c.name, marks=[pytest.mark.slow] if c.slow else [])
        for c in WORKBOOK_CASES + EXTRACT_CASES
    ],
)
def test_each_case_writes_a_file_that_differs_from_its_base(
    case: Case, tmp_path: Path, base_workbook: Path
) -> None:
    files = case.make(_inputs(tmp_path), base_workbook)
    assert files and all(p.is_file() for p in files.values())
    if case.source == WORKBOOK:
        assert files["workbook"].read_bytes() != base_workbook.read_bytes()


SUBPROCESS_CASES = ("wb_truncated", "wb_encrypted", "wb_text_in_holding_par", "ex_truncated_deal_json")


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_a_real_process_refuses_cleanly(
    name: str, tmp_path: Path, base_workbook: Path, context: dict[str, str]
) -> None:
    """The same refusal from the installed entry point in its own process (what a user's shell sees)."""
    import subprocess
    import sys

    case = next(c for c in WORKBOOK_CASES + EXTRACT_CASES if c.name == name)
    files = case.make(_inputs(tmp_path), base_workbook)
    proc = subprocess.run(
        [sys.executable, "-m", "clo_xl.cli", *_compliance_argv(files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    assert_refused(Outcome(proc.returncode, proc.stdout, proc.stderr), case, context)


# ------------------------------------------------------------------------------------------------
# odd but valid: every command runs


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in ODD_CASES])
def test_odd_but_valid_input_runs(
    case: Case, tmp_path: Path, workdir: Path, base_workbook: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = case.make(_inputs(tmp_path), base_workbook)
    for command in ("compliance", "cashflows"):
        outcome = run_cli(_deal_argv(command, files), capsys)
        assert outcome.code == 0, f"{command}: exit {outcome.code}\n{outcome.text[-2000:]}"
        assert json.loads(outcome.out)["deal"] == DEAL


@pytest.mark.postgres
@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in ODD_CASES])
def test_odd_but_valid_input_migrates(
    case: Case,
    tmp_path: Path,
    workdir: Path,
    base_workbook: Path,
    db_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    files = case.make(_inputs(tmp_path), base_workbook)
    outcome = run_cli(["migrate", str(files["workbook"]), "--database-url", db_url, "--json"], capsys)
    assert outcome.code == 0, outcome.text[-2000:]
    assert json.loads(outcome.out)["status"] == "loaded"


@pytest.mark.slow
@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in ODD_CASES])
def test_odd_but_valid_input_validates(
    case: Case, tmp_path: Path, workdir: Path, base_workbook: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The parallel run reads it (exit 0, or 1 when the edit moved a legacy figure: a break, no refusal)."""
    files = case.make(_inputs(tmp_path), base_workbook)
    outcome = run_cli(_validate_argv(files), capsys)
    assert outcome.code in (0, 1), outcome.text[-2000:]
    refusals = [line for line in error_lines(outcome, files) if "unexplained break" not in line]
    assert refusals == [] and "Traceback" not in outcome.text, outcome.err[-2000:]


# ------------------------------------------------------------------------------------------------
# the Excel buttons: the same layer, the same lines, nothing written into the workbook


@pytest.mark.parametrize(
    "case", [_param(c, "buttons") for c in WORKBOOK_CASES if "validate" in (c.commands or ("validate",))]
)
def test_the_compliance_button_refuses_with_the_lines_of_the_commands(
    case: Case, tmp_path: Path, workdir: Path, base_workbook: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Run Compliance pressed on the broken workbook (the handler RunPython calls, on the file): refused
    with lines the commands print for the same file, and the workbook is left as it was."""
    from clo_xl.errors import CloXlError
    from clo_xl.excel.handlers import run_headless

    files = case.make(_inputs(tmp_path), base_workbook)
    before = files["workbook"].read_bytes()
    with pytest.raises(CloXlError) as refused:
        run_headless("RunCompliance", files["workbook"])
    assert refused.value.exit_code == 2
    text = str(refused.value).replace(str(files["workbook"]), "<file>")
    lines = {f"error: {line}" for line in text.splitlines() if not line.startswith("... and ")}  # the cap
    known = {*messages_of(case, "validate", tmp_path, base_workbook, capsys)}
    if "compliance" in (case.commands or ("compliance",)):
        known |= set(messages_of(case, "compliance", tmp_path, base_workbook, capsys))
    assert lines <= known, sorted(lines - known)
    assert files["workbook"].read_bytes() == before, "a refused button wrote into the workbook"
