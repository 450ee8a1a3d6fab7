"""Stored results: the run outputs the documents quote, each with what made it and from what.

``figures/results.yaml`` (written by hand) names each result: the ``policesim`` command(s) that
produce it, the input files it depends on (config files, experiments; globs allowed) and what it
costs. ``figures/NAME.json`` holds the stored output and ``figures/manifest.json`` records, per
stored result, the command, the policesim version and a hash of the inputs when it was made, so
a result whose inputs changed since is *stale*, and a result never produced is *missing*.
The expensive reruns are a maintainer's job (``policesim results --all``); tests only compare.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sim.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]  # the repository (results live beside the docs)
FOLDER = "figures"
SPEC = "results.yaml"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class ResultSpec:
    """One stored result as declared in results.yaml."""

    name: str
    commands: tuple[str, ...]  # run in order from the repository root; ``{tmp}`` is a scratch folder
    inputs: tuple[str, ...]  # repository paths or globs whose content the result depends on
    output: str | Mapping[str, str] = "stdout"  # the last command's stdout, or files (JSON or CSV)
    cost: str = ""
    quotes: str = ""  # where the documents quote it

    @property
    def command(self) -> str:
        """The commands as one line (what the manifest records)."""
        return " && ".join(self.commands)


@dataclass
class Stored:
    """The spec, the manifest and the stored documents of one repository."""

    root: Path
    specs: dict[str, ResultSpec]
    manifest: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return self.root / FOLDER

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.json"

    def document(self, name: str) -> Any | None:
        """The stored document of ``name``, or None when it was never produced."""
        if name not in self.specs:
            raise ConfigError(f"{FOLDER}/{SPEC}: no result named {name!r}")
        path = self.path(name)
        if not path.exists():
            return None
        return json.loads(path.read_text(encoding="utf-8"))

    def status(self, name: str) -> str:
        """``missing``, ``stale`` (inputs, command or manifest differ) or ``fresh``."""
        spec = self.specs[name]
        entry = self.manifest.get(name)
        if not self.path(name).exists():
            return "missing"
        if entry is None or entry.get("command") != spec.command:
            return "stale"
        return "fresh" if entry.get("inputs_hash") == inputs_hash(self.root, spec.inputs) else "stale"

    def record(self, name: str, version: str, produced: str, seconds: float) -> None:
        """Note in the manifest that ``name`` was just produced (written by :func:`save_manifest`)."""
        spec = self.specs[name]
        self.manifest[name] = {
            "command": spec.command,
            "version": version,
            "inputs": input_files(self.root, spec.inputs),
            "inputs_hash": inputs_hash(self.root, spec.inputs),
            "produced": produced,
            "wall_seconds": round(seconds, 1),
        }

    def save_manifest(self) -> None:
        text = json.dumps(dict(sorted(self.manifest.items())), indent=2) + "\n"
        (self.folder / MANIFEST).write_text(text, encoding="utf-8")


def load(root: Path = ROOT) -> Stored:
    """Read results.yaml and manifest.json; a malformed entry is one line naming it."""
    spec_path = root / FOLDER / SPEC
    try:
        raw = yaml.safe_load(spec_path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"{spec_path}: cannot read ({error})") from error
    specs = {}
    for name, entry in (raw.get("results") or {}).items():
        if not isinstance(entry, Mapping) or "commands" not in entry or "inputs" not in entry:
            raise ConfigError(f"{spec_path}: results.{name}: needs commands and inputs")
        commands = entry["commands"]
        specs[name] = ResultSpec(
            name=name,
            commands=tuple([commands] if isinstance(commands, str) else commands),
            inputs=tuple(entry["inputs"]),
            output=entry.get("output", "stdout"),
            cost=str(entry.get("cost", "")),
            quotes=str(entry.get("quotes", "")),
        )
    manifest_path = root / FOLDER / MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
    return Stored(root, specs, manifest)


def input_files(root: Path, patterns: tuple[str, ...]) -> list[str]:
    """The repository files the patterns name, with every config each one ``extends`` (so a
    result made from ``configs/default.yaml`` goes stale when an overlay it builds on changes),
    sorted; a pattern matching nothing is an error."""
    files: set[str] = set()
    for pattern in patterns:
        found = [p for p in root.glob(pattern) if p.is_file()]
        if not found:
            raise ConfigError(f"{FOLDER}/{SPEC}: input {pattern!r} matches no file")
        for path in found:
            files.update(_with_parents(root, path.resolve()))
    return sorted(files)


def _with_parents(root: Path, path: Path) -> set[str]:
    """A file and, for a YAML config, the files its ``extends`` chain names."""
    found = {path.relative_to(root.resolve()).as_posix()}
    if path.suffix not in (".yaml", ".yml"):
        return found
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return found
    from sim.config.loading import parent_path

    parents = raw.get("extends") if isinstance(raw, Mapping) else None
    for parent in [parents] if isinstance(parents, str) else parents or []:
        target = parent_path(path, str(parent)).resolve()
        if target.is_file() and target.is_relative_to(root.resolve()):
            found |= _with_parents(root, target)
    return found


def inputs_hash(root: Path, patterns: tuple[str, ...]) -> str:
    """SHA-256 over each input file's path and bytes: changes when any input changes."""
    digest = hashlib.sha256()
    for name in input_files(root, patterns):
        digest.update(name.encode() + b"\0" + (root / name).read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def read_output(path: Path) -> Any:
    """A produced file as JSON data: JSON as it is, CSV as a list of rows (numbers parsed)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".csv":
        return json.loads(text)
    rows = []
    for row in csv.DictReader(text.splitlines()):
        rows.append({key: _parsed(value) for key, value in row.items()})
    return rows


def _parsed(value: str) -> Any:
    try:
        return float(value)
    except ValueError:
        return value
