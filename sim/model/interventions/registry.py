"""The registry: every intervention the model knows, one line each, in the order they act.

``register`` adds one (a plug-in, or a test's toy) at run time: its settings model becomes the
validator of its ``interventions.<name>`` config section, and its class runs when that section is
enabled. The built-ins' settings live in the config layer (``sim/config/interventions.py``).
"""

from __future__ import annotations

from sim.config.interventions import InterventionsConfig, register_section, unregister_section
from sim.model.interventions.admin_reduction import AdminReduction
from sim.model.interventions.ai_101_triage import Ai101Triage
from sim.model.interventions.automated_redaction import AutomatedRedaction
from sim.model.interventions.contract import Intervention
from sim.model.interventions.drone_first_response import DroneFirstResponse
from sim.model.interventions.extra_demand import ExtraDemand
from sim.model.interventions.video_interviews import VideoInterviews

REGISTRY: dict[str, type[Intervention]] = {}


def register(name: str, intervention: type[Intervention]) -> None:
    """Run ``intervention`` whenever ``interventions.<name>`` is enabled (after those registered before)."""
    register_section(name, intervention.config_model)
    REGISTRY[name] = intervention


def unregister(name: str) -> None:
    """Forget a plug-in registered at run time."""
    REGISTRY.pop(name, None)
    unregister_section(name)


register("automated_redaction", AutomatedRedaction)
register("admin_reduction", AdminReduction)
register("video_interviews", VideoInterviews)
register("drone_first_response", DroneFirstResponse)
register("ai_101_triage", Ai101Triage)
register("extra_demand", ExtraDemand)

_unmatched = set(InterventionsConfig.model_fields) - set(REGISTRY)
assert not _unmatched, f"built-in intervention sections with no model: {sorted(_unmatched)}"
