"""The report of a ``policesim compare --out`` directory: scenarios against the base, paired on
common random numbers, with the inputs each scenario sets and their sources."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.config import paths
from sim.config.loading import DEFAULT_CONFIG
from sim.report import page_common as common
from sim.report import plots as report_plots
from sim.report.document import Figure, Paragraph, Report, Section, Table
from sim.report.format import mean_ci, number
from sim.report.inputs import NO_SOURCE, calibration_entries, file_sources, input_rows
from sim.report.stress import Facts, interventions_text
from sim.report.tables import ratio_text
from sim.study.calibration import entry_for
from sim.study.experiment import HEADLINE_TYPES


def _experiment_files(
    manifest: Mapping[str, Any], directory: Path, parse_argv: common.ParseArgv | None
) -> tuple[dict[str, Any], Path | None]:
    """The experiment spec recorded in the manifest and the experiment file, if found."""
    recorded = manifest.get("experiment") or {}
    spec = yaml.safe_load(recorded) if isinstance(recorded, str) else dict(recorded)
    return spec, common.find_file(common.recorded_options(manifest, parse_argv).get("experiment"), directory)


def _scenario_files(spec: Mapping[str, Any], path: Path | None, name: str) -> list[dict]:
    """Source comments of the base config and the overlays of scenario ``name``."""
    folder = path.parent if path is not None else Path.cwd()
    base = spec.get("config")
    base_path = DEFAULT_CONFIG if base is None else folder / base
    files = [file_sources(base_path)] if base_path.is_file() else []
    for entry in spec.get("scenarios", []):
        if entry.get("name") == name:
            for overlay in entry.get("overlays", []):
                if (folder / overlay).is_file():
                    files.append(file_sources(folder / overlay))
    return files


def _overlay_rows(
    spec: Mapping[str, Any], path: Path | None, name: str, config: Mapping[str, Any], entries: list
) -> list[list[str]]:
    """Every value the scenario's overlay files set, with its value and source."""
    folder = path.parent if path is not None else Path.cwd()
    entry: Mapping[str, Any] = next((e for e in spec.get("scenarios", []) if e.get("name") == name), {})
    rows = []
    for overlay in entry.get("overlays", []):
        overlay_path = folder / overlay
        if not overlay_path.is_file():
            rows.append([name, overlay, "", f"{NO_SOURCE}: overlay file not found", ""])
            continue
        for leaf, comment in file_sources(overlay_path).items():
            value = paths.get_or(config, leaf)
            row = entry_for(leaf, entries)
            if isinstance(value, bool) or leaf.endswith(".enabled"):
                source, confidence = f"the scenario's definition ({overlay})", "scenario"
            elif row is not None:
                source, confidence = row.source, row.confidence
            else:
                source = comment or NO_SOURCE
                confidence = "cited in overlay" if comment else ""
            rows.append([name, leaf, str(value), source, confidence])
    for leaf, value in (entry.get("set") or entry.get("overrides") or {}).items():
        rows.append([name, leaf, str(value), "set in the experiment file", "set by user"])
    return rows


def _crn_text(crn: Mapping[str, Any]) -> str:
    """One sentence on the variance reduction common random numbers gave."""
    median = crn.get("median_variance_reduction")
    if median is None:
        return "Common random numbers: variance reduction not defined (it needs two or more replications)."
    return (
        f"Common random numbers: median variance reduction {ratio_text(median)} over the headline "
        f"metrics against independent runs ({crn.get('definition', '')})."
    )


def compare_report(
    directory: Path, plots: Path, question: str | None, parse_argv: common.ParseArgv | None = None
) -> Report:
    """The report of a ``policesim compare --out`` directory."""
    manifest = common.read_json(directory / "manifest.json")
    document = common.read_json(directory / "comparison.json")
    experiment = document["experiment"]
    spec, path = _experiment_files(manifest, directory, parse_argv)
    base = experiment["base"]
    configs = manifest["configs"]
    entries = calibration_entries(common.CALIBRATION)
    rows = input_rows(configs[base], _scenario_files(spec, path, base), entries)
    changed_rows = [
        row
        for name, config in configs.items()
        if name != base
        for row in _overlay_rows(spec, path, name, config, entries)
    ]
    unsourced = sum(not r.sourced for r in rows) + sum(row[3].startswith(NO_SOURCE) for row in changed_rows)
    descriptions = {e.get("name"): e for e in spec.get("scenarios", [])}
    scenarios = Table(
        ["scenario", "description", "overlays", "interventions"],
        [
            [
                name,
                str(descriptions.get(name, {}).get("description", "")),
                ", ".join(descriptions.get(name, {}).get("overlays", [])) or "-",
                interventions_text(config),
            ]
            for name, config in configs.items()
        ],
    )
    types = [t for t in spec.get("types", HEADLINE_TYPES)]
    results: list[Any] = [
        Paragraph(
            f"Each scenario minus {base!r}, paired by replication on common random numbers; counts "
            f"and hours per year ({experiment['per_year']}); mean (95% CI). Linear = hours saved "
            "divided by hours per incident (government figure / the model's own attendance time / "
            "own end-to-end time)."
        )
    ]
    for name, block in document["scenarios"].items():
        rows_out = []
        for kind in types:
            cell = block["types"].get(kind)
            if cell is None:
                continue
            linear = cell["linear_extra_attended"]
            rows_out.append(
                [
                    kind,
                    mean_ci(cell["extra_attended"], 0),
                    mean_ci(cell["extra_attended_within_target"], 0),
                    mean_ci(cell["response_mean_change_minutes"]),
                    " / ".join(number(linear.get(k), 0) for k in ("government", "own_attendance", "own_end_to_end")),
                ]
            )
        results.append(
            Table(
                [
                    "type",
                    "extra attended",
                    "extra within target",
                    "mean response change (min)",
                    "linear estimate (gov / own / end-to-end)",
                ],
                rows_out,
                f"{name}: hours saved per year {mean_ci(block['hours_saved_per_year'], 0)}",
            )
        )
    crn = document.get("common_random_numbers")
    if crn:
        results.append(Paragraph(_crn_text(crn)))
    sections = [
        common.question_section(
            common.asked(question, spec.get("description")), "the question this comparison answers."
        ),
        Section("scenarios", "Scenarios and interventions", [scenarios]),
        Section("results", "Results with 95% confidence intervals", results),
        Section("figures", "Figures", _compare_figures(directory, configs[base], types, plots)),
        Section(
            "changes",
            "Inputs each scenario sets",
            [Table(["scenario", "input", "value", "source", "confidence"], changed_rows)],
        ),
        common.inputs_section(
            rows, "Inputs and their sources", f"Base scenario {base!r}; the inputs other scenarios change are above."
        ),
        common.manifest_section(
            [
                ["experiment", f"{experiment['name']} ({experiment.get('file', '')})"],
                ["seed", str(experiment["seed"])],
                ["replications", str(experiment["replications"])],
                ["policesim version", str(manifest.get("version"))],
                ["config hash (base)", str(manifest.get("config_hash"))],
                ["horizon", f"{experiment['horizon_days']:g} days, {experiment['warmup_days']:g} warm-up"],
                ["command", "policesim " + " ".join(manifest.get("argv", []))],
            ]
        ),
    ]
    facts = Facts(
        question=common.asked(question, spec.get("description")),
        outputs=[
            "extra incidents attended",
            "within target",
            "response time change",
            "officer hours freed",
            "linear estimates",
        ],
        aims=f"Compare {common.count(len(configs) - 1, 'scenario')} against {base!r} on common random numbers.",
        configs={base: configs[base], **configs},
        sources="docs/calibration.md parameter table and config comments",
        inputs_listed=len(rows),
        inputs_changed=len(changed_rows),
        unsourced_inputs=unsourced,
        assumed_inputs=sum(r.confidence == "assumed" for r in rows),
        warmup_days=experiment["warmup_days"],
        horizon_days=experiment["horizon_days"],
        replications=experiment["replications"],
        seed=experiment["seed"],
        runs=experiment["replications"] * len(configs),
        overloaded_runs=int(document.get("meta", {}).get("overloaded_runs") or 0),
        estimation=f"{common.count(experiment['replications'], 'replication')} per scenario with the same seeds "
        "(common random numbers); paired differences with 95% Student-t confidence intervals.",
    )
    return common.with_checklist(
        f"policesim compare: {experiment['name']}",
        f"{common.count(len(configs), 'scenario')}, {common.count(experiment['replications'], 'replication')} each, "
        f"seed {experiment['seed']}",
        sections,
        facts,
    )


def _compare_figures(directory: Path, base_config: Mapping[str, Any], types: list[str], plots: Path) -> list[Any]:
    """Response distributions, within-target shares, officer hours, extra vs linear."""
    targets = {
        g: v["target_minutes"] for g, v in base_config["grades"].items() if v.get("deploy") and v.get("target_minutes")
    }
    blocks: list[Any] = []
    responses = directory / "responses.parquet"
    if responses.exists():
        frame = pd.read_parquet(responses)
        blocks.append(
            Figure(
                report_plots.response_distributions(frame, targets, plots / "response_times.png"),
                "Response-time distribution by grade, per scenario",
            )
        )
    means = pd.read_parquet(directory / "scenario_means.parquet")
    shares = means[means["metric"].str.startswith("within_target.")].assign(
        grade=lambda f: f["metric"].str.removeprefix("within_target.")
    )
    shares = shares[shares["grade"].isin(targets)]
    blocks.append(
        Figure(
            report_plots.within_target(shares, plots / "within_target.png"),
            "Share attended within target by grade and scenario, 95% CI",
        )
    )
    hours = means[means["metric"].str.startswith("officer_hours.")].assign(
        activity=lambda f: f["metric"].str.removeprefix("officer_hours."), hours=lambda f: f["mean"]
    )
    hours = hours[hours["activity"] != "work_total"]
    blocks.append(
        Figure(
            report_plots.hours_by_activity(hours, plots / "officer_hours.png"),
            "Officer hours by activity per scenario (measured window)",
        )
    )
    linear = pd.read_parquet(directory / "linear.parquet")
    blocks.append(
        Figure(
            report_plots.extra_vs_linear(linear, types, plots / "extra_vs_linear.png"),
            "Extra incidents attended per year: simulated (95% CI) against the linear estimates",
        )
    )
    blocks.append(
        Paragraph(
            "Officer activity by hour of day and queue length over time come "
            "from a run's time series: run a scenario with policesim run "
            "--timeseries --out DIR and report that directory."
        )
    )
    return blocks
