"""Running the national model: every force and replication on one executor, then the E&W totals."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sim.config.loading import scenario_from_dict
from sim.errors import PolicesimError
from sim.study.executor import Executor, local
from sim.study.national.aggregate import aggregate
from sim.study.national.scaling import force_scenarios
from sim.study.national.spec import Force, NationalConfig, all_forces


def _run_one(force: str, raw: dict[str, Any], seed: int, replication: int, key: int) -> dict[str, float]:
    """One replication of one force (in a worker process): its flat metrics.

    A user error from the model is raised again naming the force.
    """
    from sim.model.replication import simulate
    from sim.model.streams import replication_seed

    try:
        scenario = scenario_from_dict(raw, source=str(raw.get("name")))
        result = simulate(scenario, replication_seed(seed, replication, key=(key,)))
    except PolicesimError as error:
        raise type(error)(f"{force}: {error}") from None
    return {k: float(v) for k, v in result.metrics.items()}


@dataclass
class NationalResult:
    """Per-force and E&W metrics: ``replications[r][force]`` and ``national[r]`` per replication."""

    forces: tuple[Force, ...]
    replications: list[dict[str, dict[str, float]]]
    national: list[dict[str, float]] = field(default_factory=list)
    seconds: float = 0.0


def run_national(
    config: NationalConfig,
    workers: int | None = None,
    progress: Callable[[float, int], None] | None = None,
    executor: Executor | None = None,
) -> NationalResult:
    """Run every force and replication (largest forces first) in parallel processes.

    ``workers`` None takes the config's ``workers`` (0: one per CPU); ``executor`` (say one on a
    Dask cluster) replaces both.
    """
    spec = config.spec
    built = force_scenarios(config)
    index = {force.name: i for i, force in enumerate(all_forces(config))}
    ordered = [
        (force, replication)
        for force, _ in sorted(built, key=lambda item: -item[0].officer_fte)
        for replication in range(spec.replications)
    ]
    raws = {force.name: raw for force, raw in built}
    jobs = [(force.name, raws[force.name], spec.seed, rep, index[force.name]) for force, rep in ordered]
    n_workers = workers if workers is not None else spec.workers
    n_workers = min(n_workers or os.cpu_count() or 1, len(jobs))
    start = time.perf_counter()
    with local(executor, n_workers, len(jobs)) as runner:
        outputs = runner.map(_run_one, jobs, None if progress is None else lambda done: progress(done, len(jobs)))
    results: list[dict[str, dict[str, float]]] = [{} for _ in range(spec.replications)]
    for (force, replication), metrics in zip(ordered, outputs, strict=True):
        results[replication][force.name] = metrics
    outcome = NationalResult(tuple(f for f, _ in built), results)
    outcome.national = [aggregate(rep) for rep in results]
    outcome.seconds = time.perf_counter() - start
    return outcome
