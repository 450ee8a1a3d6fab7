"""Admin reduction: a generic saving in hours per follow-up task, to test any admin measure.

For adopted incidents (of the listed types, or every type) each named task loses
``hours_saved`` hours, never dropping below zero. One uniform per call: adoption.
"""

from __future__ import annotations

import numpy as np

from sim.config.interventions import AdminReduction as Settings
from sim.config.schema import TASKS
from sim.model.incident import CallBlock
from sim.model.interventions.contract import Intervention


class AdminReduction(Intervention):
    """Fewer minutes on the named follow-up tasks of adopted incidents."""

    config_model = Settings
    uniforms = 1  # adoption
    dose_fields = ("hours_saved",)  # hours per task (no upper bound; a task still never drops below zero)
    config: Settings

    def rewrite(self, block: CallBlock, u: np.ndarray) -> None:
        """Each named task of adopted incidents loses its saving, never dropping below zero."""
        cfg = self.config
        adopted = self.adopted(block, u)
        if cfg.incident_types is not None:
            kinds = [self.types.index(t) for t in cfg.incident_types]
            adopted &= np.isin(block.kind, kinds)
        counted = self.counted(block)
        for task, hours in cfg.hours_saved.items():
            column = TASKS.index(task)
            before = block.followup[:, column].copy()
            block.followup[:, column] = np.where(adopted, np.maximum(before - hours * 60.0, 0.0), before)
            self.add(f"hours_saved.{self.name}", (before - block.followup[:, column])[counted])
