"""clo-xl: the Python core, database and Excel bridge that replace the VBA of TradeHypoPrelimv32.xlsm."""

#: the release; pyproject.toml reads it from here (one source), so asking for it imports nothing else
__version__ = "0.1.0"

__all__ = ["__version__"]
