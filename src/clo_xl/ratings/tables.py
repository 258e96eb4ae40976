"""Loaders for the rating reference tables in ``clo_xl/data/ratings`` (read once, cached)."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources


def data_text(relative: str) -> str:
    """Text of a packaged data file, e.g. ``"ratings/rank_table.csv"`` under ``clo_xl/data``."""
    return resources.files("clo_xl").joinpath("data", *relative.split("/")).read_text(encoding="utf-8")


def read_csv(relative: str) -> list[dict[str, str]]:
    """Rows of a packaged CSV file under ``clo_xl/data``; lines starting with ``#`` are comments."""
    text = data_text(relative)
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines))


@cache
def rank_table() -> tuple[dict[str, str], ...]:
    """The 21-rank cross-agency table (§3.1), ordered by rank 1…21."""
    return tuple(read_csv("ratings/rank_table.csv"))


@cache
def rating_factor_rows() -> tuple[dict[str, str], ...]:
    return tuple(read_csv("ratings/rating_factors.csv"))


@cache
def recovery_rows() -> tuple[dict[str, str], ...]:
    return tuple(read_csv("ratings/recovery_matrix.csv"))


@cache
def sp_filter_rows() -> tuple[dict[str, str], ...]:
    return tuple(read_csv("ratings/sp_filter_enum.csv"))
