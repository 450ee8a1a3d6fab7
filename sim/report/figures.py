"""Figures in the documents, generated from stored results (sim/report/stored.py).

A figure quoted from a run is a marker in the Markdown, its text between the tags::

    <!-- fig: run_readme summary.incidents.burglary.attended ci0 -->1,264 (1,207 to 1,321)<!-- /fig -->

naming the stored result, a dotted path into it (a list item by index, or rows by
``[field=value]``) and
a format; a whole block is ``<!-- figs: RESULT KIND -->`` ... ``<!-- /figs -->`` (KIND in
:data:`BLOCKS`). :func:`render` rewrites every marker from the stored results with the project's
number formatter; :func:`disagreements` lists markers whose text is not what the result says.

Formats (``+`` in front signs the number; ``k``, ``m`` or ``p`` after: in thousands, millions or,
for a share, percentage points):
``nD`` the value (a cell's mean) to D decimals; ``ciD`` mean (low to high); ``rangeD`` low to
high; ``pctD`` a share as a percentage; ``verdict`` a boolean as within / MISS (a target's row:
not produced, within or MISS). A value is a
contract cell ``{mean, ci_low, ci_high}``, a ``[mean, low, high]`` triple, a row with
``simulated``, ``low`` and ``high``, or a number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.config.paths import step
from sim.errors import ConfigError
from sim.report.format import mean_ci, number
from sim.report.stored import Stored

INLINE = re.compile(r"<!-- fig: (?P<result>\S+) (?P<path>\S+) (?P<fmt>\S+) -->(?P<text>.*?)<!-- /fig -->", re.DOTALL)
BLOCK = re.compile(r"<!-- figs: (?P<result>\S+) (?P<kind>\S+) -->\n(?P<text>.*?)<!-- /figs -->", re.DOTALL)
FORMAT = re.compile(r"(?P<sign>\+?)(?P<kind>n|ci|range|pct)(?P<digits>\d)(?P<scale>[kmp]?)|verdict")
SCALES = {"": 1.0, "k": 1e3, "m": 1e6, "p": 0.01}  # p: a share in percentage points
DOCUMENTS = ("README.md", "docs/*.md")  # the documents whose figures are generated


@dataclass(frozen=True)
class Marker:
    """One figure in a document: where it is, what it shows and what it says now."""

    document: str
    line: int
    result: str
    path: str  # a dotted path, or the block kind
    fmt: str  # a format, or "block"
    text: str
    span: tuple[int, int]  # the text's span in the document

    def where(self) -> str:
        return f"{self.document}:{self.line}"


def markers(text: str, document: str = "") -> list[Marker]:
    """Every inline and block marker of a document, in order."""
    found = [
        Marker(
            document, text.count("\n", 0, m.start()) + 1, m["result"], m["path"], m["fmt"], m["text"], m.span("text")
        )
        for m in INLINE.finditer(text)
    ]
    found += [
        Marker(document, text.count("\n", 0, m.start()) + 1, m["result"], m["kind"], "block", m["text"], m.span("text"))
        for m in BLOCK.finditer(text)
    ]
    return sorted(found, key=lambda m: m.span)


PATH_STEP = re.compile(r"\[(?P<field>[^=\]]+)=(?P<value>[^\]]*)\]|(?P<key>[^.\[]+)")


def lookup(document: Any, path: str) -> Any:
    """The node at a dotted path; ``[field=value]`` keeps the list items whose field has that
    value (the item itself once one is left); a mapping key with dots in it (a metric name such
    as ``officer_hours.available``) is found by joining the following steps."""
    node = document
    steps = list(PATH_STEP.finditer(path))
    index = 0
    while index < len(steps):
        match = steps[index]
        index += 1
        if match["key"] is None:
            node = [item for item in node if str(item.get(match["field"])) == match["value"]]
            if not node:
                raise KeyError(match[0])
            node = node[0] if len(node) == 1 else node
            continue
        key = match["key"]
        while isinstance(node, Mapping) and key not in node and index < len(steps) and steps[index]["key"]:
            key = f"{key}.{steps[index]['key']}"
            index += 1
        node = step(node, key)
    return node


def _cell(value: Any) -> dict[str, Any]:
    """A stored value as ``{mean, ci_low, ci_high}``: a contract cell, a ``[mean, low, high]``
    triple, a row with ``simulated``, ``low`` and ``high``, or a bare number."""
    if isinstance(value, Mapping) and "simulated" in value and "low" in value:
        return {"mean": value["simulated"], "ci_low": value["low"], "ci_high": value.get("high")}
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, list | tuple) and len(value) == 3:
        return {"mean": value[0], "ci_low": value[1], "ci_high": value[2]}
    return {"mean": value}


def _signed(text: str, value: float, sign: bool) -> str:
    return f"+{text}" if sign and value > 0 else text


def formatted(value: Any, fmt: str) -> str:
    """A stored value as a document shows it (``fmt`` as in the module docstring)."""
    match = FORMAT.fullmatch(fmt)
    if match is None:
        raise ConfigError(f"unknown figure format {fmt!r}")
    if fmt == "verdict":  # a boolean, or a target's row (which may not be produced)
        if isinstance(value, Mapping):
            return "not produced" if value.get("produced") is False else formatted(value.get("within"), fmt)
        return "within" if value else "MISS"
    kind, digits, sign = match["kind"], int(match["digits"]), bool(match["sign"])
    scale = SCALES[match["scale"]]
    cell = {k: v if v is None or k not in ("mean", "ci_low", "ci_high") else v / scale for k, v in _cell(value).items()}
    mean, low, high = cell.get("mean"), cell.get("ci_low"), cell.get("ci_high")
    if kind == "n":
        return "-" if mean is None else _signed(number(mean, digits), mean, sign)
    if kind == "pct":
        return "-" if mean is None else f"{number(100 * mean, digits)}%"
    if kind == "range":
        if low is None or high is None:
            return "-"
        return f"{_signed(number(low, digits), low, sign)} to {_signed(number(high, digits), high, sign)}"
    if not sign:
        return mean_ci(cell, digits)
    if mean is None or low is None or high is None:
        return "-"
    return f"{_signed(number(mean, digits), mean, True)} ({formatted(cell, f'+range{digits}')})"  # cell already scaled


def _run_tables(document: Any) -> str:
    from sim.report.tables import render_summary

    return "```text\n" + render_summary(document) + "```\n"


def _targets_table(document: Any) -> str:
    from sim.report.targets import render_document

    return "```text\n" + render_document(document) + "```\n"


BLOCKS: dict[str, Callable[[Any], str]] = {"run-tables": _run_tables, "targets-table": _targets_table}


def expected(marker: Marker, document: Any) -> str:
    """What the marker's text should be, given its stored result."""
    if marker.fmt == "block":
        if marker.path not in BLOCKS:
            raise ConfigError(f"{marker.where()}: unknown figure block {marker.path!r}")
        return BLOCKS[marker.path](document)
    try:
        value = lookup(document, marker.path)
    except (KeyError, IndexError, TypeError):
        raise ConfigError(f"{marker.where()}: result {marker.result} has no {marker.path}") from None
    return formatted(value, marker.fmt)


def documents(root: Path) -> Iterator[Path]:
    """The documents whose figures are generated."""
    for pattern in DOCUMENTS:
        yield from sorted(root.glob(pattern))


def render(stored: Stored, path: Path) -> tuple[str, list[Marker]]:
    """The document's text with every figure whose result is stored rewritten from it, and the
    markers left as they were because their result is missing."""
    text = path.read_text(encoding="utf-8")
    name = path.relative_to(stored.root).as_posix()
    pieces, last, pending = [], 0, []
    for marker in markers(text, name):
        document = stored.document(marker.result)
        if document is None:
            pending.append(marker)
            continue
        pieces += [text[last : marker.span[0]], expected(marker, document)]
        last = marker.span[1]
    return "".join(pieces) + text[last:], pending


def disagreements(stored: Stored, path: Path) -> list[str]:
    """One line per stored figure whose text is not what its result says."""
    text = path.read_text(encoding="utf-8")
    name = path.relative_to(stored.root).as_posix()
    problems = []
    for marker in markers(text, name):
        document = stored.document(marker.result)
        if document is not None and (want := expected(marker, document)) != marker.text:
            problems.append(f"{marker.where()}: {marker.result} {marker.path} says {want!r}, the text {marker.text!r}")
    return problems
