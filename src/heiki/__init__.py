"""heiki: prove offline that a closed Azure ML environment is closed and workable."""

# a plain constant, not importlib.metadata: that import alone costs a fifth of `heiki --version`
from heiki._version import __version__

__all__ = ["__version__"]
