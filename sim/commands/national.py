"""``policesim run NATIONAL.yaml``: the national model, when ``run`` is given a national config.

Options are ``--set national.KEY=VALUE``, ``--days``, ``--warmup-days``, ``--workers``, ``--json``
and ``--out``; replications and seed come from the config.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from sim.config.loading import parse_override
from sim.errors import ConfigError
from sim.report.national import render_national
from sim.report.output import check_writable, json_writer, write_directory
from sim.report.progress import progress_bar
from sim.study.national import NATIONAL_KEY, load_national, national_document, run_national, with_horizon


def run_national_command(args: argparse.Namespace) -> int:
    """Load, run and report a national config; exit 3 when a force overloaded."""
    section: dict[str, Any] = {}
    for text in args.overrides:
        key, value = parse_override(text)
        if not key.startswith(f"{NATIONAL_KEY}."):
            raise ConfigError(f"--set {text}: a national config takes only national.* settings")
        section[key.removeprefix(f"{NATIONAL_KEY}.")] = value
    config = load_national(args.config, section)
    if args.days is not None:
        config = with_horizon(config, args.days, args.warmup_days)
    if args.out is not None:
        check_writable(args.out, args.force)
    jobs = len(config.forces) * config.spec.replications
    with progress_bar(f"{len(config.forces)} forces", jobs) as update:
        result = run_national(config, args.workers, progress=lambda done, total: update(done))
    document = national_document(config, result)
    if args.out is not None:
        write_directory(args.out, {"national.json": json_writer(document)}, args.force)
    if args.json:
        print(json.dumps(document, indent=2, allow_nan=False))
    else:
        print(render_national(config, result), end="")
        if args.out is not None:
            print(f"results written to {args.out}")
    if any(m.get("overloaded") for rep in result.replications for m in rep.values()):
        print("policesim: warning: some forces overloaded (see table)", file=sys.stderr)
        return 3
    return 0
