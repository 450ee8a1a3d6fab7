"""A report as plain data (sections of paragraphs, tables, figures, checklists) rendered two ways.

The HTML page is self-contained (figures embedded as base64 PNG, styles inline) so it can be
mailed or archived as one file; the Markdown twin links the same PNG files, for diffing and for
pasting into papers. Both are rendered from the same structure, so they cannot disagree.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text (no markup)."""

    text: str


@dataclass(frozen=True)
class Table:
    """A table with a header row; cells are plain text."""

    columns: list[str]
    rows: list[list[str]]
    caption: str = ""


@dataclass(frozen=True)
class Figure:
    """A PNG file on disk with a caption."""

    path: Path
    caption: str


@dataclass(frozen=True)
class CheckItem:
    """A checklist line: its number, what it asks, what the tool filled in, and whether done."""

    number: str
    item: str
    answer: str
    done: bool


@dataclass(frozen=True)
class Checklist:
    """A checklist (the STRESS-DES items) with the researcher's open items marked."""

    items: list[CheckItem]


Block = Paragraph | Table | Figure | Checklist


@dataclass
class Section:
    """A titled part of the report."""

    key: str
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Report:
    """A whole report: title, one-line subtitle and sections in order."""

    title: str
    subtitle: str
    sections: list[Section]

    def figures(self) -> list[Figure]:
        """Every figure in the report, in order."""
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]


STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2430;
background:#f6f7f9;line-height:1.45}
header{background:#1f3a5f;color:#fff;padding:22px 40px}
header h1{margin:0 0 4px;font-size:26px} header p{margin:0;opacity:.85}
nav{padding:10px 40px;background:#e8ecf2;font-size:14px}
nav a{margin-right:14px;color:#1f3a5f;text-decoration:none}
main{padding:10px 40px 40px;max-width:1100px}
section{background:#fff;border:1px solid #dde2ea;border-radius:6px;padding:6px 22px 16px;
margin:18px 0}
h2{color:#1f3a5f;font-size:20px;border-bottom:1px solid #e3e7ee;padding-bottom:4px}
table{border-collapse:collapse;margin:10px 0;font-size:13px;width:100%}
th,td{border:1px solid #d6dbe4;padding:4px 8px;text-align:left;vertical-align:top;
overflow-wrap:anywhere}
th{background:#eef1f6} td.num{text-align:right;font-variant-numeric:tabular-nums;overflow-wrap:normal}
caption{caption-side:top;text-align:left;font-weight:600;padding:4px 0}
figure{margin:14px 0} figure img{max-width:100%;border:1px solid #e3e7ee}
figcaption{font-size:13px;color:#4a5568}
.todo{background:#fff4e5} .done{background:#eefaf0}
.mark{font-weight:700} .todo .mark{color:#b45309} .done .mark{color:#15803d}
"""


NUMERIC = re.compile(r"^[-+]?[\d,]*\.?\d+%?( \([^)]*\))?$")


def _is_number(text: str) -> bool:
    """Whether a cell is a number, optionally followed by its interval (right-aligned in HTML)."""
    return bool(NUMERIC.match(text.strip()))


def _html_block(block: Block) -> str:
    """One block as HTML."""
    if isinstance(block, Paragraph):
        return f"<p>{html.escape(block.text)}</p>"
    if isinstance(block, Table):
        head = "".join(f"<th>{html.escape(c)}</th>" for c in block.columns)
        body = "".join(
            "<tr>"
            + "".join(
                f'<td class="num">{html.escape(c)}</td>' if _is_number(c) else f"<td>{html.escape(c)}</td>" for c in row
            )
            + "</tr>"
            for row in block.rows
        )
        caption = f"<caption>{html.escape(block.caption)}</caption>" if block.caption else ""
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if isinstance(block, Figure):
        data = base64.b64encode(Path(block.path).read_bytes()).decode("ascii")
        alt = html.escape(block.caption)
        return f'<figure><img alt="{alt}" src="data:image/png;base64,{data}"><figcaption>{alt}</figcaption></figure>'
    rows = "".join(
        f'<tr class="{"done" if i.done else "todo"}"><td>{html.escape(i.number)}</td>'
        f"<td>{html.escape(i.item)}</td><td>{html.escape(i.answer)}</td>"
        f'<td class="mark">{"filled" if i.done else "TO COMPLETE"}</td></tr>'
        for i in block.items
    )
    return (
        "<table><thead><tr><th>item</th><th>asks for</th><th>what policesim knows</th>"
        f"<th>status</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def to_html(report: Report) -> str:
    """The report as one self-contained HTML page."""
    nav = "".join(f'<a href="#{s.key}">{html.escape(s.title)}</a>' for s in report.sections)
    sections = "".join(
        f'<section id="{s.key}"><h2>{html.escape(s.title)}</h2>'
        + "".join(_html_block(b) for b in s.blocks)
        + "</section>"
        for s in report.sections
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(report.title)}</title><style>{STYLE}</style></head><body>"
        f"<header><h1>{html.escape(report.title)}</h1><p>{html.escape(report.subtitle)}</p>"
        f"</header><nav>{nav}</nav><main>{sections}</main></body></html>\n"
    )


def _md_cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(text.replace("|", "\\|").split())


def _md_block(block: Block, figures: str) -> list[str]:
    """One block as Markdown lines."""
    if isinstance(block, Paragraph):
        return [block.text, ""]
    if isinstance(block, Table):
        lines = [f"*{block.caption}*", ""] if block.caption else []
        lines.append("| " + " | ".join(_md_cell(c) for c in block.columns) + " |")
        lines.append("|" + "---|" * len(block.columns))
        lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows]
        return lines + [""]
    if isinstance(block, Figure):
        target = f"{figures}/{Path(block.path).name}"
        return [f"![{block.caption}]({target})", "", f"*{block.caption}*", ""]
    lines = ["| item | asks for | what policesim knows | status |", "|---|---|---|---|"]
    lines += [
        f"| {i.number} | {_md_cell(i.item)} | {_md_cell(i.answer)} | {'filled' if i.done else '**TO COMPLETE**'} |"
        for i in block.items
    ]
    return lines + [""]


def to_markdown(report: Report, figures: str) -> str:
    """The report as Markdown; figures are linked as ``figures/<file name>``."""
    lines = [f"# {report.title}", "", report.subtitle, ""]
    for section in report.sections:
        lines += [f"## {section.title}", ""]
        for block in section.blocks:
            lines += _md_block(block, figures)
    return "\n".join(lines).rstrip() + "\n"
