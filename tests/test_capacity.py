"""Absorbable-demand search: the monotone search itself, and the whole search against Erlang C."""

from __future__ import annotations

import math

import pytest
from scipy.optimize import brentq

from sim.capacity import largest_feasible


def erlang_c(servers: int, offered: float) -> float:
    """Probability of waiting in M/M/c (Erlang B recursion, then the C conversion)."""
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = offered * blocking / (k + offered * blocking)
    return blocking / (1.0 - (offered / servers) * (1.0 - blocking))


def service_level(rate: float, mean_service: float, servers: int, target: float) -> float:
    """P(wait <= target) in M/M/c: 1 - C(c, a) exp(-(c mu - lambda) t)."""
    offered = rate * mean_service
    if offered >= servers:
        return 0.0
    decay = (servers / mean_service - rate) * target
    return 1.0 - erlang_c(servers, offered) * math.exp(-decay)


def test_search_finds_erlang_c_absorbable_demand() -> None:
    """Service 20% shorter: extra arrivals per hour at equal service level, to the tolerance."""
    servers, rate, service, target = 10, 7.0, 1.0, 0.25
    base_level = service_level(rate, service, servers, target)
    def gap(extra: float) -> float:
        return service_level(rate + extra, 0.8 * service, servers, target) - base_level

    truth = brentq(gap, 0.0, 5.0)
    result = largest_feasible(lambda x: gap(x) >= 0.0, first_step=0.5, max_extra=50.0,
                              tolerance=0.01)
    assert not result.censored
    assert result.feasible <= truth <= result.infeasible
    assert result.estimate == pytest.approx(truth, abs=0.01)
    assert result.evaluations <= 1 + 5 + 10


def test_infeasible_at_zero_and_censored() -> None:
    """A scenario worse than base absorbs nothing; one that never fails is censored at the cap."""
    worse = largest_feasible(lambda x: False, first_step=1.0, max_extra=10.0, tolerance=0.1)
    assert (worse.estimate, worse.evaluations, worse.censored) == (0.0, 1, False)
    never = largest_feasible(lambda x: True, first_step=1.0, max_extra=10.0, tolerance=0.1)
    assert never.censored and never.estimate == 10.0 and math.isinf(never.infeasible)
    with pytest.raises(ValueError, match="first_step"):
        largest_feasible(lambda x: True, first_step=0.0, max_extra=1.0, tolerance=0.1)
