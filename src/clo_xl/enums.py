"""Enumerations of the domain. Strings from workbooks and extracts become these at the boundary
(:mod:`clo_xl.ingest`); the core never compares raw cell text such as ``"Yes"`` or ``"Max"``.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Convention(StrEnum):
    """Which rule book the compliance engine follows.

    ``LEGACY`` reproduces every defect of COMPLIANCE_SPEC §6 that changes a published result (so the
    parallel run matches the workbook); ``CORRECTED`` follows ``DOMAIN.md`` and fixes them. Each difference
    is one :class:`clo_xl.compliance.quirks.Quirk` switch.
    """

    LEGACY = "legacy"
    CORRECTED = "corrected"


class MinMax(StrEnum):
    """Direction of a threshold: ``MAX`` passes when result <= threshold, ``MIN`` when result >= threshold."""

    MIN = "Min"
    MAX = "Max"


class BondLoan(StrEnum):
    LOAN = "LOAN"
    BOND = "BOND"


class CouponType(StrEnum):
    FLOAT = "FLOAT"
    FIXED = "FIXED"


class TransactionType(StrEnum):
    BUY = "Buy"
    SALE = "Sale"


class AccountType(IntEnum):
    """Account numbers of the legacy ``AccountType`` enum (UDT 23–33)."""

    PAYMENT = 1
    COLLECTION = 2
    RAMP_UP = 3
    REVOLVER_FUNDING = 4
    EXPENSE_RESERVE = 5
    CUSTODIAL = 6
    SUPPLEMENTAL_RESERVE = 7
    INTEREST_RESERVE = 8
    FUNDING_NOTE = 9


class Outlook(StrEnum):
    """Moody's outlook / watch text. Only Upgrade, Downgrade and Negative change a derivation (§3)."""

    UPGRADE = "Upgrade"
    DOWNGRADE = "Downgrade"
    NEGATIVE = "Negative"
    POSITIVE = "Positive"
    STABLE = "Stable"
    DEVELOPING = "Developing"


class BusinessDayConvention(StrEnum):
    FOLLOWING = "Following"
    MOD_FOLLOWING = "Mod Following"
    PREVIOUS = "Previous"
    MOD_PREVIOUS = "Mod Previous"
    UNADJUSTED = "Unadjusted"


class DayCount(StrEnum):
    ACT_360 = "ACTUAL/360"
    ACT_365 = "ACTUAL/365"
    ACT_ACT = "ACTUAL/ACTUAL"
    THIRTY_360 = "30/360"


class HypoMode(StrEnum):
    """``POOL``: all trades applied together; ``INDIVIDUAL``: each trade on its own (Run Model N8)."""

    POOL = "pool"
    INDIVIDUAL = "individual"


__all__ = [
    "AccountType",
    "BondLoan",
    "BusinessDayConvention",
    "Convention",
    "CouponType",
    "DayCount",
    "HypoMode",
    "MinMax",
    "Outlook",
    "TransactionType",
]
