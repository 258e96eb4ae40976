"""Excel-bridge speed cases (issue 6): ``clo-xl bench --only excel`` or ``python bench/bench_excel.py``.

Targets (medians): a UDF call as Excel makes it, plain values in and plain values out, <= 1 ms warm;
``clo-xl validate`` on the sample workbook (legacy tabs + LibreOffice formula check) <= 30 s.

"As Excel makes it": the UDF module is imported with the real xlwings decorators (as the UDF server
imports it on Windows), and each call goes through what ``xlwings.udfs.call_udf`` does for non-range
arguments: ``xlwings.conversion.read`` on every argument with its declared options, the function, then
``xlwings.conversion.write`` on the result. A small stand-in engine named "excel" (the role the COM engine
plays on Windows: clean values read, prepare values written) makes the conversion pipeline run here.
Only the COM hop itself (VBA → DLL → COM server) is not measured: there is no Excel on this machine.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE = REPO_ROOT / "workbook" / "TradeHypo.xlsm"


@cache
def sample_workbook() -> Path:
    """The committed sample, or one built by ``workbook/build.py`` into a temporary folder."""
    if SAMPLE.is_file():
        return SAMPLE
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    from workbook.build import build

    return build(Path(tempfile.mkdtemp(prefix="clo-xl-bench-")) / "TradeHypo.xlsm")


class _StandInEngine:
    """What xlwings' Windows engine does to plain values in the conversion pipeline (no COM types here)."""

    name = "excel"
    type = "desktop"

    @staticmethod
    def clean_value_data(
        data: Any, datetime_builder: Any, empty_as: Any, number_builder: Any, err: Any
    ) -> Any:
        return [[empty_as if c is None or c == "" else c for c in row] for row in data]

    @staticmethod
    def prepare_xl_data_element(x: Any, options: Any) -> Any:
        if x is None or (isinstance(x, float) and x != x):
            return ""
        return x


@cache
def decorated_udfs() -> ModuleType:
    """``clo_xl.excel.udfs`` imported under the real xlwings decorators (each function has __xlfunc__)."""
    import importlib

    import xlwings

    from clo_xl.excel import vba_generation

    if "excel" not in xlwings.engines.engines_by_name:
        xlwings.engines.add(xlwings.main.Engine(impl=_StandInEngine()))
    saved = sys.modules.pop("clo_xl.excel.udfs", None)
    try:
        with vba_generation._windows_stand_ins():
            module = importlib.import_module("clo_xl.excel.udfs")
    finally:
        sys.modules.pop("clo_xl.excel.udfs", None)
        if saved is not None:
            sys.modules["clo_xl.excel.udfs"] = saved
    return module


def excel_call(name: str, *args: Any) -> Any:
    """Call a UDF the way ``xlwings.udfs.call_udf`` does for plain (non-range) arguments."""
    from xlwings import conversion

    func = getattr(decorated_udfs(), name)
    info = func.__xlfunc__
    visible = [a for a in info["args"] if not a["vba"]]
    values = [conversion.read(None, arg, a["options"]) for arg, a in zip(args, visible, strict=False)]
    return conversion.write(func(*values), None, info["ret"]["options"])


def _bound() -> None:
    from clo_xl.excel import deal_cache

    deal_cache.bind_workbook(sample_workbook())


def udf_rating_factor() -> object:
    return excel_call("CLO_RATING_FACTOR", "B2")


def udf_test_warm() -> object:
    _bound()
    return excel_call("CLO_TEST", "Mag 17", 36.0, "result")


def udf_warf_warm() -> object:
    _bound()
    return excel_call("CLO_WARF", "Mag 17")


def udf_tests_table_warm() -> object:
    _bound()
    return excel_call("CLO_TESTS", "Mag 17")


def udf_cashflows_warm() -> object:
    _bound()
    return excel_call("CLO_CASHFLOWS", "Mag 17")


def _on_copy(macro: str, cells: dict[str, object] | None = None) -> object:
    """Press a button headless on a fresh copy of the sample (cells set in Run Model first)."""
    from clo_xl.excel import handlers
    from clo_xl.excel.file_workbook import FileWorkbook

    with tempfile.TemporaryDirectory(prefix="clo-xl-bench-button-") as tmp:
        copy = Path(tmp) / "TradeHypo.xlsm"
        shutil.copyfile(sample_workbook(), copy)
        if cells:
            book = FileWorkbook(copy)
            for cell, value in cells.items():
                book.write_inputs("Run Model", cell, [[value]])  # type: ignore[list-item]
            book.save()
        return handlers.run_headless(macro, copy).summary


def run_cash_flows_button() -> object:
    return _on_copy("RunCashFlows")


def run_credit_migration_button() -> object:
    return _on_copy("RunCreditMigration", {"C15": True, "C17": 20})


def validate_sample() -> object:
    """The full parallel run on a copy of the sample (so LibreOffice never sees the original)."""
    from clo_xl.validate.run import run_validation

    with tempfile.TemporaryDirectory(prefix="clo-xl-bench-validate-") as tmp:
        copy = Path(tmp) / "TradeHypo.xlsm"
        shutil.copyfile(sample_workbook(), copy)
        result = run_validation(copy, libreoffice=True)
        if result.breaks:
            raise RuntimeError(result.summary())
        return result.compared


def cases() -> list[tuple[str, Callable[[], object], float]]:
    return [
        ("UDF CLO_RATING_FACTOR('B2') as Excel calls it", udf_rating_factor, 0.001),
        ("UDF CLO_TEST('Mag 17', 36) warm", udf_test_warm, 0.001),
        ("UDF CLO_WARF('Mag 17') warm", udf_warf_warm, 0.001),
        ("UDF CLO_TESTS('Mag 17') warm (37-row array)", udf_tests_table_warm, 0.001),
        ("UDF CLO_CASHFLOWS('Mag 17') warm (table)", udf_cashflows_warm, 0.001),
        ("Run Cash Flows button headless (Mag 17, Deal CF tab written)", run_cash_flows_button, 5.0),
        ("Run Credit Migration button headless (20 paths, RM tab)", run_credit_migration_button, 10.0),
        ("validate the sample workbook (with LibreOffice)", validate_sample, 30.0),
    ]


def _median(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    rows = []
    for name, fn, target in cases():
        repeat = 3 if target >= 1 else 200
        median = _median(fn, repeat)
        rows.append((name, median, target))
    width = max(len(r[0]) for r in rows)
    print(f"{'case':<{width}}  {'median':>12}  {'target':>10}  ok")
    for name, median, target in rows:
        shown = f"{median * 1000:.3f} ms" if median < 1 else f"{median:.2f} s"
        goal = f"{target * 1000:.0f} ms" if target < 1 else f"{target:.0f} s"
        print(f"{name:<{width}}  {shown:>12}  {goal:>10}  {'yes' if median <= target else 'NO'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
