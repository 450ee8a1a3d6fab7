"""Loading scenarios: safe YAML, ``extends:`` overlays, ``--set a.b=c`` overrides, clear errors.

Every failure becomes a ``ConfigError`` whose one line names the field path, the value given and
what was expected, so a misspelt key or a share of 1.5 never passes silently.
"""

from __future__ import annotations

import copy
import hashlib
import json
import typing
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import UnionType
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.config.forces import resolve_force
from sim.config.schema import Scenario
from sim.errors import ConfigError, DataError

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"
DEFAULT_CONFIG = CONFIG_DIR / "default.yaml"  # the packaged default: a force under pressure
BASELINE_CONFIG = CONFIG_DIR / "baseline.yaml"  # every optional section off (queueing checks)
EXTENDS_KEY = "extends"
SET_KEY = "set"  # a config's own dotted overrides, applied after its merge (as --set)
DIST_KEY = "dist"
MAX_EXTENDS_DEPTH = 16


class UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML loading (libyaml when present) that refuses a key given twice in one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *anchor` may be overridden
                continue
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
            except TypeError:  # an unhashable key: the base class reports it
                continue
            if duplicate:
                problem = f"key {key!r} appears twice"
                raise yaml.constructor.ConstructorError(None, None, problem, key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


def read_yaml(path: Path | str) -> dict[str, Any]:
    """One YAML file as a mapping; anything else is a ``ConfigError`` naming the file."""
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"{path}: is a directory; give a config file (YAML) inside it")
    if not path.is_file():
        raise ConfigError(f"{path}: no such config file")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=UniqueKeyLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{where}: not valid YAML ({getattr(error, 'problem', error)})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a UTF-8 text file") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level, got {type(data).__name__}")
    return data


def merge(base: Mapping[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    """Overlay ``overlay`` on ``base``: mappings merge key by key, anything else is replaced.

    A distribution whose ``dist`` changes kind is replaced whole: the parent's ``mean``/``cv``
    mean nothing to a ``fixed`` or ``empirical`` distribution.
    """
    merged = copy.deepcopy(dict(base))
    for key, value in overlay.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping) and not _new_kind(merged[key], value):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _new_kind(base: Mapping[str, Any], overlay: Mapping[str, Any]) -> bool:
    """Whether ``overlay`` names a different distribution kind from ``base``."""
    return DIST_KEY in overlay and overlay[DIST_KEY] != base.get(DIST_KEY)


def load_raw(path: Path | str, _depth: int = 0) -> dict[str, Any]:
    """A config file with its ``extends:`` chain resolved (paths relative to the extending file).

    ``extends`` names one file or a list of files, merged in order, so a force can be a base plus
    overlays (the packaged default is the baseline with the attendance, sinks and duties overlays).
    A ``set:`` block of dotted paths is applied last, to the merged result."""
    path = Path(path)
    if _depth > MAX_EXTENDS_DEPTH:
        raise ConfigError(f"{path}: 'extends' chain deeper than {MAX_EXTENDS_DEPTH} (a cycle?)")
    data = resolve_force(read_yaml(path), path)
    parents = data.pop(EXTENDS_KEY, None)
    overrides = data.pop(SET_KEY, None)
    if parents is None:
        return _set_own(_resolve_paths(data, path.parent), overrides, path)
    if isinstance(parents, str):
        parents = [parents]
    if not isinstance(parents, list) or not parents or not all(isinstance(p, str) for p in parents):
        raise ConfigError(f"{path}: extends: expected a file name or a list of file names, got {parents!r}")
    merged: dict[str, Any] = {}
    for parent in parents:  # a list merges in order: later files overlay earlier ones
        merged = merge(merged, load_raw(parent_path(path, parent), _depth + 1))
    return _set_own(merge(merged, _resolve_paths(data, path.parent)), overrides, path)


def _set_own(raw: dict[str, Any], overrides: Any, path: Path) -> dict[str, Any]:
    """Apply a config's ``set:`` block (dotted paths, as ``--set``) to it once merged: the way to
    change one entry of a list its parent gives (``attendance.rules.3.free_officers_below``)."""
    if overrides is None:
        return raw
    if not isinstance(overrides, dict) or not overrides:
        raise ConfigError(f"{path}: set: expected a mapping of dotted paths to values, got {overrides!r}")
    try:
        return apply_overrides(raw, {str(key): value for key, value in overrides.items()})
    except ConfigError as error:
        raise ConfigError(f"{path}: set: {error}") from None


def parent_path(path: Path, parent: str) -> Path:
    """The file ``extends: parent`` in ``path`` names: relative to the extending file, or else a
    packaged config of that name (the one rule every reader of ``extends`` follows)."""
    candidate = path.parent / parent  # an absolute parent stays absolute
    if not candidate.is_file() and (CONFIG_DIR / parent).is_file():
        return CONFIG_DIR / parent
    return candidate


def _resolve_paths(data: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Make data-file paths (replay log, empirical CSVs) relative to the config that names them."""

    def fix(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key in ("path", "csv") and isinstance(value, str) and not Path(value).is_absolute():
                    out[key] = str(folder / value)
                else:
                    out[key] = fix(value)
            return out
        if isinstance(node, list):
            return [fix(item) for item in node]
        return node

    return fix(data)


def parse_override(text: str) -> tuple[str, Any]:
    """``"a.b.c=value"`` into its path and value (parsed as YAML, so numbers and lists work)."""
    if "=" not in text:
        raise ConfigError(f"--set {text!r}: expected PATH=VALUE, for example workforce.response_officers=420")
    path, _, raw_value = text.partition("=")
    path = path.strip()
    if not path:
        raise ConfigError(f"--set {text!r}: empty path")
    try:
        value = yaml.safe_load(raw_value) if raw_value.strip() else ""
    except yaml.YAMLError:
        value = raw_value
    return path, value


def _field_shape(model: type[BaseModel] | None, key: str) -> tuple[str, type[BaseModel] | None]:
    """What field ``key`` of schema section ``model`` holds, and the section below it.

    ``("section", M)``: a sub-section of model ``M``; ``("mapping", M)``: named entries (each an
    ``M``, or plain values when ``M`` is None), as ``incident_types`` or ``hours_saved``;
    ``("value", None)``: a single value; ``("unknown", None)``: not a field of ``model``.
    """
    if model is None:
        return "unknown", None
    if key not in model.model_fields:
        return "unknown", None
    for candidate in _flat_args(model.model_fields[key].annotation):
        origin = typing.get_origin(candidate)
        if isinstance(origin, type) and issubclass(origin, Mapping):
            value = typing.get_args(candidate)[-1] if typing.get_args(candidate) else None
            return "mapping", value if isinstance(value, type) and issubclass(value, BaseModel) else None
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return "section", candidate
    return "value", None


def _flat_args(annotation: Any) -> Iterator[Any]:
    """The annotation and, depth first, what it is made of (through Optional, Union, Annotated)."""
    yield annotation
    if typing.get_origin(annotation) is typing.Annotated or typing.get_origin(annotation) in (typing.Union, UnionType):
        for argument in typing.get_args(annotation):
            yield from _flat_args(argument)


def set_path(raw: dict[str, Any], path: str, value: Any) -> None:
    """Set ``a.b.c`` in nested mappings. A missing parent is created only when the schema
    declares it as a section or a mapping (``interventions.automated_redaction``,
    ``interventions.admin_reduction.hours_saved`` in a config that omits them); any other
    missing parent is an error listing what is there, so typos are caught. A mapping given for
    a section (or a distribution) merges into it, as an ``extends`` overlay does
    (``workforce.abstraction={sickness: 0.1}`` changes sickness only); one given for a mapping
    of named entries (``grade_mix``, ``officers_needed``, ``hours_saved``) replaces it."""
    keys = path.split(".")
    node: Any = raw
    section: type[BaseModel] | None = Scenario
    named = False  # node is a mapping of named entries (incident types, tasks), not a section
    for depth, key in enumerate(keys[:-1]):
        where = ".".join(keys[: depth + 1])
        if isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node, section, named = node[int(key)], None, False
            continue
        if named:
            shape, child = ("section", section) if section is not None else ("value", None)
        else:
            shape, child = _field_shape(section, key)
        if isinstance(node, dict) and node.get(key) is None and not named and shape in ("section", "mapping"):
            node[key] = {}
        if not isinstance(node, dict) or key not in node:
            if named:
                raise ConfigError(f"--set {path}: {where} does not exist (there: {sorted(node)})")
            fields = (
                sorted(section.model_fields) if section is not None else sorted(node) if isinstance(node, dict) else []
            )
            raise ConfigError(f"--set {path}: {where} does not exist (fields there: {fields})")
        if not isinstance(node[key], (dict, list)):
            raise ConfigError(f"--set {path}: {where} is a single value ({_short(node[key])}), not a section")
        node = node[key]
        section, named = child, shape == "mapping"
    last = keys[-1]
    if isinstance(node, list) and last.isdigit() and int(last) < len(node):
        node[int(last)] = value
    elif isinstance(node, dict):
        old = node.get(last)
        into_section = (section is not None) if named else _field_shape(section, last)[0] == "section"
        merges = into_section and isinstance(value, Mapping) and isinstance(old, Mapping)
        if merges and not value:
            raise ConfigError(f"--set {path}: an empty mapping changes nothing (a mapping merges into the one there)")
        node[last] = merge({last: old}, {last: value})[last] if merges else value
    else:
        raise ConfigError(f"--set {path}: {'.'.join(keys[:-1])} is not a mapping")


def apply_overrides(raw: dict[str, Any], overrides: Mapping[str, Any] | Iterable[str] | None) -> dict[str, Any]:
    """A copy of ``raw`` with overrides applied; new leaf keys are validated by the schema."""
    result = copy.deepcopy(raw)
    if not overrides:
        return result
    items = overrides.items() if isinstance(overrides, Mapping) else map(parse_override, overrides)
    for path, value in items:
        set_path(result, path, value)
    return result


def format_validation_error(error: ValidationError, source: str) -> str:
    """The first problem of a pydantic error as one line: path, value given, what was expected."""
    problem = error.errors()[0]
    path = ".".join(str(part) for part in problem["loc"] if not _is_union_tag(part))
    message = problem["msg"].removeprefix("Value error, ")
    if problem["type"] == "extra_forbidden":
        message = "unknown key (misspelt? it is not a field of this section)"
    given = problem.get("input")
    shown = "" if problem["type"] in ("missing",) else f" (got {_short(given)})"
    more = len(error.errors()) - 1
    tail = f" [and {more} more problem{'s' if more > 1 else ''}]" if more else ""
    return f"{source}: {path or '<top level>'}: {message}{shown}{tail}"


def _is_union_tag(part: object) -> bool:
    return isinstance(part, str) and part in (
        "fixed",
        "exponential",
        "lognormal",
        "gamma",
        "triangular",
        "empirical",
        "scaled",
    )


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def scenario_from_dict(raw: Mapping[str, Any], source: str = "<config>") -> Scenario:
    """Validate a mapping as a ``Scenario``; problems become one-line ``ConfigError``s."""
    try:
        return Scenario.model_validate(dict(raw))
    except ValidationError as error:
        raise ConfigError(format_validation_error(error, source)) from None
    except DataError as error:
        raise DataError(f"{source}: {error}") from None
    except (OverflowError, RecursionError) as error:
        raise ConfigError(f"{source}: value out of range ({error})") from None


def load_scenario(
    path: Path | str | None = None, overrides: Mapping[str, Any] | Iterable[str] | None = None
) -> Scenario:
    """Load, overlay, override and validate a scenario; ``None`` is the packaged baseline."""
    path = Path(path) if path is not None else DEFAULT_CONFIG
    raw = apply_overrides(load_raw(path), overrides)
    return scenario_from_dict(raw, source=str(path))


def resolved_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain JSON-compatible data, defaults filled in (recorded with results)."""
    return scenario.model_dump(mode="json", by_alias=True, exclude_none=False)


def config_hash(scenario: Scenario) -> str:
    """A short, stable fingerprint of the resolved scenario (sha256, 16 hex digits)."""
    text = json.dumps(resolved_dict(scenario), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
