"""Build the study report of a ``run``, ``compare`` or ``sweep`` results directory.

Reads only the files those commands write (manifest, JSON summaries, Parquet tables), so a
report can be produced later, elsewhere, from the directory alone. The sections follow what a
reviewer needs: the question, the scenarios, every input with its source, results with
confidence intervals, figures, the run manifest and the STRESS-DES checklist.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim import __version__
from sim.config.loading import DEFAULT_CONFIG
from sim.errors import DataError
from sim.report import plots as report_plots
from sim.report.document import Figure, Paragraph, Report, Section, Table, to_html, to_markdown
from sim.report.inputs import (
    NO_SOURCE,
    InputRow,
    calibration_entries,
    file_sources,
    input_rows,
)
from sim.report.output import write_directory
from sim.report.responses import response_document_table
from sim.report.stress import Facts, checklist
from sim.report.tables import ratio_text

REPO = Path(__file__).resolve().parents[2]
CALIBRATION = REPO / "docs" / "calibration.md"
PLOTS = "plots"
HEADLINE = ("burglary", "domestic_abuse")
TODO = "Researcher to complete: "


# ---- reading a results directory --------------------------------------------------------------
def _json(path: Path) -> Any:
    """A JSON file of the results directory; a missing or broken one is a DataError."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{path}: missing; is this a complete policesim results directory?") from None
    except json.JSONDecodeError as error:
        raise DataError(f"{path}: not valid JSON (line {error.lineno})") from None


def kind_of(directory: Path) -> str:
    """``run``, ``compare`` or ``sweep``, from the directory's manifest."""
    if not directory.is_dir():
        raise DataError(f"{directory}: no such results directory")
    manifest = _json(directory / "manifest.json")
    if str(manifest.get("format", "")).startswith("policesim-sweep"):
        return "sweep"
    command = manifest.get("command")
    if command in ("run", "compare"):
        return str(command)
    raise DataError(f"{directory}/manifest.json: not written by policesim run, compare or sweep")


def _parsed_argv(argv: list[str]) -> argparse.Namespace | None:
    """The recorded command line parsed again, or None if it no longer parses."""
    import contextlib
    import io

    from sim.commands.cli import build_parser

    try:
        with contextlib.redirect_stderr(io.StringIO()):
            return build_parser().parse_args(argv)
    except SystemExit:
        return None


def _find(name: str | Path | None, directory: Path) -> Path | None:
    """A file named in a manifest: as given, or relative to the results' parent folder."""
    if name is None:
        return None
    for candidate in (Path(name), directory.parent / name, REPO / name):
        if candidate.is_file():
            return candidate
    return None


# ---- formatting -------------------------------------------------------------------------------
def _num(value: float | None, digits: int = 1) -> str:
    """A number with thousands separators, or "-" when undefined."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:,.{digits}f}"


def _ci(cell: Mapping[str, Any] | None, digits: int = 1) -> str:
    """``mean (low to high)`` from a contract cell."""
    if not cell or cell.get("mean") is None:
        return "-"
    low, high = cell.get("ci_low"), cell.get("ci_high")
    if low is None or high is None:
        return _num(cell["mean"], digits)
    return f"{_num(cell['mean'], digits)} ({_num(low, digits)} to {_num(high, digits)})"


def _inputs_section(rows: list[InputRow], title: str, note: str) -> Section:
    """The inputs table, with counts by confidence and the unsourced ones called out."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.confidence or "no source"] = counts.get(row.confidence or "no source", 0) + 1
    summary = ", ".join(f"{n} {label}" for label, n in sorted(counts.items(), key=lambda c: -c[1]))
    missing = [r.path for r in rows if not r.sourced]
    blocks: list[Any] = [Paragraph(f"{len(rows)} numeric inputs: {summary}. {note}")]
    if missing:
        blocks.append(
            Paragraph(
                f"{TODO}{len(missing)} inputs have no source: "
                + ", ".join(missing[:20])
                + ("..." if len(missing) > 20 else "")
            )
        )
    blocks.append(
        Table(
            ["input", "value", "source", "confidence"],
            [[r.path, r.value, r.source, r.confidence or "NONE"] for r in rows],
        )
    )
    return Section("inputs", title, blocks)


def _interventions_text(config: Mapping[str, Any]) -> str:
    """Enabled interventions with their settings, or 'none'."""
    active = []
    for name, settings in (config.get("interventions") or {}).items():
        if isinstance(settings, Mapping) and settings.get("enabled"):
            shown = ", ".join(f"{k} {v}" for k, v in settings.items() if k != "enabled" and isinstance(v, int | float))
            active.append(f"{name} ({shown})" if shown else name)
    return "; ".join(active) or "none"


def _manifest_section(rows: list[list[str]]) -> Section:
    """The run-manifest section from (field, value) rows."""
    return Section(
        "manifest",
        "Run manifest",
        [
            Paragraph(
                "What identifies these results: rerunning the recorded command with the same "
                "policesim version gives the same numbers."
            ),
            Table(["field", "value"], rows),
        ],
    )


def _software() -> str:
    """Versions of policesim and the libraries that shape its numbers."""
    import numpy
    import simpy

    return (
        f"policesim {__version__}, Python {platform.python_version()}, SimPy "
        f"{simpy.__version__}, numpy {numpy.__version__}, pandas {pd.__version__}"
    )


def _system() -> str:
    """The operating system, architecture and cores of this machine."""
    import os

    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores"


# ---- run --------------------------------------------------------------------------------------
def _run_sources(manifest: Mapping[str, Any], directory: Path) -> tuple[list[dict], dict, str]:
    """Config-file sources, command-line overrides and the config file used, for a run."""
    args = _parsed_argv(list(manifest.get("argv", [])))
    overrides: dict[str, Any] = {}
    config_path: Path | None = DEFAULT_CONFIG
    if args is not None:
        config_path = _find(args.config, directory) if args.config else DEFAULT_CONFIG
        for text in getattr(args, "overrides", []) or []:
            path, _, value = text.partition("=")
            overrides[path.strip()] = value
        if getattr(args, "days", None) is not None:
            overrides["horizon_days"] = args.days
        if getattr(args, "warmup_days", None) is not None:
            overrides["warmup_days"] = args.warmup_days
    files = [file_sources(config_path)] if config_path is not None else []
    if config_path is not None:
        overrides.update(_changed_from_file(manifest["config"], config_path, overrides))
    return files, overrides, str(config_path) if config_path else "not found"


def _changed_from_file(config: Mapping[str, Any], path: Path, known: Mapping[str, Any]) -> dict[str, str]:
    """Inputs whose run value differs from the config file's: set on the command line."""
    from sim.config.loading import load_scenario, resolved_dict
    from sim.errors import PolicesimError
    from sim.report.inputs import numeric_inputs

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
    incidents = Table(
        [
            "type",
            "generated",
            "attended",
            "within target",
            "not attended",
            "open at end",
            "mean response (min)",
            "p90 response (min)",
        ],
        [
            [
                name,
                _ci(row["generated"], 0),
                _ci(row["attended"], 0),
                _ci(row["attended_within_target"], 0),
                _ci(row["not_attended"], 0),
                _ci(row["open_at_end"], 0),
                _ci(s["response_minutes"][name]["mean"]),
                _ci(s["response_minutes"][name]["p90"]),
            ]
            for name, row in s["incidents"].items()
        ],
        "Incidents after warm-up, per replication window: mean (95% CI)",
    )
    grades = Table(
        ["grade", "within target (share)", "mean response (min)", "mean queue length"],
        [
            [
                g,
                _ci(share, 3),
                _ci(s.get("response_minutes_by_grade", {}).get(g, {}).get("mean")),
                _ci(s.get("queue_length", {}).get(g, {}).get("mean"), 2),
            ]
            for g, share in s["within_target"].items()
        ],
        "Response by grade: mean (95% CI)",
    )
    total = (s.get("officer_hours_total") or {}).get("mean") or 0.0
    hours = Table(
        ["activity", "officer hours", "share of officer time"],
        [
            [a, _ci(cell, 0), f"{(cell['mean'] or 0) / total:.1%}" if total else "-"]
            for a, cell in s["officer_hours"].items()
        ]
        + [
            ["overtime", _ci(s.get("overtime_hours"), 0), ""],
            ["follow-up backlog at end", _ci(s.get("followup_backlog_hours"), 0), ""],
        ],
        "Officer time by activity: mean (95% CI)",
    )
    contact = s.get("contact", {})
    centre = Table(
        ["measure", "value"],
        [
            ["999 answered within 10 s (share)", _ci(contact.get("answered_999_within_10s"), 3)],
            ["101 abandoned (share)", _ci(contact.get("abandoned_101"), 3)],
            ["101 mean answer (s)", _ci(contact.get("mean_answer_101_seconds"))],
        ],
        "Contact centre: mean (95% CI)",
    )
    responses = response_document_table(s)
    return [incidents, grades, hours, centre, *([responses] if responses is not None else [])]


def _run_figures(directory: Path, config: Mapping[str, Any], plots: Path) -> list[Any]:
    """Response distributions, within-target shares, activity by hour, queue over time."""
    summary = _json(directory / "summary.json")["summary"]
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


def run_report(directory: Path, plots: Path, question: str | None) -> Report:
    """The report of a ``policesim run --out`` directory."""
    manifest = _json(directory / "manifest.json")
    document = _json(directory / "summary.json")
    config = manifest["config"]
    files, overrides, config_file = _run_sources(manifest, directory)
    rows = input_rows(config, files, calibration_entries(CALIBRATION), overrides)
    meta = document["meta"]
    scenario = Table(
        ["field", "value"],
        [
            ["scenario", config["name"]],
            ["description", config.get("description", "")],
            ["config file", config_file],
            ["interventions", _interventions_text(config)],
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
                f"OVERLOADED in {_count(len(overloads), 'replication')}: {overloads[0]['reason']}; results cover a shortened run."
            ),
        )
    sections = [
        Section(
            "question",
            "Question",
            [Paragraph(question or TODO + "the question this run answers (policesim report --question).")],
        ),
        Section("scenarios", "Scenario and interventions", [scenario]),
        Section("results", "Results with 95% confidence intervals", results),
        Section("figures", "Figures", _run_figures(directory, config, plots)),
        _inputs_section(
            rows, "Inputs and their sources", "Sources: docs/calibration.md, then the config file's comments."
        ),
        _manifest_section(
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
        sources="docs/calibration.md parameter table and config comments",
        inputs_listed=len(rows),
        unsourced_inputs=sum(not r.sourced for r in rows),
        warmup_days=config["warmup_days"],
        horizon_days=config["horizon_days"],
        replications=meta["replications"],
        software=_software(),
        report_machine=_system(),
    )
    sections.append(Section("stress", "STRESS-DES checklist", [checklist(facts)]))
    return Report(
        f"policesim run: {config['name']}",
        f"{_count(meta['replications'], 'replication')}, seed {meta['seed']}, config "
        f"{meta['config_hash']}, policesim {meta['version']}",
        sections,
    )


# ---- compare ----------------------------------------------------------------------------------
def _experiment_files(manifest: Mapping[str, Any], directory: Path) -> tuple[dict[str, Any], Path | None]:
    """The experiment spec recorded in the manifest and the experiment file, if found."""
    recorded = manifest.get("experiment") or {}
    spec = yaml.safe_load(recorded) if isinstance(recorded, str) else dict(recorded)
    args = _parsed_argv(list(manifest.get("argv", [])))
    path = _find(getattr(args, "experiment", None), directory) if args is not None else None
    return spec, path


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
    from sim.study.calibration import entry_for

    folder = path.parent if path is not None else Path.cwd()
    entry: Mapping[str, Any] = next((e for e in spec.get("scenarios", []) if e.get("name") == name), {})
    rows = []
    for overlay in entry.get("overlays", []):
        overlay_path = folder / overlay
        if not overlay_path.is_file():
            rows.append([name, overlay, "", f"{NO_SOURCE}: overlay file not found", ""])
            continue
        for leaf, comment in file_sources(overlay_path).items():
            value: Any = config
            for part in leaf.split("."):
                value = value.get(part) if isinstance(value, Mapping) else None
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


def _count(n: int, noun: str) -> str:
    """``1 scenario``, ``3 scenarios``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def compare_report(directory: Path, plots: Path, question: str | None) -> Report:
    """The report of a ``policesim compare --out`` directory."""
    manifest = _json(directory / "manifest.json")
    document = _json(directory / "comparison.json")
    experiment = document["experiment"]
    spec, path = _experiment_files(manifest, directory)
    base = experiment["base"]
    configs = manifest["configs"]
    entries = calibration_entries(CALIBRATION)
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
                _interventions_text(config),
            ]
            for name, config in configs.items()
        ],
    )
    types = [t for t in spec.get("types", HEADLINE)]
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
                    _ci(cell["extra_attended"], 0),
                    _ci(cell["extra_attended_within_target"], 0),
                    _ci(cell["response_mean_change_minutes"]),
                    " / ".join(_num(linear.get(k), 0) for k in ("government", "own_attendance", "own_end_to_end")),
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
                f"{name}: hours saved per year {_ci(block['hours_saved_per_year'], 0)}",
            )
        )
    crn = document.get("common_random_numbers")
    if crn:
        results.append(Paragraph(_crn_text(crn)))
    sections = [
        Section(
            "question",
            "Question",
            [
                Paragraph(
                    question
                    or str(spec.get("description") or "").strip()
                    or TODO + "the question this comparison answers."
                )
            ],
        ),
        Section("scenarios", "Scenarios and interventions", [scenarios]),
        Section("results", "Results with 95% confidence intervals", results),
        Section("figures", "Figures", _compare_figures(directory, configs[base], types, plots)),
        Section(
            "changes",
            "Inputs each scenario sets",
            [Table(["scenario", "input", "value", "source", "confidence"], changed_rows)],
        ),
        _inputs_section(
            rows, "Inputs and their sources", f"Base scenario {base!r}; the inputs other scenarios change are above."
        ),
        _manifest_section(
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
        question=question or str(spec.get("description") or "").strip() or None,
        outputs=[
            "extra incidents attended",
            "within target",
            "response time change",
            "officer hours freed",
            "linear estimates",
        ],
        aims=f"Compare {_count(len(configs) - 1, 'scenario')} against {base!r} on common random numbers.",
        scenario_logic="Each scenario is the base config with intervention overlays; each "
        "intervention acts in its own module of sim/model/interventions/; see the changed "
        "inputs table.",
        sources="docs/calibration.md parameter table and config comments",
        inputs_listed=len(rows),
        inputs_changed=len(changed_rows),
        unsourced_inputs=unsourced,
        warmup_days=experiment["warmup_days"],
        horizon_days=experiment["horizon_days"],
        replications=experiment["replications"],
        estimation=f"{_count(experiment['replications'], 'replication')} per scenario with the same seeds "
        "(common random numbers); paired differences with 95% Student-t confidence intervals.",
        software=_software(),
        report_machine=_system(),
    )
    sections.append(Section("stress", "STRESS-DES checklist", [checklist(facts)]))
    return Report(
        f"policesim compare: {experiment['name']}",
        f"{_count(len(configs), 'scenario')}, {_count(experiment['replications'], 'replication')} each, "
        f"seed {experiment['seed']}",
        sections,
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


# ---- sweep ------------------------------------------------------------------------------------
def sweep_report(directory: Path, plots: Path, question: str | None) -> Report:
    """The report of a ``policesim sweep --out`` directory (and its ``analyse`` output)."""
    manifest = _json(directory / "manifest.json")
    spec = manifest.get("spec", {})
    parts = sorted((directory / "parts").glob("part-*.parquet"))
    results = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True) if parts else pd.DataFrame()
    outputs = list(manifest.get("outputs", []))
    parameters = list(manifest.get("parameters", []))
    parameter_rows = [
        [
            p.get("path", ""),
            p.get("distribution", "uniform"),
            ", ".join(
                f"{k} {p[k]:g}" for k in ("low", "mode", "high", "mean", "sd") if isinstance(p.get(k), int | float)
            ),
        ]
        for p in spec.get("parameters", [])
    ]
    done = results["point"].nunique() if len(results) else 0
    summary_rows = []
    for output in outputs:
        if output not in results:
            continue
        values = results.groupby("point")[output].mean().dropna()
        if values.empty:
            continue
        summary_rows.append(
            [
                output,
                _num(values.mean(), 3),
                _num(values.std(), 3),
                _num(values.quantile(0.05), 3),
                _num(values.quantile(0.95), 3),
            ]
        )
    blocks: list[Any] = [
        Paragraph(
            f"{done} of {manifest.get('n_points')} design points done, "
            f"{manifest.get('replications')} replications each."
        ),
        Table(
            ["output", "mean over design", "sd", "5th percentile", "95th percentile"],
            summary_rows,
            "Outputs over the design (point means)",
        ),
    ]
    analysis = directory / "analysis" / "indices.csv"
    if analysis.exists():
        indices = pd.read_csv(analysis)
        shown = indices.head(40).apply(
            lambda column: column.map(lambda v: f"{v:.3f}" if isinstance(v, float) else str(v))
        )
        blocks.append(
            Table(list(shown.columns), shown.values.tolist(), "Sensitivity indices (policesim analyse), 95% intervals")
        )
    else:
        blocks.append(Paragraph(f"{TODO}sensitivity indices: run policesim analyse {directory}."))
    figures: list[Any] = []
    if summary_rows:
        names = [r[0] for r in summary_rows]
        figures.append(
            Figure(
                report_plots.output_distributions(results, names, plots / "outputs.png"),
                "Distribution of each output over the design",
            )
        )
        figures.append(
            Figure(
                report_plots.output_against_inputs(results, parameters, names[0], plots / "output_vs_inputs.png"),
                f"{names[0]} against each input",
            )
        )
    sensitivity = directory / "analysis" / "sensitivity.png"
    if sensitivity.exists():
        shutil.copy(sensitivity, plots / "sensitivity.png")
        figures.append(Figure(plots / "sensitivity.png", "Sensitivity ranking (policesim analyse)"))
    model = spec.get("model", {})
    sections = [
        Section(
            "question",
            "Question",
            [
                Paragraph(
                    question or str(spec.get("description") or "").strip() or TODO + "the question this sweep answers."
                )
            ],
        ),
        Section(
            "scenarios",
            "Model, scenario and sampled parameters",
            [
                Paragraph(f"Model: {json.dumps(model)}"),
                Table(["parameter (config path)", "distribution", "bounds"], parameter_rows),
            ],
        ),
        Section(
            "inputs",
            "Inputs and their sources",
            [
                Paragraph(
                    "Sampled inputs are listed above with their distributions; the fixed inputs are those "
                    "of the base scenario named in the model, sourced in docs/calibration.md (report a "
                    "policesim run of that scenario for the full table)."
                )
            ],
        ),
        Section("results", "Results", blocks),
        Section("figures", "Figures", figures or [Paragraph("No finished design points yet.")]),
        _manifest_section(
            [
                [k, str(manifest.get(k))]
                for k in (
                    "name",
                    "spec_hash",
                    "policesim_version",
                    "salib_version",
                    "created_utc",
                    "seed",
                    "n_points",
                    "replications",
                )
            ]
        ),
    ]
    facts = Facts(
        question=question or str(spec.get("description") or "").strip() or None,
        outputs=outputs,
        aims=f"Sensitivity of {len(outputs)} outputs to {len(parameters)} "
        f"inputs by a {spec.get('design', {}).get('method', '')} design.",
        scenario_logic="Each design point sets the sampled config paths (see the parameters table).",
        sources="docs/calibration.md (sweep ranges)",
        inputs_listed=len(parameter_rows),
        replications=manifest.get("replications"),
        warmup_days=(model.get("set") or {}).get("warmup_days"),
        horizon_days=(model.get("set") or {}).get("horizon_days"),
        software=_software(),
        report_machine=_system(),
    )
    sections.append(Section("stress", "STRESS-DES checklist", [checklist(facts)]))
    return Report(
        f"policesim sweep: {manifest.get('name')}",
        f"{manifest.get('n_points')} design points, seed {manifest.get('seed')}",
        sections,
    )


# ---- writing ----------------------------------------------------------------------------------
BUILDERS = {"run": run_report, "compare": compare_report, "sweep": sweep_report}


def build(directory: Path, plots: Path, question: str | None = None) -> Report:
    """The report of any results directory, figures drawn into ``plots``."""
    return BUILDERS[kind_of(directory)](directory, plots, question)


def write_report(directory: Path, out: Path | None = None, force: bool = False, question: str | None = None) -> Path:
    """Write report.html, report.md and plots/ into ``out`` (default DIR/report), atomically."""
    directory = Path(directory)
    out = Path(out) if out is not None else directory / "report"
    kind_of(directory)
    from sim.report.output import check_writable

    check_writable(out, force)
    with tempfile.TemporaryDirectory(prefix="policesim-report-") as scratch:
        plots = Path(scratch)
        report = build(directory, plots, question)

        def copy_plots(target: Path) -> None:
            """Put the figures beside the Markdown twin."""
            target.mkdir()
            for figure in report.figures():
                shutil.copy(figure.path, target / Path(figure.path).name)

        write_directory(
            out,
            {
                PLOTS: copy_plots,
                "report.html": lambda target: target.write_text(to_html(report), encoding="utf-8"),
                "report.md": lambda target: target.write_text(to_markdown(report, PLOTS), encoding="utf-8"),
            },
            force,
        )
    return out
