"""Named units used across clo-xl.

All are plain ``float`` at run time (numpy-friendly); the names document the unit in signatures:

* :data:`Money` — an amount in the deal currency (USD), e.g. par ``1_500_000.0``.
* :data:`Rate` — a fraction, never a percentage: ``0.0375`` is 3.75 % (375 bp).
* :data:`Bps` — basis points: ``375.0``.
* :data:`Price` — a price in points of par: ``99.292`` (legacy Market Value); divide by 100 for a fraction.
* :data:`Years` — a time span in years (WAL).
"""

from __future__ import annotations

from typing import TypeAlias

Money: TypeAlias = float
Rate: TypeAlias = float
Bps: TypeAlias = float
Price: TypeAlias = float
Years: TypeAlias = float

__all__ = ["Bps", "Money", "Price", "Rate", "Years"]
