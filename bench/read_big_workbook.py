"""Read and validate a large TradeHypo workbook alone: CPU, wall time and peak memory (issue 12's read side).

    python -m bench.read_big_workbook 50000            # builds /tmp/clo-xl-big-50000.xlsm when missing
    python -m bench.read_big_workbook 50000 book.xlsm  # or reads the given workbook

Prints one JSON line: the assets read, CPU seconds (process time: this process alone, so a busy machine
changes it less than the wall time), wall seconds and the peak resident memory of the process (RSS
high-water mark, imports included). The goal is the part of ``clo-xl migrate``'s 15 s / 400 MB that
reading leaves to the rest: well under 5 s of CPU and ~250 MB. Run it in a fresh process per measure.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from bench.big_workbook import grow

from clo_xl.ingest.book import validated
from clo_xl.ingest.workbook import read_workbook


def measure(path: Path) -> dict[str, float | int | str]:
    cpu, wall = time.process_time(), time.perf_counter()
    book = validated(read_workbook(path))
    return {
        "workbook": str(path),
        "assets": len(book.universe),
        "cpu_s": round(time.process_time() - cpu, 3),
        "wall_s": round(time.perf_counter() - wall, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main(argv: list[str]) -> None:
    count = int(argv[0]) if argv else 50_000
    path = Path(argv[1]) if len(argv) > 1 else Path(f"/tmp/clo-xl-big-{count}.xlsm")
    if not path.is_file():
        grow(count, path)
    print(json.dumps(measure(path)))


if __name__ == "__main__":
    main(sys.argv[1:])
