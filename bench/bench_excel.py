"""Excel-bridge speed cases: ``clo-xl bench --only excel`` (or ``python bench/bench_excel.py``), each beside
its floor measured in the same run.

A deal UDF computes from the deal as stored in PostgreSQL and checks the stored version with one query per
call, so a warm call's floor is that query alone (``deal_version``): the ratio says what the bridge adds on
top of the one round trip it must make; the full stamp (every 2 s at most) is its own case. A cold call's
floor is reading the stored book (``load_book``). The database is ``CLO_XL_BENCH_DATABASE_URL``'s server if
set, else the embedded one, in its own database ``clo_xl_bench_excel`` (the sample migrated on first use),
never ``clo_xl``.

Targets (medians): a warm UDF call <= 10 ms and <= 3x its floor; ``clo-xl validate`` on the sample workbook
(legacy tabs + LibreOffice formula check) <= 30 s.

"As Excel makes it": the UDF module is imported with the real xlwings decorators (as the UDF server
imports it on Windows), and each call goes through what ``xlwings.udfs.call_udf`` does for non-range
arguments: ``xlwings.conversion.read`` on every argument with its declared options, the function, then
``xlwings.conversion.write`` on the result. A small stand-in engine named "excel" (the role the COM engine
plays on Windows: clean values read, prepare values written) makes the conversion pipeline run here.
Only the COM hop itself (VBA → DLL → COM server) is not measured: there is no Excel on this machine.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from clo_xl.benchmarks import Case

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


@cache
def _bench_database() -> str:
    """A database holding the migrated sample, for the UDFs (``CLO_XL_DATABASE_URL`` points at it)."""
    import os

    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    from clo_xl.persistence.engine import engine, normalise_url
    from clo_xl.persistence.migration import migrate_workbook
    from clo_xl.persistence.server import start_embedded

    explicit = os.environ.get("CLO_XL_BENCH_DATABASE_URL")
    base = make_url(normalise_url(explicit) if explicit else start_embedded().url)
    admin = base.set(database="postgres").render_as_string(hide_password=False)
    with engine(admin).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("DROP DATABASE IF EXISTS clo_xl_bench_excel WITH (FORCE)"))
        conn.execute(sa.text("CREATE DATABASE clo_xl_bench_excel"))
    url = base.set(database="clo_xl_bench_excel").render_as_string(hide_password=False)
    folder = Path(tempfile.mkdtemp(prefix="clo-xl-bench-excel-"))
    report = migrate_workbook(sample_workbook(), url, backup_path=folder / "before.zip")
    if report.status != "loaded":
        raise RuntimeError(f"migrating the sample failed: {report.error}")
    os.environ["CLO_XL_DATABASE_URL"] = url
    return url


def _bound() -> None:
    _bench_database()


def version_query() -> object:
    """Floor of a warm deal UDF: the one query it must make (the deal's row version)."""
    from clo_xl.persistence.snapshot import deal_version

    return deal_version(_bench_database(), "Mag 17")


def stamp_query() -> object:
    """The full stamp a deal UDF runs at most every FULL_CHECK_SECONDS."""
    from clo_xl.persistence.snapshot import deal_stamp

    return deal_stamp(_bench_database(), "Mag 17")


def load_stored_book() -> object:
    """Floor of a cold deal UDF: reading the stored deal and universe."""
    from clo_xl.persistence.snapshot import load_book

    return load_book(_bench_database(), ["Mag 17"])


def udf_warf_cold() -> object:
    from clo_xl.excel.deal_cache import STORED

    _bound()
    STORED.clear()
    return excel_call("CLO_WARF", "Mag 17")


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


def _warm(name: str, run: Callable[[], object]) -> Case:
    note = "floor: the one database query a warm call makes (the deal's row version)"
    return Case(name, run, target_s=0.010, floor=version_query, max_ratio=3.0, note=note)


def cases() -> list[Case]:
    """The cases, each warm deal UDF beside the one query it must make, the cold one beside the read."""
    return [
        Case("UDF CLO_RATING_FACTOR('B2') as Excel calls it", udf_rating_factor, target_s=0.001),
        _warm("UDF CLO_TEST('Mag 17', 36) warm", udf_test_warm),
        _warm("UDF CLO_WARF('Mag 17') warm", udf_warf_warm),
        _warm("UDF CLO_TESTS('Mag 17') warm (37-row array)", udf_tests_table_warm),
        _warm("UDF CLO_CASHFLOWS('Mag 17') warm (table)", udf_cashflows_warm),
        Case(
            "UDF full version stamp (universe and reference checksums, at most every 2 s)",
            stamp_query,
            target_s=0.010,
            floor=version_query,
            note="floor: the deal's row version alone",
        ),
        Case(
            "UDF CLO_WARF('Mag 17') cold (deal read from the database)",
            udf_warf_cold,
            target_s=5.0,
            floor=load_stored_book,
            note="floor: reading the stored deal and universe",
            repeat=3,
        ),
        Case(
            "Run Cash Flows button headless (Mag 17, Deal CF tab written)",
            run_cash_flows_button,
            5.0,
            repeat=3,
        ),
        Case(
            "Run Credit Migration button headless (20 paths, RM tab)",
            run_credit_migration_button,
            10.0,
            repeat=3,
        ),
        Case("validate the sample workbook (with LibreOffice)", validate_sample, 30.0, repeat=3),
    ]


def main() -> int:
    """``clo-xl bench --only excel`` prints these beside their floors; this runs them the same way."""
    from clo_xl.cli import main as cli

    return cli(["bench", "--only", "excel", "--bench-dir", str(Path(__file__).resolve().parent)])


if __name__ == "__main__":
    raise SystemExit(main())
