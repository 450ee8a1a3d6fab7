"""The forces table (``configs/forces/forces.csv``) and a force config's ``force:`` block.

The table holds each territorial force's officer FTE with its source: the one place those numbers
live. A force config names its row in a ``force:`` block instead of repeating the number::

    force: {name: Cleveland, table: forces.csv, response_share: 0.175}

At load the block's row is read and ``workforce.response_officers`` becomes
``round(officer_fte x response_share)``; the scenario keeps the block (with ``officer_fte`` filled
in) so that targets per officer and per-force targets know which force it is.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, PositiveFloat

from sim.config.base import Strict
from sim.errors import ConfigError, DataError

FORCE_KEY = "force"
SETTINGS: tuple[str, ...] = ("urban", "mixed", "rural")
COLUMNS = ("force", "officer_fte", "fte_status", "fte_source", "setting")


@dataclass(frozen=True)
class Force:
    """One row of the forces table."""

    name: str
    officer_fte: float
    fte_status: str
    fte_source: str
    setting: str


def load_forces(path: str | Path) -> tuple[Force, ...]:
    """Read the forces table; a bad row is a DataError naming the file, line and column."""
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as error:
        raise DataError(f"{path}: cannot read forces table ({error.strerror})") from error
    with handle:
        reader = csv.DictReader(handle)
        missing = set(COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise DataError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        forces = []
        for line, row in enumerate(reader, start=2):
            try:
                fte = float(row["officer_fte"])
            except ValueError:
                raise DataError(f"{path}:{line}: officer_fte {row['officer_fte']!r} is not a number") from None
            if not fte > 0 or not math.isfinite(fte):
                raise DataError(f"{path}:{line}: officer_fte must be positive, got {fte}")
            if row["setting"] not in SETTINGS:
                raise DataError(f"{path}:{line}: setting {row['setting']!r} is not one of {SETTINGS}")
            if not row["fte_source"].strip():
                raise DataError(f"{path}:{line}: fte_source is empty for {row['force']}")
            forces.append(Force(row["force"], fte, row["fte_status"], row["fte_source"], row["setting"]))
    names = [f.name for f in forces]
    if len(set(names)) != len(names):
        raise DataError(f"{path}: force names must be unique")
    if not forces:
        raise DataError(f"{path}: no forces")
    return tuple(forces)


class ForceBlock(Strict):
    """Which force a scenario stands for: its row of the forces table and its response share."""

    name: str = Field(min_length=1, description="the force's row (column `force`) in the forces table")
    table: str = Field(description="the forces table, relative to the config that names it")
    response_share: float = Field(
        gt=0.0, le=1.0, description="share of the force's officer FTE in response (workforce.response_officers)"
    )
    officer_fte: PositiveFloat | None = Field(
        default=None, description="filled in from the table at load; not given in a config"
    )


def resolve_force(data: dict[str, Any], config: Path) -> dict[str, Any]:
    """``data`` (one config file's own settings) with its ``force:`` block read from the table.

    Sets ``workforce.response_officers`` from the table's FTE and the block's share, so the FTE is
    never written twice; a file that also sets ``response_officers`` is refused (one definition).
    """
    block = data.get(FORCE_KEY)
    if block is None:
        return data
    where = f"{config}: {FORCE_KEY}"
    if not isinstance(block, dict):
        raise ConfigError(f"{where}: expected a mapping (name, table, response_share), got {block!r}")
    if "officer_fte" in block:
        raise ConfigError(f"{where}.officer_fte: read from the forces table; do not give it")
    unknown = sorted(set(block) - {"name", "table", "response_share"})
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]}: unknown key (expected name, table, response_share)")
    for key in ("name", "table", "response_share"):
        if key not in block:
            raise ConfigError(f"{where}.{key}: missing")
    table = Path(str(block["table"]))
    table = table if table.is_absolute() else config.parent / table
    rows = {force.name: force for force in load_forces(table)}
    if block["name"] not in rows:
        raise ConfigError(f"{where}.name: {block['name']!r} is not a force in {table}")
    share = block["response_share"]
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
        raise ConfigError(f"{where}.response_share: expected a share in (0, 1], got {share!r}")
    workforce = data.get("workforce") or {}
    if not isinstance(workforce, dict):
        raise ConfigError(f"{config}: workforce: expected a mapping")
    if "response_officers" in workforce:
        raise ConfigError(
            f"{config}: workforce.response_officers: set by the force block (officer FTE x response_share); "
            "give one or the other"
        )
    fte = rows[block["name"]].officer_fte
    officers = max(1, round(fte * share))
    return {**data, FORCE_KEY: {**block, "officer_fte": fte}, "workforce": {**workforce, "response_officers": officers}}
