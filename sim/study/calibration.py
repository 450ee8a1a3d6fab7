"""Reads the parameter source table in docs/calibration.md and finds config numbers with no source.

Researchers quote policesim only if every input is sourced, so every numeric leaf of a shipped
config must match a row of that table (by dotted path, ``*`` matching one path segment).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.errors import DataError

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
# Fields that name a list item, so its numbers get a stable path like ``incident_types.burglary``.
LIST_ITEM_NAME_KEYS: tuple[str, ...] = ("name", "id", "key", "type", "grade")


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
            parts.append(re.escape(segment).replace(r"\*", r"[^.\s]+"))
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


def _segment(item: Any, index: int) -> str:
    """Path segment of a list item: its name field when it has one, else its index."""
    if isinstance(item, Mapping):
        for key in LIST_ITEM_NAME_KEYS:
            value = item.get(key)
            if isinstance(value, str) and value:
                return value
    return str(index)


def numeric_leaves(raw: Any, prefix: str = "") -> dict[str, float]:
    """Every int or float leaf of a loaded YAML tree, keyed by dotted path (bools excluded)."""
    found: dict[str, float] = {}
    if isinstance(raw, Mapping):
        for key, value in raw.items():
            if not prefix and key in NON_PARAMETER_KEYS:
                continue
            found.update(numeric_leaves(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(raw, list):
        for index, value in enumerate(raw):
            segment = _segment(value, index)
            found.update(numeric_leaves(value, f"{prefix}.{segment}" if prefix else segment))
    elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
        found[prefix] = float(raw)
    return found


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
