"""The UDF server's deals: each computed once from PostgreSQL and reused while the stored deal is unchanged.

A ``CLO_`` worksheet function never looks at the workbook (Excel refuses object-model calls while it
calculates, and a UDF's inputs must be its arguments or come from outside Excel). It asks this cache for
the deal as stored in the database named by ``CLO_XL_DATABASE_URL`` (or the embedded default). Every call
runs **one** cheap query, :func:`clo_xl.persistence.snapshot.deal_stamp` (the deal's row version plus an
aggregate of the universe and the reference rows): an unchanged stamp reuses the loaded
:class:`~clo_xl.api.DealSession` and every figure already computed from it; a new stamp (a Save to DB, a
migrate, another analyst's save) loads the deal again. A deal the database does not have is a
:class:`~clo_xl.persistence.snapshot.DealNotStored` error that names the deals there and how to load one.

One cache per Python process: xlwings runs one UDF server per Excel instance.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TypeVar, cast

from clo_xl.api import DealSession
from clo_xl.persistence.engine import ENV_VAR
from clo_xl.persistence.engine import database_url as resolve_database_url
from clo_xl.persistence.snapshot import DealStamp, deal_stamp
from clo_xl.portfolio.pool import Universe

T = TypeVar("T")


@dataclass
class _Entry:
    stamp: DealStamp
    session: DealSession
    results: dict[Hashable, object] = field(default_factory=dict)


class StoredDeals:
    """Sessions of stored deals per (database, deal), checked against the stored stamp on every call."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._entries: dict[tuple[str, str], _Entry] = {}
        self._universes: dict[tuple[str, tuple[int, int, int]], Universe] = {}
        self._url: tuple[str | None, str] | None = None
        self.loads = 0  # deals loaded from the database (a test and the bench read it)

    def url(self) -> str:
        """The database: ``CLO_XL_DATABASE_URL``, else the embedded server (resolved once per setting)."""
        setting = os.environ.get(ENV_VAR)
        if self._url is None or self._url[0] != setting:
            self._url = (setting, resolve_database_url(None))
        return self._url[1]

    def _entry(self, deal: str) -> _Entry:
        url = self.url()
        stamp = deal_stamp(url, deal)  # the one query per call; raises DealNotStored
        key = (url, stamp.deal)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.stamp == stamp:
                return entry
            universe = self._universes.get((url, stamp.universe))
            session = DealSession.from_database(stamp.deal, database_url=url, universe=universe)
            self._universes = {
                (url, stamp.universe): session.pool.universe
            }  # one universe per database state
            entry = _Entry(stamp, session)
            self._entries[key] = entry
            self.loads += 1
            return entry

    def session(self, deal: str) -> DealSession:
        """The deal's session as stored now."""
        return self._entry(deal).session

    def result(self, deal: str, key: Hashable, compute: Callable[[DealSession], T]) -> T:
        """``compute(session)`` once per stored version of the deal (``key`` names what is computed)."""
        entry = self._entry(deal)
        with self._lock:
            if key not in entry.results:
                entry.results[key] = compute(entry.session)
            return cast(T, entry.results[key])  # stored under this key by compute, so of its type

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._universes.clear()
            self._url = None


#: the UDF server's cache
STORED = StoredDeals()
