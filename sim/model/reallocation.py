"""Reallocation: officers moved between the response and investigation pools for the hours freed.

Hours an intervention frees in one pool reach the other only through this. The freed hours of a
pool are the follow-up minutes the enabled interventions remove from the tasks that pool does,
measured on the first ``duties.investigation.reallocation.sample_weeks`` weeks of the scenario's
own demand (cut at the horizon) drawn from separate streams (prefix ``reallocation.``, so the
run's draws are untouched), and scaled to a year. Each pool gives up ``share`` of its freed hours as officers, at the pool's
working hours per officer-year (mean rostered hours a day x 365.25 x (1 - abstraction)); the
net, rounded to whole officers, moves before the run starts. Share 0 moves nobody; share 1 moves
all the freed hours. Remote attendance (video, drone) and on-scene savings are not counted: they
free response time only, and stay there. At least one officer per team (and station) stays.
"""

from __future__ import annotations

from typing import cast

import numpy as np

from sim.config.schema import Scenario, Workforce
from sim.errors import ConfigError
from sim.model.demand import HOURS_PER_WEEK, DemandGenerator
from sim.model.dispatch import Dispatcher
from sim.model.interventions.extra_demand import PrefixedStreams
from sim.model.interventions.runner import Interventions
from sim.model.pools import routing_table
from sim.model.stats import Stats
from sim.model.streams import Streams

DAYS_PER_YEAR = 365.25
DAYS_PER_WEEK = HOURS_PER_WEEK / 24


def response_hours_per_officer_year(workforce: Workforce) -> float:
    """Hours a response officer works in a year: mean rostered hours a day x 365.25 x (1 - abstraction)."""
    pattern = workforce.pattern
    if pattern is None or workforce.teams is None:
        raise ConfigError("duties.investigation.reallocation: needs the response rota as workforce.teams and pattern")
    daily = sum(workforce.shifts[day].length_hours for day in pattern if day != "off") / len(pattern)
    return daily * 365.25 * (1.0 - workforce.abstraction.total())


def freed_hours_per_year(scenario: Scenario, streams: Streams) -> tuple[float, float]:
    """(response, investigation) follow-up hours a year the interventions remove, from the sample weeks."""
    pool = scenario.duties.investigation if scenario.duties is not None else None
    assert pool is not None
    sample = PrefixedStreams(streams, "reallocation.")
    generator = DemandGenerator(scenario, sample)
    # The sample is only rewritten, never dispatched: no responder is asked to attend, so no dispatcher.
    stats = Stats(0.0, scenario.horizon_days * 1440.0, [], [])
    interventions = Interventions(scenario, sample, stats, None, cast(Dispatcher, None))
    routed = routing_table(scenario)
    weeks = min(pool.reallocation.sample_weeks, generator.weeks())
    freed = np.zeros(2)  # minutes: response, investigation
    for week in range(weeks):
        block = generator.block(week)
        before = _by_pool(block.kind, block.grade, block.followup, routed)
        after = interventions.apply(block, week, first_number=1)  # rewrites the follow-up minutes in place
        freed += before - _by_pool(after.kind, after.grade, after.followup, routed)
    sampled_days = min(weeks * DAYS_PER_WEEK, scenario.horizon_days)  # the last week may end at the horizon
    scale = DAYS_PER_YEAR / sampled_days / 60.0
    return float(freed[0] * scale), float(freed[1] * scale)


def _by_pool(kind: np.ndarray, grade: np.ndarray, followup: np.ndarray, routed: np.ndarray) -> np.ndarray:
    """Follow-up minutes of incident rows that stay with response, and that go to the pool."""
    rows = kind >= 0
    mask = routed[kind[rows], grade[rows]]
    minutes = followup[rows]
    to_pool = float(np.sum(minutes[mask]))
    return np.array([float(np.sum(minutes)) - to_pool, to_pool])


def officers_moved(scenario: Scenario, streams: Streams) -> int:
    """Net officers moved from the investigation pool to response (negative: the other way)."""
    pool = scenario.duties.investigation if scenario.duties is not None else None
    if pool is None or pool.reallocation.share == 0.0 or not scenario.interventions.active():
        return 0
    response, investigation = freed_hours_per_year(scenario, streams)
    share = pool.reallocation.share
    net = share * investigation / pool.hours_per_officer_year() - share * response / response_hours_per_officer_year(
        scenario.workforce
    )
    workforce = scenario.workforce
    keep_response = (workforce.teams or 1) * len(workforce.stations)
    return int(np.clip(round(net), -(workforce.response_officers - keep_response), pool.officers - pool.teams))
