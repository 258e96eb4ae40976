"""Turn the legacy output tabs of a workbook into :class:`Check` records beside Python's numbers.

Pure functions: a sheet grid (cached values) plus Python's results as CONTRACT-shaped documents
(``compliance --json``; with ``--hypo``, the ``hypo_result``/``hypo_pass`` keys) give the checks. The
readers locate tables by their header text, as an analyst would, not by fixed rows, because the legacy
writes the compliance table at B1 and the hypo block under a title row (COMPLIANCE_SPEC §1.9).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

from clo_xl.excel.cells import Cell
from clo_xl.validate.grid import Grid, at, find_header, header_columns
from clo_xl.validate.model import Check

#: Compliance-<Deal> columns (CT 764-806; "Numeratior" sic) → key of a ``compliance --json`` test.
COMPLIANCE_COLUMNS: dict[str, str] = {
    "test name": "name",
    "denominator": "denominator",
    "numeratior": "numerator",
    "numerator": "numerator",
    "comments": "comment",
    "results": "result",
    "threshold": "threshold",
    "pass/fail": "pass",
    "comments on pass/fail": "pass_fail_comment",
}

#: HYPO-<Deal>-Output pool-block columns (CH 1261-1319) → key of a hypo test record.
HYPO_COLUMNS: dict[str, str] = {
    "test name": "name",
    "threshold": "threshold",
    "results": "result",
    "pass/fail": "pass",
    "hypo result": "hypo_result",
    "hypo pass/fail": "hypo_pass",
    "differences": "difference",
}

OBJECTIVE_LABEL = "objective function"
#: the document keys a hypo value depends on (for naming the switches that move it)
HYPO_KEYS: dict[str, tuple[str, ...]] = {"difference": ("result", "hypo_result")}
OBJECTIVE_KEYS: dict[str, tuple[str, ...]] = {
    "before": ("objective",),
    "after": ("hypo_objective",),
    "difference": ("objective", "hypo_objective"),
}

SwitchesFor = Callable[[int | None, str], tuple[str, ...]]


def _no_switches(test: int | None, key: str) -> tuple[str, ...]:
    return ()


def _union(switches_for: SwitchesFor, test: int | None, keys: Sequence[str]) -> tuple[str, ...]:
    names: list[str] = []
    for key in keys:
        names += [n for n in switches_for(test, key) if n not in names]
    return tuple(names)


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else None


def _tests_by_number(doc: Mapping[str, Any] | None) -> dict[int, Mapping[str, Any]]:
    if not doc:
        return {}
    return {int(t["number"]): t for t in doc.get("tests", [])}


def compliance_checks(
    sheet: str,
    grid: Grid,
    python: Mapping[str, Any],
    *,
    python_legacy: Mapping[str, Any] | None = None,
    switches_for: SwitchesFor = _no_switches,
) -> list[Check]:
    """Checks for one ``Compliance-<Deal>`` tab against Python's ``compliance --json`` document."""
    head = find_header(grid, "Test Num")
    if head is None:
        return [Check(sheet, "B1", "table header 'Test Num'", "missing", "expected")]
    columns = header_columns(grid, head.row, head.column)
    tests = _tests_by_number(python)
    legacy_tests = _tests_by_number(python_legacy)
    checks: list[Check] = []
    row = head.row + 1
    while row <= len(grid):
        key_cell = Cell(row, head.column)
        number = _as_int(at(grid, key_cell))
        label = at(grid, key_cell)
        results_col = columns.get("results")
        objective_text = at(grid, Cell(row, results_col)) if results_col else None
        if isinstance(objective_text, str) and objective_text.strip().lower() == OBJECTIVE_LABEL:
            value_col = columns.get("threshold", (results_col or 0) + 1)
            checks.append(
                Check(
                    sheet,
                    Cell(row, value_col).a1,
                    "objective function",
                    at(grid, Cell(row, value_col)),
                    python.get("objective"),
                    python_legacy=(python_legacy or {}).get("objective"),
                    switches=partial(switches_for, None, "objective"),
                )
            )
            break
        if number is None:
            if label is None and all(v is None for v in (grid[row - 1] if row <= len(grid) else [])):
                break
            row += 1
            continue
        test = tests.get(number)
        for header, key in COMPLIANCE_COLUMNS.items():
            col = columns.get(header)
            if col is None:
                continue
            cell = Cell(row, col)
            legacy_value = at(grid, cell)
            if test is None:
                checks.append(Check(sheet, cell.a1, f"test {number} {key}", legacy_value, "no Python result"))
                continue
            if key in {"comment", "pass_fail_comment"} and legacy_value is None and test.get(key) is None:
                continue
            checks.append(
                Check(
                    sheet,
                    cell.a1,
                    f"test {number} {key}",
                    legacy_value,
                    test.get(key),
                    python_legacy=legacy_tests.get(number, {}).get(key),
                    switches=partial(switches_for, number, key),
                )
            )
        row += 1
    return checks


def hypo_blocks(grid: Grid) -> list[Cell]:
    """The "Test Num" header cells of the hypo blocks, left to right (title row 1, header row 2)."""
    heads = []
    for r in range(1, min(len(grid), 4) + 1):
        for c, value in enumerate(grid[r - 1], start=1):
            if isinstance(value, str) and value.strip().lower() == "test num":
                heads.append(Cell(r, c))
        if heads:
            break
    return heads


def _hypo_value(test: Mapping[str, Any] | None, key: str) -> Any:
    """One field of a hypo test row; "difference" = hypo result − result (None unless both are numbers)."""
    if test is None:
        return None
    if key == "difference":
        before, after = test.get("result"), test.get("hypo_result")
        if isinstance(before, int | float) and isinstance(after, int | float):
            return after - before
        return None
    return test.get(key)


def _objective_value(doc: Mapping[str, Any] | None, key: str) -> Any:
    """The objective function before, after (the hypo's) or their difference (None unless both numbers)."""
    if doc is None:
        return None
    before, after = doc.get("objective"), doc.get("hypo_objective")
    if key == "difference":
        if isinstance(after, int | float) and isinstance(before, int | float):
            return after - before
        return None
    return before if key == "before" else after


def _hypo_objective_checks(
    sheet: str,
    grid: Grid,
    row: int,
    column: int,
    prefix: str,
    python: Mapping[str, Any],
    python_legacy: Mapping[str, Any] | None,
    switches_for: SwitchesFor,
) -> list[Check]:
    """The block's last row: "Objective Function" | before | after | difference."""
    checks = []
    for offset, key in ((1, "before"), (2, "after"), (3, "difference")):
        cell = Cell(row, column + offset)
        checks.append(
            Check(
                sheet,
                cell.a1,
                f"{prefix} objective function {key}",
                at(grid, cell),
                _objective_value(python, key),
                python_legacy=_objective_value(python_legacy, key),
                switches=partial(_union, switches_for, None, OBJECTIVE_KEYS[key]),
            )
        )
    return checks


def hypo_checks(
    sheet: str,
    grid: Grid,
    head: Cell,
    python: Mapping[str, Any],
    *,
    python_legacy: Mapping[str, Any] | None = None,
    switches_for: SwitchesFor = _no_switches,
) -> list[Check]:
    """Checks for one block of a ``HYPO-<Deal>-Output`` tab (header cell ``head``) against Python's hypo
    document: per test the before fields and ``hypo_result``/``hypo_pass``; "Differences" = hypo − before;
    the last row "Objective Function" | before | after | difference (CH 1261-1319).
    """
    columns = header_columns(grid, head.row, head.column)
    tests = _tests_by_number(python)
    legacy_tests = _tests_by_number(python_legacy)
    title = at(grid, Cell(head.row - 1, head.column)) if head.row > 1 else None
    prefix = "hypo" if title in (None, "Pool") else f"hypo [{title}]"
    checks: list[Check] = []
    for row in range(head.row + 1, len(grid) + 1):
        key_value = at(grid, Cell(row, head.column))
        if isinstance(key_value, str) and key_value.strip().lower() == OBJECTIVE_LABEL:
            args = (sheet, grid, row, head.column, prefix, python, python_legacy, switches_for)
            checks += _hypo_objective_checks(*args)
            break
        number = _as_int(key_value)
        if number is None:
            if key_value is None:
                break
            continue
        test = tests.get(number)
        for header, key in HYPO_COLUMNS.items():
            col = columns.get(header)
            if col is None:
                continue
            cell = Cell(row, col)
            checks.append(
                Check(
                    sheet,
                    cell.a1,
                    f"{prefix} test {number} {key}",
                    at(grid, cell),
                    _hypo_value(test, key) if test is not None else "no Python result",
                    python_legacy=_hypo_value(legacy_tests.get(number), key),
                    switches=partial(_union, switches_for, number, HYPO_KEYS.get(key, (key,))),
                )
            )
    return checks


ATTRIBUTES_TITLE = "hypothetical trade's attributes"


def attribute_checks(sheet: str, grid: Grid, attributes: Mapping[str, Mapping[str, Any]]) -> list[Check]:
    """Checks for the pool-mode "Hypothetical Trade's Attributes" block (rows × Purchases | Sales)."""
    title = find_header(grid, ATTRIBUTES_TITLE, max_rows=1)
    if title is None:
        return []
    header = Cell(title.row + 1, title.column)
    columns = header_columns(grid, header.row, header.column + 1)
    checks = []
    for row in range(header.row + 1, len(grid) + 1):
        label = at(grid, Cell(row, header.column))
        if label is None:
            break
        for bucket in ("Purchases", "Sales"):
            col = columns.get(bucket.lower())
            if col is None:
                continue
            cell = Cell(row, col)
            expected = attributes.get(bucket, {}).get(str(label).strip(), "no Python value")
            checks.append(
                Check(
                    sheet,
                    cell.a1,
                    f"hypo attribute {label} ({bucket})",
                    at(grid, cell),
                    "N/A" if expected is None else expected,
                )
            )
    return checks


#: legacy "Test Results" column of a deal sheet's objective-weights block (T:W, rows 4-11).
RESULTS_COLUMN = 21  # U
NUMBER_COLUMN = 22  # V
FIRST_WEIGHT_ROW = 4
MAX_WEIGHT_ROWS = 8


def objective_result_checks(
    sheet: str,
    grid: Grid,
    python: Mapping[str, Any],
    *,
    packed: bool = True,
    switches: tuple[str, ...] = (),
    python_legacy: Mapping[str, Any] | None = None,
) -> list[Check]:
    """Checks for a deal sheet's "Test Results" column (written by ``UpdateOBJTestResults``, CH 604-632).

    The legacy writes the results of the weighted tests **packed in the order found** (quirk 22): walking
    the results in the engine's order (the threshold-table order), each weighted test's result goes to the
    next row, so a weighted test the deal does not compute makes the later values shift up a row.
    ``packed=False`` puts each result on its own test's row (the corrected convention).
    """
    rows: list[tuple[int, int]] = []  # (sheet row, test number)
    for r in range(FIRST_WEIGHT_ROW, FIRST_WEIGHT_ROW + MAX_WEIGHT_ROWS):
        number = _as_int(at(grid, Cell(r, NUMBER_COLUMN)))
        if number is None:
            break
        rows.append((r, number))

    weighted = {n for _, n in rows}

    def expected(doc: Mapping[str, Any] | None, pack: bool) -> dict[int, Any]:
        if doc is None:
            return {}
        if pack:
            # in the order the engine produced the results (the threshold-table order), not the weight rows'
            found = [t.get("result") for t in doc.get("tests", []) if int(t["number"]) in weighted]
            return {r: found[i] for i, (r, _) in enumerate(rows) if i < len(found)}
        source = _tests_by_number(doc)
        return {r: source[n].get("result") for r, n in rows if n in source}

    now, legacy_now = expected(python, packed), expected(python_legacy, True)
    checks = []
    for r, number in rows:
        cell = Cell(r, RESULTS_COLUMN)
        if r not in now or at(grid, cell) is None:
            continue  # nothing written there by a compliance run: no legacy result to compare
        checks.append(
            Check(
                sheet,
                cell.a1,
                f"objective test {number} result (Test Results column)",
                at(grid, cell),
                now[r],
                python_legacy=legacy_now.get(r),
                switches=switches if not packed else (),
            )
        )
    return checks


def grid_checks(
    sheet: str,
    grid: Grid,
    expected: Sequence[Sequence[Any]],
    origin: Cell,
    *,
    label_column: int = 0,
    header_row: int = 0,
) -> list[Check]:
    """Cell-by-cell checks of a table Python regenerates in the legacy layout (e.g. ``Deal CF-<Deal>``).

    ``expected[i][j]`` belongs at ``origin`` offset by (i, j). Each check is labelled by the row's label
    (``expected[i][label_column]``) and the column's header (``expected[header_row][j]``). Empty expected
    cells are skipped unless the legacy cell holds something.
    """
    checks = []
    header = expected[header_row] if len(expected) > header_row else []
    for i, row in enumerate(expected):
        label = row[label_column] if label_column < len(row) else None
        for j, value in enumerate(row):
            cell = origin.offset(i, j)
            legacy_value = at(grid, cell)
            if value is None and legacy_value is None:
                continue
            if (i == header_row or j == label_column) and isinstance(value, str) and legacy_value == value:
                continue  # labels are layout, not results
            column = header[j] if j < len(header) and header[j] is not None else f"column {j + 1}"
            checks.append(Check(sheet, cell.a1, f"{label} / {column}", legacy_value, value))
    return checks
