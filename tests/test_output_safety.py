"""Results are written whole or not at all, never over existing results without ``--force``,
and a run stopped with Ctrl-C leaves no half-written file behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.commands.cli import main
from sim.report import output

QUICK_RUN = ["run", "--days", "3", "--warmup-days", "0", "--replications", "2", "--workers", "1"]
RESULT_FILES = {"summary.json", "manifest.json", "replications.parquet", output.FILES_LIST}
START_TIMEOUT_SECONDS = 120
STOP_TIMEOUT_SECONDS = 60


def leftovers(folder: Path) -> list[str]:
    """Hidden staging or retired directories and temporary files left in ``folder``."""
    return sorted(path.name for path in folder.iterdir() if path.name.startswith("."))


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in a results directory with its bytes."""
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_existing_results_are_refused_without_force_and_replaced_whole_with_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results"
    assert main([*QUICK_RUN, "--seed", "1", "--out", str(out), "--records"]) == 0
    first = snapshot(out)
    assert set(first) == RESULT_FILES | {"records.parquet"}
    capsys.readouterr()
    assert main([*QUICK_RUN, "--seed", "2", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--force" in err[0] and str(out) in err[0]
    assert snapshot(out) == first
    assert main([*QUICK_RUN, "--seed", "2", "--out", str(out), "--force"]) == 0
    second = snapshot(out)
    assert set(second) == RESULT_FILES  # nothing stale from the first run survives
    assert json.loads(second["manifest.json"])["seed"] == 2
    assert leftovers(tmp_path) == []


def test_a_file_in_the_way_is_refused_even_with_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "results"
    out.write_text("someone's notes\n", encoding="utf-8")
    assert main([*QUICK_RUN, "--out", str(out), "--force"]) == 2
    assert "not a directory" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "someone's notes\n"


def interrupted_writer(target: Path) -> None:
    """A writer that starts its file and is interrupted half-way (as by Ctrl-C)."""
    target.write_text('{"half": ', encoding="utf-8")
    raise KeyboardInterrupt


@pytest.mark.parametrize("existing", [False, True])
def test_interrupted_write_leaves_old_results_or_nothing(tmp_path: Path, existing: bool) -> None:
    out = tmp_path / "results"
    before: dict[str, bytes] = {}
    if existing:
        output.write_directory(out, {"summary.json": output.json_writer({"old": True})}, force=False)
        before = snapshot(out)
    writers = {
        "summary.json": output.json_writer({"new": True}),
        "records.json": interrupted_writer,
    }
    with pytest.raises(KeyboardInterrupt):
        output.write_directory(out, writers, force=True)
    if existing:
        assert snapshot(out) == before
    else:
        assert not out.exists()
    assert leftovers(tmp_path) == []


def test_interrupted_single_file_write_leaves_no_file(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "report.md"

    def interrupted_replace(source: str, destination: Path) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(output.os, "replace", interrupted_replace)
    with pytest.raises(KeyboardInterrupt):
        output.atomic_write_text(target, "# a long report\n" * 1000, force=False)
    assert list(tmp_path.iterdir()) == []


STARTER = (
    "import sys, sim.commands.cli\n"
    "sim.commands.cli.build_parser()\n"  # every command module loaded before the signal is sent
    "print('ready', flush=True)\n"
    "sys.exit(sim.commands.cli.main(sys.argv[1:]))\n"
)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_during_a_run_leaves_no_results_and_one_line(tmp_path: Path, workers: str) -> None:
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) mid-simulation."""
    out = tmp_path / "results"
    argv = ["run", "--days", "365", "--replications", "2", "--workers", workers, "--out", str(out)]
    child = subprocess.Popen(
        [sys.executable, "-c", STARTER, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(1.5)  # into the simulation, well before a force-year's replications end
        assert child.poll() is None, "the run ended before it could be interrupted"
        os.killpg(child.pid, signal.SIGINT)
        _, err = child.communicate(timeout=STOP_TIMEOUT_SECONDS)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    assert child.returncode == 130, err[-800:]
    assert "Traceback" not in err, err[-800:]
    assert err.strip().splitlines() == ["policesim: interrupted; nothing was written"]
    assert not out.exists()
    assert leftovers(tmp_path) == []
