"""AI 101 triage: an assistant answers 101 contacts first, when it has a free session.

Of the adopted 101 contacts it reaches, contained contacts needing no deployment never reach a
handler (non-incident calls vanish, incidents of a non-deployed grade are closed at once, as
direct reports); the rest keep ``1 - handling_time_saving`` of their handling time,
``patience_factor`` times their patience, and may be misgraded (``regrade``).

Three uniforms per call: adoption, containment, misgrade.
"""

from __future__ import annotations

import heapq

import numpy as np

from sim.config.interventions import Ai101Triage as Settings
from sim.model.demand import CHANNEL_101, CHANNEL_DIRECT, NON_INCIDENT
from sim.model.incident import CallBlock
from sim.model.interventions.contract import Context, Intervention


class Ai101Triage(Intervention):
    """Fewer 101 contacts reach a handler, and those that do take less of their time."""

    config_model = Settings
    uniforms = 3  # adoption, containment, misgrade
    dose_fields = ("containment", "handling_time_saving")  # containment and handler-time saving: reach 1 / the larger
    config: Settings

    def __init__(self, name: str, config: Settings, context: Context) -> None:
        super().__init__(name, config, context)
        grades = context.scenario.grades
        self.deploy = np.array([grades[g].deploy for g in self.grades], dtype=bool)
        self.busy: list[float] = []  # a heap of the times the assistant's sessions end

    def rewrite(self, block: CallBlock, u: np.ndarray) -> np.ndarray:
        """Contain some contacts, shorten and regrade the rest; returns which calls remain."""
        cfg = self.config
        reached = (block.channel == CHANNEL_101) & (u[:, 0] < cfg.adoption)
        if cfg.concurrent_sessions is not None:
            reached &= self._sessions(block.time, reached, cfg.concurrent_sessions)
        no_deploy = (block.kind == NON_INCIDENT) | ~self.deploy[np.maximum(block.grade, 0)]
        contained = reached & no_deploy & (u[:, 1] < cfg.containment)
        in_window = block.time >= self.context.stats.start
        self.add("remote.ai_101_contained", (contained & in_window).astype(float))
        self.add("remote.hours_handler_saved", block.handling[contained & in_window])
        block.channel = np.where(contained & (block.kind >= 0), CHANNEL_DIRECT, block.channel)
        passed = reached & ~contained
        saved = block.handling * cfg.handling_time_saving
        self.add("remote.hours_handler_saved", saved[passed & in_window])
        block.handling = np.where(passed, block.handling - saved, block.handling)
        block.patience = np.where(passed, block.patience * cfg.patience_factor, block.patience)
        for grade, row in cfg.regrade.items():
            source = self.grades.index(grade)
            edges = np.cumsum(list(row.values()))
            targets = np.array([self.grades.index(g) for g in row])
            pick = np.searchsorted(edges, u[:, 2], side="right")
            change = passed & (block.kind >= 0) & (block.grade == source) & (pick < len(row))
            block.grade = np.where(change, targets[np.minimum(pick, len(row) - 1)], block.grade)
        return ~(contained & (block.kind == NON_INCIDENT))

    def _sessions(self, times: np.ndarray, reached: np.ndarray, sessions: int) -> np.ndarray:
        """Whether the assistant has a free session for each reached contact (no queue)."""
        served = np.zeros(len(times), dtype=bool)
        busy = self.busy
        for i in np.flatnonzero(reached):
            while busy and busy[0] <= times[i]:
                heapq.heappop(busy)
            if len(busy) < sessions:
                heapq.heappush(busy, times[i] + self.config.session_minutes)
                served[i] = True
        return served
