"""What a migration reads from a workbook: the raw tables and documents, with their cells, and the same
data validated by the one validation layer (:mod:`clo_xl.ingest.book`).

:func:`workbook_content` adapts :func:`clo_xl.ingest.workbook.read_workbook` (which validates as it reads);
tests and benchmarks build a :class:`WorkbookContent` directly (see :mod:`clo_xl.persistence.synthetic`),
and :meth:`WorkbookContent.book` applies the same rules to it, so nothing reaches the database that a
later command would refuse.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from clo_xl.ingest.book import Book, validated
from clo_xl.ingest.raw import RawDocument, RawTable
from clo_xl.ingest.workbook import WorkbookData, read_workbook


@dataclass(frozen=True)
class WorkbookContent:
    """Raw workbook values: ``All Assets``, one deal document and one ``DealCollateral`` table per deal,
    ``Reference Table`` sections, ``Filter Sheet`` lists and the ``Run Model`` controls."""

    file: str
    assets: RawTable
    deals: Mapping[str, RawDocument]
    holdings: Mapping[str, RawTable]
    reference: Mapping[str, RawTable] = field(default_factory=dict)
    filter_lists: Mapping[str, tuple[object, ...]] = field(default_factory=dict)
    run_model: RawDocument | None = None
    sha256: str | None = None

    def workbook_data(self) -> WorkbookData:
        """The content as the validation layer's :class:`WorkbookData` (kept outside the dataclass fields, so
        ``dataclasses.replace`` never carries a stale one over)."""
        cached = self.__dict__.get("_data")
        if isinstance(cached, WorkbookData):
            return cached
        found = WorkbookData(
            file=self.file,
            sheet_names=(),
            assets=self.assets,
            deals=self.deals,
            holdings=self.holdings,
            run_model=self.run_model or RawDocument(file=self.file, data={}),
            reference=self.reference,
            filter_lists=self.filter_lists,
        )
        object.__setattr__(self, "_data", found)
        return found

    def book(self) -> Book:
        """Every rule of the validation layer applied (once); raises
        :class:`~clo_xl.errors.InputRejected` listing every problem."""
        return validated(self.workbook_data())


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def workbook_content(path: Path) -> WorkbookContent:
    """Read and validate a workbook (:class:`~clo_xl.errors.InputRejected` lists every problem)."""
    data = read_workbook(path)
    content = WorkbookContent(
        file=data.file,
        assets=data.assets,
        deals=dict(data.deals),
        holdings=dict(data.holdings),
        reference=dict(data.reference),
        filter_lists=dict(data.filter_lists),
        run_model=data.run_model,
        sha256=file_sha256(path),
    )
    object.__setattr__(content, "_data", data)  # already validated as it was read
    return content
