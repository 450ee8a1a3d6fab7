"""Absorbable-demand search: the monotone search itself, and the whole search against Erlang C."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from scenarios import build, mmc_dict
from scipy.optimize import brentq
from test_compare import write_experiment

from sim.commands.cli import main
from sim.study.capacity import (
    CapacitySettings,
    absorbable_demand,
    largest_feasible,
    summarise_capacity,
)


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
    result = largest_feasible(lambda x: gap(x) >= 0.0, first_step=0.5, max_extra=50.0, tolerance=0.01)
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


def test_simulated_capacity_matches_erlang_c() -> None:
    """M/M/10 at 7 an hour, service 60 -> 48 min, target 10 min: extra arrivals at equal service.

    Erlang C gives the truth; the simulated answer (4 replications, CRN, exact share comparison)
    must cover it with its 95% interval widened by the search resolution, and lie within 8%.
    """
    servers, rate, days = 10, 7.0, 60.0
    base = build(mmc_dict(servers, rate, 60.0, days, 5.0))
    shorter = build(mmc_dict(servers, rate, 48.0, days, 5.0))
    target = 10.0 / 60.0
    reference = service_level(rate, 1.0, servers, target)
    per_hour = brentq(lambda x: service_level(rate + x, 0.8, servers, target) - reference, 0, 5)
    truth = per_hour * 24 * 365.25
    volume = rate * 24 * 365.25
    settings = CapacitySettings(first_step=0.1 * volume, max_extra=0.5 * volume, tolerance=0.005 * volume, noise_sd=0.0)
    table = absorbable_demand(base, {"shorter": shorter}, "job", 7, 4, settings, workers=2)
    cell = summarise_capacity(table, "base")["shorter"]["absorbable_per_year"]
    slack = settings.tolerance / 2
    assert cell["ci_low"] - slack <= truth <= cell["ci_high"] + slack
    assert cell["mean"] == pytest.approx(truth, rel=0.08)
    assert not table["censored"].any()


def test_capacity_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The small force has spare officers: the base absorbs up to the cap, reported as censored."""
    path = write_experiment(tmp_path)
    argv = [
        "capacity",
        str(path),
        "--type",
        "burglary",
        "--scenario",
        "base",
        "--replications",
        "2",
        "--workers",
        "1",
        "--max-extra",
        "600",
        "--json",
    ]
    assert main(argv) == 0
    document = json.loads(capsys.readouterr().out)
    base = document["scenarios"]["base"]
    assert base["absorbable_per_year"]["mean"] == 600.0
    assert base["censored_replications"] == 2
    assert main([*argv[:-1], "--type", "burglry"]) == 2
    assert "--type" in capsys.readouterr().err
