"""Numbers for JSON documents: JSON has no NaN or infinity, so those become null (None).

One definition for every document policesim writes (the run contract, comparisons, capacity,
replications advice, national and claims results).
"""

from __future__ import annotations

import math
from typing import Any

DIGITS = 6


def json_number(value: Any, digits: int | None = DIGITS) -> float | None:
    """``value`` as a float rounded to ``digits`` (None: unrounded); None if it is not finite."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number):
        return None
    return number if digits is None else round(number, digits)


def json_safe(node: Any, digits: int | None = DIGITS) -> Any:
    """A document with every float made JSON-safe by :func:`json_number` (ints and text kept)."""
    if isinstance(node, dict):
        return {key: json_safe(value, digits) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return [json_safe(value, digits) for value in node]
    if isinstance(node, float):
        return json_number(node, digits)
    return node
