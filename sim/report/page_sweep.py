"""The report of a ``policesim sweep --out`` directory (and of its ``policesim analyse`` output)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sim.report import page_common as common
from sim.report import plots as report_plots
from sim.report.document import Figure, Paragraph, Report, Section, Table
from sim.report.format import number
from sim.report.stress import Facts
from sim.sweep.store import OVERLOADED


def sweep_report(
    directory: Path, plots: Path, question: str | None, parse_argv: common.ParseArgv | None = None
) -> Report:
    """The report of a ``policesim sweep --out`` directory (and its ``analyse`` output)."""
    manifest = common.read_json(directory / "manifest.json")
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
                number(values.mean(), 3),
                number(values.std(), 3),
                number(values.quantile(0.05), 3),
                number(values.quantile(0.95), 3),
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
        blocks.append(Paragraph(f"{common.TODO}sensitivity indices: run policesim analyse {directory}."))
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
        common.question_section(common.asked(question, spec.get("description")), "the question this sweep answers."),
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
        common.manifest_section(
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
        question=common.asked(question, spec.get("description")),
        outputs=outputs,
        aims=f"Sensitivity of {len(outputs)} outputs to {len(parameters)} "
        f"inputs by a {spec.get('design', {}).get('method', '')} design.",
        varied=_varied(spec),
        sources="docs/calibration.md (sweep ranges)",
        inputs_listed=len(parameter_rows),
        replications=manifest.get("replications"),
        seed=manifest.get("seed"),
        runs=len(results),
        overloaded_runs=int(results[OVERLOADED].sum()) if OVERLOADED in results else 0,
        sampling=f"numpy SeedSequence: replication r of design point p uses SeedSequence("
        f"{manifest.get('seed')}, spawn_key=(p, r)), one named stream per source of randomness; the base "
        "and intervention of a point share their seeds.",
        warmup_days=(model.get("set") or {}).get("warmup_days"),
        horizon_days=(model.get("set") or {}).get("horizon_days"),
    )
    return common.with_checklist(
        f"policesim sweep: {manifest.get('name')}",
        f"{manifest.get('n_points')} design points, seed {manifest.get('seed')}",
        sections,
        facts,
    )


def _varied(spec: Mapping[str, Any]) -> str:
    """What each design point changes: the sampled paths, and the intervention it is paired with."""
    names = [str(p.get("path")) for p in spec.get("parameters", [])]
    text = f"each design point sets the sampled config paths ({', '.join(names)})"
    intervention = (spec.get("model") or {}).get("intervention")
    if intervention:
        changes = [*intervention.get("overlays", []), *(f"{k}={v}" for k, v in (intervention.get("set") or {}).items())]
        text += f", run as a base and an intervention ({'; '.join(changes)}) on the same seeds"
    return text
