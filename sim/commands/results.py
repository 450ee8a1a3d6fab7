"""``policesim results``: the stored results the documents quote; rerun them, render the figures.

``policesim results`` lists each result (fresh, stale or missing); ``--rerun NAME``, ``--stale``,
``--missing`` or ``--all`` reruns results (their exact commands, from the repository root) and then rewrites
every figure in README.md and docs/*.md; ``--render`` only rewrites the figures; ``--check``
exits 1 when a stored result is stale or a document disagrees with one.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "results",
        help="list, rerun and render the stored results the documents quote",
        description="List the stored results under figures/ (fresh, stale or missing); rerun them "
        "and rewrite the figures in README.md and docs/*.md from them.",
    )
    parser.add_argument("--rerun", nargs="+", metavar="NAME", default=[], help="rerun these results")
    parser.add_argument("--stale", action="store_true", help="rerun every stale result (inputs changed since)")
    parser.add_argument("--missing", action="store_true", help="rerun every result never produced")
    parser.add_argument("--all", action="store_true", help="rerun every result (expensive: see the costs listed)")
    parser.add_argument("--render", action="store_true", help="rewrite the documents' figures from the stored results")
    parser.add_argument("--check", action="store_true", help="exit 1 if a result is stale or a figure disagrees")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from sim.errors import ConfigError
    from sim.report.stored import load

    stored = load()
    unknown = [name for name in args.rerun if name not in stored.specs]
    if unknown:
        raise ConfigError(f"figures/results.yaml: no result named {', '.join(unknown)}")
    names = list(stored.specs) if args.all else [n for n in stored.specs if n in args.rerun]
    wanted = {"stale"} if args.stale else set()
    wanted |= {"missing"} if args.missing else set()
    names += [n for n in stored.specs if stored.status(n) in wanted and n not in names]
    for name in names:
        rerun(stored, name)
    if names or args.render:
        render_all(stored)
    _list(stored)
    return check(stored) if args.check else 0


def _argv(command: str, scratch: str) -> list[str]:
    """A ``policesim ...`` line as the arguments of this Python's policesim."""
    words = shlex.split(command.replace("{tmp}", scratch))
    if not words or words[0] != "policesim":
        from sim.errors import ConfigError

        raise ConfigError(f"figures/results.yaml: {command!r}: commands must start with policesim")
    return [sys.executable, "-m", "sim.commands.cli", *words[1:]]


def rerun(stored: Any, name: str) -> None:
    """Run one result's commands and store its output (and its manifest entry) at once."""
    from sim import __version__
    from sim.errors import ConfigError
    from sim.report.stored import read_output

    spec = stored.specs[name]
    print(f"{name}: {spec.command} ({spec.cost or 'cost not stated'})", file=sys.stderr)
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="policesim-results-") as scratch:
        stdout = ""
        for command in spec.commands:
            done = subprocess.run(_argv(command, scratch), cwd=stored.root, stdout=subprocess.PIPE, text=True)
            stdout = done.stdout
            if done.returncode not in (0, 1, 3):  # 1: a target missed; 3: a force overloaded (still a result)
                raise ConfigError(
                    f"{name}: {command!r} failed with exit status {done.returncode} "
                    "(results made before it are stored; --stale --missing reruns the rest)"
                )
        try:
            if isinstance(spec.output, str) and spec.output == "stdout":
                document: Any = json.loads(stdout)
            elif isinstance(spec.output, str):
                document = read_output(Path(spec.output.replace("{tmp}", scratch)))
            else:
                document = {key: read_output(Path(p.replace("{tmp}", scratch))) for key, p in spec.output.items()}
        except (OSError, ValueError) as error:
            raise ConfigError(f"{name}: no output to store ({error})") from None
    stored.folder.mkdir(exist_ok=True)
    stored.path(name).write_text(json.dumps(document, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    produced = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    stored.record(name, __version__, produced, time.monotonic() - start)
    stored.save_manifest()


def render_all(stored: Any) -> None:
    """Rewrite every document's figures from the stored results."""
    from sim.report.figures import documents, render

    for path in documents(stored.root):
        text, _ = render(stored, path)
        if text != path.read_text(encoding="utf-8"):
            path.write_text(text, encoding="utf-8")
            print(f"figures rewritten in {path.relative_to(stored.root)}", file=sys.stderr)


def _list(stored: Any) -> None:
    from sim.report.figures import documents, markers

    quoted: dict[str, int] = {}
    for path in documents(stored.root):
        for marker in markers(path.read_text(encoding="utf-8")):
            quoted[marker.result] = quoted.get(marker.result, 0) + 1
    for name, spec in stored.specs.items():
        print(f"{name:24} {stored.status(name):8} {quoted.get(name, 0):3} figures  {spec.cost}")


def check(stored: Any) -> int:
    """1 when a stored result is stale or a figure disagrees with its result (each printed)."""
    from sim.report.figures import disagreements, documents

    problems = [f"{name}: stale (rerun it)" for name in stored.specs if stored.status(name) == "stale"]
    for path in documents(stored.root):
        problems += disagreements(stored, path)
    for line in problems:
        print(line)
    return 1 if problems else 0
