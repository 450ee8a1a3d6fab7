"""Shared by ``warmup`` and ``replications``: a scenario file or an experiment file's scenarios.

Both commands accept a scenario YAML (default: the packaged baseline) or an experiment file (the
one ``policesim compare`` reads), so a study's run settings can be checked for every scenario it
compares. Replication ``i`` of every scenario uses the same seed, as ``compare`` does.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.commands.common import add_run_options, add_scenario_options, scenario_from_args
from sim.errors import ConfigError

if TYPE_CHECKING:  # imported where used: the parser must load without them
    from sim.config.schema import Scenario
    from sim.model.replication import RunResult


def add_study_options(parser: argparse.ArgumentParser, replications: int) -> None:
    """CONFIG (scenario or experiment), --scenario, --set, --days, --warmup-days, run options."""
    add_scenario_options(parser)
    parser.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="NAME",
        help="with an experiment file: analyse only this scenario (repeatable; default: all)",
    )
    add_run_options(parser, replications=replications)


def is_experiment(path: Path | None) -> bool:
    """Whether a YAML file is an experiment (it has ``scenarios`` and ``base``), not a scenario."""
    if path is None or not Path(path).is_file():
        return False
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return False
    return isinstance(data, dict) and "scenarios" in data and "base" in data


def _with_overrides(scenario: Scenario, overrides: list[str], source: str) -> Scenario:
    """Apply --set style overrides to an already resolved scenario."""
    from sim.config.loading import apply_overrides, resolved_dict, scenario_from_dict

    if not overrides:
        return scenario
    return scenario_from_dict(apply_overrides(resolved_dict(scenario), overrides), source)


def scenarios_from_args(args: argparse.Namespace) -> dict[str, Scenario]:
    """The scenarios to analyse, by name, with --set, --days and --warmup-days applied."""
    if not is_experiment(args.config):
        if args.scenario:
            raise ConfigError("--scenario: only meaningful with an experiment file")
        scenario = scenario_from_args(args)
        return {scenario.name: scenario}
    from sim.study.compare import load_experiment

    experiment = load_experiment(args.config)
    chosen = args.scenario or list(experiment.scenarios)
    unknown = [name for name in chosen if name not in experiment.scenarios]
    if unknown:
        raise ConfigError(f"--scenario: {unknown} not in {sorted(experiment.scenarios)}")
    overrides = list(args.overrides)
    if args.days is not None:
        overrides.append(f"horizon_days={args.days}")
        if args.warmup_days is None:
            longest = max(s.warmup_days for s in experiment.scenarios.values())
            if longest >= args.days:
                overrides.append(f"warmup_days={args.days / 4:g}")
    if args.warmup_days is not None:
        overrides.append(f"warmup_days={args.warmup_days}")
    return {name: _with_overrides(experiment.scenarios[name], overrides, f"{args.config}: {name}") for name in chosen}


def _simulate(
    scenario: Scenario, seed: int, job: tuple[str, int], options: Mapping[str, bool], report: Any = None
) -> RunResult:
    """Replication ``job[1]`` of a scenario, in this process (``report``) or a pool worker."""
    from sim.model.replication import simulate
    from sim.model.streams import replication_seed
    from sim.study.day_progress import in_worker

    report = report or in_worker(job, scenario.horizon_days)
    return simulate(scenario, replication_seed(seed, job[1]), progress=report, **options)


@contextmanager
def executor(workers: int, progress: Callable[[float], None] | None = None) -> Iterator[Pool]:
    """A process pool for ``workers`` > 1, else None (run in this process); both report days
    inside replications to ``progress`` (the replications done, a fraction included)."""
    from sim.study.day_progress import Tracker, process_pool

    tracker = Tracker(progress)
    if workers <= 1:
        yield Pool(None, tracker)
        return
    with process_pool(workers, tracker) as pool:
        yield Pool(pool, tracker)
    tracker.close()


@dataclass
class Pool:
    """Where ``run_many`` runs replications (``executor`` None: this process) and who hears of them."""

    executor: ProcessPoolExecutor | None
    tracker: Any


def run_many(
    pool: Pool,
    scenarios: Mapping[str, Scenario],
    seed: int,
    replications: list[int],
    **options: bool,
) -> dict[str, list[RunResult]]:
    """Replications ``replications`` of every scenario (the same seeds for each), by scenario."""
    from sim.study.day_progress import completed

    jobs = [(name, r) for name in scenarios for r in replications]
    done: dict[tuple[str, int], RunResult] = {}
    tracker = pool.tracker
    if pool.executor is None:
        for job in jobs:
            report = tracker.in_process(job, scenarios[job[0]].horizon_days)
            done[job] = _simulate(scenarios[job[0]], seed, job, options, report)
            tracker.done(job)
    else:
        futures = {pool.executor.submit(_simulate, scenarios[job[0]], seed, job, options): job for job in jobs}
        for future in completed(futures, tracker):
            done[futures[future]] = future.result()
            tracker.done(futures[future])
    return {name: [done[(name, r)] for r in replications] for name in scenarios}
