"""The model against queueing theory: Erlang C for M/M/c, Cobham for priority M/M/c, Little's law.

Each check runs several independent replications (fixed seeds) and asks that the theoretical
value lie inside the 99% Student-t confidence interval of the replication means. The interval
comes from the data, not from a tuned tolerance.
"""

from __future__ import annotations

import math

import pytest
from scenarios import build, mmc_dict

from sim.study.replications import mean_ci, run_replications

REPLICATIONS = 8
CONFIDENCE = 0.99


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival waits in M/M/c (Erlang C)."""
    top = offered_load**servers / math.factorial(servers) * servers / (servers - offered_load)
    bottom = sum(offered_load**k / math.factorial(k) for k in range(servers)) + top
    return top / bottom


def within(values: list[float], theory: float) -> tuple[bool, tuple[float, float, float]]:
    mean, low, high = mean_ci(values, CONFIDENCE)
    return low <= theory <= high, (mean, low, high)


@pytest.mark.parametrize("load", [0.5, 0.8, 0.9])
def test_mmc_matches_erlang_c(load: float) -> None:
    servers, service = 10, 60.0
    rate_per_hour = load * servers / (service / 60.0)
    scenario = build(mmc_dict(servers, rate_per_hour, service, days=90, warmup_days=10))
    results = run_replications(scenario, REPLICATIONS, seed=2024)
    attended = [r.metrics["incidents.job.attended"] for r in results]
    p_wait = [r.metrics["incidents.job.waited"] / a for r, a in zip(results, attended, strict=True)]
    mean_wait = [r.metrics["queue_minutes.job.mean"] for r in results]
    offered = rate_per_hour * service / 60.0
    theory_p = erlang_c(servers, offered)
    theory_w = theory_p / (servers / service - rate_per_hour / 60.0)
    ok_p, ci_p = within(p_wait, theory_p)
    ok_w, ci_w = within(mean_wait, theory_w)
    assert ok_p, f"P(wait) theory {theory_p:.4f} outside 99% CI {ci_p}"
    assert ok_w, f"mean wait theory {theory_w:.3f} min outside 99% CI {ci_w}"


def test_priority_mmc_matches_cobham() -> None:
    servers, service, load, urgent_share = 5, 30.0, 0.85, 0.3
    rate_per_hour = load * servers / (service / 60.0)
    raw = mmc_dict(
        servers,
        rate_per_hour,
        service,
        days=120,
        warmup_days=10,
        grade_mix={"P1": urgent_share, "P2": 1 - urgent_share},
    )
    results = run_replications(build(raw), REPLICATIONS, seed=77)
    mu = 1.0 / service
    offered = rate_per_hour / 60.0 / mu
    w0 = erlang_c(servers, offered) / (servers * mu)
    sigma1 = urgent_share * load
    theory = {"P1": w0 / (1 - sigma1), "P2": w0 / ((1 - sigma1) * (1 - load))}
    for grade, expected in theory.items():
        ok, ci = within([r.metrics[f"response_minutes_by_grade.{grade}.mean"] for r in results], expected)
        assert ok, f"{grade}: Cobham mean wait {expected:.3f} min outside 99% CI {ci}"
    assert theory["P1"] < theory["P2"]


def test_littles_law_on_the_dispatch_queue() -> None:
    servers, service, load = 8, 45.0, 0.9
    rate_per_hour = load * servers / (service / 60.0)
    result = run_replications(build(mmc_dict(servers, rate_per_hour, service, days=120, warmup_days=5)), 1, seed=5)[0]
    m = result.metrics
    window = m["window_days"] * 1440.0
    arrival_rate = m["incidents.job.generated"] / window
    queue_length = m["queue_length.P1.mean"]
    assert queue_length > 1.0  # a real queue, not a trivial one
    assert queue_length == pytest.approx(arrival_rate * m["queue_minutes.job.mean"], rel=0.02)
