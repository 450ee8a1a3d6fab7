"""Each force's scenario: the baseline scaled by the force's officers and set by its setting.

The numbers listed under ``scaling.proportional`` are multiplied by ``force FTE /
baseline_officer_fte``; the numbers under ``scaling.by_setting`` are chosen by the force's
urban/mixed/rural setting.
"""

from __future__ import annotations

import copy
import fnmatch
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim.config import paths
from sim.config.loading import scenario_from_dict
from sim.errors import ConfigError
from sim.study.national.spec import Force, NationalConfig


def _matches(path: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(path, p) and path.count(".") == p.count(".") for p in patterns)


def force_raw(config: NationalConfig, force: Force) -> dict[str, Any]:
    """The baseline scaled to one force, as a raw scenario mapping (validated by the caller)."""
    spec = config.spec
    raw = copy.deepcopy(config.baseline_raw)
    for dotted, value in spec.overrides.items():
        _assign(raw, dotted, value, config.path)
    factor = force.officer_fte / spec.baseline_officer_fte
    matched: set[str] = set()
    for keys, value in list(paths.leaves(raw)):
        path = paths.dotted(keys)
        for pattern in spec.scaling.proportional:
            if _matches(path, [pattern]):
                matched.add(pattern)
        if not _matches(path, spec.scaling.proportional):
            continue
        scaled = value * factor
        if _matches(path, spec.scaling.integer):
            scaled = max(1, round(scaled)) if value > 0 else 0
        paths.assign(raw, keys, scaled)
    unused = sorted(set(spec.scaling.proportional) - matched)
    if unused:
        raise ConfigError(f"{config.path}: national.scaling.proportional: {unused} match no number")
    for dotted, by_setting in spec.scaling.by_setting.items():
        if force.setting not in by_setting:
            where = f"national.scaling.by_setting.{dotted}"
            raise ConfigError(f"{config.path}: {where}: no value for {force.setting!r}")
        _assign(raw, dotted, by_setting[force.setting], config.path)
    _keep_rota_staffed(raw)
    raw["name"] = f"{raw.get('name', 'scenario')} / {force.name}"
    return raw


def _assign(raw: dict[str, Any], dotted: str, value: Any, source: Path) -> None:
    """Set an existing dotted path; a typo is a ConfigError naming it."""
    try:
        paths.assign(raw, dotted, value)
    except (KeyError, IndexError, TypeError, ValueError):
        raise ConfigError(f"{source}: {dotted} is not a field of the baseline") from None


def _keep_rota_staffed(raw: dict[str, Any]) -> None:
    """A small force still needs one officer per team and station (the schema requires it)."""
    workforce = raw.get("workforce")
    if not isinstance(workforce, dict) or workforce.get("staffing") is not None:
        return  # staffing fixes its own officer count; scaling it is the schema's error to report
    teams = int(workforce.get("teams") or 1)
    stations = len(workforce.get("stations", ()) or (1,))
    if int(workforce.get("response_officers", 0)) < teams * stations:
        workforce["response_officers"] = teams * stations


def force_scenarios(config: NationalConfig) -> list[tuple[Force, dict[str, Any]]]:
    """Every force's raw scenario, each validated now so a bad one fails before any run."""
    built = []
    for force in config.forces:
        raw = force_raw(config, force)
        scenario_from_dict(raw, source=f"{config.path} [{force.name}]")
        built.append((force, raw))
    return built
