"""riskbrief: versioned briefings on the US-China AI race and AI safety."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("riskbrief")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"

__all__ = ["__version__"]
