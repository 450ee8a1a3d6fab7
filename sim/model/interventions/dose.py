"""A dose of an intervention: its settings with the fields it names scaled by a factor ``d``.

A plug-in lists, in ``dose_fields``, the settings (dotted paths into its section) that carry its
published saving: savings, adoption or eligible shares. At dose ``d`` each becomes ``d`` times its
value (every value of a mapping alike), so ``d = 0`` saves nothing, ``d = 1`` is the section as
configured and ``d = 2`` doubles the saving. A field's upper bound in the settings model (a share
cannot exceed 1) limits the dose: ``reach`` is the largest ``d`` that keeps every scaled field
within its bound. Nothing here clips: a dose beyond reach is refused (``DoseError``), and the
caller reports it.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Iterator, Sequence
from types import UnionType
from typing import Any

import annotated_types as at
from pydantic import BaseModel
from pydantic.fields import FieldInfo

ROUNDING = 1e-9  # relative: d x value above a bound by float rounding alone is the bound


class DoseError(ValueError):
    """A dose an intervention's settings cannot take."""


def _upper(metadata: Sequence[object]) -> float:
    """The tightest ``le``/``lt`` bound in pydantic metadata (FieldInfo unpacked); inf if none."""
    bound = math.inf
    for meta in metadata:
        for item in meta.metadata if isinstance(meta, FieldInfo) else [meta]:
            if isinstance(item, at.Le):
                bound = min(bound, float(item.le))  # type: ignore[arg-type]
            elif isinstance(item, at.Lt):
                bound = min(bound, float(item.lt))  # type: ignore[arg-type]
    return bound


def _annotation_upper(annotation: Any) -> float:
    """The upper bound an annotation carries (through Annotated and Optional)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *metadata = typing.get_args(annotation)
        return min(_annotation_upper(inner), _upper(metadata))
    if origin in (typing.Union, UnionType):
        return min((_annotation_upper(a) for a in typing.get_args(annotation) if a is not type(None)), default=math.inf)
    return math.inf


def _walk(settings: BaseModel, path: str) -> tuple[Any, float, bool]:
    """The value at ``path``, the upper bound of each of its numbers, and whether it is a mapping."""
    node: Any = settings
    keys = path.split(".")
    for key in keys[:-1]:
        node = getattr(node, key, None)
        if not isinstance(node, BaseModel):
            raise DoseError(f"{path}: {key} is not a section of {type(settings).__name__}")
    last = keys[-1]
    info = type(node).model_fields.get(last)
    if info is None:
        raise DoseError(f"{path}: not a field of {type(settings).__name__}")
    value = getattr(node, last)
    if isinstance(value, dict):
        args = typing.get_args(info.annotation)
        bound = _annotation_upper(args[-1]) if args else math.inf
        return value, bound, True
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DoseError(f"{path}: a dose scales numbers; this field holds {type(value).__name__}")
    return value, min(_upper(info.metadata), _annotation_upper(info.annotation)), False


def _numbers(settings: BaseModel, fields: Sequence[str]) -> Iterator[tuple[str, float, float]]:
    """(path, value, upper bound) for every number a dose scales."""
    for path in fields:
        value, bound, mapping = _walk(settings, path)
        if mapping:
            for key, item in value.items():
                yield f"{path}.{key}", float(item), bound
        else:
            yield path, float(value), bound


def reach(settings: BaseModel, fields: Sequence[str]) -> float:
    """The largest dose every scaled field can take within its bound (inf: none binds)."""
    limits = [bound / value for _, value, bound in _numbers(settings, fields) if value > 0 and math.isfinite(bound)]
    return min(limits, default=math.inf)


def scaled(settings: BaseModel, fields: Sequence[str], factor: float) -> BaseModel:
    """The settings with every number of ``fields`` times ``factor``, validated again.

    Refuses a factor below 0 or beyond ``reach`` (DoseError naming the field that binds)."""
    if not math.isfinite(factor) or factor < 0:
        raise DoseError(f"dose factor must be a finite number >= 0, got {factor!r}")
    for path, value, bound in _numbers(settings, fields):
        if value * factor > bound * (1 + ROUNDING):
            raise DoseError(
                f"{path}: {value:g} x {factor:g} exceeds its bound {bound:g}; "
                f"the largest reachable dose is {reach(settings, fields):g}"
            )
    data = settings.model_dump()
    for path in fields:
        *parents, last = path.split(".")
        node = data
        for key in parents:
            node = node[key]
        bound = _walk(settings, path)[1]
        if isinstance(node[last], dict):
            node[last] = {key: min(value * factor, bound) for key, value in node[last].items()}
        else:
            node[last] = min(node[last] * factor, bound)  # min: float rounding only (checked above)
    return type(settings).model_validate(data)


def values(settings: BaseModel, fields: Sequence[str]) -> dict[str, Any]:
    """The dosed fields' values by path (a mapping as a mapping), for tables and manifests."""
    return {path: _walk(settings, path)[0] for path in fields}
