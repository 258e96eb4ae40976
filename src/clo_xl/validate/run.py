"""The parallel run: read every legacy result a workbook holds, recompute it, diff, classify, report.

Legacy results come from the output tabs (``Compliance-<Deal>``, ``HYPO-<Deal>-Output``,
``Deal CF-<Deal>``) and the deal sheets' "Test Results" column; Python's numbers come from the engine run
on the **same** workbook's inputs. A second, independent engine (plain Excel formulas recalculated by
LibreOffice, :mod:`.formula_oracle`) is compared with the Python numbers too.

With ``convention="corrected"`` the Python side follows DOMAIN.md; a difference is then *explained* when
the legacy convention reproduces the legacy value, and the explanation names the legacy-defect switches
(:class:`clo_xl.compliance.quirks.Quirk`) that move that value.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from clo_xl.api import DealSession
from clo_xl.compliance.quirks import QuirkSet
from clo_xl.enums import HypoMode
from clo_xl.errors import CloXlError, UsageError
from clo_xl.excel.cells import Cell
from clo_xl.excel.workbook_access import WorkbookAccess
from clo_xl.ingest.workbook import WorkbookData, read_workbook
from clo_xl.portfolio.pool import Universe
from clo_xl.progress import Progress, no_progress
from clo_xl.run_model import flag
from clo_xl.validate import formula_oracle, legacy_checks
from clo_xl.validate.grid import WorkbookGrids
from clo_xl.validate.model import Check, ValidationResult, judge
from clo_xl.validate.report import report_paths, write_reports
from clo_xl.validate.switches import hypo_switch_finder, switch_finder

CONVENTIONS = ("legacy", "corrected")
Document = dict[str, Any]
RUN_MODEL = "Run Model"


def _deal_of(sheet: str, prefix: str, suffix: str = "") -> str | None:
    if sheet.startswith(prefix) and sheet.endswith(suffix):
        return sheet[len(prefix) : len(sheet) - len(suffix)] if suffix else sheet[len(prefix) :]
    return None


class _Recompute:
    """Python's results for one workbook: a :class:`DealSession` per deal (built on first use, sharing one
    universe), its documents memoised per deal and convention."""

    def __init__(self, data: WorkbookData, grids: WorkbookGrids) -> None:
        self.data = data
        self.grids = grids
        self._sessions: dict[str, DealSession] = {}
        self._universe: Universe | None = None
        self._compliance: dict[tuple[str, str | QuirkSet], Document] = {}

    def session(self, deal: str) -> DealSession:
        found = self._sessions.get(deal)
        if found is None:
            if deal not in self.data.deals:
                known = ", ".join(self.data.deals) or "none"
                raise UsageError(f"unknown deal '{deal}' (deals: {known})")
            found = DealSession.from_book(self.data, deal, universe=self._universe)
            self._universe = found.universe
            self._sessions[deal] = found
        return found

    def compliance(self, deal: str, convention: str | QuirkSet) -> Document:
        key = (deal, convention)
        if key not in self._compliance:
            self._compliance[key] = self.session(deal).compliance(convention).to_json()
        return self._compliance[key]

    def hypo_documents(
        self, deal: str, pool_mode: bool, convention: str | QuirkSet
    ) -> list[tuple[str, Document]]:
        """(block title, ``compliance --hypo --json`` document) per hypo block of the deal's own trades."""
        mode = HypoMode.POOL if pool_mode else HypoMode.INDIVIDUAL
        return [(o.label, o.to_json()) for o in self.session(deal).hypo(mode=mode, convention=convention)]

    def hypo_attributes(self, deal: str, convention: str) -> dict[str, dict[str, float | None]]:
        session = self.session(deal)
        return session.hypo_attributes(session.hypo(mode=HypoMode.POOL, convention=convention)[0], convention)

    def derived_inputs(self) -> dict[str, tuple[float, float]]:
        """Per BRS ID, the engine's WARF-test factor and recovery rate (any deal's universe will do)."""
        return self.session(next(iter(self.data.deals))).derived_inputs() if self.data.deals else {}

    def pool_mode(self) -> bool:
        """Run Model N8: TRUE (or blank) = all trades applied together."""
        grid = self.grids.grid(RUN_MODEL)
        value = grid[7][13] if len(grid) > 7 and len(grid[7]) > 13 else None
        return flag(value, True)


class _Checks:
    """The checks of one run: each legacy tab (and each deal's Test Results column) against Python's
    documents under the run's convention; a tab that cannot be compared is skipped with its reason."""

    def __init__(self, recompute: _Recompute, convention: str) -> None:
        self.recompute = recompute
        self.grids = recompute.grids
        self.convention = convention
        self.checks: list[Check] = []
        self.skipped: list[str] = []
        self.switches = switch_finder(recompute, convention)
        self.hypo_switches = hypo_switch_finder(recompute, convention, recompute.pool_mode())

    def attempt(self, what: str, build: Callable[[], list[Check]]) -> None:
        try:
            self.checks.extend(build())
        except CloXlError as exc:
            self.skipped.append(f"{what}: {exc}")

    def _legacy(self, deal: str) -> Document | None:
        return self.recompute.compliance(deal, "legacy") if self.convention != "legacy" else None

    def sheet(self, sheet: str) -> None:
        """The checks of one output tab, by its legacy prefix (other sheets have none)."""
        compliance, hypo, cashflow = (
            _deal_of(sheet, "Compliance-"),
            _deal_of(sheet, "HYPO-", "-Output"),
            _deal_of(sheet, "Deal CF-"),
        )
        if compliance is not None:
            self.attempt(sheet, lambda: self.compliance(sheet, compliance))
        elif hypo is not None:
            self.attempt(sheet, lambda: self.hypo(sheet, hypo))
        elif cashflow is not None:
            self.attempt(sheet, lambda: self.cashflow(sheet, cashflow))

    def cashflow(self, sheet: str, deal: str) -> list[Check]:
        expected = self.recompute.session(deal).deal_cf_grid()  # the shared pipeline's legacy tab
        return legacy_checks.grid_checks(sheet, self.grids.grid(sheet), expected, Cell(1, 2))

    def compliance(self, sheet: str, deal: str) -> list[Check]:
        return legacy_checks.compliance_checks(
            sheet,
            self.grids.grid(sheet),
            self.recompute.compliance(deal, self.convention),
            python_legacy=self._legacy(deal),
            switches_for=self.switches(deal),
        )

    def hypo(self, sheet: str, deal: str) -> list[Check]:
        grid = self.grids.grid(sheet)
        together = self.recompute.pool_mode()
        docs = self.recompute.hypo_documents(deal, together, self.convention)
        legacy = (
            self.recompute.hypo_documents(deal, together, "legacy") if self.convention != "legacy" else None
        )
        heads = legacy_checks.hypo_blocks(grid)
        found: list[Check] = []
        if len(heads) != len(docs):
            found.append(Check(sheet, "B1", "number of hypo blocks", len(heads), len(docs)))
        for i, (head, (_, doc)) in enumerate(zip(heads, docs, strict=False)):
            found += legacy_checks.hypo_checks(
                sheet,
                grid,
                head,
                doc,
                python_legacy=legacy[i][1] if legacy else None,
                switches_for=self.hypo_switches(deal, i),
            )
        if together:
            attributes = self.recompute.hypo_attributes(deal, self.convention)
            found += legacy_checks.attribute_checks(sheet, grid, attributes)
        return found

    def objective(self, deal: str) -> None:
        """The deal sheet's "Test Results" column, written by a compliance run."""
        if f"Compliance-{deal}" not in self.grids.sheet_names:
            return
        sheet = f"{deal} Inputs"
        packed = self.convention == "legacy"

        def build() -> list[Check]:
            return legacy_checks.objective_result_checks(
                sheet,
                self.grids.grid(sheet),
                self.recompute.compliance(deal, self.convention),
                packed=packed,
                switches=("Q22_OBJ_RESULTS_PACKED",),
                python_legacy=self.recompute.compliance(deal, "legacy") if not packed else None,
            )

        self.attempt(f"{deal} Inputs Test Results", build)


def run_validation(
    workbook: Path | WorkbookAccess,
    *,
    tolerance: float = 1e-5,
    report: Path | None = None,
    libreoffice: bool = True,
    convention: str = "legacy",
    progress: Progress = no_progress,
) -> ValidationResult:
    """Compare every legacy result of ``workbook`` (a file, or an open workbook through the workbook-access
    interface) with Python's; see the module docstring. The LibreOffice formula check needs a file.

    ``progress`` hears of each sheet compared, then of the LibreOffice recalculation and the reports."""
    if tolerance < 0:
        raise UsageError(f"--tolerance must be >= 0, got {tolerance}")
    if convention not in CONVENTIONS:
        raise UsageError(f"--convention must be one of {', '.join(CONVENTIONS)}, got '{convention}'")
    started = time.perf_counter()
    progress("reading the workbook", 0.0)
    path = workbook if isinstance(workbook, Path) else None
    # the validation layer first: a damaged or unreadable file is refused as every command refuses it
    data = read_workbook(workbook) if isinstance(workbook, Path) else workbook.workbook_data()
    grids = WorkbookGrids(workbook)
    recompute = _Recompute(data, grids)
    run = _Checks(recompute, convention)
    deals = [n.removesuffix(" Inputs") for n in grids.sheet_names if n.endswith(" Inputs")]
    steps = float(len(grids.sheet_names) + len(deals) + 2)
    for done, sheet in enumerate(grids.sheet_names):
        progress(f"comparing {sheet}", done, steps)
        run.sheet(sheet)
    for done, deal in enumerate(deals, start=len(grids.sheet_names)):
        progress(f"comparing {deal} Inputs", done, steps)
        run.objective(deal)
    keep: Path | None = None
    progress("LibreOffice formula check", steps - 2, steps)
    if libreoffice and path is None:
        run.skipped.append("LibreOffice formula check: needs the workbook as a file (run clo-xl validate)")
    elif libreoffice and path is not None:
        keep = (
            None if report is None else report_paths(report)[1].with_name(f"{path.stem}-formula-check.xlsx")
        )
        run.attempt("LibreOffice formula check", lambda: _oracle_checks(path, grids, recompute, deals, keep))
    if not run.checks and not run.skipped:
        run.skipped.append("no legacy output tabs: run compliance (or Run Compliance) first")
    outcomes = [judge(c, tolerance) for c in run.checks]
    result = ValidationResult(path or Path(workbook.name), tolerance, convention, outcomes, run.skipped)
    result.seconds = time.perf_counter() - started
    if report is not None:
        progress("writing the report", steps - 1, steps)
        result.reports = write_reports(result, report)
        if keep is not None and keep.is_file():
            result.reports.append(keep)
    return result


def _oracle_checks(
    workbook: Path,
    grids: WorkbookGrids,
    recompute: _Recompute,
    deals: list[str],
    keep: Path | None = None,
) -> list[Check]:
    """Formula checks; ``keep``: where to leave the recalculated formula workbook for the analyst."""
    if formula_oracle.soffice_path() is None:
        raise CloXlError("LibreOffice (soffice) is not installed; formula check skipped")
    documents: dict[str, Mapping[str, Any]] = {}
    for deal in deals:
        try:
            documents[deal] = recompute.compliance(deal, "legacy")
        except CloXlError:
            continue
    with tempfile.TemporaryDirectory(prefix="clo-xl-oracle-") as tmp:
        copy = Path(tmp) / f"{workbook.stem}-formula-check.xlsx"
        layouts = formula_oracle.build_check_workbook(grids, documents, recompute.derived_inputs(), copy)
        try:
            recalculated = formula_oracle.recalculate(copy, Path(tmp) / "out")
        except (OSError, FileNotFoundError) as exc:
            raise CloXlError(f"LibreOffice recalculation failed: {exc}") from exc
        except Exception as exc:  # subprocess errors and timeouts
            raise CloXlError(f"LibreOffice recalculation failed: {type(exc).__name__}") from exc
        if keep is not None:
            keep.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(recalculated, keep)
        return formula_oracle.formula_checks(recalculated, layouts)
