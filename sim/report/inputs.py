"""Every numeric input of a scenario with its source, for the report's inputs table.

A number's source is, in order: a ``--set`` on the command line; its row in the parameter table
of ``docs/calibration.md``; the comment on its line (or its parent key's line) in the YAML file
it came from, with the ``[KEY]`` source legend of that file's header expanded; and for a value
no file sets, the schema default. Anything else is reported as having no source, never hidden.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sim.config import paths
from sim.errors import DataError
from sim.study.calibration import SourceEntry, entry_for, load_sources

NO_SOURCE = "NO SOURCE"
DEFAULT_SOURCE = "policesim default (docs/reference/config.md)"
LEGEND = re.compile(r"^#\s+\[([A-Za-z0-9_-]+)\]\s+(.+?)\s*$")
KEY_REF = re.compile(r"\[([A-Z][A-Za-z0-9_-]*)(?::[^\]]*)?\]")


@dataclass(frozen=True)
class InputRow:
    """One input: its config path, value as text, where the number comes from, how sure."""

    path: str
    value: str
    source: str
    confidence: str

    @property
    def sourced(self) -> bool:
        """Whether the row has a source line."""
        return not self.source.startswith(NO_SOURCE)


def numeric_inputs(tree: Any, prefix: str = "") -> dict[str, Any]:
    """Numeric leaves by dotted path; a list of numbers is one input (its path, the list)."""
    return paths.named_leaves(tree, prefix, whole_lists=True)


def _comment(line: str) -> str:
    """The ``# ...`` comment at the end of a YAML line (outside quotes), or ''."""
    quote = None
    for i, char in enumerate(line):
        if char in "\"'" and quote in (None, char):
            quote = None if quote == char else char
        elif char == "#" and quote is None and (i == 0 or line[i - 1].isspace()):
            return line[i + 1 :].strip()
    return ""


def _legend(lines: list[str]) -> dict[str, str]:
    """The ``#   [KEY]  meaning`` source legend in a file's comments."""
    return {m[1]: m[2] for line in lines if (m := LEGEND.match(line.strip()))}


def _walk(node: yaml.Node, path: str, lines: list[str], inherited: str, out: dict[str, str]) -> None:
    """Record the comment that applies to every scalar leaf under ``node``."""
    own = _comment(lines[node.start_mark.line]) if node.start_mark.line < len(lines) else ""
    here = own or inherited
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            key_comment = _comment(lines[key.start_mark.line]) or here
            _walk(value, f"{path}.{key.value}" if path else str(key.value), lines, key_comment, out)
    elif isinstance(node, yaml.SequenceNode):
        if all(isinstance(v, yaml.ScalarNode) for v in node.value):
            out[path] = here
            return
        for index, item in enumerate(node.value):
            name = str(index)
            if isinstance(item, yaml.MappingNode):
                for key, value in item.value:
                    if key.value in paths.LIST_ITEM_NAME_KEYS and isinstance(value, yaml.ScalarNode):
                        name = str(value.value)
                        break
            _walk(item, f"{path}.{name}", lines, here, out)
    else:
        out[path] = here


def file_sources(path: Path) -> dict[str, str]:
    """Source comment of every leaf a YAML file (and what it ``extends``) sets, legend expanded."""
    return _file_sources(Path(path), 0)[0]


def _file_sources(path: Path, depth: int) -> tuple[dict[str, str], dict[str, str]]:
    """Sources by leaf and the ``[KEY]`` legend, the parent's first, then this file's."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    root = yaml.compose(text)
    found: dict[str, str] = {}
    legend: dict[str, str] = {}
    if root is None:
        return found, legend
    node = next((v for k, v in getattr(root, "value", []) if k.value == "extends"), None)
    parents = [node.value] if isinstance(node, yaml.ScalarNode) else [n.value for n in getattr(node, "value", [])]
    for parent in parents if depth < 16 else []:  # a list of parents merges in order
        from sim.config.loading import parent_path

        candidate = parent_path(path, parent)
        if candidate.is_file():
            more, more_legend = _file_sources(candidate, depth + 1)
            found.update({k: v for k, v in more.items() if v or k not in found})
            legend.update(more_legend)
    own: dict[str, str] = {}
    _walk(root, "", lines, "", own)
    legend = {**legend, **_legend(lines)}
    for key, comment in own.items():
        found[key] = _expand(comment, legend) if comment else ""
    found.pop("extends", None)
    return found, legend


def _expand(comment: str, legend: Mapping[str, str]) -> str:
    """A comment with each ``[KEY]`` it cites followed by the legend's meaning of KEY."""
    cited = [key for key in KEY_REF.findall(comment) if key in legend]
    if not cited:
        return comment
    return comment + " — " + "; ".join(f"{key}: {legend[key]}" for key in dict.fromkeys(cited))


def calibration_entries(path: Path) -> list[SourceEntry]:
    """The parameter table of docs/calibration.md, or none if it is missing or unreadable."""
    try:
        return load_sources(path)
    except DataError:
        return []


def _show(value: Any) -> str:
    """A value as short text; long lists abbreviated."""
    if isinstance(value, list):
        head = ", ".join(f"{v:g}" for v in value[:6])
        return f"[{head}{', ...' if len(value) > 6 else ''}] ({len(value)} values)"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _lookup(path: str, sources: Mapping[str, str]) -> str | None:
    """A file source for ``path`` or, for a list element, for its list."""
    if path in sources:
        return sources[path]
    parent = path.rsplit(".", 1)[0]
    return sources.get(parent) if path.rsplit(".", 1)[-1].isdigit() else None


def input_rows(
    config: Mapping[str, Any],
    files: Iterable[Mapping[str, str]],
    entries: list[SourceEntry],
    overrides: Mapping[str, Any] | None = None,
) -> list[InputRow]:
    """One row per numeric input of a resolved config, with its source and confidence."""
    merged: dict[str, str] = {}
    for sources in files:
        merged.update({k: v for k, v in sources.items() if v or k not in merged})
    overrides = dict(overrides or {})
    derived = _force_sources(config)
    rows = []
    for path, value in numeric_inputs(config).items():
        entry = entry_for(path, entries) or entry_for(f"{path}.0", entries)
        from_file = _lookup(path, merged)
        if path in overrides:
            source, confidence = f"command line: --set {path}={overrides[path]}", "set by user"
        elif path in derived:
            source, confidence = derived[path], "from the forces table"
        elif entry is not None and _differs(entry.value, value):
            note = f"differs from the docs/calibration.md value {entry.value}"
            source, confidence = (
                (f"{from_file} ({note})", _confidence(from_file)) if from_file else (f"{NO_SOURCE}: {note}", "")
            )
        elif entry is not None:
            source, confidence = entry.source, entry.confidence
        elif from_file:
            source, confidence = from_file, _confidence(from_file)
        elif from_file is None:
            source, confidence = DEFAULT_SOURCE, "default"
        else:
            source, confidence = NO_SOURCE, ""
        rows.append(InputRow(path, _show(value), source, confidence))
    return rows


def _force_sources(config: Mapping[str, Any]) -> dict[str, str]:
    """Sources of the two numbers a ``force:`` block sets at load (sim/config/forces.py)."""
    force = config.get("force")
    if not isinstance(force, Mapping):
        return {}
    row = f"the forces table {force.get('table')}, row {force.get('name')!r} (its fte_source column)"
    return {
        "force.officer_fte": f"officer FTE from {row}",
        "workforce.response_officers": f"officer FTE from {row} x force.response_share, rounded",
    }


def _differs(table_value: str, value: Any) -> bool:
    """Whether the table gives one number for this input and the config uses another."""
    try:
        number = float(table_value.replace(",", ""))
    except ValueError:
        return False
    if isinstance(value, list):
        return False
    return abs(number - float(value)) > 1e-9 * max(1.0, abs(number))


def _confidence(comment: str) -> str:
    """The confidence a config comment implies: assumed, derived, or cited."""
    upper = comment.upper()
    if "[ASSUMED" in upper or "ASSUMPTION" in upper:
        return "assumed"
    if "[DERIVED" in upper or "DERIVED" in upper:
        return "derived"
    return "cited in config"
