"""The asset universe: one row per ``All Assets`` row, every legacy column kept (COMPLIANCE_SPEC §1.6).

The columns are generated from :data:`clo_xl.persistence.asset_columns.ASSET_COLUMNS` (itself derived from
the one list of the 70 columns in :mod:`clo_xl.portfolio.asset`): a column's SQL type follows its storage
kind and its comment is the legacy header verbatim. Units as in the workbook: rates and spreads as fractions
(0.0375 = 375 bp), market value in price points (99.292), amounts in deal currency, WAL in years.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Date, Double, Integer, Text
from sqlalchemy.orm import mapped_column
from sqlalchemy.types import TypeEngine

from clo_xl.persistence.asset_columns import ASSET_COLUMNS, Kind
from clo_xl.persistence.models.base import CLO, Base, Versioned

SQL_TYPES: dict[Kind, type[TypeEngine[Any]]] = {
    "text": Text,
    "flag": Text,
    "number": Double,
    "date": Date,
    "bool": Boolean,
}


def _namespace() -> dict[str, Any]:
    first, *rest = ASSET_COLUMNS
    namespace: dict[str, Any] = {
        "__tablename__": "asset",
        "__table_args__": ({"schema": CLO, "comment": "All Assets: the asset universe (70 legacy columns)"},),
        "__doc__": "An ``All Assets`` row (the 70 legacy columns, the sheet row it came from, its version).",
        "__module__": __name__,
        first.name: mapped_column(Text, primary_key=True, comment=first.header),
        "sheet_row": mapped_column(Integer, comment="All Assets row it was read from"),
    }
    for column in rest:
        namespace[column.name] = mapped_column(SQL_TYPES[column.kind], comment=column.header)
    return namespace


#: the ``clo.asset`` table (attribute access is by column name: ``row.moodys_rating``)
AssetRow: type[Any] = type("AssetRow", (Versioned, Base), _namespace())
