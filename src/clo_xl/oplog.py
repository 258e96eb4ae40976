"""The operational log: one JSON line per run, appended to one file, for operations to read and grep.

Where: ``CLO_XL_LOG_FILE``, else ``clo-xl.jsonl`` in the platform's user log directory (``platformdirs``:
``~/.local/state/clo-xl/log`` on Linux, ``~/Library/Logs/clo-xl`` on macOS, ``%LOCALAPPDATA%\\clo-xl\\Logs``
on Windows). Every ``clo-xl`` command run and every failed Excel button press adds one record::

    {"time": "2026-12-03T05:41:07.120+00:00", "started_at": "...", "duration_s": 24.81,
     "source": "cli", "command": "validate", "argv": ["validate", "wb.xlsm", "--json"],
     "inputs": {"wb.xlsm": {"sha256": "9f2c...", "bytes": 1043968}},
     "outcome": "break", "exit_code": 1, "error": "compared 412 legacy results: 2 unexplained break(s)",
     "actor": "ops", "host": "batch-01", "pid": 4242, "code_version": "clo-xl 0.2.0 (git 1a2b3c4d5e6f)"}

``outcome`` is one of ``ok``, ``break`` (exit 1), ``bad_input`` (exit 2), ``internal_error`` (exit 3,
with the ``traceback``), ``interrupted`` (130). Records are appended with one ``write`` on a file opened in
append mode, so concurrent runs never interleave inside a line, and a record is never overwritten.
Passwords in database URLs are masked. Writing the log never fails a run: a log that cannot be written
gives one warning line on stderr.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import re
import socket
import traceback
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from clo_xl.provenance import code_version

LOG_FILE_ENV = "CLO_XL_LOG_FILE"
LOG_FILE_NAME = "clo-xl.jsonl"

#: exit code → outcome (anything else is reported by number)
OUTCOMES = {0: "ok", 1: "break", 2: "bad_input", 3: "internal_error", 130: "interrupted"}

#: options whose value is a file the run WRITES (not an input to hash)
OUTPUT_OPTIONS = frozenset({"--report", "--out", "--backup", "--output"})

_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]+:)[^@\s]+(?P<tail>@)", re.IGNORECASE)
_CHUNK = 1 << 20


def log_file() -> Path:
    """The JSON-lines log file (``CLO_XL_LOG_FILE`` or the platform's user log directory)."""
    explicit = os.environ.get(LOG_FILE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    from platformdirs import user_log_dir

    return Path(user_log_dir("clo-xl", appauthor=False)) / LOG_FILE_NAME


def mask_secrets(text: str) -> str:
    """``postgresql://u:secret@h/db`` → ``postgresql://u:***@h/db``."""
    return _URL_PASSWORD.sub(r"\g<head>***\g<tail>", text)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def input_files(argv: Sequence[str]) -> list[Path]:
    """Arguments that name an existing file, except the values of output options (``--report x``)."""
    found: list[Path] = []
    skip_next = False
    for arg in argv:
        if skip_next:
            skip_next = False
            continue
        if arg.startswith("--"):
            name, eq, value = arg.partition("=")
            if name in OUTPUT_OPTIONS:
                skip_next = not eq
                continue
            if not eq:
                continue
            arg = value
        try:
            path = Path(arg)
            if path.is_file():
                found.append(path)
        except (OSError, ValueError):
            continue
    return found


def input_hashes(argv: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``{path as given: {"sha256", "bytes"}}`` for every input file named on the command line."""
    out: dict[str, dict[str, Any]] = {}
    for path in input_files(argv):
        try:
            out[str(path)] = {"sha256": sha256_of(path), "bytes": path.stat().st_size}
        except OSError as exc:
            out[str(path)] = {"error": f"{type(exc).__name__}: {exc}"}
    return out


def _actor() -> str:
    explicit = os.environ.get("CLO_XL_ACTOR")
    if explicit:
        return explicit
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def outcome_of(exit_code: int) -> str:
    return OUTCOMES.get(exit_code, f"exit_{exit_code}")


def build_record(
    *,
    source: str,
    command: str,
    started_at: datetime,
    finished_at: datetime,
    exit_code: int,
    argv: Sequence[str] = (),
    inputs: Mapping[str, Any] | None = None,
    error: str | None = None,
    exc: BaseException | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One record (see the module docstring); ``exc`` adds its traceback."""
    record: dict[str, Any] = {
        "time": finished_at.isoformat(timespec="milliseconds"),
        "started_at": started_at.isoformat(timespec="milliseconds"),
        "duration_s": round((finished_at - started_at).total_seconds(), 3),
        "source": source,
        "command": command,
        "argv": [mask_secrets(a) for a in argv],
        "inputs": dict(inputs or {}),
        "outcome": outcome_of(exit_code),
        "exit_code": exit_code,
        "error": None if error is None else mask_secrets(" ".join(error.split())),
        "actor": _actor(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "code_version": code_version(),
    }
    if exc is not None:
        record["traceback"] = mask_secrets("".join(traceback.format_exception(exc)))
    if extra:
        record.update(extra)
    return record


def append(record: Mapping[str, Any], path: Path | None = None) -> Path:
    """Append ``record`` as one JSON line (raises ``OSError`` if the file cannot be written)."""
    target = path or log_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, default=str, ensure_ascii=False, separators=(",", ":")) + "\n"
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)
    return target


def now() -> datetime:
    return datetime.now(UTC)


def record_button_error(action: str, exc: BaseException, *, workbook: str | None = None) -> Path | None:
    """For the Excel bridge: append a failed button press (with its traceback) to the log, never
    overwriting an earlier one; returns the log file, or ``None`` when it cannot be written."""
    at = now()
    record = build_record(
        source="excel",
        command=action,
        started_at=at,
        finished_at=at,
        exit_code=3,
        error=f"{type(exc).__name__}: {exc}",
        exc=exc,
        extra={"workbook": workbook} if workbook else None,
    )
    try:
        return append(record)
    except OSError:
        return None


__all__ = [
    "append",
    "build_record",
    "input_hashes",
    "log_file",
    "mask_secrets",
    "outcome_of",
    "record_button_error",
]
