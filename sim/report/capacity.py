"""``policesim capacity`` as text: the tolerance, the base's service, each scenario's bracket and
every volume tried with the paired 95% CIs of both changes."""

from __future__ import annotations

from typing import Any

from sim.report.format import mean_ci, number

VERDICT = {True: "passes", False: "fails"}


def step_line(step: dict[str, Any]) -> str:
    """One volume tried: its paired changes with 95% CIs and the verdicts."""
    overloaded = step["overloaded_replications"]
    note = f"; {overloaded} replication(s) overloaded" if overloaded else ""
    return (
        f"+{number(step['volume'], 0)} a year: in person {mean_ci(step['share_change_points'], 2)} points, "
        f"time to attend {mean_ci(step['time_change_minutes'], 1)} min; "
        f"{VERDICT[step['passed']]} (CIs: {step['clearly']}){note}"
    )


def bracket_text(cell: dict[str, Any]) -> str:
    """The absorbable volume as the search left it."""
    passing, failing = cell["last_passing"], cell["first_failing"]
    if passing is None:
        return "none (fails with no extra demand)"
    if cell["censored"]:
        return f"at least {number(passing, 0)} a year (the largest volume searched passed)"
    return f"between {number(passing, 0)} (last passing) and {number(failing, 0)} (first failing) a year"


def _clearly(entry: dict[str, Any]) -> str:
    within, beyond = entry["clearly_within_up_to"], entry["clearly_beyond_from"]
    parts = [
        f"within tolerance up to {number(within, 0)}" if within is not None else "within tolerance at no volume tried",
        f"beyond it from {number(beyond, 0)}" if beyond is not None else "beyond it at no volume tried",
    ]
    return "95% CIs clearly " + ", ".join(parts)


def render_capacity(document: dict[str, Any]) -> str:
    """The answer for the terminal."""
    tolerance, reference = document["tolerance"], document["reference"]
    kind = document["type"]
    lines = [
        f"Absorbable extra {kind} a year (base {document['base']!r}: {number(document['base_yearly_volume'], 0)} "
        f"a year), {document['replications']} replications, {document['horizon_days']:g} days, "
        f"seed {document['seed']}",
        f"Passes: against {document['base']!r} with no extra demand, on common random numbers, the mean "
        f"share of {kind} attended in person falls by at most {tolerance['share_points']:g} percentage points and the "
        f"mean time to attend rises by at most {tolerance['minutes']:g} min.",
        f"Base: {mean_ci(reference['share_in_person_percent'], 1)}% attended in person; time to attend "
        f"{mean_ci(reference['time_to_attend_minutes'], 0)} min (mean, 95% CI)",
    ]
    if reference["overloaded_replications"]:
        lines.append(
            f"WARNING: {reference['overloaded_replications']} replication(s) of the base overloaded with no extra "
            "demand: the base itself is beyond what the force can serve"
        )
    for name, entry in document["scenarios"].items():
        lines.append(f"  {name}: {bracket_text(entry['absorbable_per_year'])}; {_clearly(entry)}")
        gain = entry.get("gain_over_base_per_year")
        if gain is not None:
            low, high = gain["low"], gain["high"]
            lines.append(
                f"    gain over {document['base']}: from {number(low, 0)} to {number(high, 0)} a year "
                "(the brackets' ends; - where a bracket is open)"
            )
        lines += [f"    {step_line(step)}" for step in entry["steps"]]
    return "\n".join(lines) + "\n"
