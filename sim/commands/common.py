"""Command-line options shared by the commands that run scenarios."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sim.errors import ConfigError

if TYPE_CHECKING:  # imported where used: `policesim --help` must not load the model
    from sim.config.schema import Scenario


def _checked_number(convert: type, accept: Callable[[float], bool], rule: str) -> Callable[[str], float]:
    """An argparse type converting with ``convert`` and refusing values ``accept`` rejects."""
    kind = "a whole number" if convert is int else "a number"

    def parse(text: str) -> float:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {kind}, got {text!r}") from None
        if not accept(value):
            raise argparse.ArgumentTypeError(f"{rule}, got {value}")
        return value

    return parse


positive_int = _checked_number(int, lambda value: value >= 1, "must be at least 1")
non_negative_int = _checked_number(int, lambda value: value >= 0, "must not be negative")
positive_float = _checked_number(
    float, lambda value: value > 0 and math.isfinite(value), "must be a finite number above 0"
)
non_negative_float = _checked_number(
    float, lambda value: value >= 0 and math.isfinite(value), "must be a finite number, not negative"
)


def add_scenario_options(parser: argparse.ArgumentParser, config_default: bool = True) -> None:
    """CONFIG, --set, --days and --warmup-days."""
    if config_default:
        parser.add_argument(
            "config",
            nargs="?",
            type=Path,
            default=None,
            help="scenario YAML (default: the packaged baseline.yaml)",
        )
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a config value, e.g. --set workforce.response_officers=420 (repeatable); "
        "a mapping merges into a section (--set 'workforce.abstraction={sickness: 0.07}' keeps leave "
        "and training) and replaces a mapping of named entries (grade_mix, hours_saved)",
    )
    parser.add_argument("--days", type=positive_float, default=None, help="horizon in days (overrides horizon_days)")
    parser.add_argument(
        "--warmup-days",
        type=float,
        default=None,
        help="warm-up in days, excluded from statistics (overrides warmup_days)",
    )


def add_run_options(parser: argparse.ArgumentParser, replications: int = 5) -> None:
    """--replications, --seed, --workers."""
    parser.add_argument(
        "--replications", type=positive_int, default=replications, help=f"replications (default {replications})"
    )
    parser.add_argument("--seed", type=non_negative_int, default=1, help="root seed (default 1)")
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=None,
        help="worker processes (default: cores, at most one per replication); results do not depend on it",
    )


def _register_plug_in_interventions() -> None:
    """Import the model's intervention registry: only for a config naming an intervention the config layer does not know."""
    import sim.model.interventions.registry  # noqa: F401


def scenario_from_args(args: argparse.Namespace) -> Scenario:
    """Load the scenario named by the arguments with --set, --days and --warmup-days applied."""
    from sim.config import interventions
    from sim.config.loading import load_scenario

    interventions.section_finder = _register_plug_in_interventions
    overrides: list[str] = list(args.overrides)
    if args.days is not None:
        overrides.append(f"horizon_days={args.days}")
    if args.warmup_days is not None:
        if args.warmup_days < 0:
            raise ConfigError(f"--warmup-days: must not be negative, got {args.warmup_days}")
        overrides.append(f"warmup_days={args.warmup_days}")
    elif args.days is not None:
        # A shorter horizon keeps the configured warm-up only if it still fits.
        scenario = load_scenario(args.config, [o for o in overrides if not o.startswith("horizon_days=")])
        if scenario.warmup_days >= args.days:
            warmup = args.days / 4
            print(
                f"policesim: note: warm-up {scenario.warmup_days:g} days does not fit in --days {args.days:g}; using {warmup:g} (set --warmup-days)",
                file=sys.stderr,
            )
            overrides.append(f"warmup_days={warmup:g}")
    scenario = load_scenario(args.config, overrides)
    if scenario.replay is not None:  # a bad log row fails now, not after the run has started
        from sim.model.replay import check_incident_log

        check_incident_log(scenario)
    return scenario
