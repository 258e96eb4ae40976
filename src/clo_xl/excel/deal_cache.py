"""The UDF server's deals: each computed once from PostgreSQL and reused while the stored deal is unchanged.

A ``CLO_`` worksheet function never looks at the workbook (Excel refuses object-model calls while it
calculates, and a UDF's inputs must be its arguments or come from outside Excel). It asks this cache for
the deal as stored in the database named by ``CLO_XL_DATABASE_URL`` (or the embedded default). Every call
runs **one** cheap query: the deal's full stamp (:func:`clo_xl.persistence.snapshot.deal_stamp`: its row
version plus an aggregate of the universe and the reference rows), or, within
:data:`FULL_CHECK_SECONDS` of the last full stamp, the deal's row version alone
(:func:`~clo_xl.persistence.snapshot.deal_version`, an index lookup), which a Save to DB always moves. An
unchanged stamp reuses the loaded :class:`~clo_xl.api.DealSession` and every figure already computed from
it; a new one (a Save to DB, another analyst's save, a migrate that changed the universe or the reference
tables) loads the deal again. So a saved deal is seen by the very next call, a changed universe within
:data:`FULL_CHECK_SECONDS`. A deal the database does not have is a
:class:`~clo_xl.persistence.snapshot.DealNotStored` error that names the deals there and how to load one.

One cache per Python process: xlwings runs one UDF server per Excel instance.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TypeVar, cast

from clo_xl.api import DealSession
from clo_xl.persistence.engine import ENV_VAR
from clo_xl.persistence.engine import database_url as resolve_database_url
from clo_xl.persistence.snapshot import DealStamp, deal_stamp, deal_version
from clo_xl.portfolio.pool import Universe

T = TypeVar("T")

#: how long a full stamp (universe and reference aggregates) is trusted; meanwhile each call checks only the
#: deal's row version (one recalculation of many cells costs one full stamp)
FULL_CHECK_SECONDS = 2.0


@dataclass
class _Entry:
    stamp: DealStamp
    checked: float  # time.monotonic() of the last full stamp
    session: DealSession
    results: dict[Hashable, object] = field(default_factory=dict)


class StoredDeals:
    """Sessions of stored deals per (database, deal), checked against the stored stamp on every call."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._entries: dict[tuple[str, str], _Entry] = {}
        self._recent: dict[tuple[str, str], _Entry] = {}  # (url, deal as typed, folded) → entry
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
        with self._lock:
            recent = self._recent.get((url, deal.strip().casefold()))
        if recent is not None and time.monotonic() - recent.checked < FULL_CHECK_SECONDS:
            name, version = deal_version(url, deal)  # the one query of this call
            if name == recent.stamp.deal and version == recent.stamp.version:
                return recent
        stamp = deal_stamp(url, deal)  # the one query of this call (two when the version just moved)
        key = (url, stamp.deal)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.stamp != stamp:
                universe = self._universes.get((url, stamp.universe))
                session = DealSession.from_database(stamp.deal, database_url=url, universe=universe)
                self._universes = {(url, stamp.universe): session.pool.universe}  # one per database state
                entry = _Entry(stamp, time.monotonic(), session)
                self._entries[key] = entry
                self.loads += 1
            entry.checked = time.monotonic()
            self._recent[(url, deal.strip().casefold())] = entry
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
            self._recent.clear()
            self._universes.clear()
            self._url = None


#: the UDF server's cache
STORED = StoredDeals()
