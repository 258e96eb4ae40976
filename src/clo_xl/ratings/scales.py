"""Moody's and S&P rating scales, parsed once at the boundary.

A rating is an enum member; "unrated" is ``None``. Blank, ``NR``, ``WR`` (withdrawn) and ``N/A`` mean
unrated; any other text that is not a symbol of the scale is an error (the ingest layer reports it with
its cell). Moody's symbols are matched case-insensitively (the legacy uppercases columns 43, 45 and 46,
so ``"CAA1"`` is a valid spelling of Caa1).

Ranks follow the legacy 21-rank table (COMPLIANCE_SPEC §3.1): 1 = Aaa/AAA … 21 = C. The legacy *lookup*
defects (case-sensitive match, S&P rank 15 spelt "BB") are reproduced in :mod:`clo_xl.compliance.derive`,
not here: the enums themselves are correct.
"""

from __future__ import annotations

from enum import IntEnum

UNRATED_TEXT = frozenset({"", "NR", "WR", "N/A", "NA", "N.R.", "NONE", "NOT RATED"})


class MoodysRating(IntEnum):
    """Moody's long-term scale; the value is the legacy rank (1 = Aaa … 21 = C)."""

    Aaa = 1
    Aa1 = 2
    Aa2 = 3
    Aa3 = 4
    A1 = 5
    A2 = 6
    A3 = 7
    Baa1 = 8
    Baa2 = 9
    Baa3 = 10
    Ba1 = 11
    Ba2 = 12
    Ba3 = 13
    B1 = 14
    B2 = 15
    B3 = 16
    Caa1 = 17
    Caa2 = 18
    Caa3 = 19
    Ca = 20
    C = 21

    @property
    def rank(self) -> int:
        return int(self.value)

    @property
    def symbol(self) -> str:
        return self.name

    def __str__(self) -> str:
        return self.name

    @classmethod
    def from_rank(cls, rank: int) -> MoodysRating:
        return cls(min(max(rank, 1), 21))


_SP_SYMBOLS: tuple[str, ...] = (
    "AAA", "AA+", "AA", "AA-", "A+", "A", "A-", "BBB+", "BBB", "BBB-", "BB+", "BB", "BB-",
    "B+", "B", "B-", "CCC+", "CCC", "CCC-", "CC", "C",
)  # fmt: skip


class SPRating(IntEnum):
    """S&P long-term scale. Values 1…21 are the legacy ranks (AAA … C); ``SD`` and ``D`` (default) have
    no rank in the legacy table (rank 0)."""

    AAA = 1
    AA_PLUS = 2
    AA = 3
    AA_MINUS = 4
    A_PLUS = 5
    A = 6
    A_MINUS = 7
    BBB_PLUS = 8
    BBB = 9
    BBB_MINUS = 10
    BB_PLUS = 11
    BB = 12
    BB_MINUS = 13
    B_PLUS = 14
    B = 15
    B_MINUS = 16
    CCC_PLUS = 17
    CCC = 18
    CCC_MINUS = 19
    CC = 20
    C = 21
    SD = 22
    D = 23

    @property
    def rank(self) -> int:
        """Legacy rank 1…21; 0 for SD and D."""
        return int(self.value) if self.value <= 21 else 0

    @property
    def symbol(self) -> str:
        if self is SPRating.SD:
            return "SD"
        if self is SPRating.D:
            return "D"
        return _SP_SYMBOLS[self.value - 1]

    def __str__(self) -> str:
        return self.symbol

    @classmethod
    def from_rank(cls, rank: int) -> SPRating:
        return cls(min(max(rank, 1), 21))


_MOODYS_BY_UPPER = {m.name.upper(): m for m in MoodysRating}
_SP_BY_SYMBOL = {s.symbol: s for s in SPRating}


def is_unrated_text(text: object) -> bool:
    return text is None or str(text).strip().upper() in UNRATED_TEXT


def parse_moodys(text: object) -> MoodysRating | None:
    """``"B1"``/``"b1"``/``"CAA1"`` → enum; blank, NR, WR → ``None``; anything else → ``ValueError``."""
    if is_unrated_text(text):
        return None
    key = str(text).strip().upper()
    try:
        return _MOODYS_BY_UPPER[key]
    except KeyError:
        raise ValueError(f"not a Moody's rating symbol: {str(text).strip()!r}") from None


def parse_sp(text: object) -> SPRating | None:
    """``"BB-"`` → enum; blank, NR, WR → ``None``; ``"D"``/``"SD"`` are valid; other text → ``ValueError``."""
    if is_unrated_text(text):
        return None
    key = str(text).strip().upper()
    try:
        return _SP_BY_SYMBOL[key]
    except KeyError:
        raise ValueError(f"not an S&P rating symbol: {str(text).strip()!r}") from None


__all__ = ["MoodysRating", "SPRating", "is_unrated_text", "parse_moodys", "parse_sp"]
