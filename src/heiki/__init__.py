"""heiki: prove offline that a closed Azure ML environment is closed and workable."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("heiki")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

__all__ = ["__version__"]
