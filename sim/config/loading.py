"""Loading scenarios: safe YAML, ``extends:`` overlays, ``--set a.b=c`` overrides, clear errors.

Every failure becomes a ``ConfigError`` whose one line names the field path, the value given and
what was expected, so a misspelt key or a share of 1.5 never passes silently.
"""

from __future__ import annotations

import copy
import hashlib
import json
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.config import paths
from sim.config.schema import Scenario
from sim.errors import ConfigError, DataError

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"
DEFAULT_CONFIG = CONFIG_DIR / "baseline.yaml"
EXTENDS_KEY = "extends"
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
    """Overlay ``overlay`` on ``base``: mappings merge key by key, anything else is replaced."""
    merged = copy.deepcopy(dict(base))
    for key, value in overlay.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def load_raw(path: Path | str, _depth: int = 0) -> dict[str, Any]:
    """A config file with its ``extends:`` chain resolved (paths relative to the extending file)."""
    path = Path(path)
    if _depth > MAX_EXTENDS_DEPTH:
        raise ConfigError(f"{path}: 'extends' chain deeper than {MAX_EXTENDS_DEPTH} (a cycle?)")
    data = read_yaml(path)
    parent = data.pop(EXTENDS_KEY, None)
    if parent is None:
        return _resolve_paths(data, path.parent)
    if not isinstance(parent, str):
        raise ConfigError(f"{path}: extends: expected a file name, got {parent!r}")
    parent_path = Path(parent) if Path(parent).is_absolute() else path.parent / parent
    if not parent_path.is_file() and (CONFIG_DIR / parent).is_file():
        parent_path = CONFIG_DIR / parent
    return merge(load_raw(parent_path, _depth + 1), _resolve_paths(data, path.parent))


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


def _section_model(model: type[BaseModel] | None, key: str) -> type[BaseModel] | None:
    """The schema section (a pydantic model) that field ``key`` of ``model`` holds, if any."""
    if model is None or key not in model.model_fields:
        return None
    annotation = model.model_fields[key].annotation
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def set_path(raw: dict[str, Any], path: str, value: Any) -> None:
    """Set ``a.b.c`` in nested mappings. A missing parent is created only when the schema
    declares it as a section (``interventions.automated_redaction`` in a config that omits it);
    any other missing parent is an error naming it, so typos are caught."""
    keys = paths.keys_of(path)
    node: Any = raw
    section: type[BaseModel] | None = Scenario
    for depth, key in enumerate(keys[:-1]):
        child = None if isinstance(node, list) else _section_model(section, str(key))
        if isinstance(node, dict) and node.get(key) is None and child is not None:
            node[key] = {}
        try:
            node = paths.step(node, key)
        except (KeyError, IndexError):
            where = paths.dotted(keys[: depth + 1])
            options = (
                sorted(section.model_fields) if section is not None else sorted(node) if isinstance(node, dict) else []
            )
            raise ConfigError(f"--set {path}: {where} does not exist (there: {options})") from None
        section = child
    last = keys[-1]
    in_list = isinstance(node, list) and str(last).isdigit() and int(last) < len(node)
    if not (in_list or isinstance(node, dict)):
        raise ConfigError(f"--set {path}: {paths.dotted(keys[:-1])} is not a mapping")
    paths.put(node, last, value)


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
