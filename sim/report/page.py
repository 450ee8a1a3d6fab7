"""Build the study report of a ``run``, ``compare`` or ``sweep`` results directory.

Reads only the files those commands write (manifest, JSON summaries, Parquet tables), so a
report can be produced later, elsewhere, from the directory alone. The sections follow what a
reviewer needs: the question, the scenarios, every input with its source, results with
confidence intervals, figures, the run manifest and the STRESS-DES checklist. Each kind of
report is its own module: ``page_run``, ``page_compare`` and ``page_sweep``.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from sim.report.document import Report, to_html, to_markdown
from sim.report.output import check_writable, write_directory
from sim.report.page_common import PLOTS, ParseArgv, kind_of
from sim.report.page_compare import compare_report
from sim.report.page_run import run_report
from sim.report.page_sweep import sweep_report

BUILDERS = {"run": run_report, "compare": compare_report, "sweep": sweep_report}


def build(directory: Path, plots: Path, question: str | None = None, parse_argv: ParseArgv | None = None) -> Report:
    """The report of any results directory, figures drawn into ``plots``.

    ``parse_argv`` parses a recorded command line again (the ``report`` command passes the CLI's
    parser); only results written before the manifests recorded their options need it.
    """
    return BUILDERS[kind_of(directory)](directory, plots, question, parse_argv)


def write_report(
    directory: Path,
    out: Path | None = None,
    force: bool = False,
    question: str | None = None,
    parse_argv: ParseArgv | None = None,
) -> Path:
    """Write report.html, report.md and plots/ into ``out`` (default DIR/report), atomically."""
    directory = Path(directory)
    out = Path(out) if out is not None else directory / "report"
    kind_of(directory)
    check_writable(out, force)
    with tempfile.TemporaryDirectory(prefix="policesim-report-") as scratch:
        plots = Path(scratch)
        report = build(directory, plots, question, parse_argv)

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
