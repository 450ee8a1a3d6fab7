"""Replay: an incident log (CSV) in place of generated demand.

The log gives each incident's time and grade, and optionally its type, place (latitude and
longitude) and time on scene; every other attribute is drawn as demand would draw it, from the
same named streams. Replayed incidents go straight to dispatch (``CHANNEL_DIRECT``): the log
already holds graded incidents. Every row is checked, and the first bad one is reported with its
row number.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from sim.config.distributions import Fixed
from sim.config.schema import IncidentType, Scenario
from sim.errors import DataError
from sim.model.demand import CHANNEL_DIRECT, MINUTES_PER_HOUR, DemandGenerator
from sim.model.incident import CallBlock

COLUMNS = ("time", "grade", "type", "latitude", "longitude", "on_scene_minutes")
TIME, TYPE, GRADE, LATITUDE, LONGITUDE, ON_SCENE, ROW = range(7)  # fields of a parsed row


@dataclass
class IncidentLog:
    """A parsed incident log: rows ``(minutes, type, grade, latitude, longitude, on_scene, row number)`` by time."""

    path: Path
    rows: list[tuple]
    types: list[str]  # every type named in the log, in order of first appearance
    notes: list[str]  # what policesim did about the log that the user should know (printed as warnings)


def read_log(scenario: Scenario) -> IncidentLog:
    """Parse and check every row of ``replay.path``; the first bad row raises, naming its number."""
    assert scenario.replay is not None
    path = Path(scenario.replay.path)
    if path.is_dir():
        raise DataError(f"replay.path: {path} is a directory, not an incident log")
    if not path.is_file():
        raise DataError(f"replay.path: incident log {path} does not exist")
    notes: list[str] = []
    rows = _read_log_rows(path, scenario, _parse_origin(scenario.replay.start), notes)
    if not rows:
        raise DataError(f"{path}: the incident log has a header but no rows")
    times = [row[TIME] for row in rows]
    if not all(a <= b for a, b in zip(times, times[1:], strict=False)):
        notes.append(f"{path}: rows are not in time order; they are replayed sorted by time")
    rows.sort(key=lambda row: row[TIME])  # stable: ties keep the log's order
    types = list(dict.fromkeys(row[TYPE] for row in rows))
    return IncidentLog(path, rows, types, notes)


def check_incident_log(scenario: Scenario) -> list[str]:
    """Parse every row of the replayed log (if any): bad rows raise; returns the log's notes."""
    if scenario.replay is None:
        return []
    log = read_log(scenario)
    with_log_types(scenario, log)  # a log type without a time on scene fails here too
    return log.notes


def with_log_types(scenario: Scenario, log: IncidentLog) -> Scenario:
    """The scenario with an incident type for each type named only in the log (see ``Replay``)."""
    replay = scenario.replay
    assert replay is not None
    new = [name for name in log.types if name not in scenario.incident_types]
    if not new:
        return scenario
    if replay.on_scene_minutes is None:
        for row in log.rows:
            if row[TYPE] in new and math.isnan(row[ON_SCENE]):
                raise DataError(
                    f"{log.path} row {row[ROW]}: type {row[TYPE]!r} is not in incident_types, so the row needs "
                    "on_scene_minutes (or set replay.on_scene_minutes)"
                )
    spec = IncidentType(
        yearly_volume=1.0,  # not used: a replay's arrivals are the log's
        channel_mix={"emergency_999": 1.0},  # not used: replayed incidents go straight to dispatch
        grade_mix={scenario.grade_order()[0]: 1.0},  # not used: the log gives each grade
        officers_needed={replay.officers: 1.0},
        on_scene_minutes=replay.on_scene_minutes or Fixed(dist="fixed", value=0.0),
    )
    types = {**scenario.incident_types, **{name: spec for name in new}}
    return scenario.model_copy(update={"incident_types": types})


def log_block(log: IncidentLog, generator: DemandGenerator) -> CallBlock:
    """The log's incidents as one block: times, grades, types and places from the log, the rest drawn."""
    blocks = []
    for kind, name in enumerate(generator.type_names):
        mine = [row for row in log.rows if row[TYPE] == name]
        if not mine:
            continue
        times = np.array([row[TIME] for row in mine])
        grades = np.array([generator.grades.index(row[GRADE]) for row in mine])
        block = generator.attributes(kind, times, grades)
        block.channel[:] = CHANNEL_DIRECT
        block.latitude = np.array([row[LATITUDE] for row in mine])
        block.longitude = np.array([row[LONGITUDE] for row in mine])
        given = np.array([row[ON_SCENE] for row in mine])
        block.on_scene = np.where(np.isnan(given), block.on_scene, given)
        blocks.append(block)
    return CallBlock.concatenate(blocks)


def _parse_origin(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise DataError(f"replay.start: {text!r} is not an ISO 8601 timestamp") from None


def _read_log_rows(path: Path, scenario: Scenario, origin: datetime | None, notes: list[str]) -> list[tuple]:
    """Parse and check every row; the first bad one is reported with its row number."""
    assert scenario.replay is not None
    rows = []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        try:
            columns = set(reader.fieldnames or [])
            missing = {"time", "grade"} - columns
            if missing:
                found = sorted(columns)
                raise DataError(f"{path}: missing column(s) {sorted(missing)}; found {found}")
            unknown = sorted(columns - set(COLUMNS))
            if unknown:
                notes.append(f"{path}: column(s) {unknown} ignored; a log's columns are {list(COLUMNS)}")
            for number, row in enumerate(reader, start=2):
                if None in row:
                    raise DataError(
                        f"{path} row {number}: {len(reader.fieldnames or []) + len(row[None])} fields, "
                        f"but the header has {len(reader.fieldnames or [])}"
                    )
                rows.append(_parse_log_row(row, number, path, scenario, origin))
        except UnicodeDecodeError:
            where = f"{path} row {len(rows) + 2}"
            raise DataError(f"{where}: not UTF-8 text (is it a CSV file?)") from None
        except csv.Error as error:
            raise DataError(f"{path} row {len(rows) + 2}: not readable as CSV ({error})") from None
    return rows


def _parse_log_row(row: dict, number: int, path: Path, scenario: Scenario, origin: datetime | None) -> tuple:
    assert scenario.replay is not None
    where = f"{path} row {number}"
    time = _parse_time(row["time"], where, origin)
    grade = (row.get("grade") or "").strip()
    if grade not in scenario.grades:
        raise DataError(f"{where}: grade {grade!r} is not one of {sorted(scenario.grades)}")
    kind = (row.get("type") or "").strip() or scenario.replay.default_type
    if scenario.incident_types and kind not in scenario.incident_types:
        raise DataError(f"{where}: type {kind!r} is not one of {sorted(scenario.incident_types)}")
    latitude = _optional_float(row.get("latitude"), where, "latitude", -90, 90)
    longitude = _optional_float(row.get("longitude"), where, "longitude", -180, 180)
    if math.isnan(latitude) != math.isnan(longitude):
        raise DataError(f"{where}: give both latitude and longitude, or neither")
    if math.isnan(latitude) and scenario.geography is not None and not scenario.geography.zones:
        raise DataError(f"{where}: no latitude and longitude, and geography has no zones to place it in")
    on_scene = _optional_float(row.get("on_scene_minutes"), where, "on_scene_minutes", 0, math.inf)
    return (time, kind, grade, latitude, longitude, on_scene, number)


def _parse_time(text: str | None, where: str, origin: datetime | None) -> float:
    """Minutes from the start: a number is hours from the start, otherwise an ISO timestamp."""
    text = (text or "").strip()
    try:
        hours = float(text)
    except ValueError:
        hours = math.nan
    if not math.isnan(hours):
        if hours < 0 or math.isinf(hours):
            raise DataError(f"{where}: time {text!r} must be hours from the start, not negative")
        return hours * MINUTES_PER_HOUR
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        raise DataError(f"{where}: time {text!r} is neither hours from the start nor an ISO 8601 timestamp") from None
    if origin is None:
        raise DataError(f"{where}: ISO timestamps need replay.start, the timestamp of simulation time 0")
    if (stamp.tzinfo is None) != (origin.tzinfo is None):
        has, lacks = ("the time", "replay.start") if stamp.tzinfo is not None else ("replay.start", "the time")
        raise DataError(f"{where}: time {text!r}: {has} has a UTC offset and {lacks} has none; give both or neither")
    minutes = (stamp - origin).total_seconds() / 60.0
    if minutes < 0:
        raise DataError(f"{where}: time {text!r} is before replay.start")
    return minutes


def _optional_float(text: str | None, where: str, column: str, low: float, high: float) -> float:
    text = (text or "").strip()
    if not text:
        return math.nan
    try:
        value = float(text)
    except ValueError:
        raise DataError(f"{where}: {column} {text!r} is not a number") from None
    if not low <= value <= high or not math.isfinite(value):
        raise DataError(f"{where}: {column} {value} is not a finite number in [{low}, {high}]")
    return value
