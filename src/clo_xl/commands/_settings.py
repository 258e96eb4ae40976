"""Process-wide output settings of one ``clo-xl`` run, set by the root options before a command runs.

Kept apart from :mod:`clo_xl.commands._output` so that reading them costs no rich import (``clo-xl
--version`` must stay fast). Only the command line sets or reads these; no calculation depends on them.
"""

from __future__ import annotations

from dataclasses import dataclass

from clo_xl.progress import ProgressMode


@dataclass
class OutputSettings:
    """``--quiet`` hides warnings, notices and progress; ``--verbose`` (repeatable) shows log records."""

    quiet: bool = False
    verbose: int = 0
    progress: ProgressMode | None = None  # None: CLO_XL_PROGRESS, else auto


settings = OutputSettings()
