"""The sample workbook that ships with clo-xl (synthetic, seeded data: ten deals, about 1,000 assets).

>>> sample_workbook().name
'TradeHypo.xlsm'
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def sample_workbook() -> Path:
    """Path of the packaged sample ``TradeHypo.xlsm`` (the legacy layout, with legacy output tabs)."""
    return Path(str(files("clo_xl") / "data" / "sample" / "TradeHypo.xlsm"))


__all__ = ["sample_workbook"]
