"""The value rules of the validation layer: one parser per kind of cell, and the limits every input obeys.

Every command reads its inputs through these rules (the workbook reader, the extract reader and the
database route alike), so a value is refused with the same reason wherever it comes from:

* **text** (:func:`parse_text`): trimmed; control characters (NUL and the other C0/C1 controls except tab
  and line breaks) are refused, as PostgreSQL refuses NUL and no analyst types the others;
* **numbers** (:func:`parse_number`): numbers and numeric text (thousands commas); ``"5%"`` means 0.05 only
  where a rate is expected (``percent=True``): in a money cell it is refused, never stored as 0.05; NaN and
  infinities are refused;
* **money** (:func:`check_money`): par, balances and cash within :data:`MAX_MONEY` in magnitude (1e308 is a
  typing accident, not a balance);
* **dates** (:func:`parse_date`): dates, Excel serials or ISO/US text, within QuantLib's calendar less a
  year at each end (:data:`MIN_DATE` to :data:`MAX_DATE`), because every date may reach the schedule engine;
* **flags** (:func:`parse_flag`) and **booleans** (:func:`parse_bool`).

A parser raises :class:`ValueProblem` (a reason without a location); the caller adds where the value was and
records it in a :class:`~clo_xl.ingest.problems.Problems` collector.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from clo_xl import xlsx

#: largest magnitude accepted for an amount of money in deal currency (a holding's par, a tranche balance,
#: an account's cash, a facility size): one hundred billion
MAX_MONEY = 1.0e11
#: the dates every engine can schedule: QuantLib's calendar (1901-01-01 to 2199-12-31) less one year at each
#: end, because a schedule rolls a date to a business day and steps a period past it (a maturity on
#: 2199-12-31 rolls into 2200, which QuantLib refuses)
MIN_DATE = date(1902, 1, 1)
MAX_DATE = date(2198, 12, 31)

_BLANK_TEXT = frozenset({"", "NONE", "NULL", "NAN"})
#: C0 controls except tab, line feed and carriage return (which Excel allows in a cell), DEL, and C1
_CONTROL = frozenset(chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32), 127, *range(128, 160)))


class ValueProblem(ValueError):
    """Raised by the value parsers; the caller turns it into a located :class:`~clo_xl.errors.IngestError`."""


def is_blank(value: object) -> bool:
    """None, NaN, or text that is empty or 'None'/'NULL'/'NaN' (as extracts write a blank)."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().upper() in _BLANK_TEXT


def control_character(text: str) -> str | None:
    """The first control character in ``text`` (as ``U+0000``), or None."""
    if text.isprintable():
        return None
    for ch in text:
        if ch in _CONTROL:
            return f"U+{ord(ch):04X}"
    return None


def parse_text(value: object) -> str:
    """Cell → trimmed text; blank → ``""``; a whole float (``12345.0`` from Excel) → ``"12345"``.
    Text holding a control character (NUL...) raises :class:`ValueProblem`."""
    if type(value) is str:  # the common case first: printable text that is not a blank marker
        text = value.strip()
        if len(text) > 4 and text.isprintable():
            return text
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    bad = control_character(text)
    if bad is not None:
        raise ValueProblem(f"text holds the control character {bad}: retype the cell (no hidden characters)")
    return text


def parse_number(value: object, *, blank: float | None = 0.0, percent: bool = True) -> float:
    """Cell → float. Accepts numbers and numeric text (thousands commas allowed); ``"5%"`` = 0.05 when
    ``percent`` (a rate), refused otherwise (money, counts).

    Blank → ``blank`` (``None`` = blank is an error). NaN, infinities, booleans and other text →
    :class:`ValueProblem`.
    """
    if (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and value.strip().upper() == "NAN"
    ):
        raise ValueProblem("expected a number, got NaN (not a number)")
    if is_blank(value):
        if blank is None:
            raise ValueProblem("a number is required here, the cell is blank")
        return blank
    if isinstance(value, bool):
        raise ValueProblem("expected a number, got a TRUE/FALSE value")
    if isinstance(value, int | float):
        f = float(value)
    else:
        text = str(value).strip().replace(",", "")
        pct = text.endswith("%")
        if pct:
            if not percent:
                raise ValueProblem("a percentage where an amount is expected: enter the amount itself")
            text = text[:-1].strip()
        try:
            f = float(text)
        except ValueError:
            raise ValueProblem("expected a number, got text") from None
        if pct:
            f /= 100.0
    if not math.isfinite(f):
        raise ValueProblem("expected a finite number")
    return f


def parse_int(value: object, *, blank: int | None = 0) -> int:
    """Cell → whole number (``4.0`` is 4; ``4.5`` and percentages are refused)."""
    f = parse_number(value, blank=None if blank is None else float(blank), percent=False)
    if not f.is_integer():
        raise ValueProblem("expected a whole number")
    return int(f)


def check_range(value: float, low: float | None, high: float | None, what: str = "") -> float:
    """``value`` if ``low <= value <= high`` (either bound may be None); else :class:`ValueProblem`."""
    if (low is not None and value < low) or (high is not None and value > high):
        lo = "-inf" if low is None else f"{low:,.10g}"
        hi = "+inf" if high is None else f"{high:,.10g}"
        label = f"{what} " if what else ""
        raise ValueProblem(f"{label}out of range: expected {lo} to {hi}")
    return value


def check_money(value: float, *, negative: bool = False, what: str = "amount") -> float:
    """An amount of money: within ±:data:`MAX_MONEY`, and not negative unless ``negative``."""
    if not negative and value < 0:
        raise ValueProblem(f"{what} must not be negative")
    if abs(value) > MAX_MONEY:
        raise ValueProblem(f"{what} above {MAX_MONEY:,.0f} in magnitude is not plausible")
    return value


def parse_money(
    value: object, *, blank: float | None = 0.0, negative: bool = False, what: str = "amount"
) -> float:
    """A money cell: a number (no percentage), within :data:`MAX_MONEY`, negative only if allowed."""
    return check_money(parse_number(value, blank=blank, percent=False), negative=negative, what=what)


def check_date(d: date) -> date:
    """``d`` if QuantLib's calendar holds it (:data:`MIN_DATE` to :data:`MAX_DATE`)."""
    if not MIN_DATE <= d <= MAX_DATE:
        raise ValueProblem(
            f"date {d.isoformat()} is outside the range the schedule engine supports "
            f"({MIN_DATE.isoformat()} to {MAX_DATE.isoformat()})"
        )
    return d


def _ymd(text: str, sep: str) -> tuple[int, int, int] | None:
    parts = text.split(sep)
    if len(parts) != 3 or not all(p.isdigit() and p.isascii() for p in parts):
        return None
    a, b, c = (int(p) for p in parts)
    return a, b, c


def _date_text(text: str) -> date | None:
    """ISO ``2021-09-17`` (a time part allowed) or US ``9/17/2021``; None when it is neither shape."""
    head = text.replace("T", " ").split(" ")[0]
    try:
        iso = _ymd(head, "-")
        if iso is not None and len(head.split("-")[0]) == 4:
            return date(iso[0], iso[1], iso[2])
        us = _ymd(head, "/")
        if us is not None and len(head.split("/")[2]) == 4:
            return date(us[2], us[0], us[1])
    except ValueError as exc:
        raise ValueProblem(f"impossible date ({exc})") from None
    return None


def parse_date(value: object, *, zero_is_blank: bool = True) -> date | None:
    """Cell → date. Accepts ``date``/``datetime``, ISO text (``2021-09-17`` or ``2021-09-17T00:00:00``),
    US text (``9/17/2021``) and Excel serial numbers. Blank (and the legacy's ``0``) → ``None``.
    Impossible dates (``2021-02-30``) and dates outside :data:`MIN_DATE`..:data:`MAX_DATE` →
    :class:`ValueProblem`."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return check_date(value.date())
    if isinstance(value, date):
        return check_date(value)
    if isinstance(value, bool):
        raise ValueProblem("expected a date, got a TRUE/FALSE value")
    if isinstance(value, int | float):
        if value == 0 and zero_is_blank:
            return None
        try:
            return check_date(xlsx.from_serial(value))
        except ValueError:
            raise ValueProblem("not a valid Excel date serial") from None
    text = str(value).strip()
    if text in {"0", "00:00:00", "0.0"} and zero_is_blank:
        return None
    found = _date_text(text)
    if found is not None:
        return check_date(found)
    try:
        serial = float(text)
    except ValueError:
        raise ValueProblem("expected a date (YYYY-MM-DD)") from None
    return parse_date(serial, zero_is_blank=zero_is_blank)


_TRUE = frozenset({"YES", "Y", "TRUE", "1", "-1"})
_FALSE = frozenset({"NO", "N", "FALSE", "0", ""})


def parse_flag(value: object) -> tuple[bool, bool]:
    """Yes/No cell → (value, exact). ``exact`` is False when the cell meant yes without being exactly
    ``"Yes"`` (the legacy reads those as False, §6 Q1). Blank → (False, True)."""
    if is_blank(value):
        return False, True
    if isinstance(value, bool):
        return value, not value
    if isinstance(value, int | float):
        if value in (0, 1, -1):
            return bool(value), not value
        raise ValueProblem("expected Yes or No")
    text = str(value).strip()
    up = text.upper()
    if up in _TRUE:
        return True, text == "Yes"
    if up in _FALSE:
        return False, True
    raise ValueProblem("expected Yes or No")


def parse_bool(value: object) -> bool:
    """TRUE/FALSE cell (also Yes/No, 1/0) → bool; blank → False."""
    try:
        return parse_flag(value)[0]
    except ValueProblem:
        raise ValueProblem("expected TRUE or FALSE") from None


def serial_to_date(serial: float) -> date:
    """An Excel serial as a date without the range check (callers that only display it)."""
    return xlsx.EPOCH + timedelta(days=int(serial))


__all__ = [
    "MAX_DATE",
    "MAX_MONEY",
    "MIN_DATE",
    "ValueProblem",
    "check_date",
    "check_money",
    "check_range",
    "control_character",
    "is_blank",
    "parse_bool",
    "parse_date",
    "parse_flag",
    "parse_int",
    "parse_money",
    "parse_number",
    "parse_text",
]
