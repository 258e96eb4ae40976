"""What a migration reads from a workbook: the raw tables and documents, with their cells.

:func:`workbook_content` adapts :func:`clo_xl.ingest.workbook.read_workbook`; tests and benchmarks build a
:class:`WorkbookContent` directly (see :mod:`clo_xl.persistence.synthetic`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from clo_xl.ingest.raw import RawDocument, RawTable


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


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def workbook_content(path: Path) -> WorkbookContent:
    """Read a TradeHypo workbook (located :class:`~clo_xl.errors.IngestError` on structural problems)."""
    from clo_xl.ingest.workbook import read_workbook

    data = read_workbook(path)
    return WorkbookContent(
        file=data.file,
        assets=data.assets,
        deals=dict(data.deals),
        holdings=dict(data.holdings),
        reference=dict(data.reference),
        filter_lists=dict(data.filter_lists),
        run_model=data.run_model,
        sha256=file_sha256(path),
    )
