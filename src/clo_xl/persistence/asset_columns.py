"""The ``clo.asset`` columns, derived from the one list of the 70 ``All Assets`` columns
(:data:`clo_xl.portfolio.asset.ASSET_COLUMNS`): the same headers and positions, a database column name and a
storage kind.

Storage kinds say how a cell is stored, not how the compliance engine interprets it (that is the ingest
parsers' job, applied again when rows are mapped back to domain objects):

* ``text``: the cell as text, as is (numbers written as text keep no trailing ``.0``);
* ``number``: double precision; a blank cell is NULL;
* ``date``: a calendar date; a blank cell or the legacy placeholder ``0`` is NULL;
* ``flag``: a Yes/No cell kept verbatim, because the legacy loader is case-sensitive for most flags
  ("Yes" is true, "yes" is not; §2.1) and the database must not change what the legacy would read;
* ``bool``: TRUE/FALSE (``PMT EOM``).

Database column names are the :class:`~clo_xl.portfolio.asset.Asset` field names except the few the schema
spelt differently when it was created (:data:`DB_NAMES`; renaming them would be a schema migration for
every database in use).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from clo_xl.portfolio.asset import ASSET_COLUMNS as _SOURCE
from clo_xl.portfolio.asset import FieldKind

Kind = Literal["text", "number", "date", "flag", "bool"]

#: how each parsing kind is stored
STORAGE: dict[FieldKind, Kind] = {
    "text": "text",
    "upper": "text",
    "opinion": "text",
    "moodys": "text",
    "sp": "text",
    "outlook": "text",
    "bond_loan": "text",
    "coupon_type": "text",
    "day_count": "text",
    "bdc": "text",
    "flag": "flag",
    "flag_ci": "flag",
    "money": "number",
    "rate": "number",
    "float": "number",
    "int": "number",
    "ignored_number": "number",
    "date": "date",
    "bool": "bool",
}

#: Asset field → ``clo.asset`` column, where the schema's name differs from the field's
DB_NAMES: dict[str, str] = {
    "brs_id": "asset_id",
    "par_amount_column": "par_amount",
    "index": "index_name",
    "moody_asset_category": "moodys_asset_category",
    "defaulted": "default_obligation",
    "moodys_dpr": "moodys_dp_rating",
    "moody_facility_rating": "moodys_facility_rating",
    "moody_facility_outlook": "moodys_facility_outlook",
    "moody_issuer_rating": "moodys_issuer_rating",
    "moody_issuer_outlook": "moodys_issuer_outlook",
    "moody_senior_unsecured_rating": "moodys_senior_unsecured_rating",
    "moody_subordinate_rating": "moodys_subordinate_rating",
    "analyst_opinion": "credit_opinion",
}


@dataclass(frozen=True)
class AssetColumn:
    position: int  # 1-based legacy column number
    header: str  # verbatim All Assets header (two keep a trailing space)
    name: str  # clo.asset column
    kind: Kind
    field: str  # the Asset field


ASSET_COLUMNS: tuple[AssetColumn, ...] = tuple(
    AssetColumn(c.position, c.header, DB_NAMES.get(c.field, c.field), STORAGE[c.kind], c.field)
    for c in _SOURCE
)

HEADERS: tuple[str, ...] = tuple(c.header for c in ASSET_COLUMNS)
BY_HEADER: dict[str, AssetColumn] = {c.header: c for c in ASSET_COLUMNS}
BY_NAME: dict[str, AssetColumn] = {c.name: c for c in ASSET_COLUMNS}

__all__ = ["ASSET_COLUMNS", "BY_HEADER", "BY_NAME", "DB_NAMES", "HEADERS", "STORAGE", "AssetColumn", "Kind"]
