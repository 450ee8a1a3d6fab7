"""Automated redaction: software redacts body-worn video and case-file text; an officer checks it.

For adopted incidents the ``video_redaction`` and ``text_redaction`` follow-up minutes are
multiplied by ``1 - saving``, plus the residual check time (per footage minute for video, per
redacted file for text). One uniform per call: adoption.
"""

from __future__ import annotations

import numpy as np

from sim.config.interventions import AutomatedRedaction as Settings
from sim.config.schema import TASKS
from sim.model.incident import CallBlock
from sim.model.interventions.contract import Intervention

VIDEO = TASKS.index("video_redaction")
TEXT = TASKS.index("text_redaction")


class AutomatedRedaction(Intervention):
    """Shorter redaction of adopted incidents' video and text."""

    config_model = Settings
    uniforms = 1  # adoption
    dose_fields = ("video_saving", "text_saving")  # both savings (video 0.6, text 0.8): reach 1.25
    config: Settings

    def rewrite(self, block: CallBlock, u: np.ndarray) -> None:
        """Redaction minutes of adopted incidents: ``x (1 - saving)`` plus the residual check."""
        cfg = self.config
        adopted = self.adopted(block, u)
        before = block.followup[:, [VIDEO, TEXT]].sum(axis=1)
        video = block.followup[:, VIDEO]
        per_footage = self.context.scenario.tasks.get("video_redaction")
        check_video: np.ndarray | float = 0.0
        if per_footage is not None and per_footage.minutes_per_footage_minute:
            footage = video / per_footage.minutes_per_footage_minute
            check_video = footage * cfg.video_check_minutes_per_footage_minute
        new_video = video * (1.0 - cfg.video_saving) + check_video
        text = block.followup[:, TEXT]
        new_text = np.where(text > 0.0, text * (1.0 - cfg.text_saving) + cfg.text_check_hours_per_file * 60.0, 0.0)
        block.followup[:, VIDEO] = np.where(adopted, new_video, video)
        block.followup[:, TEXT] = np.where(adopted, new_text, text)
        after = block.followup[:, [VIDEO, TEXT]].sum(axis=1)
        self.add(f"hours_saved.{self.name}", (before - after)[self.counted(block)])
