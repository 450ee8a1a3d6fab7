"""Statistics gathered as the run goes: counts, time integrals and streaming histograms.

Everything is aggregated on the fly inside the statistics window [warm-up, horizon], so memory
stays flat however long the horizon; per-incident records exist only when asked for.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from itertools import accumulate

import numpy as np

from sim.config.schema import TASKS
from sim.model.officers import TIMED_STATES

ACTIVITIES: tuple[str, ...] = (*TIMED_STATES, *TASKS)  # officer-time categories: timed states, then desk tasks
ACTIVITY_INDEX = {name: index for index, name in enumerate(ACTIVITIES)}
OUTCOMES: tuple[str, ...] = (
    "generated",
    "attended",
    "attended_within_target",
    "not_attended",
    "resolved_without_deployment",
    "waited",
    "lost_to_abandonment",
    # Attendance decisions (sim/model/attendance.py); always zero without a scenario's ``attendance``.
    "attended_by_video",
    "resolved_by_telephone",
    "diverted",
    "appointments_missed",
)

GENERATED = OUTCOMES.index("generated")


# Metric groups whose ``p50``/``p90`` come from a LogHistogram: each replication's value is known
# only to within one bin (a factor RATIO), which summaries must carry into their intervals.
BINNED_QUANTILE_GROUPS: tuple[str, ...] = ("response_minutes", "response_minutes_by_grade", "appointment_wait_hours")


def is_binned_quantile(metric: str) -> bool:
    """True for a flat metric key such as ``response_minutes.burglary.p90`` (a histogram quantile)."""
    group, _, leaf = metric.partition(".")
    return group in BINNED_QUANTILE_GROUPS and leaf.rsplit(".", 1)[-1] in ("p50", "p90")


# LogHistogram's bins (module constants for its ``add``, called for every response).
_RATIO = 1.001
_LOW = 0.01
_BINS = int(math.log(1e7 / 0.01) / math.log(1.001)) + 2
_LOG_RATIO = math.log(_RATIO)
_log = math.log


class LogHistogram:
    """Quantiles of positive values to 0.1% relative accuracy in fixed memory (plus exact mean).

    Bin ``i`` (i >= 1) holds values in ``[LOW * RATIO**(i-1), LOW * RATIO**i)``; a quantile is
    interpolated geometrically inside its bin by rank, so a value is reported within 0.1% of where
    it lies, never at a fixed bin centre.
    """

    RATIO = _RATIO
    LOW = _LOW
    BINS = _BINS
    CHUNK = 256  # bins summed at a time when searching for a quantile

    def __init__(self) -> None:
        self.counts = [0] * self.BINS  # a list: one element updates faster than in a numpy array
        self.total = 0.0
        self.n = 0

    def add(self, value: float) -> None:
        """Record one value (values at or below LOW go to the first bin)."""
        self.n += 1
        self.total += value
        if value <= _LOW:
            self.counts[0] += 1
            return
        index = int(_log(value / _LOW) / _LOG_RATIO) + 1  # module constants: globals are read faster
        self.counts[index if index < _BINS else _BINS - 1] += 1

    def mean(self) -> float:
        return self.total / self.n if self.n else math.nan

    @classmethod
    def bounds(cls, value: float) -> tuple[float, float]:
        """Where the true quantile lies, given the reported one: both are in one bin, whose
        width is a factor RATIO, so the truth is within a factor RATIO of the report."""
        return value / cls.RATIO, value * cls.RATIO

    def quantile(self, q: float) -> float:
        """The q-quantile: the bin holding rank ``q * n``, interpolated inside it by rank."""
        if self.n == 0:
            return math.nan
        target = q * self.n
        # The first bin whose running count reaches the target: whole chunks of bins are summed
        # (C speed, no new objects) until one reaches it, then that chunk is searched bin by bin.
        counts = self.counts
        start, before = 0, 0  # the chunk's first bin, and the count of all bins before it
        while start < self.BINS:
            chunk = sum(counts[start : start + self.CHUNK])
            if before + chunk >= target:
                break
            before += chunk
            start += self.CHUNK
        running = list(accumulate(counts[start : start + self.CHUNK], initial=before))
        offset = bisect_left(running, target, 1) - 1  # running[k + 1]: the count through bin start + k
        index = start + offset
        if index == 0:
            return self.LOW
        inside = (target - running[offset]) / counts[index]
        return self.LOW * self.RATIO ** (index - 1 + inside)


class Stats:
    """Everything a replication measures, clipped to the statistics window."""

    def __init__(self, start: float, end: float, type_names: list[str], grade_names: list[str]) -> None:
        self.start = start
        self.end = end
        self.type_names = type_names
        self.grade_names = grade_names
        # Plain lists on the hot path: a Python float or int updates faster than a numpy element.
        self.outcomes = [[0] * len(OUTCOMES) for _ in type_names]
        self.grade_outcomes = [[0] * len(OUTCOMES) for _ in grade_names]
        self.response = [LogHistogram() for _ in type_names]
        self.grade_response = [LogHistogram() for _ in grade_names]
        self.queue_wait_total = [0.0] * len(type_names)
        self.queue_entries = [0] * len(type_names)
        self.activity_minutes = [0.0] * len(ACTIVITIES)
        self.rostered_minutes = 0.0
        self.overtime_minutes = 0.0
        self.queue_area = [0.0] * len(grade_names)
        self.contact = {
            "offered_999": 0,
            "answered_999": 0,
            "answered_999_within_10s": 0,
            "offered_101": 0,
            "answered_101": 0,
            "abandoned_101": 0,
            "answer_wait_101_minutes": 0.0,
            "online_handled": 0,
        }

    def overlap(self, start: float, end: float) -> float:
        """Length of [start, end] inside the statistics window."""
        low = start if start > self.start else self.start  # max and min, without the calls
        high = end if end < self.end else self.end
        return high - low if high > low else 0.0

    def add_activity(self, activity: int, start: float, end: float) -> None:
        """Officer time spent in one activity between two instants."""
        low = start if start > self.start else self.start
        high = end if end < self.end else self.end
        if high > low:
            self.activity_minutes[activity] += high - low

    def regrade(self, old: int, new: int) -> None:
        """An incident still waiting (nothing counted for it but its generation) moves to another grade."""
        self.grade_outcomes[old][GENERATED] -= 1
        self.grade_outcomes[new][GENERATED] += 1

    def count(self, kind: int, grade: int, outcome: int) -> None:
        """One incident outcome (by type and by grade)."""
        self.outcomes[kind][outcome] += 1
        if grade >= 0:
            self.grade_outcomes[grade][outcome] += 1

    def count_many(self, kinds: np.ndarray, grades: np.ndarray, outcome: int) -> None:
        """One outcome for each of many incidents at once (``kinds`` and ``grades`` side by side), as
        ``count`` would add them one by one."""
        for kind, n in enumerate(np.bincount(kinds, minlength=len(self.outcomes)).tolist()):
            self.outcomes[kind][outcome] += n
        graded = grades[grades >= 0]
        for grade, n in enumerate(np.bincount(graded, minlength=len(self.grade_outcomes)).tolist()):
            self.grade_outcomes[grade][outcome] += n

    def uncount(self, kind: int, grade: int, outcome: int) -> None:
        """Take back one ``count`` (an outcome counted ahead of a run that stopped before it)."""
        self.outcomes[kind][outcome] -= 1
        if grade >= 0:
            self.grade_outcomes[grade][outcome] -= 1
