"""policesim: a discrete-event simulation of police officer time, built on SimPy.

The notebook API: ``load_scenario``, ``simulate``, ``RunResult``, ``run_replications``,
``summarise``, ``load_experiment``, ``run_experiment`` and ``paired_table``. Names are imported
on first use, so ``import sim`` (and the command's start-up) stays light.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("policesim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

_API = {
    "load_scenario": "sim.config",
    "scenario_from_dict": "sim.config",
    "Scenario": "sim.config",
    "simulate": "sim.model",
    "RunResult": "sim.model",
    "run_replications": "sim.study.replications",
    "summarise": "sim.study.replications",
    "load_experiment": "sim.study.experiment",
    "run_experiment": "sim.study.compare",
    "paired_table": "sim.study.compare",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    """Import an API name from its module on first use (PEP 562)."""
    if name in _API:
        value = getattr(import_module(_API[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
