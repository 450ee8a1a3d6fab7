"""Dose-response: each technology of an experiment's ``doses`` block at several multiples ``d`` of
its configured saving, run as paired scenarios against the base, and the curve of extra incidents
attended in person against the officer hours freed, beside the linear conversion.

Each intervention's plug-in states how its settings scale with ``d`` and the largest ``d`` they
can take (``Intervention.dosed`` and ``reach``). A factor beyond reach is never clipped: it is
reported as unreachable, naming the largest reachable dose, and that dose is run once instead
(its scenario ``<technology>_max``, marked ``largest_reachable``; not if it is among the factors
asked), so the curve still has its top.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.config.loading import format_validation_error, scenario_from_dict
from sim.config.schema import Scenario
from sim.errors import ConfigError
from sim.model.interventions import dose
from sim.model.interventions.contract import Intervention
from sim.model.interventions.registry import REGISTRY
from sim.study.compare import GOVERNMENT_HOURS_PER_INCIDENT
from sim.study.experiment import DosePoint, Experiment, ExperimentSpec, Technology, resolved_raw
from sim.study.numbers import json_number

LINEAR_SOURCE = "HM Treasury, March 2024: 500,000 h = 250,000 DA incidents (2.0 h) or 300,000 burglaries (1.67 h)"


def scenario_name(technology: str, factor: float) -> str:
    """``automated_redaction_x0_25``: the technology at a dose factor."""
    return f"{technology}_x{factor:g}".replace(".", "_")


def expand(
    path: Path, spec: ExperimentSpec, base_raw: dict[str, Any], given: dict[str, Scenario]
) -> tuple[dict[str, Scenario], tuple[DosePoint, ...]]:
    """The scenarios of every technology at every reachable factor, and every point of the curve."""
    assert spec.doses is not None
    base_entry = next(entry for entry in spec.scenarios if entry.name == spec.base)
    scenarios: dict[str, Scenario] = {}
    points: list[DosePoint] = []
    for index, technology in enumerate(spec.doses.technologies):
        where = f"{path}: doses.technologies.{index}"
        plug_in = _plug_in(technology, where)
        if given[spec.base].interventions.section(technology.intervention).enabled:
            raise ConfigError(
                f"{where}.intervention: {technology.intervention} is already on in the base scenario "
                f"{spec.base!r}; a dose is measured against a base without it"
            )
        raw = resolved_raw(
            path,
            base_raw,
            [*base_entry.overlays, *technology.overlays],
            {**base_entry.overrides, **technology.overrides},
        )
        settings = scenario_from_dict(raw, source=where).interventions.section(technology.intervention)
        if not settings.enabled:
            raise ConfigError(
                f"{where}: interventions.{technology.intervention}.enabled is false after its overlays "
                "and set; switch it on there (its settings at dose 1 are the published saving)"
            )
        for point, dosed in _points(technology, plug_in, settings, spec.doses.factors):
            points.append(point)
            if point.scenario is None or dosed is None:
                continue
            if point.scenario in given or point.scenario in scenarios:
                raise ConfigError(f"{where}: scenario name {point.scenario!r} is taken; name the technology (`name:`)")
            changed = copy.deepcopy(raw)
            changed["interventions"] = {**changed.get("interventions", {}), technology.intervention: dosed}
            source = f"{where} at dose {point.factor:g}"
            scenarios[point.scenario] = scenario_from_dict(changed, source=source)
    return scenarios, tuple(points)


def _plug_in(technology: Technology, where: str) -> type[Intervention]:
    """The intervention's plug-in; one that states no dose is refused."""
    plug_in = REGISTRY.get(technology.intervention)
    if plug_in is None:
        raise ConfigError(
            f"{where}.intervention: {technology.intervention!r} is not an intervention (known: {sorted(REGISTRY)})"
        )
    if not plug_in.dose_fields:
        raise ConfigError(
            f"{where}.intervention: {technology.intervention} takes no dose (its plug-in lists no dose_fields)"
        )
    return plug_in


def _points(
    technology: Technology, plug_in: type[Intervention], settings: Any, factors: list[float]
) -> list[tuple[DosePoint, dict[str, Any] | None]]:
    """Every factor asked (those beyond reach unreachable), plus the largest reachable one if needed."""
    top = plug_in.reach(settings)
    beyond = [factor for factor in factors if factor > top * (1 + dose.ROUNDING)]
    out: list[tuple[DosePoint, dict[str, Any] | None]] = []
    run = [
        (factor, scenario_name(technology.label, factor), False) for factor in sorted(factors) if factor not in beyond
    ]
    if beyond and not any(math.isclose(factor, top, rel_tol=dose.ROUNDING) for factor, _, _ in run):
        run.append((top, f"{technology.label}_max", True))  # the top of the curve, unless asked already
    for factor, name, largest in run:
        try:
            dosed = plug_in.dosed(settings, factor)
        except dose.DoseError as error:
            raise ConfigError(f"doses: {technology.label} at dose {factor:g}: {error}") from None
        except ValidationError as error:
            raise ConfigError(format_validation_error(error, f"doses: {technology.label} at dose {factor:g}")) from None
        point = DosePoint(
            technology=technology.label,
            intervention=technology.intervention,
            factor=factor,
            reach=top,
            scenario=name,
            settings=dose.values(dosed, plug_in.dose_fields),
            largest_reachable=largest,
        )
        out.append((point, dosed.model_dump()))
    for factor in beyond:
        point = DosePoint(technology.label, technology.intervention, factor, top, None, {})
        out.append((point, None))
    out.sort(key=lambda item: (item[0].factor, item[0].scenario is None))
    return out


def dose_document(experiment: Experiment, comparison: dict[str, Any]) -> dict[str, Any]:
    """The dose curves as a JSON-ready document: per technology and factor, hours saved, extra
    attended in person and change in time to attend (95% CIs) beside the linear conversion;
    ``comparison`` (the paired comparison of every scenario) is kept whole under its key."""
    types = list(experiment.spec.types)
    technologies: dict[str, Any] = {}
    for point in experiment.doses:
        entry = technologies.setdefault(
            point.technology,
            {
                "intervention": point.intervention,
                "dose_fields": list(REGISTRY[point.intervention].dose_fields),
                "reach": json_number(point.reach),
                "reach_note": "largest dose its settings can take (null: unbounded)",
                "points": [],
            },
        )
        entry["points"].append(_point(point, comparison, types))
    return {
        "experiment": comparison["experiment"],
        "types": types,
        "linear": {
            "definition": "hours saved per year / hours per incident (one per type)",
            "hours_per_incident": {t: GOVERNMENT_HOURS_PER_INCIDENT.get(t) for t in types},
            "source": LINEAR_SOURCE,
        },
        "technologies": technologies,
        "meta": comparison["meta"],
        "comparison": comparison,
    }


def _point(point: DosePoint, comparison: dict[str, Any], types: list[str]) -> dict[str, Any]:
    """One row of a curve: the factor, its settings and its measured effects (or why none)."""
    row: dict[str, Any] = {
        "factor": point.factor,
        "scenario": point.scenario,
        "reachable": point.scenario is not None,
        "largest_reachable": point.largest_reachable,
        "settings": point.settings,
    }
    if point.scenario is None:
        row["note"] = f"unreachable: the largest reachable dose is {point.reach:g}"
        return row
    if point.largest_reachable:
        row["note"] = f"the largest reachable dose ({point.reach:g}), run because a larger one was asked"
    scenario = comparison["scenarios"][point.scenario]
    row["hours_saved_per_year"] = scenario["hours_saved_per_year"]
    row["officer_work_hours_freed_per_year"] = scenario["officer_work_hours_freed_per_year"]
    row["types"] = {
        kind: {
            "extra_attended_in_person": scenario["types"][kind]["extra_attended_in_person"],
            "time_to_attend_change_minutes": scenario["types"][kind]["response_mean_change_minutes"],
            "linear_extra_attended": scenario["types"][kind]["linear_extra_attended"].get("government"),
        }
        for kind in types
    }
    return row
