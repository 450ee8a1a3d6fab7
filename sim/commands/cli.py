"""The ``policesim`` command: parse arguments, call the library, print. No model logic here.

Each subcommand lives in its own module under ``sim/commands`` and exposes
``register(subparsers)``, which adds a parser whose defaults carry ``handler(args) -> int``.
Command modules import the model, pandas, scipy and matplotlib only inside their handlers, so
``policesim --version``, ``--help`` and ``validate`` start fast (``tests/test_core_cli.py``
guards it); a handler may set ``interrupted`` in its defaults: what Ctrl-C leaves behind.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from sim import __version__
from sim.errors import PolicesimError

# Command modules, in the order ``policesim --help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "sim.commands.run",
    "sim.commands.validate",
    "sim.commands.calibrate",
    "sim.commands.warmup",
    "sim.commands.replications",
    "sim.commands.report",
    "sim.commands.sweep",
    "sim.commands.analyse",
    "sim.commands.compare",
    "sim.commands.dose",
    "sim.commands.capacity",
    "sim.commands.claims",
    "sim.commands.results",
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, one subparser per command module."""
    parser = argparse.ArgumentParser(
        prog="policesim",
        description="Discrete-event simulation of police officer time.",
    )
    parser.add_argument("--version", action="version", version=f"policesim {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run one command; turn user errors into one line on stderr and an exit code."""
    args = None
    try:
        args = build_parser().parse_args(argv)  # Ctrl-C while commands load: one line too
        args.argv = list(argv) if argv is not None else sys.argv[1:]  # recorded in manifests
        return int(args.handler(args) or 0)
    except PolicesimError as error:
        print(f"policesim: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        left = getattr(args, "interrupted", None) or "nothing was written"
        print(f"policesim: interrupted; {left}", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Whoever read standard output stopped (``policesim results | head``): nothing to report.
        # Point stdout at /dev/null so the interpreter's final flush cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # as a shell reports a command ended by SIGPIPE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
