"""The national model: 43 force scenarios built from the baseline and the forces table, run in
parallel processes, and aggregated to England and Wales (counts summed, shares hour-weighted).

A national config is a YAML file with a top-level ``national:`` section (see
``configs/national.yaml``). Each force's scenario is the baseline with the numbers listed under
``scaling.proportional`` multiplied by ``force FTE / baseline_officer_fte`` and the numbers under
``scaling.by_setting`` chosen by the force's urban/mixed/rural setting.
"""

from __future__ import annotations

import copy
import csv
import fnmatch
import math
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, PositiveInt, ValidationError

from sim.config.loading import format_validation_error, load_raw, read_yaml, scenario_from_dict
from sim.errors import ConfigError, DataError, PolicesimError
from sim.parent import exit_with_parent

NATIONAL_KEY = "national"
SETTINGS: tuple[str, ...] = ("urban", "mixed", "rural")
# Metrics that are amounts (summed across forces); every other metric is a share, rate or mean
# and is averaged with each force weighted by its officer hours.
COUNT_PATTERNS: tuple[str, ...] = (
    "incidents.*",
    "officer_hours.*",
    "officer_hours_total",
    "rostered_hours",
    "overtime_hours",
    "followup_backlog_hours",
    "hours_saved.*",
    "remote.*",
    "queue_length.*",
    "contact.offered_*",
    "contact.online_handled",
    "overloaded",
    "*_count",
    "*.count",
)
HOURS_PATTERN = "officer_hours.*"


class Scaling(BaseModel):
    """Which baseline numbers scale with a force's officers, and which depend on its setting."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    proportional: list[str] = Field(min_length=1, description="dotted path patterns, * = one key")
    integer: list[str] = Field(default_factory=list, description="patterns rounded, at least 1")
    by_setting: dict[str, dict[Literal["urban", "mixed", "rural"], float]] = Field(
        default_factory=dict, description="exact dotted path -> value by setting"
    )


class Published(BaseModel):
    """A published England and Wales figure printed beside the simulated national total."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    value: float
    per: Literal["year", "total"] = Field(
        default="year", description="year: compare with the simulated total scaled to a year"
    )
    source: str = Field(min_length=1)


class NationalSpec(BaseModel):
    """The ``national:`` section: baseline, forces table, scaling rule and run settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    baseline: str = Field(description="scenario every force is built from (relative to this file)")
    forces: str = Field(description="CSV with force, officer_fte, fte_status, fte_source, setting")
    baseline_officer_fte: PositiveFloat = Field(description="officer FTE the baseline force stands for")
    scaling: Scaling
    overrides: dict[str, Any] = Field(
        default_factory=dict, description="dotted path -> value applied to every force first"
    )
    replications: PositiveInt = 2
    seed: int = Field(default=20240331, ge=0)
    workers: int = Field(default=0, ge=0, description="processes; 0 = one per CPU")
    only: list[str] = Field(default_factory=list, description="run just these forces (by name)")
    published: dict[str, Published] = Field(
        default_factory=dict, description="metric -> published E&W figure to compare with"
    )


@dataclass(frozen=True)
class Force:
    """One row of the forces table."""

    name: str
    officer_fte: float
    fte_status: str
    fte_source: str
    setting: str


@dataclass(frozen=True)
class NationalConfig:
    """A loaded national config: its spec, the resolved baseline and the forces to run."""

    path: Path
    spec: NationalSpec
    baseline_raw: dict[str, Any]
    forces: tuple[Force, ...]


def is_national(path: str | Path) -> bool:
    """True when ``path`` is a national config (has a top-level ``national:`` section)."""
    try:
        return NATIONAL_KEY in read_yaml(path)
    except PolicesimError:
        return False


def load_forces(path: str | Path) -> tuple[Force, ...]:
    """Read the forces table; a bad row is a DataError naming the file, line and column."""
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as error:
        raise DataError(f"{path}: cannot read forces table ({error.strerror})") from error
    with handle:
        reader = csv.DictReader(handle)
        needed = {"force", "officer_fte", "fte_status", "fte_source", "setting"}
        missing = needed - set(reader.fieldnames or ())
        if missing:
            raise DataError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        forces = []
        for line, row in enumerate(reader, start=2):
            try:
                fte = float(row["officer_fte"])
            except ValueError:
                raise DataError(f"{path}:{line}: officer_fte {row['officer_fte']!r} is not a number") from None
            if not fte > 0 or not math.isfinite(fte):
                raise DataError(f"{path}:{line}: officer_fte must be positive, got {fte}")
            if row["setting"] not in SETTINGS:
                raise DataError(f"{path}:{line}: setting {row['setting']!r} is not one of {SETTINGS}")
            if not row["fte_source"].strip():
                raise DataError(f"{path}:{line}: fte_source is empty for {row['force']}")
            forces.append(Force(row["force"], fte, row["fte_status"], row["fte_source"], row["setting"]))
    names = [f.name for f in forces]
    if len(set(names)) != len(names):
        raise DataError(f"{path}: force names must be unique")
    if not forces:
        raise DataError(f"{path}: no forces")
    return tuple(forces)


def load_national(path: str | Path, overrides: Mapping[str, Any] | None = None) -> NationalConfig:
    """Load a national config; ``overrides`` are ``national.*`` settings (e.g. replications)."""
    path = Path(path)
    raw = read_yaml(path)
    section = dict(raw.get(NATIONAL_KEY) or {})
    for key, value in (overrides or {}).items():
        section[key] = value
    try:
        spec = NationalSpec.model_validate(section)
    except ValidationError as error:
        raise ConfigError(format_validation_error(error, f"{path}: national")) from None
    baseline_path = _relative(path, spec.baseline)
    baseline_raw = load_raw(baseline_path)
    forces = load_forces(_relative(path, spec.forces))
    if spec.only:
        unknown = sorted(set(spec.only) - {f.name for f in forces})
        if unknown:
            raise ConfigError(f"{path}: national.only: unknown force(s) {unknown}")
        forces = tuple(f for f in forces if f.name in spec.only)
    return NationalConfig(path, spec, baseline_raw, forces)


def _relative(config: Path, name: str) -> Path:
    """A path named in a config, relative to that config's folder."""
    candidate = Path(name)
    return candidate if candidate.is_absolute() else config.parent / candidate


def _leaves(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every numeric leaf of a YAML tree with its key path (list items by index)."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _leaves(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, (*prefix, index))
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        yield prefix, node


def _dotted(keys: Sequence[Any]) -> str:
    return ".".join(str(k) for k in keys)


def _set(tree: Any, keys: Sequence[Any], value: Any) -> None:
    node = tree
    for key in keys[:-1]:
        node = node[key]
    node[keys[-1]] = value


def _get(tree: Any, keys: Sequence[str]) -> Any:
    node = tree
    for key in keys:
        if isinstance(node, list) and key.isdigit():
            node = node[int(key)]
        elif isinstance(node, Mapping) and key in node:
            node = node[key]
        elif isinstance(node, Mapping) and key.isdigit() and int(key) in node:
            node = node[int(key)]
        else:
            raise KeyError(key)
    return node


def _matches(path: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(path, p) and path.count(".") == p.count(".") for p in patterns)


def force_raw(config: NationalConfig, force: Force) -> dict[str, Any]:
    """The baseline scaled to one force, as a raw scenario mapping (validated by the caller)."""
    spec = config.spec
    raw = copy.deepcopy(config.baseline_raw)
    for dotted, value in spec.overrides.items():
        _assign(raw, dotted, value, config.path)
    factor = force.officer_fte / spec.baseline_officer_fte
    matched: set[str] = set()
    for keys, value in list(_leaves(raw)):
        path = _dotted(keys)
        for pattern in spec.scaling.proportional:
            if _matches(path, [pattern]):
                matched.add(pattern)
        if not _matches(path, spec.scaling.proportional):
            continue
        scaled = value * factor
        if _matches(path, spec.scaling.integer):
            scaled = max(1, round(scaled)) if value > 0 else 0
        _set(raw, keys, scaled)
    unused = sorted(set(spec.scaling.proportional) - matched)
    if unused:
        raise ConfigError(f"{config.path}: national.scaling.proportional: {unused} match no number")
    for dotted, by_setting in spec.scaling.by_setting.items():
        if force.setting not in by_setting:
            where = f"national.scaling.by_setting.{dotted}"
            raise ConfigError(f"{config.path}: {where}: no value for {force.setting!r}")
        _assign(raw, dotted, by_setting[force.setting], config.path)
    _keep_rota_staffed(raw)
    raw["name"] = f"{raw.get('name', 'scenario')} / {force.name}"
    return raw


def _assign(raw: dict[str, Any], dotted: str, value: Any, source: Path) -> None:
    """Set an existing dotted path; a typo is a ConfigError naming it."""
    keys = dotted.split(".")
    try:
        parent = _get(raw, keys[:-1])
        last: Any = keys[-1]
        if isinstance(parent, list):
            last = int(last)
        elif last not in parent:
            raise KeyError(last)
    except (KeyError, IndexError, TypeError, ValueError):
        raise ConfigError(f"{source}: {dotted} is not a field of the baseline") from None
    parent[last] = value


def _keep_rota_staffed(raw: dict[str, Any]) -> None:
    """A small force still needs one officer per team and station (the schema requires it)."""
    workforce = raw.get("workforce")
    if not isinstance(workforce, dict) or workforce.get("staffing") is not None:
        return  # staffing fixes its own officer count; scaling it is the schema's error to report
    teams = int(workforce.get("teams") or 1)
    stations = len(workforce.get("stations", ()) or (1,))
    if int(workforce.get("response_officers", 0)) < teams * stations:
        workforce["response_officers"] = teams * stations


def with_horizon(config: NationalConfig, days: float, warmup_days: float | None = None) -> NationalConfig:
    """The same national config over a shorter (or longer) horizon, for quick runs and tests."""
    raw = dict(config.baseline_raw, horizon_days=days)
    if warmup_days is not None:
        raw["warmup_days"] = warmup_days
    elif float(raw.get("warmup_days", 0)) >= days:
        raw["warmup_days"] = days / 4
    return NationalConfig(config.path, config.spec, raw, config.forces)


def force_scenarios(config: NationalConfig) -> list[tuple[Force, dict[str, Any]]]:
    """Every force's raw scenario, each validated now so a bad one fails before any run."""
    built = []
    for force in config.forces:
        raw = force_raw(config, force)
        scenario_from_dict(raw, source=f"{config.path} [{force.name}]")
        built.append((force, raw))
    return built


def _run_one(raw: dict[str, Any], seed: int, replication: int, key: int) -> dict[str, float]:
    """One replication of one force in a worker process: its flat metrics."""
    from sim.model.replication import simulate
    from sim.model.streams import replication_seed

    scenario = scenario_from_dict(raw, source=str(raw.get("name")))
    result = simulate(scenario, replication_seed(seed, replication, key=(key,)))
    return {k: float(v) for k, v in result.metrics.items()}


@dataclass
class NationalResult:
    """Per-force and E&W metrics: ``replications[r][force]`` and ``national[r]`` per replication."""

    forces: tuple[Force, ...]
    replications: list[dict[str, dict[str, float]]]
    national: list[dict[str, float]] = field(default_factory=list)
    seconds: float = 0.0

    def force_mean(self, force: str, metric: str) -> float:
        """A force's metric averaged over replications."""
        values = [rep[force][metric] for rep in self.replications if metric in rep[force]]
        return sum(values) / len(values) if values else float("nan")


def run_national(
    config: NationalConfig,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> NationalResult:
    """Run every force and replication (largest forces first) in parallel processes."""
    import time

    spec = config.spec
    built = force_scenarios(config)
    index = {force.name: i for i, force in enumerate(_all_forces(config))}
    jobs = [
        (force, raw, replication)
        for force, raw in sorted(built, key=lambda item: -item[0].officer_fte)
        for replication in range(spec.replications)
    ]
    n_workers = workers if workers is not None else spec.workers
    n_workers = n_workers or os.cpu_count() or 1
    results: list[dict[str, dict[str, float]]] = [{} for _ in range(spec.replications)]
    start = time.perf_counter()
    done = 0
    if n_workers == 1:
        for force, raw, replication in jobs:
            results[replication][force.name] = _guarded(
                force,
                partial(_run_one, raw, spec.seed, replication, index[force.name]),
            )
            done += 1
            if progress:
                progress(done, len(jobs))
    else:
        with ProcessPoolExecutor(max_workers=min(n_workers, len(jobs)), initializer=exit_with_parent) as pool:
            futures = {
                pool.submit(_run_one, raw, spec.seed, replication, index[force.name]): (
                    force,
                    replication,
                )
                for force, raw, replication in jobs
            }
            for future in as_completed(futures):
                force, replication = futures[future]
                results[replication][force.name] = _guarded(force, future.result)
                done += 1
                if progress:
                    progress(done, len(jobs))
    outcome = NationalResult(tuple(f for f, _ in built), results)
    outcome.national = [aggregate(rep) for rep in results]
    outcome.seconds = time.perf_counter() - start
    return outcome


def _all_forces(config: NationalConfig) -> tuple[Force, ...]:
    """The full table (so a force keeps its seed key when ``only`` picks a subset)."""
    return load_forces(_relative(config.path, config.spec.forces))


def _guarded(force: Force, call: Callable[[], dict[str, float]]) -> dict[str, float]:
    """Run ``call``; a user error from the model is re-raised naming the force."""
    try:
        return call()
    except PolicesimError as error:
        raise type(error)(f"{force.name}: {error}") from None


def is_count(metric: str) -> bool:
    """True for amounts summed across forces; false for shares, rates and means."""
    return any(fnmatch.fnmatchcase(metric, p) for p in COUNT_PATTERNS)


def officer_hours(metrics: Mapping[str, float]) -> float:
    """A force's total officer hours (the weight of its shares in the national figure)."""
    return sum(v for k, v in metrics.items() if fnmatch.fnmatchcase(k, HOURS_PATTERN) and math.isfinite(v))


def aggregate(force_metrics: Mapping[str, Mapping[str, float]]) -> dict[str, float]:
    """E&W figures from per-force metrics: counts summed, everything else hour-weighted.

    A force whose value is NaN for a share (e.g. no incidents of a type) is left out of that
    share's weighted mean rather than poisoning it.
    """
    weights = {name: officer_hours(m) for name, m in force_metrics.items()}
    keys = sorted({k for m in force_metrics.values() for k in m})
    national: dict[str, float] = {}
    for key in keys:
        pairs = [(weights[name], m[key]) for name, m in force_metrics.items() if key in m]
        if is_count(key):
            national[key] = float(sum(v for _, v in pairs if math.isfinite(v)))
            continue
        usable = [(w, v) for w, v in pairs if math.isfinite(v) and w > 0]
        total = sum(w for w, _ in usable)
        national[key] = sum(w * v for w, v in usable) / total if total else float("nan")
    return national


def yearly(metric: str, value: float, window_days: float) -> float:
    """A count over the statistics window scaled to a year; shares and means unchanged."""
    return value * 365.25 / window_days if is_count(metric) and window_days > 0 else value


def national_table(config: NationalConfig, result: NationalResult) -> list[dict[str, Any]]:
    """Rows of E&W figures (per year for counts) with 95% CI and any published figure beside."""
    from sim.study.replications import mean_ci

    window = result.national[0].get("window_days", 0.0) if result.national else 0.0
    keys = list(config.spec.published)
    keys += [
        k
        for k in (
            "officer_hours_total",
            "officer_hours.available",
            "officer_hours.travel",
            "officer_hours.on_scene",
            "overtime_hours",
            "hours_saved.admin_reduction",
            "within_target.P1",
            "within_target.P2",
            "contact.answered_999_within_10s",
            "contact.abandoned_101",
        )
        if k not in keys and any(k in rep for rep in result.national)
    ]
    rows = []
    for key in keys:
        values = [yearly(key, rep.get(key, math.nan), window) for rep in result.national]
        mean, low, high = mean_ci(values)
        published = config.spec.published.get(key)
        rows.append(
            {
                "metric": key,
                "simulated": mean,
                "low": low,
                "high": high,
                "published": None if published is None else published.value,
                "ratio": None if published is None else mean / published.value,
                "source": "" if published is None else published.source,
            }
        )
    return rows


def render_national(config: NationalConfig, result: NationalResult, width: int = 200) -> str:
    """The national summary as plain text: forces run, run time, E&W figures against published."""
    import io

    from rich.console import Console
    from rich.table import Table

    def fmt(value: float | None) -> str:
        if value is None or value != value:
            return "n/a"
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"

    fte = sum(f.officer_fte for f in result.forces)
    table = Table(
        title=f"England and Wales, {len(result.forces)} forces, {fte:,.0f} officer FTE: "
        f"per year, mean and 95% CI over {len(result.national)} replications"
    )
    for column in ("metric", "simulated", "95% CI", "published", "sim / pub"):
        table.add_column(column)
    table.add_column("source", overflow="fold", max_width=70)
    for row in national_table(config, result):
        ratio = row["ratio"]
        table.add_row(
            row["metric"],
            fmt(row["simulated"]),
            f"{fmt(row['low'])} to {fmt(row['high'])}",
            fmt(row["published"]),
            "" if ratio is None else f"{ratio:.2f}",
            row["source"],
        )
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=False, color_system=None)
    console.print(table)
    overloaded = sorted(name for rep in result.replications for name, m in rep.items() if m.get("overloaded"))
    if overloaded:
        console.print(f"OVERLOADED forces (stopped early): {', '.join(sorted(set(overloaded)))}")
    console.print(f"run time {result.seconds:.0f} s")
    return buffer.getvalue()


def national_document(config: NationalConfig, result: NationalResult) -> dict[str, Any]:
    """Everything a national run produced, for ``--json`` and ``--out``: meta, E&W, forces."""
    from sim import __version__
    from sim.config.loading import config_hash

    hashes = {
        force.name: config_hash(scenario_from_dict(force_raw(config, force), source=force.name))
        for force in result.forces
    }
    return {
        "meta": {
            "config": str(config.path),
            "seed": config.spec.seed,
            "replications": config.spec.replications,
            "version": __version__,
            "horizon_days": config.baseline_raw.get("horizon_days"),
            "warmup_days": config.baseline_raw.get("warmup_days"),
            "force_config_hashes": hashes,
            "seconds": result.seconds,
        },
        "national": national_table(config, result),
        "national_replications": result.national,
        "forces": {
            force.name: {
                "officer_fte": force.officer_fte,
                "fte_status": force.fte_status,
                "replications": [rep[force.name] for rep in result.replications],
            }
            for force in result.forces
        },
    }


def run_national_command(args: Any) -> int:
    """``policesim run NATIONAL.yaml``: options are ``--set national.KEY=VALUE``, ``--days``,
    ``--workers``, ``--json`` and ``--out``; replications and seed come from the config."""
    import json
    import sys

    from sim.config.loading import parse_override
    from sim.report.output import check_writable, json_writer, write_directory
    from sim.report.progress import progress_bar

    section: dict[str, Any] = {}
    for text in args.overrides:
        key, value = parse_override(text)
        if not key.startswith(f"{NATIONAL_KEY}."):
            raise ConfigError(f"--set {text}: a national config takes only national.* settings")
        section[key.removeprefix(f"{NATIONAL_KEY}.")] = value
    config = load_national(args.config, section)
    if args.days is not None:
        config = with_horizon(config, args.days, args.warmup_days)
    if args.out is not None:
        check_writable(args.out, args.force)
    jobs = len(config.forces) * config.spec.replications
    with progress_bar(f"{len(config.forces)} forces", jobs) as update:
        result = run_national(config, args.workers, progress=lambda done, total: update(done))
    document = finite_json(national_document(config, result))
    if args.out is not None:
        write_directory(args.out, {"national.json": json_writer(document)}, args.force)
    if args.json:
        print(json.dumps(document, indent=2, allow_nan=False))
    else:
        print(render_national(config, result), end="")
        if args.out is not None:
            print(f"results written to {args.out}")
    if any(m.get("overloaded") for rep in result.replications for m in rep.values()):
        print("policesim: warning: some forces overloaded (see table)", file=sys.stderr)
        return 3
    return 0


def finite_json(node: Any) -> Any:
    """The document with every non-finite number replaced by None (JSON has no NaN)."""
    if isinstance(node, dict):
        return {k: finite_json(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [finite_json(v) for v in node]
    if isinstance(node, float) and not math.isfinite(node):
        return None
    return node
