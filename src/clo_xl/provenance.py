"""Which code produced a result: the package version and, from a source checkout, the git commit.

``code_version()`` is what the audit trail (``audit.run_log.code_version``) and the operational log record:

- an installed wheel: ``clo-xl 0.2.0`` (the distribution's version);
- a git checkout (an editable install, CI): ``clo-xl 0.2.0 (git 1a2b3c4d5e6f)``, with ``+dirty`` when tracked
  files differ from that commit, so a figure can be traced to the exact code that computed it.
"""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path

from clo_xl import __version__

#: the repository root when this package runs from a checkout (``src/clo_xl`` → two levels up)
SOURCE_ROOT = Path(__file__).resolve().parents[2]


def _git(*args: str) -> str | None:
    try:
        proc = subprocess.run(
            ["git", "-C", str(SOURCE_ROOT), *args],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


@cache
def git_commit() -> str | None:
    """``1a2b3c4d5e6f`` (``+dirty`` when tracked files changed) from a checkout, else ``None``."""
    if not (SOURCE_ROOT / ".git").exists() or not (SOURCE_ROOT / "pyproject.toml").is_file():
        return None
    commit = _git("rev-parse", "--short=12", "HEAD")
    if not commit:
        return None
    dirty = _git("status", "--porcelain", "--untracked-files=no")
    return f"{commit}+dirty" if dirty else commit


@cache
def code_version() -> str:
    """``clo-xl <version>``, plus ``(git <commit>)`` when running from a checkout."""
    commit = git_commit()
    return f"clo-xl {__version__}" + (f" (git {commit})" if commit else "")


__all__ = ["code_version", "git_commit"]
