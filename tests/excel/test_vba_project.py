"""The VBA project as text: golden files, buttons ↔ macros ↔ handlers, UDF wrappers ↔ Python signatures,
and the built workbook read back by olevba and opened by LibreOffice."""

from __future__ import annotations

import inspect
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import xlsxwriter
from oletools.olevba import VBA_Parser

from clo_xl.excel import buttons, handlers, udfs
from workbook import vba_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # oletools uses old pyparsing names

FUNCTION_SIG = re.compile(r"^Function (CLO_\w+)\(([^)]*)\)", re.M)
SUB = re.compile(r"^Public Sub (\w+)\(\)\s*\n(.*?)^End Sub", re.M | re.S)
RUN_PYTHON = re.compile(r'RunPython "import clo_xl\.excel\.buttons as b; b\.(\w+)\(\)"')


def _modules(source: bytes | str) -> dict[str, str]:
    """Module name → source text, as olevba extracts them from a file or a vbaProject.bin."""
    parser = VBA_Parser(source) if isinstance(source, str) else VBA_Parser("vbaProject.bin", data=source)
    try:
        assert parser.detect_vba_macros(), "olevba found no VBA project"
        return {Path(name).stem: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def test_generated_golden_files_are_current() -> None:
    # the .bas files in workbook/vba are exactly what xlwings' own generator produces from clo_xl.excel.udfs
    assert vba_project.stale_generated_files() == []


def test_every_udf_wrapper_matches_a_python_function_and_its_arguments() -> None:
    text = vba_project.UDFS_BAS.read_text("utf-8")
    wrappers = {name: args for name, args in FUNCTION_SIG.findall(text)}
    assert set(wrappers) == set(udfs.UDFS), "a CLO_ function has no VBA wrapper (or the reverse)"
    expected = {
        "CLO_TEST", "CLO_TESTS", "CLO_WARF", "CLO_WAS", "CLO_WAL", "CLO_DIVERSITY", "CLO_OC", "CLO_IC",
        "CLO_HYPO", "CLO_RATING_FACTOR", "CLO_DERIVE_RATING", "CLO_CASHFLOWS",
    }  # fmt: skip
    assert expected <= set(wrappers)
    for name, args in wrappers.items():
        vba_args = [a.strip().removeprefix("Optional ").strip() for a in args.split(",") if a.strip()]
        params = inspect.signature(udfs.UDFS[name]).parameters
        python_args = [p for p in params if p != "caller"]  # xlwings passes the calling range itself
        assert vba_args == python_args, name
        optional = {a.strip().removeprefix("Optional ").strip() for a in args.split(",") if "Optional" in a}
        assert optional == {p for p in python_args if params[p].default is not inspect.Parameter.empty}, name
        # each wrapper calls the Python function of the same name in the UDF module
        assert f'XLPy.CallUDF("clo_xl.excel.udfs", "{name}"' in text


def test_every_button_has_a_macro_that_runs_its_handler() -> None:
    macros = dict(SUB.findall(vba_project.MACROS_BAS.read_text("utf-8")))
    captions = {b.caption for b in vba_project.BUTTONS}
    assert captions == {
        "Run Compliance", "Run Hypo", "Run Rankings", "Run Rebalancing", "Run Cash Flows",
        "Run Credit Migration", "Run Analytics", "Refresh from DB", "Save to DB", "Validate",
        "Delete Output Tabs",
    }  # fmt: skip
    assert len({b.cell for b in vba_project.BUTTONS}) == len(vba_project.BUTTONS)
    for button in vba_project.BUTTONS:
        assert button.macro in macros, f"{button.caption}: no Sub {button.macro} in clo_xl_macros.bas"
        called = RUN_PYTHON.findall(macros[button.macro])
        assert len(called) == 1, f"{button.macro} must make exactly one RunPython call"
        assert callable(getattr(buttons, called[0], None)), f"clo_xl.excel.buttons has no {called[0]}()"
        assert button.macro in handlers.HANDLERS


def test_vba_project_bin_holds_every_module() -> None:
    modules = _modules(vba_project.vba_project_bin(sheet_count=5))
    assert {
        "ThisWorkbook",
        "xlwings",
        "Dictionary",
        "clo_xl_macros",
        "xlwings_udfs",
        "clo_xl_udf_help",
    } <= set(modules)
    assert {f"Sheet{i}" for i in range(1, 6)} <= set(modules)
    assert "Module1" not in modules  # the template's sample module is dropped
    # the standalone xlwings module is the pinned package's xlwings.bas
    shipped = (Path(vba_project.TEMPLATE).parent / "xlwings.bas").read_text("utf-8", errors="replace")
    version = re.search(r"'Version: ([\d.]+)", shipped)
    assert version is not None and f"'Version: {version.group(1)}" in modules["xlwings"]


def _built_workbook(tmp_path: Path) -> Path:
    """A small workbook built exactly as workbook/build.py embeds the project: sheets, buttons, VBA."""
    path = tmp_path / "Mini.xlsm"
    book = xlsxwriter.Workbook(str(path))
    run_model = book.add_worksheet("Run Model")
    book.add_worksheet("Mag 17 Inputs")
    conf = book.add_worksheet("xlwings.conf")
    for i, (key, value) in enumerate(vba_project.XLWINGS_CONF):
        conf.write_string(i, 0, key)
        conf.write_string(i, 1, value)
    book.add_vba_project(vba_project.vba_project_stream(3), is_stream=True)
    for button in vba_project.BUTTONS:
        run_model.insert_button(button.cell, button.options())
    book.close()
    return path


@pytest.fixture(params=["mini", "sample"])
def built_workbook(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "mini":
        return _built_workbook(tmp_path)
    path: Path = request.getfixturevalue("sample_workbook")
    return path


def test_olevba_reads_the_built_workbook(built_workbook: Path) -> None:
    modules = _modules(str(built_workbook))
    wrappers = FUNCTION_SIG.findall(modules["xlwings_udfs"])
    assert {name for name, _ in wrappers} == set(udfs.UDFS)
    # the embedded wrappers are the current golden file's (a stale build would call with old arguments)
    assert wrappers == FUNCTION_SIG.findall(vba_project.UDFS_BAS.read_text("utf-8"))
    macro_text = modules["clo_xl_macros"]
    for button in vba_project.BUTTONS:  # each RunPython guarded: a Python start-up failure → a message box
        pattern = rf"^Public Sub {button.macro}\(\)\s*\n\s*On Error GoTo failed\s*\n\s*RunPython "
        assert re.search(pattern, macro_text, re.M), button.macro
    # MacroOptions on open leaves the workbook as saved as it was (no save prompt on close)
    saved = r"wasSaved = ThisWorkbook\.Saved\s+RegisterCloXlFunctionHelp\s+ThisWorkbook\.Saved = wasSaved"
    assert re.search(saved, macro_text)


def test_buttons_are_bound_to_their_macros(built_workbook: Path) -> None:
    import zipfile

    with zipfile.ZipFile(built_workbook) as z:
        vml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".vml"))
    for button in vba_project.BUTTONS:
        assert f"[0]!{button.macro}" in vml, button.macro
        assert button.caption in vml


@pytest.mark.libreoffice
def test_libreoffice_opens_the_built_workbook(built_workbook: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = tmp_path / "profile"
    out = tmp_path / "out"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", "xlsx", "--outdir", str(out), str(built_workbook)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    converted = out / (built_workbook.stem + ".xlsx")
    assert converted.is_file()
    from python_calamine import CalamineWorkbook

    assert "Run Model" in CalamineWorkbook.from_path(str(converted)).sheet_names
