"""Right Care Right Person: a share of welfare-type incidents passed to health services.

In front of dispatch, an incident of one of the listed types whose draw from the
``intervention.right_care_right_person`` stream (one uniform per incident number) is below
``share`` is closed as resolved without deployment: health services take it, and no officer
goes. A larger share passes on every incident a smaller one did, and more (monotone coupling on
common random numbers), so welfare deployments fall and available time rises with the share.
"""

from __future__ import annotations

from collections.abc import Callable

from sim.config.sinks import RightCareRightPerson as RcrpConfig
from sim.model.dispatch import RESOLVED, Dispatcher
from sim.model.incident import Incident
from sim.model.per_incident import uniforms
from sim.model.streams import Streams


class RightCareRightPerson:
    """Passes incidents to health services before dispatch; counts them."""

    def __init__(self, config: RcrpConfig, types: list[str], streams: Streams) -> None:
        self.share = config.share
        self.kinds = [name in config.types for name in types]
        self.draw = uniforms(streams, "intervention.right_care_right_person")
        self.passed = 0

    def wrap(self, dispatcher: Dispatcher, submit: Callable[[Incident], None]) -> Callable[[Incident], None]:
        """``submit`` with the health-services filter in front of it."""

        def health_first(incident: Incident) -> None:
            if self.kinds[incident.kind] and self.draw[incident.number] < self.share:
                if incident.counted:
                    self.passed += 1
                dispatcher.close(incident, RESOLVED)
                return
            submit(incident)

        return health_first

    def metrics(self) -> dict[str, float]:
        return {"right_care_right_person.passed_to_health": float(self.passed)}
