"""Diffing one legacy value against one Python value, and classifying a difference.

Legacy output tabs hold results as formatted **text** ("2.7400%", "0.000", "1,234.56"; COMPLIANCE_SPEC
§4.1, quirk 21). A value shown with d decimals cannot be checked more closely than half a unit of its last
digit, so a number parsed from text carries its display resolution, and two numbers agree when

    |legacy − python| <= max(tolerance × max(|legacy|, |python|), resolution / 2)

with ``tolerance`` relative (default 1e-5) and ``resolution`` 0 for a real number cell. Text compares
exactly after trimming; booleans compare with "TRUE"/"Pass"/"Yes" spellings folded.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

Status = Literal["match", "break", "explained"]

_NUMBER_TEXT = re.compile(r"^\s*\(?([-+]?[\d,]*\.?\d*(?:[eE][-+]?\d+)?)\)?\s*(%?)\s*$")
_TRUE = {"TRUE", "PASS", "YES", "Y", "1"}
_FALSE = {"FALSE", "FAIL", "NO", "N", "0"}


@dataclass(frozen=True)
class Reading:
    """A value as read from a cell: a number with its display resolution, a boolean, text or empty."""

    number: float | None = None
    resolution: float = 0.0
    boolean: bool | None = None
    text: str | None = None

    @property
    def is_empty(self) -> bool:
        return self.number is None and self.boolean is None and not self.text

    def display(self) -> object:
        if self.number is not None:
            return self.number
        if self.boolean is not None:
            return self.boolean
        return self.text


def read_value(value: object) -> Reading:
    """Interpret a cell value: numbers stay numbers (resolution 0); numeric text gets its resolution."""
    if value is None:
        return Reading()
    if isinstance(value, bool):
        return Reading(boolean=value)
    if isinstance(value, int | float):
        number = float(value)
        return Reading(number=number if math.isfinite(number) else None)
    if isinstance(value, datetime) and value.time() == datetime.min.time() and value.tzinfo is None:
        value = value.date()  # a date cell read back as a midnight datetime is the same date
    if isinstance(value, datetime | date):
        return Reading(text=value.isoformat())
    text = str(value).strip()
    if not text:
        return Reading()
    found = _NUMBER_TEXT.match(text)
    if found and any(ch.isdigit() for ch in found.group(1)):
        digits = found.group(1).replace(",", "")
        try:
            number = float(digits)
        except ValueError:
            return Reading(text=text)
        if text.startswith("(") and text.endswith(")"):
            number = -number
        decimals = len(digits.split(".")[1]) if "." in digits and "e" not in digits.lower() else 0
        scale = 0.01 if found.group(2) == "%" else 1.0
        return Reading(number=number * scale, resolution=10.0**-decimals * scale)
    upper = text.upper()
    if upper in _TRUE - {"1"}:
        return Reading(boolean=True)
    if upper in _FALSE - {"0"}:
        return Reading(boolean=False)
    return Reading(text=text)


@dataclass(frozen=True)
class Difference:
    """The outcome of comparing two readings."""

    agree: bool
    relative_difference: float | None  # None when not numeric


def relative_difference(legacy: float, python: float) -> float:
    """|legacy − python| ÷ max(|legacy|, |python|); 0 when both are 0."""
    scale = max(abs(legacy), abs(python))
    return 0.0 if scale == 0 else abs(legacy - python) / scale


def compare(legacy: Reading, python: Reading, tolerance: float) -> Difference:
    """Do ``legacy`` and ``python`` agree (numbers within tolerance or display resolution; else equal)?"""
    if legacy.number is not None and python.number is not None:
        gap = abs(legacy.number - python.number)
        allowed = max(
            tolerance * max(abs(legacy.number), abs(python.number)),
            max(legacy.resolution, python.resolution) / 2.0,
        )
        # a hair of slack for the decimal representation of the half-unit itself
        return Difference(
            gap <= allowed * (1 + 1e-9) + 1e-15, relative_difference(legacy.number, python.number)
        )
    if legacy.boolean is not None or python.boolean is not None:
        lb = legacy.boolean if legacy.boolean is not None else _as_bool(legacy)
        pb = python.boolean if python.boolean is not None else _as_bool(python)
        return Difference(lb is not None and lb == pb, None)
    if legacy.is_empty and python.is_empty:
        return Difference(True, None)
    lt = "" if legacy.text is None else legacy.text.strip()
    pt = "" if python.text is None else python.text.strip()
    if legacy.number is not None or python.number is not None:
        return Difference(False, None)
    return Difference(lt == pt, None)


def _as_bool(reading: Reading) -> bool | None:
    if reading.number is not None:
        return reading.number != 0
    if reading.text is not None:
        upper = reading.text.strip().upper()
        if upper in _TRUE:
            return True
        if upper in _FALSE:
            return False
    return None
