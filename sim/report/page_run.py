"""The report of a ``policesim run --out`` directory: one scenario's results with 95% CIs."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sim.config.loading import DEFAULT_CONFIG, load_scenario, resolved_dict
from sim.errors import PolicesimError
from sim.report import page_common as common
from sim.report import plots as report_plots
from sim.report.document import Figure, Paragraph, Report, Section, Table
from sim.report.format import mean_ci
from sim.report.inputs import calibration_entries, file_sources, input_rows, numeric_inputs
from sim.report.responses import response_document_table
from sim.report.stress import Facts, interventions_text


def _run_sources(
    manifest: Mapping[str, Any], directory: Path, parse_argv: common.ParseArgv | None
) -> tuple[list[dict], dict, str]:
    """Config-file sources, command-line overrides and the config file used, for a run."""
    options = common.recorded_options(manifest, parse_argv)
    overrides: dict[str, Any] = {}
    config = options.get("config")
    config_path: Path | None = common.find_file(config, directory) if config else DEFAULT_CONFIG
    for text in options.get("overrides") or []:
        path, _, value = text.partition("=")
        overrides[path.strip()] = value
    if options.get("days") is not None:
        overrides["horizon_days"] = options["days"]
    if options.get("warmup_days") is not None:
        overrides["warmup_days"] = options["warmup_days"]
    files = [file_sources(config_path)] if config_path is not None else []
    if config_path is not None:
        overrides.update(_changed_from_file(manifest["config"], config_path, overrides))
    return files, overrides, str(config_path) if config_path else "not found"


def _changed_from_file(config: Mapping[str, Any], path: Path, known: Mapping[str, Any]) -> dict[str, str]:
    """Inputs whose run value differs from the config file's: set on the command line."""
    try:
        on_file = numeric_inputs(resolved_dict(load_scenario(path)))
    except PolicesimError:
        return {}
    used = numeric_inputs(config)
    return {
        key: f"{value} (the file has {on_file.get(key)})"
        for key, value in used.items()
        if key not in known and on_file.get(key) != value
    }


def _run_results(summary: Mapping[str, Any]) -> list[Any]:
    """Tables of incidents, grades, officer time and the contact centre, each with 95% CIs."""
    s = summary
    counts = ("generated", "attended", "attended_within_target", "not_attended", "open_at_end")
    incidents = Table(
        ["type", "generated", "attended", "within target", "not attended", "open at end"]
        + ["mean response (min)", "p90 response (min)"],
        [
            [name, *(mean_ci(row[key], 0) for key in counts)]
            + [mean_ci(s["response_minutes"][name][key]) for key in ("mean", "p90")]
            for name, row in s["incidents"].items()
        ],
        "Incidents after warm-up, per replication window: mean (95% CI)",
    )
    grades = Table(
        ["grade", "within target (share)", "mean response (min)", "mean queue length"],
        [
            [
                g,
                mean_ci(share, 3),
                mean_ci(s.get("response_minutes_by_grade", {}).get(g, {}).get("mean")),
                mean_ci(s.get("queue_length", {}).get(g, {}).get("mean"), 2),
            ]
            for g, share in s["within_target"].items()
        ],
        "Response by grade: mean (95% CI)",
    )
    total = (s.get("officer_hours_total") or {}).get("mean") or 0.0
    hours = Table(
        ["activity", "officer hours", "share of officer time"],
        [
            [a, mean_ci(cell, 0), f"{(cell['mean'] or 0) / total:.1%}" if total else "-"]
            for a, cell in s["officer_hours"].items()
        ]
        + [
            ["overtime", mean_ci(s.get("overtime_hours"), 0), ""],
            ["follow-up backlog at end", mean_ci(s.get("followup_backlog_hours"), 0), ""],
        ],
        "Officer time by activity: mean (95% CI)",
    )
    contact = s.get("contact", {})
    centre = Table(
        ["measure", "value"],
        [
            ["999 answered within 10 s (share)", mean_ci(contact.get("answered_999_within_10s"), 3)],
            ["101 abandoned (share)", mean_ci(contact.get("abandoned_101"), 3)],
            ["101 mean answer (s)", mean_ci(contact.get("mean_answer_101_seconds"))],
        ],
        "Contact centre: mean (95% CI)",
    )
    responses = response_document_table(s)
    return [incidents, grades, hours, centre, *([responses] if responses is not None else [])]


def _run_figures(directory: Path, config: Mapping[str, Any], plots: Path) -> list[Any]:
    """Response distributions, within-target shares, activity by hour, queue over time."""
    summary = common.read_json(directory / "summary.json")["summary"]
    targets = {
        g: v["target_minutes"] for g, v in config["grades"].items() if v.get("deploy") and v.get("target_minutes")
    }
    blocks: list[Any] = []
    records = directory / "records.parquet"
    if records.exists():
        frame = pd.read_parquet(records, columns=["grade", "response_minutes"])
        path = report_plots.response_distributions(frame, targets, plots / "response_times.png")
        blocks.append(
            Figure(path, "Response-time distribution by grade (all replications, after warm-up), target dashed")
        )
    else:
        blocks.append(Paragraph("Response-time distributions need per-incident records: rerun with --records."))
    shares = pd.DataFrame(
        [{"grade": g, "scenario": "run", **cell} for g, cell in summary["within_target"].items() if g in targets]
    )
    blocks.append(
        Figure(
            report_plots.within_target(shares, plots / "within_target.png"),
            "Share attended within target by grade, 95% CI over replications",
        )
    )
    series_path = directory / "timeseries.parquet"
    if series_path.exists():
        series = pd.read_parquet(series_path)
        warmup = float(config.get("warmup_days", 0.0))
        blocks.append(
            Figure(
                report_plots.activity_by_hour(series, warmup * 24, plots / "activity_by_hour.png"),
                "Rostered officers by activity and hour of day, after warm-up",
            )
        )
        blocks.append(
            Figure(
                report_plots.queue_over_time(series, list(targets), warmup, plots / "queue_over_time.png"),
                "Incidents waiting by grade over the run, mean over replications",
            )
        )
    else:
        blocks.append(
            Paragraph(
                "Officer activity by hour of day and queue length over time "
                "need the time series: rerun with --timeseries."
            )
        )
    return blocks


def run_report(
    directory: Path, plots: Path, question: str | None, parse_argv: common.ParseArgv | None = None
) -> Report:
    """The report of a ``policesim run --out`` directory."""
    manifest = common.read_json(directory / "manifest.json")
    document = common.read_json(directory / "summary.json")
    config = manifest["config"]
    files, overrides, config_file = _run_sources(manifest, directory, parse_argv)
    rows = input_rows(config, files, calibration_entries(common.CALIBRATION), overrides)
    meta = document["meta"]
    scenario = Table(
        ["field", "value"],
        [
            ["scenario", config["name"]],
            ["description", config.get("description", "")],
            ["config file", config_file],
            ["interventions", interventions_text(config)],
            ["horizon", f"{config['horizon_days']:g} days, first {config['warmup_days']:g} discarded"],
            ["replications", str(meta["replications"])],
            ["seed", str(meta["seed"])],
        ],
    )
    overloads = meta.get("overload") or []
    results = _run_results(document["summary"])
    if overloads:
        results.insert(
            0,
            Paragraph(
                f"OVERLOADED in {common.count(len(overloads), 'replication')}: {overloads[0]['reason']}; "
                "results cover a shortened run."
            ),
        )
    sections = [
        common.question_section(question, "the question this run answers (policesim report --question)."),
        Section("scenarios", "Scenario and interventions", [scenario]),
        Section("results", "Results with 95% confidence intervals", results),
        Section("figures", "Figures", _run_figures(directory, config, plots)),
        common.inputs_section(
            rows, "Inputs and their sources", "Sources: docs/calibration.md, then the config file's comments."
        ),
        common.manifest_section(
            [
                ["seed", str(meta["seed"])],
                ["replications", str(meta["replications"])],
                ["policesim version", str(meta["version"])],
                ["config hash", meta["config_hash"]],
                ["command", "policesim " + " ".join(manifest.get("argv", []))],
                ["events simulated", f"{meta.get('events', 0):,}"],
                ["simulation wall time", f"{meta.get('wall_seconds', 0):g} s"],
            ]
        ),
    ]
    facts = Facts(
        question=question,
        outputs=[
            "incidents by outcome",
            "response minutes",
            "within-target shares",
            "officer hours by activity",
            "contact centre",
        ],
        configs={config["name"]: config},
        sources="docs/calibration.md parameter table and config comments",
        inputs_listed=len(rows),
        unsourced_inputs=sum(not r.sourced for r in rows),
        assumed_inputs=sum(r.confidence == "assumed" for r in rows),
        warmup_days=config["warmup_days"],
        horizon_days=config["horizon_days"],
        replications=meta["replications"],
        seed=meta["seed"],
        runs=meta["replications"],
        overloaded_runs=len(overloads),
        overload_reason=overloads[0]["reason"] if overloads else None,
        execution=f"SimPy discrete-event scheduling: {meta.get('events', 0):,} events in "
        f"{meta.get('wall_seconds', 0):g} s of simulation; replications in parallel processes give the "
        "same numbers whatever the worker count.",
    )
    return common.with_checklist(
        f"policesim run: {config['name']}",
        f"{common.count(meta['replications'], 'replication')}, seed {meta['seed']}, config "
        f"{meta['config_hash']}, policesim {meta['version']}",
        sections,
        facts,
    )
