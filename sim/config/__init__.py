"""Scenario configuration: the pydantic schema, distributions, and loading (YAML, ``extends``, ``--set``).

The bottom layer: nothing here imports the model, studies, reports or commands.
"""

from sim.config.loading import (
    BASELINE_CONFIG,
    DEFAULT_CONFIG,
    apply_overrides,
    config_hash,
    load_scenario,
    resolved_dict,
    scenario_from_dict,
)
from sim.config.schema import Scenario

__all__ = [
    "BASELINE_CONFIG",
    "DEFAULT_CONFIG",
    "Scenario",
    "apply_overrides",
    "config_hash",
    "load_scenario",
    "resolved_dict",
    "scenario_from_dict",
]
