"""policesim: a discrete-event simulation of police officer time, built on SimPy.

The public API for notebooks lives here: load a scenario, simulate it, get tables.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("policesim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
