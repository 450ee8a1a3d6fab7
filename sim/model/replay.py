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
from datetime import datetime
from pathlib import Path

import numpy as np

from sim.config.schema import Scenario
from sim.errors import DataError
from sim.model.demand import CHANNEL_DIRECT, MINUTES_PER_HOUR, DemandGenerator
from sim.model.incident import CallBlock


def read_incident_log(scenario: Scenario, generator: DemandGenerator) -> CallBlock:
    """An incident log replayed: its times, grades, types and places; other attributes drawn."""
    assert scenario.replay is not None
    path = Path(scenario.replay.path)
    if not path.is_file():
        raise DataError(f"replay.path: incident log {path} does not exist")
    origin = _parse_origin(scenario.replay.start)
    rows = _read_log_rows(path, scenario, origin)
    if not rows:
        raise DataError(f"{path}: the incident log has no rows")
    rows.sort(key=lambda row: row[0])
    type_names = generator.type_names
    blocks = []
    for kind, name in enumerate(type_names):
        mine = [row for row in rows if row[1] == name]
        if not mine:
            continue
        times = np.array([row[0] for row in mine])
        grades = np.array([generator.grades.index(row[2]) for row in mine])
        block = generator.attributes(kind, times, grades)
        block.channel[:] = CHANNEL_DIRECT
        block.latitude = np.array([row[3] for row in mine])
        block.longitude = np.array([row[4] for row in mine])
        given = np.array([row[5] for row in mine])
        block.on_scene = np.where(np.isnan(given), block.on_scene, given)
        blocks.append(block)
    return CallBlock.concatenate(blocks)


def check_incident_log(scenario: Scenario) -> int:
    """Parse every row of the replayed log (if any) and return the row count; bad rows raise."""
    if scenario.replay is None:
        return 0
    path = Path(scenario.replay.path)
    if not path.is_file():
        raise DataError(f"replay.path: incident log {path} does not exist")
    return len(_read_log_rows(path, scenario, _parse_origin(scenario.replay.start)))


def _parse_origin(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise DataError(f"replay.start: {text!r} is not an ISO 8601 timestamp") from None


def _read_log_rows(path: Path, scenario: Scenario, origin: datetime | None) -> list[tuple]:
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
            for number, row in enumerate(reader, start=2):
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
    if kind not in scenario.incident_types:
        raise DataError(f"{where}: type {kind!r} is not one of {sorted(scenario.incident_types)}")
    latitude = _optional_float(row.get("latitude"), where, "latitude", -90, 90)
    longitude = _optional_float(row.get("longitude"), where, "longitude", -180, 180)
    if math.isnan(latitude) != math.isnan(longitude):
        raise DataError(f"{where}: give both latitude and longitude, or neither")
    on_scene = _optional_float(row.get("on_scene_minutes"), where, "on_scene_minutes", 0, math.inf)
    return (time, kind, grade, latitude, longitude, on_scene)


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
