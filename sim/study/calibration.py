"""Calibration: where every input comes from, and fitting the assumed ones to fit targets.

Researchers quote policesim only if every input is sourced, so every numeric leaf of a shipped
config must match a row of the parameter table in docs/calibration.md (by dotted path, ``*``
matching one path segment). ``calibrate`` then adjusts parameters, but only those whose row says
``assumed``, and only against targets whose role is ``fit``: held-out targets are never read, so
they stay a test of the model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.config import paths
from sim.errors import ConfigError, DataError

if TYPE_CHECKING:
    from sim.config.schema import Scenario
    from sim.study.targets import TargetResult, TargetsFile, TargetSpec

CONFIDENCE_LEVELS: frozenset[str] = frozenset({"published", "published (second-hand)", "derived", "assumed"})
TABLE_HEADING = "## Parameter table"
COLUMNS: tuple[str, ...] = (
    "parameter",
    "value",
    "unit",
    "source",
    "confidence",
    "sweep range",
    "derivation",
)
# Keys whose numbers are bookkeeping, not model inputs (no source needed).
NON_PARAMETER_KEYS: frozenset[str] = frozenset({"extends", "version", "schema_version"})


@dataclass(frozen=True)
class SourceEntry:
    """One row of the parameter table: a config path pattern and where its number comes from."""

    parameter: str
    value: str
    unit: str
    source: str
    confidence: str
    sweep_range: str
    derivation: str
    line: int

    def matches(self, path: str) -> bool:
        """True when ``path`` (dotted) fits this row's pattern; ``*`` stands for one segment."""
        return _pattern_regex(self.parameter).fullmatch(path) is not None


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """Compile a dotted pattern with ``*`` (one segment) and ``**`` (any depth) wildcards."""
    parts = []
    for segment in pattern.split("."):
        if segment == "**":
            parts.append(r"[^\s]+")
        else:
            parts.append(re.escape(segment).replace(r"\*", r"[^.]+"))
    return re.compile(r"\.".join(parts))


def _cells(line: str) -> list[str]:
    """Split one markdown table row into trimmed cells, without the outer pipes."""
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def load_sources(path: str | Path) -> list[SourceEntry]:
    """Parse the parameter table of ``path``; a malformed row raises DataError naming its line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise DataError(f"{path}: cannot read calibration table ({error.strerror})") from error
    try:
        start = next(i for i, text in enumerate(lines) if text.strip() == TABLE_HEADING)
    except StopIteration:
        raise DataError(f"{path}: no '{TABLE_HEADING}' section") from None
    rows = iter(enumerate(lines[start + 1 :], start=start + 2))
    header = next(((n, t) for n, t in rows if t.strip().startswith("|")), None)
    if header is None:
        raise DataError(f"{path}: the parameter table section has no table")
    if tuple(cell.lower() for cell in _cells(header[1])) != COLUMNS:
        raise DataError(f"{path}:{header[0]}: table columns must be {' | '.join(COLUMNS)}")
    _next_table_line(rows, path)  # the |---| separator
    entries: list[SourceEntry] = []
    for number, text in rows:
        if not text.strip().startswith("|"):
            break
        cells = _cells(text)
        if len(cells) != len(COLUMNS):
            raise DataError(f"{path}:{number}: expected {len(COLUMNS)} cells, got {len(cells)}")
        parameter = cells[0].strip("`")
        confidence = cells[4]
        if not parameter:
            raise DataError(f"{path}:{number}: parameter cell is empty")
        if confidence not in CONFIDENCE_LEVELS:
            raise DataError(
                f"{path}:{number}: confidence {confidence!r} is not one of {', '.join(sorted(CONFIDENCE_LEVELS))}"
            )
        if not cells[3]:
            raise DataError(f"{path}:{number}: source cell is empty for {parameter}")
        value, unit, source, _, sweep_range, derivation = cells[1:]
        entries.append(SourceEntry(parameter, value, unit, source, confidence, sweep_range, derivation, number))
    if not entries:
        raise DataError(f"{path}: the parameter table has no rows")
    return entries


def _next_table_line(rows: Iterator[tuple[int, str]], path: Path) -> tuple[int, str]:
    """The next non-blank line, which must be a table row."""
    for number, text in rows:
        if text.strip():
            if not text.strip().startswith("|"):
                raise DataError(f"{path}:{number}: expected a markdown table row")
            return number, text
    raise DataError(f"{path}: the parameter table ends early")


def numeric_leaves(raw: Any, prefix: str = "") -> dict[str, float]:
    """Every int or float leaf of a loaded YAML tree, keyed by dotted path (bools excluded)."""
    return {
        path: float(value)
        for path, value in paths.named_leaves(raw, prefix).items()
        if prefix or path.split(".", 1)[0] not in NON_PARAMETER_KEYS
    }


def entry_for(path: str, entries: list[SourceEntry]) -> SourceEntry | None:
    """The row covering ``path``: an exact row wins over a wildcard row."""
    exact = [entry for entry in entries if entry.parameter == path]
    if exact:
        return exact[0]
    return next((entry for entry in entries if entry.matches(path)), None)


def unsourced(raw: Mapping[str, Any], entries: list[SourceEntry], prefix: str = "") -> list[str]:
    """Dotted paths of numbers in ``raw`` that no row of the table covers."""
    return sorted(path for path in numeric_leaves(raw, prefix) if entry_for(path, entries) is None)


def _as_number(cell: str) -> float | None:
    """The value cell as a number when it is one plain number (commas allowed), else None."""
    text = cell.replace(",", "").replace("`", "").strip()
    try:
        return float(text)
    except ValueError:
        return None


def value_mismatches(raw: Mapping[str, Any], entries: list[SourceEntry]) -> list[str]:
    """Config numbers that differ from the value their exact (non-wildcard) row states."""
    leaves = numeric_leaves(raw)
    problems = []
    for entry in entries:
        if "*" in entry.parameter or entry.parameter not in leaves:
            continue
        stated = _as_number(entry.value)
        actual = leaves[entry.parameter]
        if stated is not None and abs(stated - actual) > 1e-9 * max(1.0, abs(stated)):
            problems.append(f"{entry.parameter}: config {actual:g} but docs/calibration.md says {entry.value}")
    return problems


def shipped_configs(root: str | Path) -> list[Path]:
    """The YAML the project ships whose numbers are model inputs or published figures.

    That is everything under ``configs/`` and the experiment files in ``experiments/``, less
    sensitivity-sweep specs (a top-level ``design:``): their numbers are the sweep ranges this
    table's "sweep range" column documents, not inputs of their own.
    """
    import yaml

    root = Path(root)
    found = set((root / "configs").rglob("*.yaml"))
    for path in (root / "experiments").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not (isinstance(data, Mapping) and "design" in data):
            found.add(path)
    return sorted(found)


@dataclass(frozen=True)
class FitParameter:
    """An assumed parameter to adjust: its dotted config path and the range to search."""

    path: str
    low: float
    high: float


@dataclass(frozen=True)
class FitResult:
    """The best values found, their loss over the fit targets, and every evaluation made."""

    values: dict[str, float]
    loss: float
    evaluations: list[tuple[dict[str, float], float]] = field(default_factory=list)


def check_assumed(parameters: Sequence[FitParameter], entries: list[SourceEntry]) -> None:
    """Refuse (one line naming it) a parameter whose table row is not ``assumed``: published and
    derived numbers are never tuned."""
    for parameter in parameters:
        entry = entry_for(parameter.path, entries)
        if entry is None:
            raise ConfigError(f"calibrate: {parameter.path}: no row in docs/calibration.md, so not known to be assumed")
        if entry.confidence != "assumed":
            raise ConfigError(
                f"calibrate: {parameter.path}: its row says {entry.confidence!r}; only assumed parameters are fitted"
            )
        if not parameter.low < parameter.high:
            raise ConfigError(f"calibrate: {parameter.path}: range {parameter.low} to {parameter.high} is empty")


def fit_loss(results: Sequence[TargetResult]) -> float:
    """Sum of squared errors, each in units of its target's half band (a target at its band edge adds 1)."""
    total = 0.0
    for result in results:
        if not result.produced:
            continue
        low, high = result.target.band()
        total += ((result.mean - result.target.value) / ((high - low) / 2)) ** 2
    return total


def calibrate(
    scenario: Scenario,
    parameters: Sequence[FitParameter],
    targets: TargetsFile,
    entries: list[SourceEntry],
    replications: int,
    seed: int,
    workers: int | None = 1,
    points: int = 5,
    rounds: int = 1,
) -> FitResult:
    """Coordinate search over each assumed parameter's range (``points`` values, ``rounds`` passes)
    minimising ``fit_loss`` over the scenario's fit targets; every evaluation uses the same seed,
    so candidates differ by their parameters, not by noise. Holdout targets are never read."""
    from sim.config.loading import apply_overrides, resolved_dict, scenario_from_dict
    from sim.study.replications import run_replications
    from sim.study.targets import check_targets, scenario_context, scenario_targets, with_role

    check_assumed(parameters, entries)
    if points < 2:
        raise ConfigError(f"calibrate: points must be at least 2, got {points}")
    raw = resolved_dict(scenario)
    fit: list[TargetSpec] = with_role(scenario_targets(scenario, targets), "fit")
    if not fit:
        raise ConfigError("calibrate: the targets file has no fit targets for this scenario")
    context = scenario_context(scenario, targets)
    leaves = paths.named_leaves(raw)
    current = {p.path: min(max(leaves.get(p.path, p.low), p.low), p.high) for p in parameters}
    evaluations: list[tuple[dict[str, float], float]] = []

    def evaluate(values: dict[str, float]) -> float:
        candidate = scenario_from_dict(apply_overrides(raw, _typed(values, leaves)))
        runs = run_replications(candidate, replications, seed, workers)
        loss = fit_loss(check_targets(fit, [r.metrics for r in runs], context, "force"))
        evaluations.append((dict(values), loss))
        return loss

    best = evaluate(current)
    for _ in range(rounds):
        for parameter in parameters:
            step = (parameter.high - parameter.low) / (points - 1)
            for value in (parameter.low + i * step for i in range(points)):
                candidate = {**current, parameter.path: value}
                if candidate == current:  # already evaluated
                    continue
                loss = evaluate(candidate)
                if loss < best:
                    best, current = loss, candidate
    return FitResult(current, best, evaluations)


def _typed(values: Mapping[str, float], leaves: Mapping[str, Any]) -> dict[str, float | int]:
    """Values of parameters the config writes as integers (officers, staff) rounded to whole numbers."""
    return {p: round(v) if isinstance(leaves.get(p), int) else v for p, v in values.items()}
