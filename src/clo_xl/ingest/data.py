"""The raw workbook as the readers hand it to the validation layer: every input sheet's values with their
cells (:class:`WorkbookData`). Built by :func:`clo_xl.ingest.workbook.read_workbook` from a file, by
:func:`clo_xl.ingest.extract.extract_book` from an extract pair, by :mod:`clo_xl.persistence.snapshot` from
the database; :func:`clo_xl.ingest.book.validated` turns it into the typed, checked book.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from clo_xl.errors import IngestError, Location
from clo_xl.ingest import layout as L
from clo_xl.ingest.raw import RawDocument, RawTable


@dataclass(frozen=True)
class WorkbookData:
    """Everything a clo-xl run needs from a TradeHypo workbook, as raw values with their cells."""

    file: str
    sheet_names: tuple[str, ...]
    assets: RawTable
    deals: Mapping[str, RawDocument]
    holdings: Mapping[str, RawTable]
    run_model: RawDocument
    reference: Mapping[str, RawTable]
    filter_lists: Mapping[str, tuple[object, ...]]
    names: Mapping[str, str] = field(default_factory=dict)  # "Name" or "Sheet!Name" → reference

    def deal(self, name: str) -> RawDocument:
        """The deal document for ``name`` ('Mag 17'); a located error if the workbook has no such sheet."""
        try:
            return self.deals[name]
        except KeyError:
            raise IngestError(
                Location(file=self.file, sheet=L.deal_sheet(name)),
                name,
                f"missing sheet '{L.deal_sheet(name)}' "
                f"(deal sheets present: {', '.join(self.deals) or 'none'})",
            ) from None


__all__ = ["WorkbookData"]
