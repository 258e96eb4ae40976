"""QuantLib is imported at its first use, not with the curves package: a migrate, a compliance run or
``clo-xl --help`` never pay its import (about 0.1 s)."""

from __future__ import annotations

import subprocess
import sys


def test_quantlib_loads_at_first_use_and_then_is_the_module_itself() -> None:
    code = "\n".join(
        [
            "import sys",
            "from datetime import date",
            "import clo_xl.curves, clo_xl.ingest.book, clo_xl.persistence.migration",
            "from clo_xl.curves import conventions, quantlib_curve",
            "print('QuantLib' in sys.modules)",
            # Actual/Actual ISDA, 2016-03-23 -> 2017-03-23: 284/366 (to Jan 1, a leap year) + 81/365
            "print(round(conventions.ql_year_fraction(date(2016, 3, 23), date(2017, 3, 23), "
            "conventions.DayCount.ACT_ACT), 12))",
            "print('QuantLib' in sys.modules, conventions.ql is sys.modules['QuantLib'])",
            "print(type(quantlib_curve.ql).__name__)",
        ]
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = proc.stdout.splitlines()
    assert lines[0] == "False"
    assert float(lines[1]) == round(284 / 366 + 81 / 365, 12)
    assert lines[2] == "True True"
    assert lines[3] == "LazyModule"  # the other module's stand-in rebinds itself at its own first use
