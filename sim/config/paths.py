"""Paths in configs: dotted paths such as ``workforce.response_officers`` or ``a.list.0.b`` to
walk, read and set, and file names given inside a config file.

One definition for everything that addresses a config tree by path: ``--set`` overrides, the
national model's per-force scaling, sweep parameters, the source tables of the calibration check
and of the report, and the contract's nested summary. A list item is addressed by its index or,
in the source tables, by its name field.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

Key = str | int
# Fields that name a list item, so its numbers get a stable path like ``incident_types.burglary``.
LIST_ITEM_NAME_KEYS: tuple[str, ...] = ("name", "id", "key", "type", "grade")


def keys_of(path: str | Sequence[Key]) -> list[Key]:
    """The keys of a dotted path (a sequence of keys is taken as it is)."""
    keys: list[Key] = list(path.split(".")) if isinstance(path, str) else list(path)
    return keys


def dotted(keys: Sequence[Key]) -> str:
    """Keys back into a dotted path."""
    return ".".join(str(key) for key in keys)


def step(node: Any, key: Key) -> Any:
    """One step down: a list item by index, or a mapping's entry (``"0"`` also finds key ``0``).

    Raises ``KeyError`` (or ``IndexError``) when there is no such child.
    """
    if isinstance(node, list):
        if isinstance(key, int) or str(key).isdigit():
            return node[int(key)]
        raise KeyError(key)
    if isinstance(node, Mapping):
        if key in node:
            return node[key]
        if isinstance(key, str) and key.isdigit() and int(key) in node:
            return node[int(key)]
    raise KeyError(key)


def get(tree: Any, path: str | Sequence[Key]) -> Any:
    """The node at ``path``; ``KeyError`` or ``IndexError`` when a step is missing."""
    node = tree
    for key in keys_of(path):
        node = step(node, key)
    return node


def get_or(tree: Any, path: str | Sequence[Key], default: Any = None) -> Any:
    """The node at ``path``, or ``default`` when any step is missing."""
    try:
        return get(tree, path)
    except (KeyError, IndexError):
        return default


def put(node: Any, key: Key, value: Any) -> None:
    """Set one child of ``node``: a list item by index, or a mapping entry (added if new)."""
    if isinstance(node, list):
        node[int(key)] = value
    else:
        node[key] = value


def assign(tree: Any, path: str | Sequence[Key], value: Any) -> None:
    """Replace the value at an existing ``path``; ``KeyError`` or ``IndexError`` if it is absent."""
    keys = keys_of(path)
    parent = get(tree, keys[:-1])
    last = keys[-1]
    step(parent, last)  # must exist: a misspelt path is an error, not a new key
    if isinstance(parent, Mapping) and last not in parent:
        last = int(last)  # found as the integer key ``step`` falls back to
    put(parent, last, value)


def leaves(node: Any, prefix: tuple[Key, ...] = ()) -> Iterator[tuple[tuple[Key, ...], Any]]:
    """Every numeric leaf (bools excluded) with its key path, list items by index."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from leaves(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from leaves(value, (*prefix, index))
    elif is_number(node):
        yield prefix, node


def is_number(value: Any) -> bool:
    """An int or float that is not a bool."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def item_name(item: Any, index: int) -> str:
    """Path segment of a list item: its name field when it has one, else its index."""
    if isinstance(item, Mapping):
        for key in LIST_ITEM_NAME_KEYS:
            value = item.get(key)
            if isinstance(value, str) and value:
                return value
    return str(index)


def named_leaves(tree: Any, prefix: str = "", whole_lists: bool = False) -> dict[str, Any]:
    """Numeric leaves by dotted path, list items by name (see :func:`item_name`).

    ``whole_lists``: a list of numbers is one entry (its path, the list) rather than one per item.
    """
    found: dict[str, Any] = {}
    if isinstance(tree, Mapping):
        for key, value in tree.items():
            found.update(named_leaves(value, f"{prefix}.{key}" if prefix else str(key), whole_lists))
    elif isinstance(tree, list | tuple):
        if whole_lists and tree and all(is_number(v) for v in tree):
            found[prefix] = list(tree)
        else:
            for index, item in enumerate(tree):
                segment = item_name(item, index)
                found.update(named_leaves(item, f"{prefix}.{segment}" if prefix else segment, whole_lists))
    elif is_number(tree):
        found[prefix] = tree
    return found


def nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """``{"a.b.c": x}`` into ``{"a": {"b": {"c": x}}}``."""
    tree: dict[str, Any] = {}
    for path, value in flat.items():
        node = tree
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return tree


def relative(config_file: Path | str, name: str | Path) -> Path:
    """A file named inside ``config_file``: relative to that file's folder unless absolute."""
    candidate = Path(name)
    return candidate if candidate.is_absolute() else Path(config_file).parent / candidate
