"""The STRESS-DES reporting checklist, answered from the scenarios and the run a results folder holds.

STRESS-DES (Monks et al., Journal of Simulation 13(1), 2019) lists what a discrete-event
simulation study must report for others to check it. Each answer here is computed from the
resolved scenario configs (enabled interventions and their settings, components, queues) and the
run (replications, seed, warm-up, horizon, overloads); an item is marked complete only when that
answer covers it. The study's purpose and the researcher's data handling policesim cannot know, so
those items stay marked for the researcher.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sim.report.document import CheckItem, Checklist

ITEMS: tuple[tuple[str, str], ...] = (
    ("1.1", "Purpose of the model"),
    ("1.2", "Model outputs"),
    ("1.3", "Experimentation aims"),
    ("2.1", "Base model overview diagram"),
    ("2.2", "Base model logic"),
    ("2.3", "Scenario logic"),
    ("2.4", "Algorithms"),
    ("2.5.1", "Components: entities"),
    ("2.5.2", "Components: activities"),
    ("2.5.3", "Components: resources"),
    ("2.5.4", "Components: queues"),
    ("2.5.5", "Components: entry and exit points"),
    ("3.1", "Data sources"),
    ("3.2", "Pre-processing"),
    ("3.3", "Input parameters"),
    ("3.4", "Assumptions"),
    ("4.1", "Initialisation"),
    ("4.2", "Run length"),
    ("4.3", "Estimation approach"),
    ("5.1", "Software or programming language"),
    ("5.2", "Random sampling"),
    ("5.3", "Model execution"),
    ("5.4", "System specification"),
    ("6.1", "Computer model sharing statement"),
)

TODO = "Researcher to complete: "
MODEL_DOC = "docs/background/model.md"
ASSUMPTIONS_DOC = "docs/background/assumptions.md"
EFFECTS = "sim/model/interventions/"
NO_CONFIG = "no resolved scenario is recorded in these results (report a policesim run of it)"

Answer = tuple[str, bool]


@dataclass
class Facts:
    """What the results folder says about the study; None or empty where it says nothing.

    ``configs`` are the resolved scenario configs by name, the base (or only) one first.
    """

    question: str | None = None
    outputs: list[str] = field(default_factory=list)
    aims: str | None = None
    configs: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    varied: str | None = None  # a sweep: what each design point changes
    sources: str | None = None
    unsourced_inputs: int = 0
    inputs_listed: int = 0
    inputs_changed: int = 0  # listed apart: the inputs the compared scenarios set
    assumed_inputs: int = 0
    warmup_days: float | None = None
    horizon_days: float | None = None
    replications: int | None = None
    seed: int | None = None
    runs: int | None = None
    overloaded_runs: int = 0
    overload_reason: str | None = None
    estimation: str | None = None
    software: str | None = None
    system: str | None = None
    report_machine: str | None = None
    execution: str | None = None
    sampling: str | None = None
    sharing: str | None = None


# ---- reading a resolved config ------------------------------------------------------------------
def _flat(settings: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Settings as ``key value`` items, nested ones by dotted key."""
    items = []
    for key, value in settings.items():
        if isinstance(value, Mapping):
            items += _flat(value, f"{prefix}{key}.")
        elif value is not None and value != [] and value != {}:
            shown = ", ".join(map(str, value)) if isinstance(value, list) else value
            items.append(f"{prefix}{key} {shown}")
    return items


def enabled_interventions(config: Mapping[str, Any]) -> dict[str, list[str]]:
    """The interventions a resolved config runs, each with its settings as ``key value`` items."""
    found: dict[str, list[str]] = {}
    for name, settings in (config.get("interventions") or {}).items():
        if not isinstance(settings, Mapping):
            continue
        extra = name == "extra_demand" and settings.get("incident_type") and (settings.get("yearly_volume") or 0) > 0
        if settings.get("enabled") or extra:
            found[name] = _flat({k: v for k, v in settings.items() if k != "enabled"})
    return found


def interventions_text(config: Mapping[str, Any]) -> str:
    """Enabled interventions with their settings, or 'none'."""
    active = enabled_interventions(config)
    return "; ".join(f"{name} ({', '.join(items)})" if items else name for name, items in active.items()) or "none"


def _names(mapping: Mapping[str, Any] | None) -> str:
    return ", ".join(mapping or {}) or "none"


def _deployed(config: Mapping[str, Any]) -> list[str]:
    return [g for g, spec in (config.get("grades") or {}).items() if spec.get("deploy")]


def _distributions(node: Any) -> set[str]:
    """Every distribution family a config uses."""
    if isinstance(node, Mapping):
        own = {str(node["dist"])} if isinstance(node.get("dist"), str) else set()
        return own.union(*(_distributions(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_distributions(v) for v in node))
    return set()


# ---- answers ------------------------------------------------------------------------------------
def _scenario_logic(facts: Facts) -> Answer:
    """2.3: what each scenario changes, from its enabled interventions and their settings."""
    parts = []
    for name, config in facts.configs.items():
        active = interventions_text(config)
        parts.append(f"{name}: {'no intervention enabled' if active == 'none' else active}")
    if facts.varied:
        parts.append(facts.varied)
    if not parts:
        return TODO + "what each scenario changes; " + NO_CONFIG + ".", False
    any_active = any(enabled_interventions(c) for c in facts.configs.values())
    where = f" Each intervention acts in its own module of {EFFECTS}." if any_active else ""
    return "Scenarios: " + " | ".join(parts) + "." + where, True


def _base_logic(config: Mapping[str, Any]) -> Answer:
    grades = _deployed(config)
    kept = [g for g in config.get("grades", {}) if g not in grades]
    travel = "travel over the zones' road distances" if config.get("geography") else "travel times by grade"
    text = (
        "Call -> contact centre (999 before 101) -> triage and grade -> dispatch queue -> "
        f"{travel} -> on scene -> follow-up work -> available. Grades dispatched: {', '.join(grades) or 'none'}"
        + (f"; resolved without deployment: {', '.join(kept)}" if kept else "")
        + f". Step by step in {MODEL_DOC}."
    )
    return text, True


def _algorithms(config: Mapping[str, Any]) -> Answer:
    replay = config.get("replay")
    arrivals = (
        "a replayed incident log"
        if replay
        else "non-homogeneous Poisson by hour of week" + (" and month" if config.get("seasonality_by_month") else "")
    )
    give_up = {g: s.get("give_up_hours") for g, s in config.get("grades", {}).items() if s.get("give_up_hours")}
    limits = ", ".join(f"{g} after {h:g} h" for g, h in give_up.items()) or "none"
    return (
        f"Arrivals: {arrivals}. Dispatch: priority by grade then age, incidents given up "
        f"({limits}), desk work interrupted by urgent grades. Durations drawn from "
        f"{', '.join(sorted(_distributions(config))) or 'fixed values'} distributions. See {MODEL_DOC}.",
        True,
    )


def _components(config: Mapping[str, Any]) -> dict[str, Answer]:
    """2.5.1 to 2.5.5 from the base scenario's config."""
    workforce = config.get("workforce") or {}
    contact = config.get("contact") or {}
    handlers = (contact.get("call_handlers") or {}).get("staff_by_hour") or []
    desk = (contact.get("online_desk") or {}).get("staff_by_hour") or []
    stations = [s.get("name", "?") for s in workforce.get("stations") or []]
    active = enabled_interventions(config)
    extra = []
    if "drone_first_response" in active:
        extra.append(
            f"drones ({config['interventions']['drone_first_response'].get('drones_per_station')} per station)"
        )
    rapid = ((config.get("interventions") or {}).get("video_interviews") or {}).get("rapid_response") or {}
    if "video_interviews" in active and rapid.get("enabled"):
        extra.append(f"a video response desk ({rapid.get('desk_officers')} officers)")
    grades = config.get("grades") or {}
    give_up = [f"{g} {s['give_up_hours']:g} h" for g, s in grades.items() if s.get("give_up_hours")]
    replay = config.get("replay")
    return {
        "2.5.1": (
            f"Incidents of {len(config.get('incident_types') or {})} types "
            f"({_names(config.get('incident_types'))}) by grade ({_names(grades)}); "
            "calls (999, 101, online reports).",
            True,
        ),
        "2.5.2": (
            "Call handling, grading, travel, time on scene, follow-up tasks "
            f"({_names(config.get('tasks'))}), meal breaks, abstraction.",
            True,
        ),
        "2.5.3": (
            f"{workforce.get('response_officers')} response officers in {workforce.get('teams')} teams "
            f"at {len(stations)} station(s) ({', '.join(stations) or 'one'}); call handlers "
            f"(up to {max(handlers, default=0)} an hour) and an online desk (up to {max(desk, default=0)})"
            + (f"; {', '.join(extra)}" if extra else "")
            + ".",
            True,
        ),
        "2.5.4": (
            "Contact queue (999 before 101; 101 callers abandon); dispatch queue by grade then age, "
            f"incidents closed unattended after their give-up time ({', '.join(give_up) or 'none'}); "
            "per-officer follow-up backlog.",
            True,
        ),
        "2.5.5": (
            "Entry: "
            + ("the replayed incident log" if replay else "generated arrivals")
            + ". Exit: attended, resolved without deployment, not attended (given up), or open at the "
            "end of the horizon.",
            True,
        ),
    }


def _run_items(facts: Facts) -> dict[str, Answer]:
    """4.1 to 4.3 and 5.2 from the run settings, the overloads and the seed."""
    answers: dict[str, Answer] = {}
    if facts.warmup_days is None:
        answers["4.1"] = (TODO + "the warm-up period.", False)
    elif facts.warmup_days > 0:
        answers["4.1"] = (
            f"Starts empty and idle; the first {facts.warmup_days:g} days are discarded as warm-up "
            "(chosen with `policesim warmup`).",
            True,
        )
    else:
        answers["4.1"] = (
            TODO + "no warm-up is discarded, so results include the start from empty and "
            "idle; justify it or choose one with `policesim warmup`.",
            False,
        )
    if facts.horizon_days is None:
        answers["4.2"] = (TODO + "the run length.", False)
    elif facts.overloaded_runs:
        answers["4.2"] = (
            f"{facts.horizon_days:g} simulated days per replication, but {facts.overloaded_runs} of "
            f"{facts.runs or '?'} runs overloaded ({facts.overload_reason or 'queue ran away'}) and "
            f"stopped early. {TODO}explain or change the scenario (or rerun with --allow-overload).",
            False,
        )
    else:
        answers["4.2"] = (
            f"{facts.horizon_days:g} simulated days per replication (warm-up included); no run overloaded.",
            True,
        )
    seed = "" if facts.seed is None else f", root seed {facts.seed}"
    answers["4.3"] = (
        (
            facts.estimation
            or f"{facts.replications} replication{'' if facts.replications == 1 else 's'}{seed}; means with "
            "95% Student-t "
            "confidence intervals (check the count with `policesim replications`).",
            True,
        )
        if facts.replications
        else (TODO + "the number of replications.", False)
    )
    shared = " Scenarios share their seeds (common random numbers)." if len(facts.configs) > 1 else ""
    answers["5.2"] = (
        (
            facts.sampling
            or f"numpy SeedSequence: replication i of root seed {facts.seed} uses SeedSequence({facts.seed}, "
            "spawn_key=(i,)), one named stream per source of randomness."
            + shared,
            True,
        )
        if facts.seed is not None
        else (TODO + "the seeds (not recorded in these results).", False)
    )
    return answers


def _answers(facts: Facts) -> dict[str, Answer]:
    """Each item's answer and whether it is complete."""
    base = next(iter(facts.configs.values()), None)
    answers: dict[str, Answer] = {
        "1.1": (facts.question, True) if facts.question else (TODO + "the question the study answers and why.", False),
        "1.2": ("Reported: " + ", ".join(facts.outputs) + ".", True)
        if facts.outputs
        else (TODO + "the outputs.", False),
        "1.3": (facts.aims, True)
        if facts.aims
        else (TODO + "the scenarios compared and why (this folder holds a single run).", False),
        "2.1": (f"Flow diagram of one incident's path in {MODEL_DOC}.", True),
        "2.3": _scenario_logic(facts),
        "3.2": (TODO + "how raw data (incident logs, rosters) were cleaned and turned into inputs.", False),
        "5.1": (facts.software, True) if facts.software else (TODO + "software versions.", False),
        "5.3": (
            facts.execution
            or "SimPy discrete-event scheduling; replications in parallel processes give "
            "the same numbers whatever the worker count.",
            True,
        ),
    }
    if base is None:
        for number in ("2.2", "2.4", "2.5.1", "2.5.2", "2.5.3", "2.5.4", "2.5.5"):
            answers[number] = (
                f"{TODO}the scenario's part ({NO_CONFIG}); the model's general logic is in {MODEL_DOC}.",
                False,
            )
    else:
        answers["2.2"] = _base_logic(base)
        answers["2.4"] = _algorithms(base)
        answers.update(_components(base))
    if facts.sources and not facts.unsourced_inputs:
        answers["3.1"] = (facts.sources, True)
    elif facts.sources:
        answers["3.1"] = (f"{facts.sources}; {TODO}the source of {facts.unsourced_inputs} unsourced inputs.", False)
    else:
        answers["3.1"] = (TODO + "where the force's own data came from.", False)
    listed = f"{facts.inputs_listed} inputs" + (
        f" and the {facts.inputs_changed} the scenarios set" if facts.inputs_changed else ""
    )
    if facts.inputs_listed and not facts.unsourced_inputs:
        answers["3.3"] = (f"All {listed} are listed with a source above.", True)
    else:
        answers["3.3"] = (f"{TODO}{facts.unsourced_inputs} of {listed} have no source.", False)
    answers["3.4"] = (
        f"Model assumptions in {ASSUMPTIONS_DOC}; {facts.assumed_inputs} inputs labelled "
        "'assumed' in the inputs table.",
        True,
    )
    answers.update(_run_items(facts))
    answers["5.4"] = (
        (facts.system, True)
        if facts.system
        else (
            TODO + "the machine the results were produced on (not recorded in the results; "
            f"this report was made on {facts.report_machine or 'another machine'}).",
            False,
        )
    )
    answers["6.1"] = (
        (facts.sharing, True)
        if facts.sharing
        else (
            TODO + "where the code and configs are archived (repository, version, DOI); policesim is MIT-licensed.",
            False,
        )
    )
    return answers


def checklist(facts: Facts) -> Checklist:
    """The STRESS-DES checklist with every item answered or marked for the researcher."""
    answers = _answers(facts)
    return Checklist([CheckItem(number, item, *answers[number]) for number, item in ITEMS])
