"""``policesim report`` on a small run and a small compare: every section, plot and source."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.commands.cli import main
from sim.report.document import Paragraph, Report, Section, Table, to_html, to_markdown
from sim.report.inputs import NO_SOURCE, file_sources, input_rows, numeric_inputs
from sim.report.stress import ITEMS, Facts, checklist

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("question", "scenarios", "results", "figures", "inputs", "manifest", "stress")
RUN_PLOTS = {"response_times.png", "within_target.png", "activity_by_hour.png", "queue_over_time.png"}
COMPARE_PLOTS = {"response_times.png", "within_target.png", "officer_hours.png", "extra_vs_linear.png"}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run") / "results"
    assert (
        main(
            [
                "run",
                "--replications",
                "2",
                "--days",
                "10",
                "--warmup-days",
                "3",
                "--seed",
                "4",
                "--records",
                "--timeseries",
                "--workers",
                "1",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    return out


@pytest.fixture(scope="module")
def compare_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("compare")
    overlay = ROOT / "configs" / "interventions" / "automated_redaction.yaml"
    (folder / "experiment.yaml").write_text(
        "name: tiny\ndescription: Does automated redaction change attendance?\nbase: baseline\n"
        "replications: 2\nseed: 3\nhorizon_days: 10\nwarmup_days: 3\n"
        "types: [burglary, domestic_abuse]\nscenarios:\n  - name: baseline\n"
        f"  - name: redaction\n    overlays: [{overlay}]\n",
        encoding="utf-8",
    )
    out = folder / "results"
    assert main(["compare", str(folder / "experiment.yaml"), "--workers", "1", "--out", str(out)]) == 0
    return out


def _markdown_table(text: str, heading: str) -> list[list[str]]:
    """Rows of the first table under a Markdown heading."""
    part = text.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in part.splitlines() if line.startswith("|")]
    return [[c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines[2:]]


def _check_page(report: Path, plots: set[str]) -> tuple[str, str]:
    html = (report / "report.html").read_text(encoding="utf-8")
    markdown = (report / "report.md").read_text(encoding="utf-8")
    for key in SECTIONS:
        assert f'<section id="{key}">' in html
    assert {p.name for p in (report / "plots").iterdir()} == plots
    for name in plots:
        assert f"](plots/{name})" in markdown
        assert (report / "plots" / name).stat().st_size > 5000
    assert html.count("data:image/png;base64,") == len(plots)
    assert 'src="plots/' not in html and "<script" not in html  # self-contained
    for number, item in ITEMS:
        assert f"<td>{number}</td><td>{item}</td>" in html
    return html, markdown


def test_run_report_has_every_section_plot_and_source(run_dir: Path) -> None:
    assert main(["report", str(run_dir), "--question", "How fast are burglaries attended?"]) == 0
    html, markdown = _check_page(run_dir / "report", RUN_PLOTS)
    assert "How fast are burglaries attended?" in html
    rows = _markdown_table(markdown, "Inputs and their sources")
    assert len(rows) > 100
    assert all(row[2] and not row[2].startswith(NO_SOURCE) for row in rows), [
        r for r in rows if not r[2] or r[2].startswith(NO_SOURCE)
    ]
    sources = {row[0]: row[2] for row in rows}
    assert sources["horizon_days"].startswith("command line")  # --days is an override
    assert "Home Office" in sources["workforce.abstraction.sickness"] or sources["workforce.abstraction.sickness"]
    assert "burglary" in _markdown_table(markdown, "Results with 95% confidence intervals")[0][0]
    stress = _markdown_table(markdown, "STRESS-DES checklist")
    done = {row[0]: row[3] == "filled" for row in stress}
    assert done["1.1"] and done["3.3"] and done["4.1"] and done["4.3"]
    assert not done["3.2"] and not done["6.1"]  # only the researcher can fill these


def test_report_refuses_to_overwrite(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = run_dir.parent / "second"
    assert main(["report", str(run_dir), "--out", str(target)]) == 0
    before = (target / "report.html").stat().st_mtime_ns
    assert main(["report", str(run_dir), "--out", str(target)]) != 0
    assert "--force" in capsys.readouterr().err
    assert (target / "report.html").stat().st_mtime_ns == before


def test_compare_report_has_every_section_plot_and_source(compare_dir: Path) -> None:
    assert main(["report", str(compare_dir)]) == 0
    html, markdown = _check_page(compare_dir / "report", COMPARE_PLOTS)
    assert "Does automated redaction change attendance?" in html
    for heading in ("Inputs and their sources", "Inputs each scenario sets"):
        rows = _markdown_table(markdown, heading)
        assert rows
        source = 2 if heading.startswith("Inputs and") else 3
        assert all(row[source] and not row[source].startswith(NO_SOURCE) for row in rows)
    scenario_rows = _markdown_table(markdown, "Inputs each scenario sets")
    assert any(r[1] == "interventions.automated_redaction.video_saving" for r in scenario_rows)
    results = markdown.split("## Results", 1)[1]
    assert "redaction: hours saved per year" in results and "domestic_abuse" in results


def test_report_of_a_folder_that_is_not_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path)]) == 2
    assert "manifest.json: missing" in capsys.readouterr().err


def test_an_input_without_a_source_is_flagged(tmp_path: Path) -> None:
    config = tmp_path / "force.yaml"
    config.write_text(
        "extends: baseline.yaml\nname: mine\nworkforce:\n"
        "  response_officers: 421\n  teams: 5   # five teams [ASSUMED]\n",
        encoding="utf-8",
    )
    sources = file_sources(config)
    assert sources["workforce.teams"].startswith("five teams [ASSUMED] — ASSUMED:")
    assert sources["workforce.response_officers"] == ""
    rows = {r.path: r for r in input_rows({"workforce": {"response_officers": 421, "teams": 5}}, [sources], [])}
    assert not rows["workforce.response_officers"].sourced
    assert rows["workforce.teams"].confidence == "assumed"
    facts = Facts(inputs_listed=2, unsourced_inputs=1)
    item = {i.number: i for i in checklist(facts).items}["3.3"]
    assert not item.done and "1 of 2" in item.answer


def test_numeric_inputs_group_lists_and_name_list_items() -> None:
    tree = {"a": {"b": [1, 2, 3]}, "stations": [{"name": "north", "x": 1.5}], "flag": True}
    assert numeric_inputs(tree) == {"a.b": [1, 2, 3], "stations.north.x": 1.5}


def test_html_and_markdown_twins_hold_the_same_text(tmp_path: Path) -> None:
    report = Report(
        "T <1>",
        "sub",
        [Section("s", "S & T", [Paragraph("a < b"), Table(["x", "y"], [["1 | 2", "3.5 (1.0 to 6.0)"]], "cap")])],
    )
    html = to_html(report)
    markdown = to_markdown(report, "plots")
    assert "T &lt;1&gt;" in html and "a &lt; b" in html and "S &amp; T" in html
    assert '<td class="num">3.5 (1.0 to 6.0)</td>' in html
    assert "| 1 \\| 2 | 3.5 (1.0 to 6.0) |" in markdown


def test_run_without_records_or_series_says_what_is_missing(run_dir: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    for name in ("manifest.json", "summary.json", "replications.parquet"):
        (bare / name).write_bytes((run_dir / name).read_bytes())
    assert main(["report", str(bare)]) == 0
    markdown = (bare / "report" / "report.md").read_text(encoding="utf-8")
    assert {p.name for p in (bare / "report" / "plots").iterdir()} == {"within_target.png"}
    assert "rerun with --records" in markdown and "rerun with --timeseries" in markdown
