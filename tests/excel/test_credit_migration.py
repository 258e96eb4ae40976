"""Run Credit Migration, headless: Run Model C15:C20 into the migration runs, an ``RM-<Deal>`` tab out.

Checks use independent routes: the step dates are calendar quarters from the deal sheet's analysis date,
the cumulative default is the running sum of the period defaults, the legacy CDR is the period default over
the performing par (the sum of the deal sheet's holdings, read here with python-calamine) annualised ×4
(CASHFLOW_SPEC §8.4, Q40), and the same seed reproduces the tab while another seed does not.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from clo_xl.errors import UsageError
from clo_xl.excel import handlers
from clo_xl.excel.file_workbook import FileWorkbook
from clo_xl.excel.table import Value

DEAL = "Mag 17"  # Run Model C9 of the sample


def _set(path: Path, values: dict[str, Value]) -> None:
    book = FileWorkbook(path)
    for cell, value in values.items():
        assert book.write_inputs("Run Model", cell, [[value]]) == []
    book.save()


def _tab(path: Path) -> list[list[Value]]:
    return [row[1:] for row in FileWorkbook(path).read_sheet(f"RM-{DEAL}")]  # the table starts at B1


def _block(tab: list[list[Value]], title: str) -> list[list[Value]]:
    start = next(i for i, r in enumerate(tab) if r and r[0] == title) + 2
    end = next((i for i in range(start, len(tab)) if not any(v is not None for v in tab[i])), len(tab))
    return tab[start:end]


def _number(value: object) -> float:
    """A numeric cell as read by calamine (int or float), refused when it is anything else."""
    assert isinstance(value, int | float) and not isinstance(value, bool), repr(value)
    return float(value)


def _months_after(start: date, months: int) -> date:
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, start.day)


def test_rm_tab_from_the_run_model_settings(workbook_copy: Path) -> None:
    # C15 TRUE (deal results per path), 6 simulations, static random numbers from seed 777
    _set(workbook_copy, {"C15": True, "C17": 6, "C19": True, "C20": 777})
    result = handlers.run_headless("RunCreditMigration", workbook_copy)
    assert result.sheets == (f"RM-{DEAL}",) and "seed 777" in result.summary
    tab = _tab(workbook_copy)
    settings = {r[0]: r[1] for r in tab[1:10]}
    assert settings["Number of Simulations"] == 6 and settings["Random Seed"] == 777
    assert settings["Correlation Matrix"] == "System Defined"

    sheet = CalamineWorkbook.from_path(str(workbook_copy)).get_sheet_by_name(f"{DEAL} Inputs")
    cells = sheet.to_python(skip_empty_area=False)
    analysis = cells[2][2]  # C3 analysis date
    assert isinstance(analysis, date)
    total_par = sum(_number(r[4]) for r in cells[3:] if r[3] not in (None, "") and r[4] not in (None, ""))

    stats = _block(tab, "Migration Statistics (mean over paths)")
    assert len(stats) > 4
    dates = [date.fromisoformat(str(r[1])[:10]) for r in stats]
    assert dates[:4] == [_months_after(analysis, 3 * k) for k in range(1, 5)]
    period = [_number(r[2]) for r in stats]
    cumulative = [_number(r[3]) for r in stats]
    running = 0.0
    for p, c in zip(period, cumulative, strict=True):
        running += p
        assert c == pytest.approx(running, rel=1e-12)
    assert _number(stats[0][4]) == pytest.approx(period[0] / total_par * 4.0, rel=1e-9)
    assert 0 < cumulative[-1] <= total_par

    head = next(i for i, r in enumerate(tab) if r and r[0] == "Min Path")
    assert tab[head][:3] == ["Min Path", "Median Path", "Max Path"]
    extremes = tab[head + 1][:3]
    assert all(isinstance(v, int | float) and 1 <= v <= 6 for v in extremes), extremes
    paths = _block(tab, "Deal Results per Path")
    assert [r[0] for r in paths] == [1, 2, 3, 4, 5, 6]
    assert all(isinstance(r[1], float) and r[1] >= -1.0 for r in paths)  # Sub Note IRR, -100% at worst

    # the same seed reproduces the tab; another seed moves the paths
    handlers.run_credit_migration(FileWorkbook(workbook_copy))
    assert _tab(workbook_copy) == tab
    _set(workbook_copy, {"C20": 778})
    handlers.run_credit_migration(FileWorkbook(workbook_copy))
    assert _block(_tab(workbook_copy), "Migration Statistics (mean over paths)") != stats


def test_statistics_only_when_c15_is_false(workbook_copy: Path) -> None:
    _set(workbook_copy, {"C15": False, "C17": 3})
    handlers.run_credit_migration(FileWorkbook(workbook_copy))
    tab = _tab(workbook_copy)
    assert not any(r and r[0] == "Deal Results per Path" for r in tab)
    assert _block(tab, "Migration Statistics (mean over paths)")


@pytest.mark.parametrize(
    ("cell", "value", "message"),
    [("C17", 0, "C17 must be a whole number"), ("C17", 501, "C17 must be a whole number"),
     ("C16", "User Defined", "C16"), ("C18", "Monthly", "C18")],
)  # fmt: skip
def test_bad_settings_name_their_cell(workbook_copy: Path, cell: str, value: Value, message: str) -> None:
    _set(workbook_copy, {cell: value})
    with pytest.raises(UsageError, match=message):
        handlers.run_credit_migration(FileWorkbook(workbook_copy))
