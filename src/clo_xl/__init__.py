"""clo-xl: the Python core, database and Excel bridge that replace the VBA of TradeHypoPrelimv32.xlsm."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("clo-xl")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
