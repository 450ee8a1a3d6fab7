"""Benchmark policesim against a plain SimPy M/M/c priority queue, to see its speed in context.

One run prints: the reference (c = 200 servers, load 0.85, four priority classes, one simulated
year) in jobs and events per second; policesim on the baseline force-year in incidents and events
per second, seconds per force-year and peak memory; the same for 1, 2, 4 and 8 years (time should
grow linearly, memory stay flat); and as its last line ``ratio: X``, policesim incidents per
second over reference jobs per second.

Every measurement runs in its own child process pinned to one core, so peak memory (the child's
maximum resident set size) belongs to that measurement alone and runs do not share a warm heap.

    python benchmarks/bench.py                 # the full table, about a minute or two
    python benchmarks/bench.py --years 1 2     # fewer horizons
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import simpy

MINUTES_PER_YEAR = 365.0 * 24.0 * 60.0
REF_SERVERS = 200
REF_LOAD = 0.85
REF_MEAN_SERVICE_MINUTES = 120.0  # of the order of an attendance; sets jobs per year, not jobs/s
REF_PRIORITY_SHARES = (0.1, 0.3, 0.4, 0.2)  # four grades, as in a force's P1..P4 mix
BLOCK = 65_536  # random numbers drawn per numpy call


def _rss_kib() -> int:
    """Current resident set size of this process in KiB (Linux /proc; 0 where unavailable)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _peak_rss_kib() -> int:
    """Peak resident set size of this process in KiB (ru_maxrss is KiB on Linux)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _events_scheduled(env: simpy.Environment) -> int:
    """Events the environment has scheduled so far: SimPy numbers each one from a counter."""
    return next(env._eid)  # SimPy keeps no other count


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival waits in an M/M/c queue (Erlang C), via the stable Erlang B
    recurrence."""
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = offered_load * blocking / (k + offered_load * blocking)
    return servers * blocking / (servers - offered_load * (1.0 - blocking))


def reference(years: float, seed: int) -> dict[str, Any]:
    """Plain SimPy M/M/c priority queue: one process per job, a PriorityResource of c servers."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    servers = simpy.PriorityResource(env, capacity=REF_SERVERS)
    rate = REF_LOAD * REF_SERVERS / REF_MEAN_SERVICE_MINUTES
    counts = {"jobs": 0, "waited": 0}

    def job(priority: int, service: float) -> Iterator[simpy.Event]:
        arrived = env.now
        with servers.request(priority=priority) as request:
            yield request
            if env.now > arrived:
                counts["waited"] += 1
            yield env.timeout(service)

    def source() -> Iterator[simpy.Event]:
        while True:
            gaps = rng.exponential(1.0 / rate, BLOCK).tolist()
            services = rng.exponential(REF_MEAN_SERVICE_MINUTES, BLOCK).tolist()
            grades = rng.choice(len(REF_PRIORITY_SHARES), BLOCK, p=REF_PRIORITY_SHARES).tolist()
            for gap, service, grade in zip(gaps, services, grades, strict=True):
                yield env.timeout(gap)
                env.process(job(grade, service))
                counts["jobs"] += 1

    env.process(source())
    rss_before = _rss_kib()
    start = time.perf_counter()
    env.run(until=years * MINUTES_PER_YEAR)
    seconds = time.perf_counter() - start
    return {
        "what": "reference",
        "years": years,
        "seconds": seconds,
        "jobs": counts["jobs"],
        "events": _events_scheduled(env),
        "p_wait": counts["waited"] / max(counts["jobs"], 1),
        "p_wait_erlang_c": erlang_c(REF_SERVERS, REF_LOAD * REF_SERVERS),
        "rss_before_kib": rss_before,
        "peak_rss_kib": _peak_rss_kib(),
    }


def policesim(years: float, seed: int, config: str | None) -> dict[str, Any]:
    """policesim's ``simulate`` on the baseline (or given) scenario for ``years`` force-years."""
    from sim.config import apply_overrides, load_raw, scenario_from_dict
    from sim.model import simulate

    environments: list[simpy.Environment] = []
    original_init = simpy.Environment.__init__

    def recording_init(self: simpy.Environment, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        environments.append(self)

    simpy.Environment.__init__ = recording_init  # type: ignore[method-assign]
    from sim.config import DEFAULT_CONFIG

    path = Path(config) if config else DEFAULT_CONFIG
    raw = apply_overrides(load_raw(path), {"horizon_days": 365.0 * years})
    scenario = scenario_from_dict(raw, source=str(path))
    rss_before = _rss_kib()
    start = time.perf_counter()
    result = simulate(scenario, seed)
    seconds = time.perf_counter() - start
    incidents = sum(
        value
        for key, value in result.metrics.items()
        if key.startswith("incidents.") and key.endswith(".generated")
    )
    return {
        "what": "policesim",
        "years": years,
        "seconds": seconds,
        "incidents": int(incidents),
        "events": sum(_events_scheduled(env) for env in environments),
        "rss_before_kib": rss_before,
        "peak_rss_kib": _peak_rss_kib(),
    }


def _child(argv: list[str]) -> int:
    """Run one measurement in this (child) process, pinned to one core; print it as JSON."""
    what, years, seed = argv[0], float(argv[1]), int(argv[2])
    config = argv[3] if len(argv) > 3 and argv[3] else None
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    measured = reference(years, seed) if what == "reference" else policesim(years, seed, config)
    print(json.dumps(measured))
    return 0


def _measure(what: str, years: float, seed: int, config: str | None) -> dict[str, Any]:
    """Run one measurement in a fresh child process and return what it printed."""
    command = [sys.executable, __file__, "--child", what, str(years), str(seed), config or ""]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench: {what} for {years} years failed:\n{done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run every measurement, print the table and the ratio line last."""
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        return _child(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=float, nargs="+", default=[1.0, 2.0, 4.0, 8.0])
    parser.add_argument("--seed", type=int, default=20240401)
    parser.add_argument("--config", default=None, help="scenario YAML (default: the baseline)")
    args = parser.parse_args(argv)

    ref = _measure("reference", 1.0, args.seed, None)
    ref_jobs_per_s = ref["jobs"] / ref["seconds"]
    print(f"python {sys.version.split()[0]}, simpy {simpy.__version__}, one core per run")
    print(
        f"reference M/M/{REF_SERVERS} priority queue, load {REF_LOAD}, 1 year: "
        f"{ref['jobs']:,} jobs in {ref['seconds']:.2f} s = {ref_jobs_per_s:,.0f} jobs/s, "
        f"{ref['events'] / ref['seconds']:,.0f} events/s, "
        f"peak RSS {ref['peak_rss_kib'] / 1024:.0f} MiB "
        f"(P(wait) {ref['p_wait']:.4f}, Erlang C {ref['p_wait_erlang_c']:.4f})"
    )
    header = (
        f"{'years':>5} {'incidents':>10} {'seconds':>8} {'s/force-year':>12} "
        f"{'incidents/s':>11} {'events/s':>10} {'peak MiB':>8} {'model MiB':>9}"
    )
    print("policesim, baseline scenario:")
    print(header)
    first: dict[str, Any] | None = None
    for years in args.years:
        run = _measure("policesim", years, args.seed, args.config)
        first = first or run
        print(
            f"{years:>5g} {run['incidents']:>10,} {run['seconds']:>8.2f} "
            f"{run['seconds'] / years:>12.2f} {run['incidents'] / run['seconds']:>11,.0f} "
            f"{run['events'] / run['seconds']:>10,.0f} {run['peak_rss_kib'] / 1024:>8.0f} "
            f"{(run['peak_rss_kib'] - run['rss_before_kib']) / 1024:>9.1f}"
        )
    assert first is not None
    print(f"ratio: {first['incidents'] / first['seconds'] / ref_jobs_per_s:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
