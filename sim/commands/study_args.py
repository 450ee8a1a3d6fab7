"""Shared by ``warmup`` and ``replications``: a scenario file or an experiment file's scenarios.

Both commands accept a scenario YAML (default: the packaged baseline) or an experiment file (the
one ``policesim compare`` reads), so a study's run settings can be checked for every scenario it
compares. Replication ``i`` of every scenario uses the same seed, as ``compare`` does.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from sim.commands.common import add_run_options, add_scenario_options, scenario_from_args
from sim.errors import ConfigError

if TYPE_CHECKING:  # imported where used: the parser must load without them
    from sim.config.schema import Scenario
    from sim.model.replication import RunResult
    from sim.study.executor import Executor


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
    from sim.study.experiment import load_experiment

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


def _simulate(scenario: Scenario, seed: int, replication: int, options: Mapping[str, bool]) -> RunResult:
    """One replication (in this process or a worker), reporting its simulated days if asked."""
    from sim.model.replication import simulate
    from sim.model.streams import replication_seed
    from sim.study.executor import day_reporter

    report = day_reporter(scenario.horizon_days)
    return simulate(scenario, replication_seed(seed, replication), progress=report, **options)


def run_many(
    executor: Executor,
    scenarios: Mapping[str, Scenario],
    seed: int,
    replications: list[int],
    progress: Callable[[float], None] | None = None,
    **options: bool,
) -> dict[str, list[RunResult]]:
    """Replications ``replications`` of every scenario (the same seeds for each), by scenario;
    ``progress(done)`` hears the runs done, a fraction included for those running."""
    jobs = [(scenarios[name], seed, r, options) for name in scenarios for r in replications]
    results = iter(executor.map(_simulate, jobs, progress))
    return {name: [next(results) for _ in replications] for name in scenarios}
