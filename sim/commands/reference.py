"""Generate the config and CLI references from the pydantic schema and the argparse parser.

The reference pages in ``docs/reference/`` are written by this module and checked by the tests,
so a field added to the schema or an option added to a command cannot go undocumented.
Regenerate with ``python -m sim.commands.reference``; ``--check`` fails if the pages on disk are stale.
"""

from __future__ import annotations

import argparse
import json
import sys
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import annotated_types as at
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

CONFIG_PAGE = "config.md"
CLI_PAGE = "cli.md"
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "docs" / "reference"


@dataclass
class _Collector:
    """Models met while walking the schema, in first-seen order, with the paths they appear at."""

    paths: dict[type[BaseModel], list[str]] = field(default_factory=dict)
    queue: list[type[BaseModel]] = field(default_factory=list)

    def add(self, model: type[BaseModel], path: str) -> None:
        """Record that ``model`` configures ``path``; queue it the first time it is seen."""
        if model not in self.paths:
            self.paths[model] = []
            self.queue.append(model)
        if path not in self.paths[model]:
            self.paths[model].append(path)


def _anchor(model: type[BaseModel]) -> str:
    """The Markdown heading anchor of a model's section."""
    return model.__name__.lower()


def _constraint(meta: object) -> str | None:
    """One annotated-types constraint as text, or None if it is not a bound."""
    symbols = ((at.Ge, "ge", "≥"), (at.Gt, "gt", ">"), (at.Le, "le", "≤"), (at.Lt, "lt", "<"))
    for kind, attr, symbol in symbols:
        if isinstance(meta, kind):
            return f"{symbol} {getattr(meta, attr)}"
    if isinstance(meta, at.MinLen):
        return f"at least {meta.min_length} item{'s' if meta.min_length != 1 else ''}"
    if isinstance(meta, at.MaxLen):
        return f"at most {meta.max_length} items"
    if isinstance(meta, at.Interval):
        parts = [
            _constraint(cls(getattr(meta, name)))
            for name, cls in (("ge", at.Ge), ("gt", at.Gt), ("le", at.Le), ("lt", at.Lt))
            if getattr(meta, name) is not None
        ]
        return ", ".join(p for p in parts if p)
    return None


def _constraints(metadata: Sequence[object]) -> list[str]:
    """Bounds from a field's or an Annotated type's metadata, FieldInfo objects unpacked."""
    found: list[str] = []
    for meta in metadata:
        inner = meta.metadata if isinstance(meta, FieldInfo) else [meta]
        found.extend(text for m in inner if (text := _constraint(m)))
    return found


def _type_text(annotation: object, path: str, seen: _Collector) -> str:
    """Readable type of an annotation; nested models are linked and queued with their path."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        base = _type_text(args[0], path, seen)
        bounds = _constraints(args[1:])
        return f"{base} ({', '.join(bounds)})" if bounds else base
    if origin in (typing.Union, types.UnionType):
        tagged = _tagged_union(args, path, seen)
        return tagged or " or ".join(_type_text(a, path, seen) for a in args)
    if origin is typing.Literal:
        return " or ".join(f"`{json.dumps(a)}`" for a in args)
    if origin is dict:
        key = _type_text(args[0], path, seen)
        value = _type_text(args[1], f"{path}.<name>", seen)
        return f"map of {key} to {value}"
    if origin in (tuple, list, set, frozenset):
        variadic = origin is not tuple or (len(args) == 2 and args[1] is Ellipsis)
        items = args[:1] if variadic else args
        inner = ", ".join(_type_text(a, f"{path}[]", seen) for a in items)
        return f"list of {inner}"
    if annotation is type(None):
        return "none"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        seen.add(annotation, path)
        return f"[{annotation.__name__}](#{_anchor(annotation)})"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return " or ".join(f"`{m.value}`" for m in annotation)
    if isinstance(annotation, type):
        return {
            "str": "text",
            "int": "integer",
            "float": "number",
            "bool": "true/false",
            "Path": "file path",
            "PosixPath": "file path",
        }.get(annotation.__name__, annotation.__name__)
    return str(annotation).replace("typing.", "")


def _tagged_union(args: Sequence[object], path: str, seen: _Collector) -> str | None:
    """Short text for a union of models told apart by one literal field (e.g. ``dist``)."""
    if not args or not all(isinstance(a, type) and issubclass(a, BaseModel) for a in args):
        return None
    models = typing.cast(Sequence[type[BaseModel]], args)
    common = set.intersection(*(set(m.model_fields) for m in models))
    for name in sorted(common):
        tags = [typing.get_args(m.model_fields[name].annotation) for m in models]
        if all(len(t) == 1 for t in tags):
            for model in models:
                seen.add(model, path)
            links = ", ".join(f"[`{t[0]}`](#{_anchor(m)})" for t, m in zip(tags, models, strict=True))
            return f"`{name}` one of {links}"
    return None


def _default_text(info: FieldInfo) -> str:
    """A field's default as YAML-like text; 'required' when it has none."""
    if info.default_factory is not None:
        value = info.default_factory()  # type: ignore[call-arg]
    elif info.default is PydanticUndefined:
        return "required"
    else:
        value = info.default
    if isinstance(value, BaseModel):
        return "see section"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Path):
        return f"`{value}`"
    if isinstance(value, dict | list | tuple) and not value:
        return "empty"
    return f"`{json.dumps(value, default=str)}`"


def _cell(text: str) -> str:
    """Make text safe inside a Markdown table cell."""
    return " ".join(text.replace("|", "\\|").split())


def _model_section(model: type[BaseModel], paths: list[str], seen: _Collector) -> list[str]:
    """A model's heading, where it is used, its docstring and a table of its fields."""
    lines = [f"## {model.__name__}", ""]
    if paths != [""]:
        shown = ", ".join(f"`{p}`" for p in paths[:6]) + (", ..." if len(paths) > 6 else "")
        lines += [f"Used at: {shown}", ""]
    doc = (model.__doc__ or "").strip()
    if doc:
        lines += [" ".join(doc.split("\n\n")[0].split()), ""]
    lines += ["| key | type | default | description |", "|---|---|---|---|"]
    for name, info in model.model_fields.items():
        key = info.alias or name
        child = f"{paths[0]}.{key}" if paths[0] else key
        kind = _type_text(info.annotation, child, seen)
        bounds = _constraints(info.metadata)
        if bounds:
            kind += f" ({', '.join(bounds)})"
        row = [f"`{key}`", kind, _default_text(info), info.description or ""]
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    return lines + [""]


def config_reference(root: type[BaseModel] | None = None) -> str:
    """The config reference page: one section per model reachable from ``root`` (a Scenario)."""
    if root is None:
        from sim.config.loading import Scenario

        root = Scenario
    seen = _Collector()
    seen.add(root, "")
    lines = [
        "# Configuration reference",
        "",
        "Generated from the schema by `python -m sim.commands.reference`; do not edit by hand.",
        "Durations carry their unit in the key (`_minutes`, `_hours`, `_days`); shares are in",
        "[0, 1]. `<name>` in a path stands for a key you choose (an incident type, a grade, ...);",
        "`[]` marks an item of a list. Unknown keys are errors.",
        "",
    ]
    done: set[type[BaseModel]] = set()
    while len(done) < len(seen.queue):
        model = next(m for m in seen.queue if m not in done)
        done.add(model)
        paths = seen.paths[model] or [""]
        lines += _model_section(model, paths, seen)
    return "\n".join(lines).rstrip() + "\n"


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The parser's subcommands by name, in the order they were added."""
    for action in parser._actions:  # noqa: SLF001 - argparse has no public accessor
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            return dict(action.choices)
    return {}


def _option_rows(parser: argparse.ArgumentParser) -> list[list[str]]:
    """Rows (argument, default, help) for every argument of a parser except --help."""
    rows = []
    for action in parser._actions:  # noqa: SLF001
        if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):  # noqa: SLF001
            continue
        if action.option_strings:
            name = ", ".join(action.option_strings)
            if action.nargs != 0:
                metavar = action.metavar or action.dest.upper()
                name += f" {metavar if isinstance(metavar, str) else ' '.join(metavar)}"
        else:
            name = str(action.metavar or action.dest)
            if action.nargs == "?":
                name = f"[{name}]"
            elif action.nargs in ("*", "+"):
                name += " ..."
        default = action.default
        empty = default is None or default is False or default == [] or default == argparse.SUPPRESS
        shown = "" if empty or action.nargs == 0 else default
        help_text = (action.help or "").replace("%(default)s", str(default)).replace("%%", "%")
        if action.choices and not isinstance(action.choices, dict):
            help_text += f" (one of: {', '.join(map(str, action.choices))})"
        rows.append([f"`{name}`", f"`{shown}`" if shown != "" else "", help_text])
    return rows


def cli_reference(parser: argparse.ArgumentParser | None = None) -> str:
    """The CLI reference page: every command with its arguments, defaults and help."""
    if parser is None:
        from sim.commands.cli import build_parser

        parser = build_parser()
    lines = [
        "# Command-line reference",
        "",
        "Generated from the argument parser by `python -m sim.commands.reference`; do not edit by hand.",
        "Every command exits 0 on success and non-zero with a one-line `policesim: error:`",
        "message on bad input; results already written are never overwritten without `--force`.",
        "",
    ]
    for name, sub in _subcommands(parser).items():
        lines += [f"## policesim {name}", ""]
        if sub.description:
            lines += [" ".join(sub.description.split()), ""]
        rows = _option_rows(sub)
        if rows:
            lines += ["| argument | default | meaning |", "|---|---|---|"]
            lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def pages() -> dict[str, str]:
    """The generated pages by file name."""
    return {CONFIG_PAGE: config_reference(), CLI_PAGE: cli_reference()}


def stale(directory: Path = DEFAULT_DIR) -> list[str]:
    """Names of generated pages that are missing or differ from what the code generates now."""
    out = []
    for name, text in pages().items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            out.append(name)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Write (or with --check, verify) the generated reference pages."""
    parser = argparse.ArgumentParser(prog="python -m sim.commands.reference", description=__doc__)
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--check", action="store_true", help="fail if the pages are stale")
    args = parser.parse_args(argv)
    if args.check:
        names = stale(args.directory)
        for name in names:
            print(f"stale: {args.directory / name} (run python -m sim.commands.reference)", file=sys.stderr)
        return 1 if names else 0
    args.directory.mkdir(parents=True, exist_ok=True)
    for name, text in pages().items():
        (args.directory / name).write_text(text, encoding="utf-8")
        print(args.directory / name)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
