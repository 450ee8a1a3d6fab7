"""The documentation runs: every example executes, links resolve, generated references are fresh.

Conventions in docs/*.md: a ```python block is executed (blocks of one page share a namespace, in
a scratch folder holding links to configs/, experiments/ and examples/); a ```console block runs
each ``$ `` line there and it must exit 0 (``policesim`` lines run in this process, to save the
start-up time, with the shell's meaning of ``> FILE`` and ``2>&1 | grep``; others with bash);
a block right after ``<!-- file: NAME -->`` is written to NAME there first, so a how-to can
show a config and then run it.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import Field, create_model

from sim.commands.cli import build_parser, main
from sim.commands.reference import _subcommands, cli_reference, config_reference, stale

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
FENCE = re.compile(
    r"(?:<!--\s*file:\s*(?P<file>\S+)\s*-->\s*\n)?^```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^```\s*$",
    re.MULTILINE | re.DOTALL,
)
# Another helper's page about starting Dask on several machines: its commands need a cluster.
NOT_RUNNABLE_HERE = {"howto/sweep-on-a-cluster.md"}


def _pages() -> list[Path]:
    """Every user-facing documentation page (the contributor notes in docs/dev are not examples)."""
    return sorted(p for p in DOCS.rglob("*.md") if "dev" not in p.relative_to(DOCS).parts)


def _reading_order(page: Path) -> tuple[int, str]:
    """The tutorial first, then the how-tos in the index's order, then the rest."""
    name = page.relative_to(DOCS).as_posix()
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    if name.startswith("tutorial/"):
        return (0, name)
    if name.startswith("howto/"):
        return (1, f"{index.find(name):08d}")
    return (2, name)


def _runnable(page: Path) -> bool:
    return page.relative_to(DOCS).as_posix() not in NOT_RUNNABLE_HERE


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = f"{ROOT}{os.pathsep}{env.get('PYTHONPATH', '')}"
    env["MPLBACKEND"] = "Agg"
    env["POLICESIM_REPO"] = str(ROOT)
    return env


IN_PROCESS = re.compile(r'^policesim (?P<args>[^|>]*?)(?: > (?P<file>\S+)| 2>&1 \| grep "(?P<grep>[^"]+)")?$')


def run_command(line: str, workdir: Path, page: str) -> None:
    """Run one ``$`` line: ``policesim ...`` in this process (fast), anything else with bash.

    In process, ``> FILE`` writes stdout to FILE and ``2>&1 | grep "X"`` requires X in the
    output, as the shell would; the exit status must be 0 (or, with grep, X must be found).
    """
    match = IN_PROCESS.match(line)
    if match is None:
        done = subprocess.run(
            ["bash", "-c", line], cwd=workdir, env=_env(), capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, f"{page}: `{line}` exited {done.returncode}:\n{done.stderr}"
        return
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(shlex.split(match["args"]))
        except SystemExit as stop:  # argparse errors
            code = int(stop.code or 0)
    if match["grep"]:
        assert match["grep"] in out.getvalue() + err.getvalue(), f"{page}: `{line}`: no match"
        return
    assert code == 0, f"{page}: `{line}` exited {code}:\n{err.getvalue()[-2000:]}"
    if match["file"]:
        (workdir / match["file"]).write_text(out.getvalue(), encoding="utf-8")


def run_page(page: Path, workdir: Path) -> int:
    """Execute a page's examples in ``workdir``; return how many blocks ran."""
    text = page.read_text(encoding="utf-8")
    namespace: dict[str, object] = {"__name__": "__docs__"}
    ran = 0
    for shared in ("configs", "experiments", "examples"):
        if not (workdir / shared).exists():
            (workdir / shared).symlink_to(ROOT / shared)
    old = Path.cwd()
    os.chdir(workdir)
    try:
        for match in FENCE.finditer(text):
            lang, body, name = match["lang"], match["body"], match["file"]
            if name:
                (workdir / name).parent.mkdir(parents=True, exist_ok=True)
                (workdir / name).write_text(body, encoding="utf-8")
            if lang == "python":
                exec(compile(body, f"{page.name}:block{ran}", "exec"), namespace)  # noqa: S102
                ran += 1
            elif lang == "console":
                for line in body.splitlines():
                    if line.startswith("$ "):
                        run_command(line[2:], workdir, page.name)
                ran += 1
    finally:
        os.chdir(old)
    return ran


@pytest.fixture(scope="module")
def reader_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for every page, as a reader following the docs in order has: a page whose
    output path clashes with an earlier page's fails here (no --force in the docs)."""
    return tmp_path_factory.mktemp("reader")


@pytest.mark.parametrize(
    "page",
    sorted((p for p in _pages() if _runnable(p)), key=_reading_order),
    ids=lambda p: p.relative_to(DOCS).as_posix(),
)
def test_page_examples_run(page: Path, reader_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("POLICESIM_REPO", str(ROOT))
    run_page(page, reader_folder)


def test_examples_script_runs(tmp_path: Path) -> None:
    script = ROOT / "examples" / "redaction_vs_baseline.py"
    done = subprocess.run(
        [sys.executable, str(script), "--days", "10", "--replications", "2", "--out", str(tmp_path / "fig.png")],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "fig.png").stat().st_size > 5000
    assert "burglary" in done.stdout


def test_internal_links_resolve() -> None:
    link = re.compile(r"\]\((?!https?://|#|mailto:)([^)#\s]+)")
    broken = []
    for page in _pages():
        for target in link.findall(page.read_text(encoding="utf-8")):
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(DOCS)} -> {target}")
    assert not broken


def test_every_page_is_reachable_from_the_index() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    missing = [
        p.relative_to(DOCS).as_posix()
        for p in _pages()
        if p.name != "index.md" and p.relative_to(DOCS).as_posix() not in index
    ]
    assert not missing


def test_generated_reference_pages_are_fresh() -> None:
    assert stale(DOCS / "reference") == [], "run: python -m sim.commands.reference"


def test_a_new_config_field_appears_in_the_reference() -> None:
    from sim.config.loading import Scenario
    from sim.config.schema import Workforce

    workforce = create_model(
        "Workforce",
        __base__=Workforce,
        radio_channels=(int, Field(default=4, ge=1, description="talk groups per shift")),
    )
    scenario = create_model(
        "Scenario",
        __base__=Scenario,
        workforce=(workforce, ...),
        audit_sample=(float, Field(default=0.1, description="share of incidents audited")),
    )
    text = config_reference(scenario)
    assert "| `audit_sample` | number | `0.1` | share of incidents audited |" in text
    assert "| `radio_channels` | integer (≥ 1) | `4` | talk groups per shift |" in text
    assert "`audit_sample`" not in config_reference()


def test_every_command_and_option_is_in_the_cli_reference() -> None:
    text = cli_reference()
    commands = _subcommands(build_parser())
    assert {"run", "warmup", "replications", "report"} <= set(commands)
    for name, sub in commands.items():
        assert f"## policesim {name}" in text
        section = text.split(f"## policesim {name}\n", 1)[1].split("\n## ", 1)[0]
        for option in sub._actions:  # noqa: SLF001
            for flag in option.option_strings:
                if flag not in ("-h", "--help"):
                    assert re.search(rf"[`,] ?{re.escape(flag)}\b", section), (name, flag)
