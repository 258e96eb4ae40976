"""Which database to use, and one SQLAlchemy engine per URL.

Precedence (resolved once per command): ``--database-url`` > ``CLO_XL_DATABASE_URL`` > the embedded server
(:mod:`clo_xl.persistence.server`). Credentials come only from the URL given or from ``~/.pgpass``; they are
never written into a workbook, a report or a log (see :func:`redact`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from clo_xl.errors import ConfigurationError
from clo_xl.persistence import server

ENV_VAR = "CLO_XL_DATABASE_URL"

_ENGINES: dict[str, Engine] = {}


def normalise_url(url: str) -> str:
    """Force the psycopg 3 driver: ``postgres://`` and ``postgresql://`` become ``postgresql+psycopg://``."""
    url = url.strip()
    url = re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigurationError(f"not a database URL: {redact(url)!r} ({exc})") from exc
    if parsed.get_backend_name() != "postgresql":
        raise ConfigurationError(
            f"clo-xl needs PostgreSQL; {redact(url)!r} names the {parsed.get_backend_name()!r} backend"
        )
    return url


def database_url(explicit: str | None = None) -> str:
    """The URL every command uses: ``explicit`` (``--database-url``), else ``CLO_XL_DATABASE_URL``, else the
    embedded server (started on demand and reused)."""
    chosen = explicit or os.environ.get(ENV_VAR)
    if chosen:
        return normalise_url(chosen)
    return server.start_embedded().url


def engine(url: str) -> Engine:
    """One pooled engine per URL (pre-ping on, so a restarted server is reconnected transparently)."""
    url = normalise_url(url)
    found = _ENGINES.get(url)
    if found is None:
        found = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
        _ENGINES[url] = found
    return found


def dispose_engines() -> None:
    """Close every pooled connection (before the embedded server stops, or in tests)."""
    for eng in _ENGINES.values():
        eng.dispose()
    _ENGINES.clear()


def redact(url: str) -> str:
    """The URL with any password replaced by ``***`` (safe for messages and reports)."""
    return re.sub(r"(://[^:/@]+:)[^@/]+@", r"\1***@", url)


def release_embedded(pgdata: Path | None = None) -> bool:
    """Close this process's pooled connections, then release its handle on the embedded server (which stops
    when no other clo-xl process uses it). Returns True when this process held a handle."""
    dispose_engines()
    return server.stop_embedded(pgdata)
