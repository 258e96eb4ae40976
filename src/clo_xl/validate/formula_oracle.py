"""An independent engine beside the legacy numbers: plain Excel formulas recalculated by LibreOffice.

For every deal, a "Formula Check" sheet holds one helper row per holding (the deal sheet's
``DealCollateral`` row, its ``All Assets`` attributes fetched with INDEX/MATCH) and SUMPRODUCT-style
formulas for WARF, WAS, WAL (numerator and denominator), WARR, the largest obligor and the senior-secured
share, written exactly as an analyst would write them in Excel. The sheet goes into a **copy** of the
workbook's input sheets (same sheet names and cells, values only; the workbook itself is never touched,
since LibreOffice lower-cases unknown function names on save), LibreOffice headless recalculates it with a
private profile that forces recalculation on load (``OOXMLRecalcMode`` = 0; otherwise it keeps the
zeros XlsxWriter caches), and each formula's value is compared with the Python engine's result.

Definitions follow COMPLIANCE_SPEC §4.2-4.3 (legacy populations): ND = Default Obligation is exactly
"Yes" → excluded; FLOAT/FIXED compared exactly (case-sensitive, EXACT); CPA = ND par + Collection
principal cash. Rating factors use the WARF test's table (unknown → 10000). Two inputs are derived by the
engine when the sheet leaves them blank (the DPR-for-WARF rating, column 46, and a recovery rate of exactly
0, column 44); for those holdings the helper row carries the engine's derived value as a constant, and the
check says how many such rows it used.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from clo_xl.compliance.catalogue import TEST_WAL, TEST_WARR, metric_tests
from clo_xl.excel.cells import Cell
from clo_xl.validate.grid import Grid, WorkbookGrids, at
from clo_xl.validate.model import Check
from clo_xl.xlsx import column_letter

SHEET = "Formula Check"
SOURCE = "LibreOffice formula"

#: Moody's rating factors of the WARF tests (COMPLIANCE_SPEC §3.8, CT copy; "C" falls to the default).
WARF_FACTORS: tuple[tuple[str, int], ...] = (
    ("AAA", 1),
    ("AA1", 10),
    ("AA2", 20),
    ("AA3", 40),
    ("A1", 70),
    ("A2", 120),
    ("A3", 180),
    ("BAA1", 260),
    ("BAA2", 360),
    ("BAA3", 610),
    ("BA1", 940),
    ("BA2", 1350),
    ("BA3", 1766),
    ("B1", 2220),
    ("B2", 2720),
    ("B3", 3490),
    ("CAA1", 4770),
    ("CAA2", 6500),
    ("CAA3", 8070),
    ("CA", 10000),
)
UNKNOWN_FACTOR = 10000
#: test 1's subtracted Moody's asset category, uppercased, with the typographic apostrophe U+2019.
NON_SENIOR_CATEGORY = '"MOODY’S NON-SENIOR SECURED LOAN"'

#: All Assets headers the helper rows read (COMPLIANCE_SPEC §1.6; "Country " keeps its trailing space).
ASSET_FIELDS = {
    "issuer": "ISSUER ID",
    "bond_loan": "Bond/Loan",
    "coupon_type": "Coupon Type",
    "spread": "Coupon Spread",
    "floor": "Libor Floor",
    "index": "Index",
    "coupon": "Coupon",
    "category": "Moody Asset Category",
    "default": "Default Obligation",
    "dip": "DIP",
    "wal": "WAL",
    "recovery": "Moody's Recovery Rate-23",
    "warf_rating": "Moody's Rating WARF",
    "country": "Country ",
}

#: country sets of the concentration tests, written out from COMPLIANCE_SPEC §4.2 (misspellings included,
#: as the legacy compares them) so the formula route does not read the engine's own data files.
COUNTRY_SET_TESTS: tuple[tuple[int, str, str], ...] = (
    (14, "non-USA share (test 14)", '{"USA"}'),
    (
        15,
        "Canada and tax-jurisdiction share (test 15)",
        '{"CANADA","BAHAMAS","BERMUDA","BRITISH VIRGIN ISLANDS","CAYMEN ISLANDS","CAYMAN ISLANDS",'
        '"CHANNEL ISLANDS","NETHERLANDS ANTULLES"}',
    ),
    (16, "not USA, Canada or UK share (test 16)", '{"CANADA","UK","USA","UNITED KINGDOM"}'),
    (18, "Group I countries share (test 18)", '{"NETHERLANDS","AUSTRALIA","NEW ZEALAND","UNITED KINGDOM"}'),
    (20, "Group II countries share (test 20)", '{"GERMANY","SWEDEN","SWITZERLAND"}'),
    (
        22,
        "Group III countries share (test 22)",
        '{"AUSTRIA","BELGIUM","DENMARK","FINLAND","FRANCE","ICELAND","LIECHTENSTEIN","LUXEMBOURG","NORWAY",'
        '"SPAIN"}',
    ),
    (
        24,
        "tax-jurisdiction share (test 24)",
        '{"BAHAMAS","BERMUDA","BRITISH VIRGIN ISLANDS","CAYMEN ISLANDS","CAYMAN ISLANDS","CHANNEL ISLANDS",'
        '"NETHERLANDS ANTULLES"}',
    ),
)
#: tests whose numerator counts the countries OUTSIDE the listed set
COUNTRY_SET_EXCLUDES = frozenset({14, 16})
#: summary rows reserved per deal on the check sheet (metrics above the helper blocks)
ROWS_PER_DEAL = 16


@dataclass(frozen=True)
class DealFormulas:
    """Where one deal's formulas sit on the check sheet and which Python values they are compared with."""

    deal: str
    cells: dict[str, Cell]  # metric → formula cell
    python: dict[str, Any]  # metric → Python value
    labels: dict[str, str]  # metric → item text
    derived_rows: int  # holdings whose rating/recovery came from the engine


def soffice_path() -> str | None:
    """The LibreOffice executable, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


_PROFILE_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
</oor:items>
"""


def recalculate(path: Path, out_dir: Path, *, timeout: float = 120.0) -> Path:
    """Recalculate every formula of ``path`` with LibreOffice headless; returns the converted copy.

    A private profile (``-env:UserInstallation``) with ``OOXMLRecalcMode`` = 0 makes LibreOffice recompute
    on load instead of trusting cached values.
    """
    soffice = soffice_path()
    if soffice is None:
        raise FileNotFoundError("LibreOffice (soffice) is not installed")
    profile = Path(tempfile.mkdtemp(prefix="clo-xl-lo-profile-"))
    try:
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE_XCU, encoding="utf-8")
        out_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "HOME": str(profile)}
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--norestore",
                "--nologo",
                "--convert-to",
                "xlsx",
                "--outdir",
                str(out_dir),
                str(path),
            ],
            check=True,
            capture_output=True,
            timeout=timeout,
            env=env,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    result = out_dir / (path.stem + ".xlsx")
    if not result.is_file():
        raise FileNotFoundError(f"LibreOffice produced no {result.name}")
    return result


def _asset_columns(grid: Grid) -> dict[str, int]:
    header = grid[0] if grid else []
    by_name = {str(v): i + 1 for i, v in enumerate(header) if v is not None}
    stripped = {str(v).strip().lower(): i + 1 for i, v in enumerate(header) if v is not None}
    out = {}
    for key, name in ASSET_FIELDS.items():
        col = by_name.get(name) or stripped.get(name.strip().lower())
        if col is not None:
            out[key] = col
    return out


def _holdings(deal_grid: Grid) -> list[int]:
    """Sheet rows of the DealCollateral block (D4:E…; stops at the first blank ID)."""
    rows = []
    r = 4
    while at(deal_grid, Cell(r, 4)) not in (None, ""):
        rows.append(r)
        r += 1
    return rows


def _collection_principal(deal_grid: Grid) -> float:
    """Principal of the account whose name uppercases to COLLECTION (F:I block; CP 233-245)."""
    r = 4
    while at(deal_grid, Cell(r, 6)) is not None or at(deal_grid, Cell(r, 7)) is not None:
        name = at(deal_grid, Cell(r, 7))
        if isinstance(name, str) and name.strip().upper() == "COLLECTION":
            value = at(deal_grid, Cell(r, 9))
            return float(value) if isinstance(value, int | float) else 0.0
        r += 1
    return 0.0


def _current_libor(deal_grid: Grid) -> float | None:
    """The "Current LIBOR" quality-test input (R:S block)."""
    for r in range(3, 40):
        label = at(deal_grid, Cell(r, 18))
        if isinstance(label, str) and label.strip() == "Current LIBOR":
            value = at(deal_grid, Cell(r, 19))
            return float(value) if isinstance(value, int | float) else None
    return None


def _result(doc: Mapping[str, Any], numbers: Sequence[int], key: str = "result") -> tuple[int, Any] | None:
    tests = {int(t["number"]): t for t in doc.get("tests", [])}
    for n in numbers:
        if n in tests and tests[n].get(key) is not None:
            return n, tests[n][key]
    return None


HELPER_HEADER = ("Deal", "BRS ID", "Par", "Match", "ND", "FLOAT", "WAS term", "Factor", "WAL", "Recovery",
                 "Issuer", "Obligor par", "LOAN", "Non-senior", "Float ND", "Country")  # fmt: skip
_FACTOR_RANGE = f"'Factor Table'!$A$1:$B${len(WARF_FACTORS)}"
Formulas = dict[str, tuple[str, str, Any]]  # metric → (formula, item text, Python value)


def build_check_workbook(
    grids: WorkbookGrids,
    python: Mapping[str, Mapping[str, Any]],
    derived: Mapping[str, tuple[float | None, float | None]],
    path: Path,
) -> list[DealFormulas]:
    """Write the inputs copy plus the "Formula Check" sheet to ``path`` (an .xlsx); returns the layout.

    ``python[deal]`` is the deal's ``compliance --json`` document (legacy convention); ``derived[brs_id]``
    gives the engine's (WARF-test rating factor, Moody's recovery rate), used for assets whose sheet
    cells are blank (rating) or 0 (recovery).
    """
    assets = grids.grid("All Assets")
    columns = _asset_columns(assets)
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "nan_inf_to_errors": True})
    deals = [d for d in python if f"{d} Inputs" in grids.sheet_names]
    _write_inputs(book, grids, assets, deals)
    check = book.add_worksheet(SHEET)
    check.write_row(0, 0, ["Deal", "Metric", "Formula value", "Python value", "Test"])
    helpers = _Helpers(check, assets, columns, derived)
    layouts: list[DealFormulas] = []
    summary_row = 1
    helper_row = 1 + ROWS_PER_DEAL * len(deals) + 2  # helper blocks start below the summary rows
    for deal in deals:
        grid = grids.grid(f"{deal} Inputs")
        rows = _holdings(grid)
        if not rows or len(columns) < len(ASSET_FIELDS):
            continue
        block = helpers.write(deal, grid, rows, helper_row)
        formulas = _deal_formulas(python[deal], block, _collection_principal(grid), _current_libor(grid))
        layouts.append(_write_summary(check, deal, formulas, summary_row, block.derived_rows))
        summary_row += len(formulas)
        helper_row = block.last + 3
    book.close()
    return layouts


def _write_inputs(book: Workbook, grids: WorkbookGrids, assets: Grid, deals: Sequence[str]) -> None:
    """The inputs, values only, at their own sheet names and cells, and the Moody's factor table."""
    sheet = book.add_worksheet("All Assets")
    for r, row in enumerate(assets):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value if not hasattr(value, "isoformat") else str(value))
    for deal in deals:
        grid = grids.grid(f"{deal} Inputs")
        ws = book.add_worksheet(f"{deal} Inputs")
        for r in range(min(len(grid), 2000)):
            for c in range(3, min(len(grid[r]), 19)):  # D:S: holdings, accounts, LIBOR, thresholds, inputs
                value = grid[r][c]
                if value is not None and not hasattr(value, "isoformat"):
                    ws.write(r, c, value)
    factors = book.add_worksheet("Factor Table")
    for i, (rating, factor) in enumerate(WARF_FACTORS):
        factors.write(i, 0, rating)
        factors.write(i, 1, factor)


@dataclass(frozen=True)
class _Block:
    """One deal's helper lines on the check sheet: sheet rows ``first``..``last`` (1-based), one per holding;
    ``derived_rows`` counts the engine-derived factors and recoveries written as numbers."""

    first: int
    last: int
    derived_rows: int

    def range(self, col: str) -> str:
        return f"${col}${self.first}:${col}${self.last}"


class _Helpers:
    """Writes a deal's helper lines: per holding its par, ND flag, WAS term, factor, WAL, recovery, issuer,
    obligor par, LOAN and non-senior flags, float-ND par and country, each a formula over the inputs copy
    (or the engine's derived number where the sheet cell is blank)."""

    def __init__(
        self,
        check: Worksheet,
        assets: Grid,
        columns: Mapping[str, int],
        derived: Mapping[str, tuple[float | None, float | None]],
    ) -> None:
        self.check, self.assets, self.columns, self.derived = check, assets, columns, derived
        self.col_of = {key: column_letter(col) for key, col in columns.items()}

    def asset_ref(self, key: str, match_cell: str) -> str:
        letter = self.col_of[key]
        return f"INDEX('All Assets'!${letter}:${letter},{match_cell})"

    def write(self, deal: str, grid: Grid, rows: Sequence[int], helper_row: int) -> _Block:
        self.check.write_row(helper_row - 1, 0, HELPER_HEADER)
        first = helper_row + 1  # 1-based first helper row
        libor_ref = f"'{deal} Inputs'!$S$3"
        derived_rows = 0
        for i, r in enumerate(rows):
            derived_rows += self._line(deal, grid, r, first + i, libor_ref)
        return _Block(first, first + len(rows) - 1, derived_rows)

    def _line(self, deal: str, grid: Grid, r: int, x: int, libor_ref: str) -> int:
        """Helper line ``x`` for the holding on sheet row ``r``; returns how many engine numbers it used."""
        check, ref, sheet_name = self.check, self.asset_ref, f"'{deal} Inputs'"
        brs = str(at(grid, Cell(r, 4)))
        m = f"$D{x}"
        check.write(x - 1, 0, deal)
        check.write_formula(x - 1, 1, f"={sheet_name}!$D${r}")
        check.write_formula(x - 1, 2, f"=IFERROR({sheet_name}!$E${r}*1,0)")
        check.write_formula(x - 1, 3, f"=MATCH(TRIM(B{x}),'All Assets'!$A:$A,0)")
        check.write_formula(x - 1, 4, f'=IFERROR(IF(EXACT({ref("default", m)},"Yes"),0,1),0)')
        check.write_formula(x - 1, 5, f'=IFERROR(IF(EXACT({ref("coupon_type", m)},"FLOAT"),1,0),0)')
        idx, flr, cpn, spr = ref("index", m), ref("floor", m), ref("coupon", m), ref("spread", m)
        check.write_formula(
            x - 1,
            6,
            f'=IFERROR(IF(ISNUMBER(SEARCH("LIBOR",{idx})),IF({flr}>{libor_ref},{cpn}-{libor_ref},{spr}),'
            f"{cpn}-{libor_ref}),0)",
        )
        used = self._factor(brs, x, m) + self._recovery(brs, x, m)
        check.write_formula(x - 1, 8, f"=IFERROR({ref('wal', m)}*1,0)")
        check.write_formula(x - 1, 10, f'=IFERROR(TRIM({ref("issuer", m)}&""),"")')
        check.write_formula(x - 1, 11, f'=IFERROR(C{x}*E{x}*IF(EXACT({ref("dip", m)},"Yes"),0,1),0)')
        check.write_formula(x - 1, 12, f'=IFERROR(IF(UPPER(TRIM({ref("bond_loan", m)}))="LOAN",1,0),0)')
        check.write_formula(
            x - 1, 13, f"=IFERROR(IF(UPPER(TRIM({ref('category', m)}))={NON_SENIOR_CATEGORY},1,0),0)"
        )
        check.write_formula(x - 1, 14, f"=F{x}*E{x}")
        check.write_formula(x - 1, 15, f'=IFERROR(UPPER(TRIM({ref("country", m)}&"")),"")')
        return used

    def _factor(self, brs: str, x: int, m: str) -> int:
        """Column H: the Moody's factor of the WARF-test rating, or the engine's where the cell is blank."""
        engine_factor = self.derived.get(brs.strip(), (None, None))[0]
        rating_cell = _asset_value(self.assets, self.columns, brs, "warf_rating")
        if rating_cell in (None, "") and engine_factor is not None:
            self.check.write_number(x - 1, 7, float(engine_factor))
            return 1
        self.check.write_formula(
            x - 1,
            7,
            f"=IFERROR(VLOOKUP(UPPER(TRIM({self.asset_ref('warf_rating', m)})),{_FACTOR_RANGE},2,0),"
            f"{UNKNOWN_FACTOR})",
        )
        return 0

    def _recovery(self, brs: str, x: int, m: str) -> int:
        """Column J: the Moody's recovery rate, or the engine's where the cell is 0 or blank."""
        engine_recovery = self.derived.get(brs.strip(), (None, None))[1]
        recovery_cell = _asset_value(self.assets, self.columns, brs, "recovery")
        if (recovery_cell in (None, 0, 0.0)) and engine_recovery is not None:
            self.check.write_number(x - 1, 9, float(engine_recovery))
            return 1
        self.check.write_formula(x - 1, 9, f"=IFERROR({self.asset_ref('recovery', m)}*1,0)")
        return 0


def _deal_formulas(doc: Mapping[str, Any], block: _Block, cash: float, libor: float | None) -> Formulas:
    """The summary formulas over a deal's helper lines, for each metric the Python document reports."""
    rng = block.range
    nd_par = f"SUMPRODUCT({rng('C')},{rng('E')})"
    cpa = f"({nd_par}+{cash!r})"
    formulas: Formulas = {}
    warf = _result(doc, metric_tests("warf"))
    if warf:
        formulas["warf"] = (
            f"=SUMPRODUCT({rng('C')},{rng('E')},{rng('H')})/{nd_par}",
            f"WARF (test {warf[0]})",
            warf[1],
        )
    was = _result(doc, metric_tests("was"))
    if was and libor is not None:
        nd = was[0] != 32  # test 32 includes defaulted assets (quirk 11)
        weight = f"{rng('C')},{rng('O')}" if nd else f"{rng('C')},{rng('F')}"
        formulas["was"] = (
            f"=SUMPRODUCT({weight},{rng('G')})/SUMPRODUCT({weight})",
            f"WAS (test {was[0]})",
            was[1],
        )
    wal_num = _result(doc, (TEST_WAL,), "numerator")
    wal_den = _result(doc, (TEST_WAL,), "denominator")
    if wal_num:
        formulas["wal_numerator"] = (
            f"=SUMPRODUCT({rng('C')},{rng('I')})",
            "WAL numerator, par x WAL incl. defaulted (test 35)",
            wal_num[1],
        )
    if wal_den:
        formulas["wal_denominator"] = (f"={nd_par}", "WAL denominator, ND par (test 35)", wal_den[1])
    return formulas | _share_formulas(doc, rng, nd_par, cash, cpa)


def _share_formulas(
    doc: Mapping[str, Any], rng: Callable[[str], str], nd_par: str, cash: float, cpa: str
) -> Formulas:
    """WARR, and the shares of the collateral principal amount: largest obligor, senior secured, countries."""
    formulas: Formulas = {}
    warr = _result(doc, (TEST_WARR,))
    if warr:
        formulas["warr"] = (
            f"=SUMPRODUCT({rng('C')},{rng('E')},{rng('J')})/{nd_par}",
            "WARR (test 33)",
            warr[1],
        )
    largest = _result(doc, (4,))
    if largest:
        formulas["largest_obligor"] = (
            f"=SUMPRODUCT(MAX(SUMIF({rng('K')},{rng('K')},{rng('L')})))/{cpa}",
            "largest obligor share (test 4)",
            largest[1],
        )
    senior = _result(doc, (1,))
    if senior:
        formulas["senior_secured"] = (
            f"=(SUMPRODUCT({rng('C')},{rng('E')},{rng('M')})-SUMPRODUCT({rng('C')},{rng('E')},{rng('N')})"
            f"+{cash!r})/{cpa}",
            "senior-secured share (test 1)",
            senior[1],
        )
    for number, label, members in COUNTRY_SET_TESTS:
        found = _result(doc, (number,))
        if not found:
            continue
        in_set = f"ISNUMBER(MATCH({rng('P')},{members},0))"
        flag = f"1-{in_set}" if number in COUNTRY_SET_EXCLUDES else f"1*{in_set}"
        formulas[f"country_{number}"] = (
            f"=SUMPRODUCT({rng('C')},{rng('E')},{flag})/{cpa}",
            label,
            found[1],
        )
    return formulas


def _write_summary(
    check: Worksheet, deal: str, formulas: Formulas, summary_row: int, derived_rows: int
) -> DealFormulas:
    """One summary row per formula from ``summary_row`` (0-based): deal, item, formula, Python value."""
    cells: dict[str, Cell] = {}
    labels: dict[str, str] = {}
    values: dict[str, Any] = {}
    for row, (metric, (formula, label, value)) in enumerate(formulas.items(), start=summary_row):
        check.write(row, 0, deal)
        check.write(row, 1, label)
        check.write_formula(row, 2, formula)
        if isinstance(value, int | float):
            check.write_number(row, 3, float(value))
        cells[metric] = Cell(row + 1, 3)
        labels[metric] = label
        values[metric] = value
    return DealFormulas(deal, cells, values, labels, derived_rows)


def _asset_value(assets: Grid, columns: Mapping[str, int], brs_id: str, key: str) -> Any:
    index = _asset_index(assets)
    row = index.get(brs_id.strip())
    if row is None or key not in columns:
        return None
    return at(assets, Cell(row, columns[key]))


_INDEX_CACHE: dict[int, dict[str, int]] = {}


def _asset_index(assets: Grid) -> dict[str, int]:
    found = _INDEX_CACHE.get(id(assets))
    if found is None:
        found = {
            str(row[0]).strip(): r for r, row in enumerate(assets, start=1) if row and row[0] is not None
        }
        _INDEX_CACHE.clear()
        _INDEX_CACHE[id(assets)] = found
    return found


def formula_checks(recalculated: Path, layouts: Sequence[DealFormulas]) -> list[Check]:
    """Read the recalculated formula values and pair each with Python's value."""
    result = WorkbookGrids(recalculated).grid(SHEET)
    checks = []
    for layout in layouts:
        for metric, cell in layout.cells.items():
            uses_derived = metric in {"warf", "warr"}
            note = (
                f" ({layout.derived_rows} engine-derived inputs)"
                if layout.derived_rows and uses_derived
                else ""
            )
            checks.append(
                Check(
                    SHEET,
                    cell.a1,
                    f"{layout.deal} {layout.labels[metric]}{note}",
                    at(result, cell),
                    layout.python[metric],
                    source=SOURCE,
                )
            )
    return checks
