"""Assets, pools (column arrays over assets and par), holdings and trades."""

from clo_xl.portfolio.asset import ALL_ASSETS_HEADERS, ASSET_COLUMNS, Asset
from clo_xl.portfolio.pool import Holding, Pool, Trade, Universe

__all__ = ["ALL_ASSETS_HEADERS", "ASSET_COLUMNS", "Asset", "Holding", "Pool", "Trade", "Universe"]
