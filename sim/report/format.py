"""Results as text: one format for a mean with its confidence interval, compact numbers, and
rich tables rendered to plain text for the terminal.

A cell is the contract's ``{mean, ci_low, ci_high}``; an undefined value (None, NaN) shows as
``-`` so a missing interval is never printed as a number.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Mapping
from typing import Any


def number(value: float | None, digits: int = 1) -> str:
    """A number with thousands separators, or ``-`` when undefined."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:,.{digits}f}"


def mean_ci(cell: Mapping[str, Any] | None, digits: int = 1) -> str:
    """``mean (low to high)`` from a ``{mean, ci_low, ci_high}`` cell; the mean alone without a CI."""
    if not cell or cell.get("mean") is None:
        return "-"
    low, high = cell.get("ci_low"), cell.get("ci_high")
    if low is None or high is None:
        return number(cell["mean"], digits)
    return f"{number(cell['mean'], digits)} ({number(low, digits)} to {number(high, digits)})"


def compact(value: float | None, whole_from: float = 100) -> str:
    """Three significant figures, or a whole number with separators from ``whole_from`` up;
    ``n/a`` when undefined."""
    if value is None or value != value:
        return "n/a"
    return f"{value:,.0f}" if abs(value) >= whole_from else f"{value:.3g}"


def plain_text(items: Iterable[Any], width: int) -> str:
    """Rich tables and lines of text rendered one after another as plain text (no colour)."""
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=False, color_system=None)
    for item in items:
        console.print(item)
    return buffer.getvalue()
