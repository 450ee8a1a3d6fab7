"""Follow-up work: the tasks an attended incident leaves its lead officer, done at a desk.

An officer's backlog is a queue of ``[task, minutes remaining]`` done in order; deadline work
(``sim.model.custody``) carries a third element, told when the task is finished. Desk time is
spent in stints; when a stint ends (finished, interrupted by an urgent incident, a meal break or
the end of the shift) its elapsed time is charged to the tasks in order, so officer hours by
task are exact and the unfinished remainder carries over to the officer's next shift.
"""

from __future__ import annotations

from sim.config.schema import TASKS
from sim.model.officers import Officer
from sim.model.stats import ACTIVITY_INDEX, Stats

TASK_ACTIVITY = [ACTIVITY_INDEX[task] for task in TASKS]


def add_followup(officer: Officer, minutes_by_task: list[float]) -> float:
    """Queue the tasks of one incident (those with positive minutes, in task order); returns minutes added."""
    added = 0.0
    append = officer.backlog.append
    for task, minutes in enumerate(minutes_by_task):
        if minutes > 0.0:
            append([task, minutes])
            added += minutes
    return added


def charge_desk_time(officer: Officer, start: float, elapsed: float, stats: Stats, finished: bool) -> float:
    """Charge ``elapsed`` desk minutes from ``start`` to the backlog in order; returns minutes done.

    ``finished`` means the stint ran to its scheduled end, so the whole backlog is done (this
    avoids leaving a sliver of work behind through floating-point rounding).
    """
    backlog = officer.backlog
    done = 0.0
    while backlog:
        item = backlog[0]
        spent = item[1] if finished else min(item[1], elapsed - done)
        if spent <= 0.0:
            break
        stats.add_activity(TASK_ACTIVITY[item[0]], start + done, start + done + spent)
        done += spent
        item[1] -= spent
        if item[1] > 1e-9:
            break
        backlog.popleft()
        if len(item) > 2:
            item[2].task_done(start + done)
    return done
