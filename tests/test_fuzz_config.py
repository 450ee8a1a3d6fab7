"""Fuzzed bad input: hundreds of invalid configs, each must give one clean line and a non-zero exit.

The cases are generated from the packaged baseline itself, so they follow the real schema as it
grows: leaves get a value of the wrong type, mappings an unknown key or lose a key, shares a value
outside [0, 1], numbers become infinite or not-a-number (a fixed-seed sample of at most 60 cases
of each kind), plus files that are not YAML mappings, malformed incident logs, bad ``--set``
overrides, huge numbers and random junk anywhere (hypothesis). Each goes through the real
entry point ``sim.commands.cli.main`` (and a sample through a ``policesim`` subprocess) and must exit
non-zero with exactly one line on stderr that names the field, never a traceback, never a hang.
"""

from __future__ import annotations

import copy
import io
import math
import resource
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.commands.cli import main
from sim.config.loading import BASELINE_CONFIG, DEFAULT_CONFIG, load_raw
from sim.errors import ConfigError

CALL_TIMEOUT_SECONDS = 20  # a validate takes milliseconds; far past this is a hang
MAX_CASES_PER_KIND = 60  # sampled with a fixed seed when the baseline has more leaves
SAMPLE_SEED = 7
UNKNOWN_KEY = "zz_unknown_key"

Path_ = tuple[Any, ...]


class Hang(Exception):
    """Raised by the alarm when one call runs past its time limit."""


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail the call (instead of hanging the suite) if it runs longer than ``seconds``."""

    def on_alarm(signum: int, frame: Any) -> None:
        raise Hang(f"call still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def leaves(node: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    """Every scalar (and list of scalars) in a raw config, with its path of keys and indexes."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, (*path, key))
    elif isinstance(node, list) and any(isinstance(item, (dict, list)) for item in node):
        for index, value in enumerate(node):
            yield from leaves(value, (*path, index))
    else:
        yield path, node


def mappings(node: Any, path: Path_ = ()) -> Iterator[Path_]:
    """The path of every mapping in a raw config, the root included."""
    if isinstance(node, dict):
        yield path
        for key, value in node.items():
            yield from mappings(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from mappings(value, (*path, index))


def with_value(raw: dict, path: Path_, value: Any) -> dict:
    """A deep copy of ``raw`` with the node at ``path`` replaced by ``value``."""
    changed = copy.deepcopy(raw)
    node = changed
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return changed


def dotted(path: Path_) -> str:
    """A path as the user writes it: ``a.b.0.c``."""
    return ".".join(str(step) for step in path)


def names_field(line: str, path: Path_) -> bool:
    """Whether an error line names the field at ``path`` (dotted, or with ``[i]`` indexes)."""
    plain = dotted(path)
    bracketed = "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in path).lstrip(".")
    return plain in line or bracketed in line


def sample(cases: list, limit: int, salt: int) -> list:
    """At most ``limit`` of ``cases``, chosen with a fixed seed so every run tests the same ones."""
    if len(cases) <= limit:
        return cases
    rng = np.random.default_rng([SAMPLE_SEED, salt])
    keep = sorted(rng.choice(len(cases), size=limit, replace=False).tolist())
    return [cases[i] for i in keep]


SHARE_PARENTS = ("channel_mix", "grade_mix", "officers_needed", "followup", "abstraction")


def is_share(path: Path_) -> bool:
    """Whether the leaf at ``path`` is a share in [0, 1] by the schema's naming."""
    parent = path[-2] if len(path) > 1 else None
    last = str(path[-1])
    return parent in SHARE_PARENTS or (last.endswith("_share") and last != "officer_share")


def is_number(value: Any) -> bool:
    """A YAML number (not a boolean)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def wrong_type(value: Any) -> Any:
    """A value of a type no field holding ``value`` accepts."""
    if isinstance(value, bool):
        return "maybe"
    if is_number(value) or value is None:
        return "lots"
    if isinstance(value, str):
        return [1, 2]
    if isinstance(value, list):
        return "oops"
    return 7  # a mapping


BASELINE = load_raw(DEFAULT_CONFIG)


def baseline() -> dict[str, Any]:
    """A fresh copy of the packaged baseline as raw data, ``extends`` resolved."""
    return copy.deepcopy(BASELINE)


def value_cases() -> list[tuple[str, Path_, Any]]:
    """(kind, path, bad value) for every leaf: wrong type, share out of range, inf, nan."""
    raw = baseline()
    cases: dict[str, list[tuple[str, Path_, Any]]] = {"type": [], "share": [], "inf": [], "nan": []}
    for path, value in leaves(raw):
        if not path:
            continue
        cases["type"].append(("type", path, wrong_type(value)))
        if is_number(value):
            cases["inf"].append(("inf", path, math.inf))
            cases["nan"].append(("nan", path, math.nan))
            if is_share(path):
                cases["share"].append(("share", path, 1.5))
                cases["share"].append(("share", path, -0.25))
    picked: list[tuple[str, Path_, Any]] = []
    for salt, kind in enumerate(sorted(cases)):
        picked += sample(cases[kind], MAX_CASES_PER_KIND, salt)
    return picked


def structure_cases() -> list[tuple[str, Path_]]:
    """(kind, path) for every mapping (an unknown key added) and every key (deleted)."""
    raw = baseline()
    unknown = [("unknown", path) for path in mappings(raw)]
    missing = []
    for path in mappings(raw):
        node = raw
        for step in path:
            node = node[step]
        missing += [("missing", (*path, key)) for key in node]
    return sample(unknown, MAX_CASES_PER_KIND, 10) + sample(missing, MAX_CASES_PER_KIND, 11)


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """``policesim ARGV`` in this process: its exit code and its stderr."""
    with time_limit(CALL_TIMEOUT_SECONDS):
        try:
            code = main(argv)
        except SystemExit as stop:  # argparse usage errors
            code = stop.code if isinstance(stop.code, int) else 1
    return code, capsys.readouterr().err


def assert_one_line_error(code: int, err: str, *names: str) -> str:
    """A non-zero exit with exactly one stderr line, no traceback, naming one of ``names``."""
    lines = err.strip().splitlines()
    assert code != 0, f"accepted; stderr {err!r}"
    assert "Traceback" not in err
    assert len(lines) == 1, f"expected one line, got {lines}"
    assert any(name in lines[0] for name in names), f"{lines[0]!r} names none of {names}"
    return lines[0]


def write_yaml(folder: Path, raw: dict[str, Any], name: str = "bad.yaml") -> Path:
    """``raw`` as a YAML file in ``folder``."""
    path = folder / name
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    path.write_text(yaml.dump(raw, Dumper=dumper, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("kind", "path", "value"),
    value_cases(),
    ids=lambda item: item if isinstance(item, str) else None,
)
def test_bad_value_is_refused_naming_its_field(
    kind: str, path: Path_, value: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_yaml(tmp_path, with_value(baseline(), path, value))
    code, err = run_cli(["validate", "--quiet", str(config)], capsys)
    # A mix (shares that must sum to 1) is checked as a whole, and a distribution is chosen by
    # its ``dist``, so for those the path of the mix or of the distribution is named.
    as_whole = path[-1] == "dist" or (len(path) > 1 and path[-2] in SHARE_PARENTS)
    whole = dotted(path[:-1]) if as_whole else dotted(path)
    line = assert_one_line_error(code, err, dotted(path), whole)
    assert line.startswith("policesim: error: ")


@pytest.mark.parametrize(("kind", "path"), structure_cases(), ids=lambda item: item if isinstance(item, str) else None)
def test_unknown_or_missing_key_is_refused_or_defaulted(
    kind: str, path: Path_, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = baseline()
    if kind == "unknown":
        node = raw
        for step in path:
            node = node[step]
        node[UNKNOWN_KEY] = 1
        config = write_yaml(tmp_path, raw)
        code, err = run_cli(["validate", "--quiet", str(config)], capsys)
        assert_one_line_error(code, err, UNKNOWN_KEY, *([dotted(path)] if path else []))
        return
    node = raw
    for step in path[:-1]:
        node = node[step]
    del node[path[-1]]
    config = write_yaml(tmp_path, raw)
    code, err = run_cli(["validate", "--quiet", str(config)], capsys)
    if code == 0:  # an optional field or a map entry nothing refers to: defaults apply
        assert "Traceback" not in err and not err.strip()
        return
    assert_one_line_error(code, err, dotted(path), str(path[-1]), dotted(path[:-1]) or "<top")


NOT_A_MAPPING: dict[str, bytes] = {
    "list": b"- horizon_days: 3\n- name: x\n",
    "scalar": b"42\n",
    "string": b"just some words\n",
    "empty": b"",
    "null": b"~\n",
    "unclosed": b"name: x\nworkforce: {teams: [1, 2\n",
    "tab_indent": b"name: x\nworkforce:\n\tteams: 5\n",
    "bad_indent": b"name: x\n  horizon_days: 3\n warmup_days: 1\n",
    "binary": bytes(range(256)),
    "latin1": "name: caf\u00e9\n".encode("latin-1"),
    "python_tag": b"name: !!python/object/apply:os.system ['echo hacked']\n",
    "duplicate_key": b"name: a\nname: b\nhorizon_days: 3\n",
}


@pytest.mark.parametrize("case", sorted(NOT_A_MAPPING))
def test_file_that_is_not_a_mapping_is_refused(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "bad.yaml"
    config.write_bytes(NOT_A_MAPPING[case])
    code, err = run_cli(["validate", "--quiet", str(config)], capsys)
    line = assert_one_line_error(code, err, str(config))
    if case == "duplicate_key":
        assert "name" in line


def test_missing_directory_and_cyclic_extends_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_cli(["validate", str(tmp_path / "nowhere.yaml")], capsys)
    assert_one_line_error(code, err, "nowhere.yaml")
    code, err = run_cli(["validate", str(tmp_path)], capsys)
    assert_one_line_error(code, err, str(tmp_path))
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n", encoding="utf-8")
    code, err = run_cli(["validate", str(tmp_path / "a.yaml")], capsys)
    assert_one_line_error(code, err, "extends")
    (tmp_path / "c.yaml").write_text("extends: missing-parent.yaml\n", encoding="utf-8")
    code, err = run_cli(["validate", str(tmp_path / "c.yaml")], capsys)
    assert_one_line_error(code, err, "missing-parent.yaml")
    (tmp_path / "d.yaml").write_text("extends: [1, 2]\n", encoding="utf-8")
    code, err = run_cli(["validate", str(tmp_path / "d.yaml")], capsys)
    assert_one_line_error(code, err, "extends")


BAD_OVERRIDES: list[tuple[str, str]] = [
    ("no_such_section.x=1", "no_such_section"),
    ("workforce.no_such_field=1", "no_such_field"),
    ("workforce.response_officers=abc", "workforce.response_officers"),
    ("workforce.response_officers=-5", "workforce.response_officers"),
    ("workforce.response_officers=0", "workforce.response_officers"),
    ("workforce.response_officers=1e400", "workforce.response_officers"),
    ("workforce.response_officers=[1, 2]", "workforce.response_officers"),
    ("workforce.abstraction.sickness=1.5", "workforce.abstraction.sickness"),
    ("workforce.abstraction.sickness=-0.1", "workforce.abstraction.sickness"),
    ("workforce.pattern=[off, off, off]", "workforce"),
    ("workforce.pattern=[]", "workforce"),
    ("workforce.pattern=[early, night]", "pattern: 'night' (day 2) ends at hour 32"),
    ("workforce.stations=[]", "workforce.stations"),
    ("workforce.staffing={early: 5}", "give teams and pattern, or staffing, not both"),
    ("workforce.teams=null", "teams: needed with teams and pattern"),
    ("workforce.pattern=null", "pattern: needed with teams and pattern"),
    ("workforce.staffing={early: [1, 2]}", "workforce.staffing: early: give a whole number"),
    ("workforce.staffing={early: {central: -1}}", "workforce.staffing: early.central: give a whole number"),
    ("geography.return_to_station=teleport", "geography.return_to_station: expected one of"),
    ("horizon_days=0", "horizon_days"),
    ("horizon_days=.nan", "horizon_days"),
    ("horizon_days=.inf", "horizon_days"),
    ("warmup_days=-1", "warmup_days"),
    ("incident_types={}", "incident_types"),
    ("incident_types.burglary.yearly_volume=-3", "incident_types.burglary.yearly_volume"),
    ("incident_types.burglary.grade_mix.P1=0.9", "incident_types.burglary.grade_mix"),
    ("noequals", "noequals"),
    ("=3", "=3"),
]


@pytest.mark.parametrize(("override", "field"), BAD_OVERRIDES)
def test_bad_override_is_refused_naming_its_field(
    override: str, field: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run_cli(["validate", "--set", override], capsys)
    assert_one_line_error(code, err, field)


LOG_HEADER = "time,grade,type,latitude,longitude,on_scene_minutes\n"
BAD_LOGS: dict[str, tuple[bytes, str]] = {
    "empty_file": (b"", "column"),
    "no_grade_column": (b"time,type\n1.0,burglary\n", "grade"),
    "bad_time": ((LOG_HEADER + "1.0,P1,burglary,,,\nyesterday,P2,burglary,,,\n").encode(), "row 3"),
    "negative_time": ((LOG_HEADER + "-4,P1,burglary,,,\n").encode(), "row 2"),
    "nan_time": ((LOG_HEADER + "nan,P1,burglary,,,\n").encode(), "row 2"),
    "iso_without_start": ((LOG_HEADER + "2024-01-01T10:00,P1,burglary,,,\n").encode(), "row 2"),
    "unknown_grade": ((LOG_HEADER + "1.0,P9,burglary,,,\n").encode(), "row 2"),
    "unknown_type": ((LOG_HEADER + "1.0,P1,dragon,,,\n").encode(), "row 2"),
    "latitude_out_of_range": ((LOG_HEADER + "1.0,P1,burglary,95,-1.5,\n").encode(), "row 2"),
    "latitude_alone": ((LOG_HEADER + "1.0,P1,burglary,52.1,,\n").encode(), "row 2"),
    "on_scene_text": ((LOG_HEADER + "1.0,P1,burglary,,,long\n").encode(), "row 2"),
    "on_scene_negative": ((LOG_HEADER + "1.0,P1,burglary,,,-3\n").encode(), "row 2"),
    "on_scene_infinite": ((LOG_HEADER + "1.0,P1,burglary,,,inf\n").encode(), "row 2"),
    "not_utf8": (LOG_HEADER.encode() + b"1.0,P1,burgl\xe4ry,,,\n", "log"),
    "binary": (bytes(range(256)) * 4, "log"),
}


@pytest.mark.parametrize("case", sorted(BAD_LOGS))
def test_malformed_incident_log_names_its_row_or_column(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content, named = BAD_LOGS[case]
    (tmp_path / "incidents.csv").write_bytes(content)
    raw = baseline()
    raw["replay"] = {"path": "incidents.csv", "default_type": "other"}
    config = write_yaml(tmp_path, raw)
    code, err = run_cli(["validate", "--quiet", str(config)], capsys)
    assert_one_line_error(code, err, named if named != "log" else "incidents.csv")


def test_missing_incident_log_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = baseline()
    raw["replay"] = {"path": "nowhere.csv", "default_type": "other"}
    code, err = run_cli(["validate", "--quiet", str(write_yaml(tmp_path, raw))], capsys)
    assert_one_line_error(code, err, "nowhere.csv")


JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.integers(-3, 3), max_size=4),
    st.dictionaries(st.text(min_size=1, max_size=6), st.integers(-2, 2), max_size=3),
)
TARGETS = [path for path, _ in leaves(BASELINE) if path] + [p for p in mappings(BASELINE) if p]


@settings(max_examples=150, derandomize=True, deadline=None, database=None)
@given(target=st.sampled_from(TARGETS), junk=JUNK)
def test_any_value_anywhere_is_accepted_or_refused_cleanly(target: Path_, junk: Any) -> None:
    """Random junk at a random place: validation passes or gives one line, never a traceback."""
    with tempfile.TemporaryDirectory() as folder:
        config = write_yaml(Path(folder), with_value(baseline(), target, junk))
        errors = io.StringIO()
        with (
            redirect_stderr(errors),
            redirect_stdout(io.StringIO()),
            time_limit(CALL_TIMEOUT_SECONDS),
        ):
            code = main(["validate", "--quiet", str(config)])
    err = errors.getvalue()
    assert "Traceback" not in err
    if code == 0:
        assert err == ""
    else:
        assert len(err.strip().splitlines()) == 1 and err.startswith("policesim: error: ")


HUGE_REFUSED = [
    ("incident_types.burglary.yearly_volume=1.0e12", "incident_types.burglary.yearly_volume"),
    ("contact.non_incident_calls_per_year.non_emergency_101=1.0e15", "non_emergency_101"),
    ("workforce.response_officers=100000000000", "workforce.response_officers"),
    ("workforce.teams=100000000000", "teams"),
    ("workforce.staffing={early: 100000000000}", "workforce.staffing: early"),
    ("contact.call_handlers.staff_by_hour.3=1000000000", "contact.call_handlers.staff_by_hour.3"),
    ("horizon_days=1.0e300", "horizon_days"),
    ("seasonality_by_month=[1.0e300, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]", "seasonality_by_month"),
    ("profiles.general.by_hour.5=1.0e300", "profiles.general.by_hour.5"),
]
HUGE_ACCEPTED = [
    "incident_types.burglary.on_scene_minutes.mean=1.0e300",
    "incident_types.burglary.officers_needed={1000000: 1.0}",
    "workforce.meal_break_minutes=1.0e300",
    "dispatch.max_waiting_incidents=1000000000000",
]
RUN_TWO_DAYS = ["run", "--days", "2", "--warmup-days", "0", "--replications", "1", "--workers", "1"]
MEMORY_LIMIT_BYTES = 3 * 1024**3
SUBPROCESS_TIMEOUT_SECONDS = 60


@pytest.mark.parametrize(("override", "field"), HUGE_REFUSED)
def test_huge_number_is_refused_before_it_exhausts_memory_or_time(
    override: str, field: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run_cli(["validate", "--quiet", "--set", override], capsys)
    assert_one_line_error(code, err, field)


@pytest.mark.parametrize("override", HUGE_ACCEPTED)
def test_huge_duration_runs_or_stops_as_overloaded(override: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_cli([*RUN_TWO_DAYS, "--set", override], capsys)
    assert "Traceback" not in err
    assert code in (0, 3), err
    if code == 3:
        assert_one_line_error(code, err, "overloaded")


def limit_memory() -> None:
    """In the child: cap its address space, so a runaway allocation fails instead of the host."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))


@pytest.mark.parametrize(("override", "field"), HUGE_REFUSED[:3])
def test_huge_number_through_the_console_command(override: str, field: str) -> None:
    """The same through a fresh ``policesim`` process with capped memory, as a user starts it."""
    command = [sys.executable, "-m", "sim.commands.cli", *RUN_TWO_DAYS, "--set", override]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        timeout=SUBPROCESS_TIMEOUT_SECONDS,
        preexec_fn=limit_memory,
    )
    assert_one_line_error(done.returncode, done.stderr, field)


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["validate", "--set", "workforce.response_officers=lots"], "workforce.response_officers"),
        (["validate", "/no/such/config.yaml"], "/no/such/config.yaml"),
        (["run", "--seed", "-1"], "--seed"),
    ],
)
def test_console_command_gives_one_clean_line(argv: list[str], named: str) -> None:
    """The installed command (a fresh interpreter): non-zero, the field named, no traceback."""
    done = subprocess.run(
        [sys.executable, "-m", "sim.commands.cli", *argv],
        capture_output=True,
        text=True,
        check=False,
        timeout=SUBPROCESS_TIMEOUT_SECONDS,
    )
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert named in done.stderr.strip().splitlines()[-1]


# ---- extends and --set: what merges, what replaces, and errors that name what the user wrote ----


def test_extends_may_change_a_distributions_kind(tmp_path: Path) -> None:
    from sim.config.loading import load_scenario

    child = tmp_path / "child.yaml"
    child.write_text(
        f"extends: {BASELINE_CONFIG}\nincident_types:\n  burglary:\n    on_scene_minutes: {{dist: fixed, value: 60}}\n",
        encoding="utf-8",
    )
    burglary = load_scenario(child).incident_types["burglary"].on_scene_minutes
    assert burglary.dist == "fixed" and burglary.value == 60
    same_kind = tmp_path / "same.yaml"
    same_kind.write_text(
        f"extends: {BASELINE_CONFIG}\nincident_types:\n  burglary:\n    on_scene_minutes: {{cv: 0.3}}\n",
        encoding="utf-8",
    )
    kept = load_scenario(same_kind).incident_types["burglary"].on_scene_minutes
    assert (kept.dist, kept.mean(), kept.cv) == ("lognormal", 75, 0.3)  # same kind: merged key by key


def test_a_configs_own_set_block_changes_one_entry_of_a_list_its_parent_gives(tmp_path: Path) -> None:
    child = tmp_path / "child.yaml"
    child.write_text(
        f"extends: {DEFAULT_CONFIG}\nset:\n  attendance.rules.3.free_officers_below: 2\n"
        "  attendance.stack.divert.1.waiting_at_least: 9\n",
        encoding="utf-8",
    )
    parent, raw = load_raw(DEFAULT_CONFIG)["attendance"], load_raw(child)["attendance"]
    assert raw["rules"][3] == {**parent["rules"][3], "free_officers_below": 2}
    assert raw["rules"][:3] == parent["rules"][:3] and raw["rules"][4:] == parent["rules"][4:]
    assert raw["stack"]["divert"][1]["waiting_at_least"] == 9
    assert "set" not in load_raw(child)
    child.write_text(f"extends: {DEFAULT_CONFIG}\nset:\n  attendance.rules.30.response: none\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"child.yaml: set: .*attendance.rules.30 does not exist"):
        load_raw(child)


def test_set_a_mapping_merges_into_a_section_and_replaces_named_entries() -> None:
    from sim.config.loading import load_scenario

    base = load_scenario(None).workforce.abstraction
    changed = load_scenario(None, ["workforce.abstraction={sickness: 0.1}"]).workforce.abstraction
    assert (changed.sickness, changed.leave, changed.training) == (0.1, base.leave, base.training)
    crew = load_scenario(None, ["incident_types.burglary.officers_needed={3: 1.0}"])
    assert crew.incident_types["burglary"].officers_needed == {3: 1.0}
    fixed = load_scenario(None, ["incident_types.burglary.on_scene_minutes={dist: fixed, value: 9}"])
    assert fixed.incident_types["burglary"].on_scene_minutes.value == 9


def test_set_a_mapping_field_by_key() -> None:
    from sim.config.loading import load_scenario

    scenario = load_scenario(None, ["interventions.admin_reduction.hours_saved.crime_recording=0.25"])
    assert scenario.interventions.admin_reduction.hours_saved == {"crime_recording": 0.25}


@pytest.mark.parametrize(
    ("override", "wanted", "unwanted"),
    [
        ("incident_types.burglery.yearly_volume=5", "'burglary'", "'yearly_volume'"),
        ("workforce.abstractio.sickness=1", "fields there: ['abstraction'", "does not exist (there"),
        ("workforce.abstraction.sickness.x=1", "is a single value", "does not exist"),
        ("workforce.abstraction={}", "empty mapping changes nothing", "Traceback"),
    ],
)
def test_set_errors_name_what_is_there(
    override: str, wanted: str, unwanted: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run_cli(["validate", "--quiet", "--set", override], capsys)
    line = assert_one_line_error(code, err, override.split("=")[0])
    assert wanted in line and unwanted not in line, line


def test_a_directory_given_as_the_config_is_named_as_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["validate", str(tmp_path)], ["compare", str(tmp_path)], ["sweep", str(tmp_path), "--out", "x"]):
        code, err = run_cli(argv, capsys)
        assert "is a directory" in assert_one_line_error(code, err, str(tmp_path))
