"""Refresh from DB and Save to DB: a deal's input blocks between its ``<Deal> Inputs`` sheet and PostgreSQL.

**Refresh** reads the deals (one REPEATABLE READ snapshot, :func:`clo_xl.persistence.repository.
refresh_workbook`) and writes each legacy block of :func:`~clo_xl.persistence.repository.workbook_blocks`
into the deal sheet as values: ``DealCollateral`` (D:E), ``Accounts`` (F:I), ``TestThresholds`` (L:Q),
``ObjWeights`` (test number and weight, V:W), and the labelled blocks ``QualityTestInputs`` (R:S) and
``CFInputs`` (X:Y), whose values go on the row of their label. Blocks are placed through the sheet-scoped
named range when the workbook has one (grown when the database holds more rows), else at the legacy
default address; rows the database no longer has are emptied. Cells holding a formula (``S3`` = ``K4``)
keep it and are listed in the result.

**Version memory**: the row version each deal was refreshed at is kept in a hidden sheet
:data:`STATE_SHEET` (``clo-xl.state``): one row per deal, columns :data:`STATE_HEADER`. It travels with
the file, survives closing Excel, and is not an input of any engine (the readers ignore the sheet).

**Save** reads the deal sheet as the workbook reader does, checks it with the same parser (a bad cell is
refused naming sheet and cell), and calls :func:`~clo_xl.persistence.repository.save_deal` with the
remembered version: a stale version is refused with the who/what/when message of the audit trail and
nothing is written; the workbook keeps its edits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast

from clo_xl.errors import CloXlError, ConcurrencyError, UsageError
from clo_xl.excel.cells import Cell, parse_range
from clo_xl.excel.workbook_access import Value, WorkbookAccess
from clo_xl.ingest import layout as L
from clo_xl.ingest.deal_inputs import parse_deal_inputs
from clo_xl.ingest.raw import RawDocument
from clo_xl.persistence.audit import current_actor
from clo_xl.persistence.repository import refresh_workbook, save_deal, workbook_blocks

#: the hidden sheet holding each deal's refreshed row version
STATE_SHEET = "clo-xl.state"
STATE_HEADER = ("Deal", "Row version", "Refreshed at (UTC)", "Last changed by", "Last changed at (UTC)")


@dataclass(frozen=True)
class BlockPlace:
    """Where a legacy block's data starts when the sheet has no named range for it (1-based)."""

    name: str
    row: int
    column: int
    labelled: bool = False  # label/value pairs: values are written on the row of their label


BLOCKS: tuple[BlockPlace, ...] = (
    BlockPlace("DealCollateral", L.DEAL_COLLATERAL.first_row, L.DEAL_COLLATERAL.first_col),
    BlockPlace("Accounts", L.ACCOUNTS.first_row, L.ACCOUNTS.first_col),
    BlockPlace("TestThresholds", L.TEST_THRESHOLDS.first_row, L.TEST_THRESHOLDS.first_col),
    BlockPlace("ObjWeights", L.OBJ_WEIGHTS.first_row, L.OBJ_WEIGHTS.first_col + L.OBJ_WEIGHTS_NAME_OFFSET),
    BlockPlace(
        "QualityTestInputs", L.QUALITY_TEST_INPUTS.first_row, L.QUALITY_TEST_INPUTS.first_col, labelled=True
    ),
    BlockPlace("CFInputs", L.CF_INPUTS.first_row, L.CF_INPUTS.first_col, labelled=True),
)


@dataclass(frozen=True)
class DealState:
    """One row of :data:`STATE_SHEET`."""

    deal: str
    version: int
    refreshed_at: str
    changed_by: str
    changed_at: str

    def row(self) -> list[Value]:
        return [self.deal, self.version, self.refreshed_at, self.changed_by, self.changed_at]


def read_state(book: WorkbookAccess) -> dict[str, DealState]:
    """The remembered versions (empty when the workbook was never refreshed)."""
    if STATE_SHEET not in book.sheet_names():
        return {}
    states: dict[str, DealState] = {}
    for row in book.read_sheet(STATE_SHEET)[1:]:
        cells = [*row, None, None, None, None, None][:5]
        if cells[0] in (None, "") or not isinstance(cells[1], int | float) or isinstance(cells[1], bool):
            continue
        deal = str(cells[0]).strip()
        states[deal] = DealState(deal, int(cells[1]), *(str(c or "") for c in cells[2:5]))
    return states


def write_state(book: WorkbookAccess, states: Mapping[str, DealState]) -> None:
    """Rewrite :data:`STATE_SHEET` (hidden, no tab colour) with ``states`` in deal order."""
    book.create_sheet(STATE_SHEET, tab_color=None, hidden=True)
    book.write_table(STATE_SHEET, "A1", [list(STATE_HEADER), *(s.row() for s in states.values())])


def _block_extent(book: WorkbookAccess, sheet: str, place: BlockPlace) -> tuple[Cell, int]:
    """(first data cell, rows the block occupies now) from the named range, else the default address."""
    address = book.name_address(sheet, place.name)
    if address is not None:
        start, end = parse_range(address)
        return start, end.row - start.row + 1
    first = Cell(place.row, place.column)
    grid = book.read_sheet(sheet)
    count = 0
    while first.row - 1 + count < len(grid):
        line = grid[first.row - 1 + count]
        if first.column - 1 >= len(line) or line[first.column - 1] in (None, ""):
            break
        count += 1
    return first, count


def write_block(
    book: WorkbookAccess, sheet: str, place: BlockPlace, rows: Sequence[Sequence[Any]]
) -> list[str]:
    """Write one block's rows (values only); returns the formula cells left alone."""
    first, occupied = _block_extent(book, sheet, place)
    width = max((len(r) for r in rows), default=2)
    if place.labelled:
        return _write_labelled(book, sheet, first, occupied, rows)
    if len(rows) > occupied and book.name_address(sheet, place.name) is not None:
        last = first.offset(len(rows) - 1, width - 1)
        book.resize_name(sheet, place.name, f"{first.a1}:{last.a1}")
    padded: list[list[Value]] = [[_value(v) for v in r] for r in rows]
    padded += [[None] * width for _ in range(max(occupied - len(rows), 0))]
    return book.write_inputs(sheet, first.a1, padded) if padded else []


def _write_labelled(
    book: WorkbookAccess, sheet: str, first: Cell, occupied: int, rows: Sequence[Sequence[Any]]
) -> list[str]:
    current = book.read_range(sheet, f"{first.a1}:{first.offset(max(occupied, 1) - 1, 0).a1}")
    where = {str(r[0]).strip(): i for i, r in enumerate(current) if r and r[0] not in (None, "")}
    kept: list[str] = []
    extra = max(occupied, len(where))
    for label, *values in rows:
        key = str(label).strip()
        if key in where:
            kept += book.write_inputs(sheet, first.offset(where[key], 1).a1, [[_value(v) for v in values]])
        else:  # a label the sheet lacks goes below the block
            kept += book.write_inputs(sheet, first.offset(extra, 0).a1, [[key, *map(_value, values)]])
            extra += 1
    return kept


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _value(value: Any) -> Value:
    """Database values as cell values (``Decimal`` → float; dates, and ISO dates the interchange document
    holds as text, become dates, written as Excel serials in the cell's own date format)."""
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        return date.fromisoformat(value.strip())
    if value is None or isinstance(value, str | bool | int | float | datetime):
        return value
    if hasattr(value, "isoformat"):
        return cast(Value, value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def _stamp(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _all_assets_plan(book: WorkbookAccess, table: Any) -> tuple[list[list[Value]], int]:
    """The ``All Assets`` rows to write from A2 (the sheet's own column order; a column the database does
    not keep keeps its cells) and how many of them empty rows the database no longer has."""
    grid = book.read_sheet(L.ALL_ASSETS)
    if not grid:
        raise UsageError(f"'{L.ALL_ASSETS}' is empty: it needs its header row")
    header = [str(h).strip() if h not in (None, "") else None for h in grid[0]]
    if "BLKRockID" not in header:
        raise UsageError(f"'{L.ALL_ASSETS}'!A1:BR1 has no BLKRockID header")
    key = header.index("BLKRockID")
    current = 0
    while (
        current + 1 < len(grid) and key < len(grid[current + 1]) and grid[current + 1][key] not in (None, "")
    ):
        current += 1
    known = set(table.headers)
    rows: list[list[Value]] = []
    for i, record in enumerate(table.rows):
        old = grid[i + 1] if i + 1 < len(grid) else []
        rows.append(
            [_value(record.get(h)) if h in known else (old[j] if j < len(old) else None)
             for j, h in enumerate(header)]
        )  # fmt: skip
    cleared = max(current - len(rows), 0)
    rows += [[None] * len(header) for _ in range(cleared)]
    return rows, cleared


@dataclass(frozen=True)
class RefreshOutcome:
    versions: dict[str, int]
    formula_cells: tuple[str, ...]  # 'Mag 17 Inputs'!S3 ... left as formulas
    assets: int  # rows of All Assets written


def refresh(book: WorkbookAccess, url: str, deals: Sequence[str]) -> RefreshOutcome:
    """Write ``All Assets`` and ``deals`` from one database snapshot into their sheets and remember the
    deals' versions (then save)."""
    book.check_writable([L.ALL_ASSETS, *(L.deal_sheet(d) for d in deals)])  # before anything is written
    snapshot = refresh_workbook(url, list(deals))
    states = read_state(book)
    asset_rows, _ = _all_assets_plan(book, snapshot.assets)  # checked before anything is written
    kept = [f"'{L.ALL_ASSETS}'!{a}" for a in book.write_inputs(L.ALL_ASSETS, "A2", asset_rows)]
    places = {p.name: p for p in BLOCKS}
    for deal, stored in snapshot.deals.items():
        sheet = L.deal_sheet(deal)
        if sheet not in book.sheet_names():
            raise UsageError(f"the database has {deal} but the workbook has no '{sheet}' sheet")
        for name, rows in workbook_blocks(stored).items():
            if name in places:
                kept += [f"'{sheet}'!{a}" for a in write_block(book, sheet, places[name], rows)]
        states[deal] = DealState(deal, stored.version, _stamp(), stored.updated_by, _stamp(stored.updated_at))
    write_state(book, states)
    book.save()
    versions = {d: s.version for d, s in snapshot.deals.items()}
    return RefreshOutcome(versions, tuple(kept), len(snapshot.assets.rows))


def deal_documents(book: WorkbookAccess, deals: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The deal sheets as the interchange documents ``save_deal`` stores, checked by the deal parser.

    Read once, exactly as ``clo-xl migrate`` reads them; a bad cell raises the located
    :class:`IngestError` before anything is written.
    """
    data = book.workbook_data(deals)
    documents: dict[str, dict[str, Any]] = {}
    for deal in deals:
        raw = data.deal(deal)
        table = data.holdings[deal]
        holdings = [dict(r) for r in table.rows]
        locations = dict(raw.locations)
        for i, _ in enumerate(holdings):
            for header in ("BLKRockID", "Par Amount"):
                locations[f"holdings[{i}].{header}"] = table.locate(i, header)
        document = {**raw.data, "holdings": holdings}
        parse_deal_inputs(RawDocument(file=raw.file, data=document, locations=locations, sheet=raw.sheet))
        documents[deal] = document
    return documents


@dataclass(frozen=True)
class SaveOutcome:
    versions: dict[str, int]  # deal → version after the save
    unchanged: tuple[str, ...]  # deals whose sheet equalled the database


def save(book: WorkbookAccess, url: str, deals: Sequence[str], *, actor: str | None = None) -> SaveOutcome:
    """Store ``deals`` if each is still at its remembered version; see the module docstring."""
    states = read_state(book)
    missing = [d for d in deals if d not in states]
    if missing:
        raise UsageError(
            f"press Refresh from DB before Save to DB: no database version is recorded for "
            f"{', '.join(missing)} (hidden sheet '{STATE_SHEET}')"
        )
    documents = deal_documents(book, deals)  # every sheet checked before any write
    versions: dict[str, int] = {}
    unchanged: list[str] = []
    try:
        for deal in deals:
            before = states[deal]
            version = save_deal(url, documents[deal], expected_version=before.version, actor=actor)
            versions[deal] = version
            if version == before.version:
                unchanged.append(deal)
            else:
                who = actor or current_actor()
                states[deal] = DealState(deal, version, before.refreshed_at, who, _stamp())
    except ConcurrencyError as exc:
        if versions:
            write_state(book, states)
            book.save()
            raise ConcurrencyError(f"saved {', '.join(versions)}; {exc}") from exc
        raise
    except CloXlError:
        if versions:
            write_state(book, states)
            book.save()
        raise
    write_state(book, states)
    book.save()
    return SaveOutcome(versions, tuple(unchanged))
