"""Deal inputs: the values of one ``Mag N Inputs`` sheet (COMPLIANCE_SPEC §1.5), typed and frozen.

Built by :func:`clo_xl.ingest.deal_inputs.parse_deal_inputs` from the interchange document of CONTRACT §2
(shaped like ``legacy/mag17_deal.json``) or from the workbook reader. Units: money in deal currency, rates
as fractions, dates as ``datetime.date``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from clo_xl.enums import AccountType, MinMax
from clo_xl.portfolio.pool import Holding, Trade
from clo_xl.types import Money

#: Quality Test Inputs labels the engine reads (matched exactly and case-sensitively, as the legacy).
QTI_CURRENT_LIBOR = "Current LIBOR"
QTI_REINVESTMENT_TARGET = "Reinvestment Target Balance"
QTI_WAS = "Weighted Average Spread"
QTI_WARF_FACTOR = "WARF Factor"
QTI_WARF_THRESHOLD = "WARF Threshold"
QTI_JR_OC_DENOMINATOR = "JR OC Denominator"
QTI_WAS_FACTOR = "WAS Factor"
QTI_WARR_THRESHOLD = "WARR Threshold"
QTI_STATED_MATURITY = "Stated Maturity Date"
QTI_MWARR = "MWARR"


@dataclass(frozen=True)
class Account:
    """One ``Accounts`` row (F:I): number (legacy ``AccountType``), name, interest and principal cash."""

    number: int
    name: str
    interest: Money = 0.0
    principal: Money = 0.0

    @property
    def account_type(self) -> AccountType | None:
        try:
            return AccountType(self.number)
        except ValueError:
            return None


@dataclass(frozen=True)
class ThresholdRow:
    """One ``TestThresholds`` row (L:Q).

    ``min_max_text`` keeps the cell as written: the legacy treats anything other than "MAX" (after
    uppercasing) as MIN, including blanks and misspellings (§6 Q16); :attr:`min_max` is that reading.
    ``threshold`` ``None`` = blank/non-numeric (legacy reads 0; dynamic tests replace it). ``overwrite``
    ``None`` or 0 = no overwrite. ``previous_value`` ``None`` = blank.
    """

    test_number: int
    test_name: str = ""
    min_max_text: str = "Min"
    threshold: float | None = None
    overwrite: float | None = None
    previous_value: float | None = None

    @property
    def min_max(self) -> MinMax:
        return MinMax.MAX if self.min_max_text.strip().upper() == "MAX" else MinMax.MIN

    @property
    def min_max_is_explicit(self) -> bool:
        return self.min_max_text.strip().upper() in {"MIN", "MAX"}


@dataclass(frozen=True)
class ObjectiveWeight:
    test_number: int
    weight: float


def _freeze(m: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(m or {}))


@dataclass(frozen=True)
class DealInputs:
    """Everything compliance needs from a deal sheet, besides the assets.

    ``quality_test_inputs`` maps the exact legacy labels (e.g. ``"WARF Threshold"``) to a number or a
    date ("Stated Maturity Date"). ``holdings`` is the ``DealCollateral`` block when the inputs came from a
    workbook (extract files carry par in the assets file instead). ``extras`` keeps further keys of the
    interchange document untouched (tranches, fees, payment dates, CF assumptions) for other engines.
    """

    deal: str
    analysis_date: date
    accounts: tuple[Account, ...]
    thresholds: tuple[ThresholdRow, ...]
    next_payment_date: date | None = None
    current_libor: float = 0.0
    original_libor: float | None = None
    quality_test_inputs: Mapping[str, float | date] = field(default_factory=dict)
    objective_weights: tuple[ObjectiveWeight, ...] = ()
    holdings: tuple[Holding, ...] = ()
    trades: tuple[Trade, ...] = ()
    par_column: str | None = None
    tranches: tuple[Mapping[str, Any], ...] = ()
    extras: Mapping[str, Any] = field(default_factory=dict)
    #: the workbook's ``Holidays`` (Reference Table): business days for maturities and schedules
    holidays: tuple[date, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "quality_test_inputs", _freeze(self.quality_test_inputs))
        object.__setattr__(self, "extras", _freeze(self.extras))
        seen: set[int] = set()
        for row in self.thresholds:
            if row.test_number in seen:
                raise ValueError(f"test number {row.test_number} appears twice in the threshold table")
            seen.add(row.test_number)
        if not any(a.number == AccountType.COLLECTION for a in self.accounts):
            raise ValueError("no Collection account (account number 2)")

    # -- lookups --------------------------------------------------------------------------------------
    @property
    def collection_account(self) -> Account:
        """Account number 2 (the legacy keys accounts by number; S2 69–75 also matches the name)."""
        return next(a for a in self.accounts if a.number == AccountType.COLLECTION)

    @property
    def principal_cash(self) -> float:
        """Collection account principal: the only cash compliance uses (may be negative, §2.3)."""
        return self.collection_account.principal

    def qti(self, label: str) -> float | date | None:
        """A Quality Test Inputs value by exact label, ``None`` when missing."""
        return self.quality_test_inputs.get(label)

    def qti_number(self, label: str, default: float = 0.0) -> float:
        """A numeric Quality Test Input; missing → ``default`` (legacy: 0, §6 Q30)."""
        v = self.quality_test_inputs.get(label)
        if v is None or isinstance(v, date):
            return default
        return float(v)

    def threshold_row(self, test_number: int) -> ThresholdRow | None:
        return next((r for r in self.thresholds if r.test_number == test_number), None)

    @property
    def weights(self) -> dict[int, float]:
        """Objective weights by test number (a later duplicate row wins, as a dictionary assignment)."""
        return {w.test_number: w.weight for w in self.objective_weights}

    def with_weights(self, weights: Mapping[int, float]) -> DealInputs:
        rows = tuple(ObjectiveWeight(k, float(v)) for k, v in weights.items())
        return _replace(self, objective_weights=rows)

    def with_trades(self, trades: tuple[Trade, ...]) -> DealInputs:
        return _replace(self, trades=trades)


def _replace(d: DealInputs, **changes: Any) -> DealInputs:
    from dataclasses import replace

    return replace(d, **changes)


def fold_deal_name(name: str) -> str:
    """A deal name as compared: case ignored, outer and repeated spaces too ("mag 17" = " Mag  17" =
    "MAG 17"; "Mag17" is another name)."""
    return " ".join(name.casefold().split())


__all__ = [
    "QTI_CURRENT_LIBOR",
    "QTI_JR_OC_DENOMINATOR",
    "QTI_MWARR",
    "QTI_REINVESTMENT_TARGET",
    "QTI_STATED_MATURITY",
    "QTI_WARF_FACTOR",
    "QTI_WARF_THRESHOLD",
    "QTI_WARR_THRESHOLD",
    "QTI_WAS",
    "QTI_WAS_FACTOR",
    "Account",
    "DealInputs",
    "ObjectiveWeight",
    "ThresholdRow",
    "fold_deal_name",
]
