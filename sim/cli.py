"""The ``policesim`` command: parse arguments, call the library, print. No model logic here.

Each subcommand lives in its own module under ``sim/commands`` and exposes
``register(subparsers)``, which adds a parser whose defaults carry ``handler(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from sim import __version__
from sim.errors import PolicesimError

# Command modules, in the order ``policesim --help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "sim.commands.run",
    "sim.commands.validate",
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
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except PolicesimError as error:
        print(f"policesim: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("policesim: interrupted; results already written are kept", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
