"""Proactive work: part of officers' free time is planned patrol or problem-solving.

An officer with nothing to do (no queued incident they may take, no follow-up work) starts a
proactive spell with probability ``duties.proactive.share``, else waits (``available``). A spell
lasts a drawn ``spell_minutes``; then the officer looks at the dispatch queue again, takes an
incident if one is waiting, else decides afresh. During a spell only the urgent grades
(``interrupted_by``, by default the grades with ``interrupts_followup``) may take the officer,
after the waiting officers and before those at a desk; other incidents wait for a spell to end.
Time on spells is its own activity, ``proactive``, so ``available`` means truly waiting.

Draws come from the ``proactive.choice`` and ``proactive.spell`` streams, used only here, in
the order decisions happen, a batch at a time.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.config.duties import Proactive
from sim.errors import ConfigError
from sim.model.engine import Clock
from sim.model.officers import PROACTIVE, Duty, Officer

BATCH = 4096  # draws taken from a stream at once (one numpy call instead of thousands)


class ProactiveWork:
    """Officers on proactive spells, by place, and the draws that start and time the spells."""

    def __init__(
        self,
        config: Proactive,
        grade_names: list[str],
        interrupts: list[bool],
        clock: Clock,
        duty: Duty,
        choice: np.random.Generator,
        spell: np.random.Generator,
        places: int,
    ) -> None:
        self.config = config
        names = config.interrupted_by
        unknown = sorted(set(names or ()) - set(grade_names))
        if unknown:
            raise ConfigError(f"duties.proactive.interrupted_by: {unknown} are not grades")
        self.urgent = [name in names for name in grade_names] if names is not None else list(interrupts)
        self.clock = clock
        self.duty = duty
        self.share = config.share
        self.choice_rng = choice
        self.spell_rng = spell
        self.pools: list[dict[int, Officer]] = [{} for _ in range(places)]
        self.count = 0
        self.on_end: Callable[[Officer], None] | None = None  # the dispatcher's officer_free
        self._choices: list[float] = []
        self._spells: list[float] = []

    def start(self, officer: Officer) -> bool:
        """An officer with nothing to do: start a spell (True) or leave them to wait (False)."""
        choices = self._choices
        if not choices:
            choices = self._choices = self.choice_rng.random(BATCH).tolist()[::-1]
        if choices.pop() >= self.share:
            return False
        if not self._spells:
            self._spells = self.config.spell_minutes.sample(self.spell_rng, BATCH).tolist()[::-1]
        self.duty.move(officer, PROACTIVE)
        self.pools[officer.place][officer.number] = officer
        self.count += 1
        officer.token = token = officer.token + 1
        self.clock.after(self._spells.pop(), self._end, officer, token)
        return True

    def taken(self, officer: Officer) -> None:
        """An officer taken off a spell by an urgent incident (already out of the pool)."""
        self.count -= 1
        officer.token += 1

    def leave(self, officer: Officer) -> None:
        """Take an officer off a spell for a meal break or the end of the shift."""
        del self.pools[officer.place][officer.number]
        self.taken(officer)

    def _end(self, officer: Officer, token: int) -> None:
        if officer.token != token:
            return
        del self.pools[officer.place][officer.number]
        self.count -= 1
        assert self.on_end is not None
        self.on_end(officer)
