"""The speed cases of ``clo-xl bench`` that ship with clo-xl, each beside its numpy floor.

``compliance``, ``cashflows``, ``analytics`` and ``ingest`` are packaged here so ``clo-xl bench`` runs from an
installed wheel; a checkout's ``bench/bench_<area>.py`` files (the Excel bridge, persistence, ingest) add
their areas when the command runs from one. Every area module exposes ``cases() -> list[Case]``.

Data: the Mag 17 extract when the brief's legacy folder is found (:func:`legacy_dir`), else seeded
synthetic stand-ins, so every case runs anywhere.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: the areas packaged here, in the order ``clo-xl bench`` runs them
AREAS = ("compliance", "cashflows", "analytics", "ingest")


@dataclass(frozen=True)
class Case:
    """One speed case.

    ``run`` is timed; ``floor`` (optional) is the same work written as plainly as numpy allows, and
    ``check(run_result, floor_result)`` raises ``AssertionError`` when their numbers differ. ``target_s``
    is an absolute goal in seconds, ``max_ratio`` a goal as a ratio to the floor. ``family``/``size`` group
    the same case at several pool sizes (assets) for the growth exponent; ``repeat`` caps the timed runs of
    a slow case; ``note`` says what the floor leaves out, if anything.
    """

    name: str
    run: Callable[[], object]
    target_s: float | None = None
    floor: Callable[[], object] | None = None
    check: Callable[[Any, Any], None] | None = None
    max_ratio: float | None = None
    family: str | None = None
    size: int | None = None
    repeat: int | None = None
    note: str = ""

    @property
    def goal(self) -> str:
        parts = []
        if self.target_s is not None:
            parts.append(f"< {format_seconds(self.target_s)}")
        if self.max_ratio is not None:
            parts.append(f"<= {self.max_ratio:g}x floor")
        return ", ".join(parts) or "-"


def format_seconds(s: float) -> str:
    if s < 1e-3:
        return f"{s * 1e6:.0f} µs"
    return f"{s * 1000:.2f} ms" if s < 1 else f"{s:.2f} s"


def legacy_dir() -> Path | None:
    """The brief's ``legacy`` folder (the Mag 17 extract): ``$CLO_XL_LEGACY_DIR`` when set (a folder
    without the extract then means "none": the synthetic stand-ins), else ``shared/legacy`` one level
    above the current folder or beside the checkout this module runs from; ``None`` when absent."""
    if "CLO_XL_LEGACY_DIR" in os.environ:
        chosen = Path(os.environ["CLO_XL_LEGACY_DIR"])
        return chosen if (chosen / "mag17_assets.json").is_file() else None
    here = Path(__file__).resolve()
    candidates = [Path.cwd().parent / "shared" / "legacy"]
    if len(here.parents) > 3:
        candidates.append(here.parents[3].parent / "shared" / "legacy")
    return next((c for c in candidates if (c / "mag17_assets.json").is_file()), None)


__all__ = ["AREAS", "Case", "format_seconds", "legacy_dir"]
