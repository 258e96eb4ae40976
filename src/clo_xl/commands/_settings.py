"""Process-wide output settings of one ``clo-xl`` run, set by the root options before a command runs.

Kept apart from :mod:`clo_xl.commands._output` so that reading them costs no rich import (``clo-xl
--version`` must stay fast). Only the command line sets or reads these; no calculation depends on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from clo_xl.progress import ProgressMode


@dataclass
class OutputSettings:
    """``--quiet`` hides warnings, notices and progress; ``--verbose`` (repeatable) shows log records."""

    quiet: bool = False
    verbose: int = 0
    progress: ProgressMode | None = None  # None: CLO_XL_PROGRESS, else auto
    #: input files a command read that its arguments do not name (e.g. the demo's packaged workbook), for
    #: the operational log's hashes
    inputs: list[Path] = field(default_factory=list)


def note_input(path: Path) -> None:
    """Tell the operational log that this run read ``path`` (hashed when the run ends)."""
    settings.inputs.append(path)


settings = OutputSettings()
