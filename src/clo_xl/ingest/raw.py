"""Raw tables: the boundary between file formats and the parsers that build domain objects.

A workbook sheet, a JSON extract or a CSV file is first read into a :class:`RawTable` (header → value per row,
values still as the file gave them: str, float, int, bool, datetime or None) that remembers where each
value came from. Parsers turn raw tables into typed, frozen domain objects and raise
:class:`clo_xl.errors.IngestError` with the exact :class:`Location` of a bad value.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import overload

from clo_xl.errors import Location
from clo_xl.xlsx import column_letter


@dataclass(frozen=True)
class RawRow:
    """One data row: values keyed by header, plus how to locate each value."""

    values: Mapping[str, object]
    table: RawTable
    index: int  # 0-based position in the table

    def get(self, header: str) -> object:
        return self.values.get(header)

    def locate(self, header: str) -> Location:
        return self.table.locate(self.index, header)


class RowView(Sequence[Mapping[str, object]]):
    """The rows of a table held column by column, each row built (as a dict) only when asked for."""

    def __init__(self, data: Mapping[str, Sequence[object]], headers: Sequence[str], length: int) -> None:
        self._data = data
        self._headers = tuple(h for h in headers if h in data)
        self._length = length

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> Mapping[str, object]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Mapping[str, object]]: ...
    def __getitem__(self, index: int | slice) -> Mapping[str, object] | Sequence[Mapping[str, object]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._length))]
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError(index)
        return {h: self._data[h][index] for h in self._headers}

    def __iter__(self) -> Iterator[Mapping[str, object]]:
        columns = [self._data[h] for h in self._headers]
        for values in zip(*columns, strict=True):
            yield dict(zip(self._headers, values, strict=True))


@dataclass(frozen=True)
class RawTable:
    """Rows of raw values keyed by header.

    ``first_row`` is the sheet row number of the first data row (None for extracts without rows);
    ``columns`` maps each header to its 1-based sheet column (None for JSON extracts). ``typed`` says the
    values came from spreadsheet cells that carry their own type (a workbook: a date must be a date cell,
    not text). A large table (``All Assets`` of a workbook) is held column by column in ``data`` (see
    :meth:`from_columns`); ``rows`` then builds each row on demand.
    """

    file: str | None
    sheet: str | None
    headers: Sequence[str]
    rows: Sequence[Mapping[str, object]]
    first_row: int | None = None
    columns: Mapping[str, int] = field(default_factory=dict)
    row_numbers: Sequence[int] | None = None  # explicit sheet rows when not contiguous
    typed: bool = False
    data: Mapping[str, Sequence[object]] | None = None

    @classmethod
    def from_columns(
        cls,
        file: str | None,
        sheet: str | None,
        headers: Sequence[str],
        data: Mapping[str, Sequence[object]],
        *,
        first_row: int | None = None,
        columns: Mapping[str, int] | None = None,
        row_numbers: Sequence[int] | None = None,
        typed: bool = False,
    ) -> RawTable:
        """A table held column by column (``data``: header → values, all of one length)."""
        length = len(next(iter(data.values()))) if data else 0
        return cls(
            file,
            sheet,
            headers,
            RowView(data, headers, length),
            first_row,
            columns or {},
            row_numbers,
            typed,
            data,
        )

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, header: str) -> Sequence[object]:
        """Every row's value under ``header`` (None where a row lacks it); a row-held table's columns are
        gathered once and kept."""
        if self.data is not None:
            found = self.data.get(header)
            return found if found is not None else [None] * len(self)
        cache: dict[str, Sequence[object]] = self.__dict__.setdefault("_columns", {})
        column = cache.get(header)
        if column is None:
            try:
                column = list(map(itemgetter(header), self.rows))  # every row has the key: C speed
            except (KeyError, TypeError):
                column = [r.get(header) for r in self.rows]
            cache[header] = column
        return column

    def __iter__(self) -> Iterator[RawRow]:
        for i, values in enumerate(self.rows):
            yield RawRow(values, self, i)

    def sheet_row(self, index: int) -> int | None:
        if self.row_numbers is not None:
            return self.row_numbers[index]
        if self.first_row is None:
            return None
        return self.first_row + index

    def locate(self, index: int, header: str | None = None) -> Location:
        row = self.sheet_row(index)
        cell = None
        if header is not None and row is not None and header in self.columns:
            cell = f"{column_letter(self.columns[header])}{row}"
        return Location(
            file=self.file,
            sheet=self.sheet,
            cell=cell,
            column=header,
            row=row if row is not None else index + 1,
        )


@dataclass(frozen=True)
class RawDocument:
    """A nested document of raw values (the deal-inputs interchange shape of CONTRACT §2).

    ``locations`` maps a key path such as ``"test_thresholds[3].threshold"`` or ``"accounts[1].principal"``
    to where that value sits (a workbook cell, or just the file and key for JSON). Unknown paths are
    located by file and key path alone.
    """

    file: str | None
    data: Mapping[str, object]
    locations: Mapping[str, Location] = field(default_factory=dict)
    sheet: str | None = None

    def locate(self, path: str) -> Location:
        found = self.locations.get(path)
        if found is not None:
            return found
        return Location(file=self.file, sheet=self.sheet, column=path)
