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


# ---- --force, umask, early checks, the lock, the fallback -------------------------------------


def test_force_refuses_foreign_files_naming_them_and_keeps_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes\n", encoding="utf-8")
    assert main([*QUICK_RUN, "--out", str(out), "--force"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "notes.txt" in err[0] and "not its" in err[0], err
    assert snapshot(out) == {"notes.txt": b"my notes\n"}


def test_force_replaces_results_and_the_report_policesim_wrote(tmp_path: Path) -> None:
    out = tmp_path / "results"
    assert main([*QUICK_RUN, "--out", str(out)]) == 0
    assert main(["report", str(out)]) == 0  # RESULTS/report: policesim's too
    assert main([*QUICK_RUN, "--seed", "5", "--out", str(out), "--force"]) == 0
    assert set(snapshot(out)) == RESULT_FILES
    listed = json.loads((out / output.FILES_LIST).read_text(encoding="utf-8"))["files"]
    assert set(listed) == RESULT_FILES - {output.FILES_LIST}


def test_results_directory_follows_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        output.write_directory(tmp_path / "results", {"a.json": output.json_writer({})}, force=False)
    finally:
        os.umask(old)
    assert (tmp_path / "results").stat().st_mode & 0o777 == 0o755


def test_unwritable_out_fails_before_any_simulation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sim.study.replications

    def no_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("simulated before checking --out")

    monkeypatch.setattr(sim.study.replications, "run_replications", no_run)
    blocker = tmp_path / "a_file"
    blocker.write_text("", encoding="utf-8")
    assert main([*QUICK_RUN, "--out", str(blocker / "results")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot write" in err[0] and str(blocker) in err[0], err


def test_a_second_writer_fails_at_once_and_the_lock_goes_afterwards(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results"
    with output.claim_directory(out, force=False) as claimed:
        assert claimed is not None
        assert main([*QUICK_RUN, "--out", str(out), "--force"]) == 2
        err = capsys.readouterr().err
        assert "another policesim process" in err and f"pid {os.getpid()}" in err
        claimed.write({"summary.json": output.json_writer({"first": True})})
    assert leftovers(tmp_path) == []  # no lock file left behind
    assert main([*QUICK_RUN, "--out", str(out), "--force"]) == 0


def test_a_failed_write_keeps_the_finished_results_in_a_fallback(tmp_path: Path) -> None:
    out = tmp_path / "results"
    with output.claim_directory(out, force=False) as claimed:
        assert claimed is not None
        out.mkdir()
        (out / "someone_elses.txt").write_text("x", encoding="utf-8")  # appeared during the run
        with pytest.raises(output.OutputWriteError, match="written to") as raised:
            claimed.write({"summary.json": output.json_writer({"finished": True})})
    fallback = Path(str(raised.value).rsplit("written to ", 1)[1])
    assert json.loads((fallback / "summary.json").read_text(encoding="utf-8")) == {"finished": True}
    assert (out / "someone_elses.txt").read_text(encoding="utf-8") == "x"


def test_sweep_directory_keeps_no_lock_file(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    sweep_file = Path(__file__).resolve().parent.parent / "experiments" / "ishigami_check.yaml"
    assert main(["sweep", str(sweep_file), "--out", str(out), "--max-points", "8", "--quiet"]) == 0
    assert not (out / ".lock").exists()
    assert {p.name for p in out.iterdir()} == {"manifest.json", "design.parquet", "parts"}


WORKER_PIDS = (
    "import os, sys, time\n"
    "from sim.study.day_progress import Tracker, process_pool\n"
    "def nap(_):\n"
    "    time.sleep(120)\n"
    "if __name__ == '__main__':\n"
    "    pool = process_pool(2, Tracker(None))\n"
    "    futures = [pool.submit(nap, i) for i in range(2)]\n"
    "    time.sleep(3)\n"
    "    print(' '.join(str(p) for p in pool._processes), flush=True)\n"  # noqa: SLF001
    "    time.sleep(120)\n"
)


def test_pool_workers_exit_when_their_parent_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "pool.py"
    script.write_text(WORKER_PIDS, encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        workers = [int(p) for p in parent.stdout.readline().split()]
        assert len(workers) == 2
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 10
        alive = workers
        while alive and time.monotonic() < deadline:
            time.sleep(0.2)
            alive = [pid for pid in workers if _alive(pid)]
        assert not alive, f"workers {alive} outlived their parent by 10 s"
    finally:
        for pid in workers if "workers" in locals() else []:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie, dead but not yet reaped by init, counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False
