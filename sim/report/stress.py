"""The STRESS-DES reporting checklist, filled from what policesim knows about a results folder.

STRESS-DES (Monks et al., Journal of Simulation 13(1), 2019) lists what a discrete-event
simulation study must report for others to check it. policesim knows its own logic, inputs,
experiment settings and implementation; the study's purpose and the researcher's data handling
it cannot know, so those items are left marked for the researcher to complete.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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

MODEL_DOC = "docs/background/model.md"
ASSUMPTIONS_DOC = "docs/background/assumptions.md"

FIXED: dict[str, str] = {
    "2.1": f"Flow diagram of one incident's path in {MODEL_DOC}.",
    "2.2": f"Call -> contact centre -> triage and grade -> dispatch queue -> travel -> on scene -> "
    f"follow-up work -> available; described step by step in {MODEL_DOC}.",
    "2.4": "Arrivals: non-homogeneous Poisson by hour of week (and month); dispatch: priority by "
    "grade then age with give-up deadlines and interruption of desk work; durations from the "
    f"declared distributions. See {MODEL_DOC}.",
    "2.5.1": "Incidents (by type and grade) and calls (999, 101, online reports).",
    "2.5.2": "Call handling, travel, time on scene, follow-up tasks (crime recording, statements, "
    "interviews, evidence review, video and text redaction, case files), breaks, abstraction.",
    "2.5.3": "Response officers on rostered shifts at stations; call handlers and an online desk on hourly staffing.",
    "2.5.4": "Contact queue (999 before 101, 101 callers abandon); dispatch queue ordered by "
    "grade then age, incidents closed unattended after their give-up time; per-officer "
    "follow-up backlog.",
    "2.5.5": "Entry: generated arrivals or a replayed incident log. Exit: attended, resolved "
    "without deployment, not attended (give-up), or open at the end of the horizon.",
    "3.4": f"Model assumptions in {ASSUMPTIONS_DOC}; inputs labelled 'assumed' in the inputs table.",
    "5.2": "numpy SeedSequence: one child sequence per replication, one named stream per source "
    "of randomness, so scenarios run with the same seed share their incidents (common random "
    "numbers).",
    "5.3": "SimPy discrete-event scheduling; replications in parallel processes give the same "
    "numbers whatever the worker count.",
}


@dataclass
class Facts:
    """What the results folder says about the study; None where it says nothing."""

    question: str | None = None
    outputs: list[str] = field(default_factory=list)
    aims: str | None = None
    scenario_logic: str | None = None
    sources: str | None = None
    unsourced_inputs: int = 0
    inputs_listed: int = 0
    inputs_changed: int = 0  # listed apart: the inputs the compared scenarios set
    warmup_days: float | None = None
    horizon_days: float | None = None
    replications: int | None = None
    estimation: str | None = None
    software: str | None = None
    system: str | None = None
    report_machine: str | None = None
    sharing: str | None = None


def _answers(facts: Facts) -> dict[str, tuple[str, bool]]:
    """Each item's answer and whether it is complete, from the facts and the fixed model text."""
    todo = "Researcher to complete: "
    answers: dict[str, tuple[str, bool]] = {k: (v, True) for k, v in FIXED.items()}
    answers["1.1"] = (
        (facts.question, True)
        if facts.question
        else (todo + "the question the study answers and why it matters.", False)
    )
    answers["1.2"] = (
        ("Reported: " + ", ".join(facts.outputs) + ".", True) if facts.outputs else (todo + "the outputs used.", False)
    )
    answers["1.3"] = (
        (facts.aims, True)
        if facts.aims
        else (todo + "the scenarios compared and why (this folder holds a single run).", False)
    )
    answers["2.3"] = (
        (facts.scenario_logic, True)
        if facts.scenario_logic
        else ("Single scenario; no intervention logic applies.", True)
    )
    if facts.sources:
        answers["3.1"] = (facts.sources, True)
    else:
        answers["3.1"] = (todo + "where the force's own data came from.", False)
    answers["3.2"] = (todo + "how raw data (incident logs, rosters) were cleaned and turned into inputs.", False)
    listed = f"{facts.inputs_listed} inputs" + (
        f" and the {facts.inputs_changed} the scenarios set" if facts.inputs_changed else ""
    )
    if facts.inputs_listed and not facts.unsourced_inputs:
        answers["3.3"] = (f"All {listed} are listed with a source above.", True)
    else:
        answers["3.3"] = (f"{todo}{facts.unsourced_inputs} of {listed} have no source.", False)
    answers["4.1"] = (
        (
            f"Starts empty and idle; the first {facts.warmup_days:g} days are discarded as warm-up "
            "(choose with `policesim warmup`).",
            True,
        )
        if facts.warmup_days is not None
        else (todo + "the warm-up period.", False)
    )
    answers["4.2"] = (
        (f"{facts.horizon_days:g} simulated days per replication (warm-up included).", True)
        if facts.horizon_days is not None
        else (todo + "the run length.", False)
    )
    answers["4.3"] = (
        (
            facts.estimation
            or f"{facts.replications} replication{'' if facts.replications == 1 else 's'}; means with 95% Student-t "
            "confidence intervals (check the count with `policesim replications`).",
            True,
        )
        if facts.replications
        else (todo + "the number of replications.", False)
    )
    answers["5.1"] = (facts.software, True) if facts.software else (todo + "software versions.", False)
    answers["5.4"] = (
        (facts.system, True)
        if facts.system
        else (
            todo + "the machine the results were produced on (not recorded in the results; "
            f"this report was made on {facts.report_machine or 'another machine'}).",
            False,
        )
    )
    answers["6.1"] = (
        (facts.sharing, True)
        if facts.sharing
        else (
            todo + "where the code and configs are archived (repository, version, DOI); policesim is MIT-licensed.",
            False,
        )
    )
    return answers


def checklist(facts: Facts) -> Checklist:
    """The STRESS-DES checklist with every item answered or marked for the researcher."""
    answers = _answers(facts)
    return Checklist([CheckItem(number, item, *answers[number]) for number, item in ITEMS])
