"""What the run, compare and sweep reports share: reading a results directory, the inputs and
manifest sections, and the software and machine lines of the STRESS-DES checklist."""

from __future__ import annotations

import argparse
import json
import os
import platform
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sim import __version__
from sim.errors import DataError
from sim.report.document import Paragraph, Report, Section, Table
from sim.report.inputs import InputRow
from sim.report.stress import TODO, Facts, checklist

ParseArgv = Callable[[list[str]], "argparse.Namespace | None"]
# The options a report reads from the recorded command line.
OPTION_NAMES: tuple[str, ...] = ("config", "overrides", "days", "warmup_days", "experiment")
REPO = Path(__file__).resolve().parents[2]
CALIBRATION = REPO / "docs" / "calibration.md"
PLOTS = "plots"


# ---- reading a results directory --------------------------------------------------------------
def read_json(path: Path) -> Any:
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
    manifest = read_json(directory / "manifest.json")
    if str(manifest.get("format", "")).startswith("policesim-sweep"):
        return "sweep"
    command = manifest.get("command")
    if command in ("run", "compare"):
        return str(command)
    raise DataError(f"{directory}/manifest.json: not written by policesim run, compare or sweep")


def recorded_options(manifest: Mapping[str, Any], parse_argv: ParseArgv | None) -> dict[str, Any]:
    """The command-line options the results were made with (config file, --set, --days, ...).

    Read from the manifest's ``options`` where the command recorded them; for older results,
    from the recorded command line parsed again by ``parse_argv`` (the ``report`` command passes
    the CLI's parser); otherwise none are known.
    """
    if isinstance(manifest.get("options"), Mapping):
        return dict(manifest["options"])
    args = parse_argv(list(manifest.get("argv", []))) if parse_argv is not None else None
    return {} if args is None else {name: getattr(args, name, None) for name in OPTION_NAMES}


def find_file(name: str | Path | None, directory: Path) -> Path | None:
    """A file named in a manifest: as given, or relative to the results' parent folder."""
    if name is None:
        return None
    for candidate in (Path(name), directory.parent / name, REPO / name):
        if candidate.is_file():
            return candidate
    return None


def count(n: int, noun: str) -> str:
    """``1 scenario``, ``3 scenarios``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


# ---- shared sections ----------------------------------------------------------------------
def asked(question: str | None, description: Any = None) -> str | None:
    """The study's question: as given, else the experiment's or sweep's description, else None."""
    return question or str(description or "").strip() or None


def question_section(question: str | None, missing: str) -> Section:
    """The question section; ``missing`` says what the researcher should write when there is none."""
    return Section("question", "Question", [Paragraph(question or TODO + missing)])


def inputs_section(rows: list[InputRow], title: str, note: str) -> Section:
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


def manifest_section(rows: list[list[str]]) -> Section:
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


def software() -> str:
    """Versions of policesim and the libraries that shape its numbers."""
    import numpy
    import simpy

    return (
        f"policesim {__version__}, Python {platform.python_version()}, SimPy "
        f"{simpy.__version__}, numpy {numpy.__version__}, pandas {pd.__version__}"
    )


def system() -> str:
    """The operating system, architecture and cores of this machine."""
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores"


def with_checklist(title: str, subtitle: str, sections: list[Section], facts: Facts) -> Report:
    """The report, its STRESS-DES checklist last, with the software and this machine filled in."""
    facts.software = facts.software or software()
    facts.report_machine = facts.report_machine or system()
    return Report(title, subtitle, [*sections, Section("stress", "STRESS-DES checklist", [checklist(facts)])])
