"""Overload: a scenario whose queue grows without bound is caught in the run, named, and stopped.

The check uses an M/M/c queue fed twice as fast as it can serve (lambda = 20 an hour, c = 10
officers, one hour each, no give-up). Once all officers are busy the queue grows by
lambda - c*mu = 10 an hour, so a limit of L waiting incidents is crossed after about L / 10 hours.
The queue at time t is arrivals minus departures (two Poisson counts, rates 20 and 10), so its
standard deviation is sqrt(30 t): at t = 50 h, 39 incidents, or 3.9 h of detection time. The
monitor looks once a bin (60 min), adding up to one hour.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from scenarios import build, mmc_dict

from sim.commands.cli import main
from sim.model.replication import simulate

SERVERS, ARRIVALS_PER_HOUR, SERVICE_MINUTES = 10, 20.0, 60.0
LIMIT = 500
GROWTH_PER_HOUR = ARRIVALS_PER_HOUR - SERVERS * 60.0 / SERVICE_MINUTES
EXPECTED_HOURS = (LIMIT + SERVERS) / GROWTH_PER_HOUR  # the first c arrivals go straight to service
SD_HOURS = math.sqrt((ARRIVALS_PER_HOUR + SERVERS) * EXPECTED_HOURS) / GROWTH_PER_HOUR
BIN_HOURS = 1.0
SEEDS = range(5)


def overloaded(days: float = 10.0, limit: int = LIMIT, **relative: float) -> dict:
    """The doubly overloaded M/M/c queue as a raw config, with a waiting limit of ``limit`` and the
    relative limits off unless given."""
    raw = mmc_dict(SERVERS, ARRIVALS_PER_HOUR, SERVICE_MINUTES, days=days, warmup_days=0.0)
    raw["dispatch"].update(max_waiting_incidents=limit, overload_wait_multiple=1e9, max_waiting_per_officer=1e9)
    raw["dispatch"].update(relative)
    return raw


def test_runaway_queue_is_detected_when_theory_says_and_the_run_stops() -> None:
    hours = []
    for seed in SEEDS:
        result = simulate(build(overloaded()), seed)
        assert result.overload is not None
        assert result.overload["grade"] == "P1" and result.overload["stopped"] is True
        assert str(LIMIT) in result.overload["reason"]
        detected = result.overload["detected_day"] * 24.0
        hours.append(detected)
        # Stopped there: statistics cover the days run, not the 10-day horizon.
        assert result.metrics["window_days"] == pytest.approx(detected / 24.0, abs=0.01)
        assert result.metrics["overloaded"] == 1.0
        assert abs(detected - EXPECTED_HOURS) <= 4 * SD_HOURS + BIN_HOURS, (seed, detected)
    mean_tolerance = 4 * SD_HOURS / math.sqrt(len(SEEDS)) + BIN_HOURS
    assert abs(np.mean(hours) - EXPECTED_HOURS) <= mean_tolerance, hours


def test_allow_overload_runs_to_the_horizon_and_still_flags_it() -> None:
    stopped = simulate(build(overloaded()), 0)
    result = simulate(build(overloaded()), 0, allow_overload=True)
    assert result.overload is not None and result.overload["stopped"] is False
    assert result.overload["detected_day"] == stopped.overload["detected_day"]
    assert result.metrics["window_days"] == pytest.approx(10.0)
    generated = "incidents.job.generated"
    assert result.metrics[generated] > 3 * stopped.metrics[generated]  # the stopped run really stopped
    # By the horizon the queue holds about (lambda - c mu) * 240 h = 2,400 incidents.
    waiting = result.metrics["incidents.job.open_at_end"] - SERVERS
    assert abs(waiting - GROWTH_PER_HOUR * 240) <= 4 * math.sqrt(30 * 240)


def test_waiting_per_officer_is_judged_against_the_force_size() -> None:
    # 5 per officer with c = 10: 50 waiting, crossed after about (50 + c) / 10 = 6 h.
    expected = (5 * SERVERS + SERVERS) / GROWTH_PER_HOUR
    sd = math.sqrt((ARRIVALS_PER_HOUR + SERVERS) * expected) / GROWTH_PER_HOUR
    for seed in SEEDS:
        result = simulate(build(overloaded(limit=10**6, max_waiting_per_officer=5)), seed)
        assert result.overload is not None and "per officer" in result.overload["reason"]
        assert abs(result.overload["detected_day"] * 24 - expected) <= 4 * sd + BIN_HOURS


def test_a_wait_many_times_the_target_is_overload() -> None:
    # First come, first served at 10 an hour with 20 arriving: the incident at the head of the
    # queue at time t arrived at about t / 2, so it has waited t / 2. With a 10 min target and a
    # multiple of 30 (300 min), that is crossed at about t = 10 h. The arrival time of the head
    # has a standard deviation of about sqrt(10 t + 20 t / 2) / 20 = 0.7 h at 10 h, which moves
    # the crossing by twice that (the wait grows at half the clock's rate).
    expected, sd = 10.0, 2 * math.sqrt(10 * 10 + 20 * 5) / 20
    for seed in SEEDS:
        result = simulate(build(overloaded(limit=10**6, overload_wait_multiple=30)), seed)
        assert result.overload is not None and "times its 10 min target" in result.overload["reason"]
        assert abs(result.overload["detected_day"] * 24 - expected) <= 4 * sd + BIN_HOURS


def test_twenty_of_six_hundred_officers_is_overloaded_on_the_baseline(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Without attendance decisions (pinned here, as the overlay configs/attendance/decisions.yaml adds
    # them): with them, 20 officers divert and close incidents instead of letting queues run away.
    args = ["run", "--days", "20", "--replications", "1", "--workers", "1", "--set", "workforce.response_officers=20"]
    args += ["--set", "attendance=null", "--set", "grades.P3.appointment_hours=14"]
    assert main(args) == 3
    err = capsys.readouterr().err
    assert "overloaded" in err and "on day" in err and "Traceback" not in err


def test_stable_queue_near_capacity_is_not_flagged() -> None:
    # Load 0.9 with c = 10: P(queue > n) falls like 0.9^n, about 1e-23 at the limit; the default
    # relative limits (100 waiting, or a wait of 200 x 10 min: P(wait > 2,000 min) = 0.67 e^-33) are
    # as far out of reach.
    raw = mmc_dict(SERVERS, 9.0, SERVICE_MINUTES, days=60.0, warmup_days=0.0)
    raw["dispatch"]["max_waiting_incidents"] = LIMIT
    result = simulate(build(raw), 1)
    assert result.overload is None and result.metrics["window_days"] == pytest.approx(60.0)


def test_runaway_followup_backlog_is_detected() -> None:
    # Each job leaves 5 h of desk work: 20 jobs an hour bring 100 officer-hours of work an hour
    # to 10 officers. The backlog per officer cannot grow faster than 10 h an hour, so a limit of
    # 20 h per officer cannot be reached before 2 h; work outruns capacity, so it is reached.
    raw = mmc_dict(SERVERS, ARRIVALS_PER_HOUR, 1.0, days=10.0, warmup_days=0.0)
    raw["tasks"] = {"case_file": {"minutes": {"dist": "fixed", "value": 300}}}
    raw["incident_types"]["job"]["followup"] = {"case_file": 1.0}
    raw["grades"]["P1"]["interrupts_followup"] = True
    raw["dispatch"]["max_backlog_hours_per_officer"] = 20.0
    result = simulate(build(raw), 2)
    assert result.overload is not None and result.overload["grade"] == "followup"
    assert 2.0 / 24 <= result.overload["detected_day"] < 10.0


def write_config(folder: Path, raw: dict) -> Path:
    """A raw config as a YAML file."""
    path = folder / "overloaded.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def test_command_reports_grade_and_day_and_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path, overloaded())
    args = ["run", str(config), "--replications", "1", "--workers", "1", "--seed", "0"]
    assert main(args) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0]
    assert "overloaded" in err[0] and "(P1)" in err[0] and "on day" in err[0]
    assert "--allow-overload" in err[0]
    assert main([*args, "--allow-overload", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    [flag] = document["meta"]["overload"]
    assert flag["grade"] == "P1" and flag["stopped"] is False


def with_contact_centre(raw: dict) -> dict:
    """The same force with calls through a busy contact centre: three handlers on a flat roster,
    calls needing no police, 101 callers who hang up and half of them ringing again."""
    handling = {"dist": "exponential", "mean": 2.5}
    raw["incident_types"]["job"]["channel_mix"] = {"emergency_999": 0.5, "non_emergency_101": 0.5}
    raw["contact"] = {
        "call_handlers": {"staff_by_hour": [3] * 24},
        "handling_minutes": {"emergency_999": handling, "non_emergency_101": handling},
        "grading_minutes": {"dist": "fixed", "value": 1.0},
        "patience_101_minutes": {"dist": "exponential", "mean": 3.0},
        "reattempt_share": 0.5,
        "reattempt_delay_minutes": {"dist": "fixed", "value": 10.0},
        "non_incident_calls_per_year": {"emergency_999": 10 * 24 * 365.25, "non_emergency_101": 20 * 24 * 365.25},
        "online_desk": {"staff_by_hour": [1] * 24},
        "online_handling_minutes": {"dist": "fixed", "value": 0.0},
    }
    return raw


COUNTS_AHEAD = ("incidents.job.generated", "contact.offered_999", "contact.offered_101", "contact.abandoned_101")


@pytest.mark.parametrize("seed", [1, 2])
def test_a_run_stopped_early_counts_only_what_came_before_the_stop(seed: int) -> None:
    """The contact centre and the arrivals are worked out a week ahead of the clock; a run stopped
    on the hour must count only the calls and incidents before the stop, as a run whose horizon
    is that minute does (its handlers' roster is flat, so nothing is answered at the hour itself)."""
    stopped = simulate(build(with_contact_centre(overloaded())), seed)
    assert stopped.overload is not None and stopped.overload["stopped"] is True
    minute = round(stopped.overload["detected_day"] * 24.0) * 60.0
    short = simulate(build(with_contact_centre(overloaded(days=minute / 1440.0))), seed, allow_overload=True)
    assert minute % (7 * 1440.0)  # stopped inside a week planned ahead
    for key in COUNTS_AHEAD + ("contact.answered_999_within_10s", "contact.mean_answer_101_seconds"):
        assert stopped.metrics[key] == short.metrics[key], key
    assert stopped.calls == short.calls
    assert stopped.metrics["contact.abandoned_101"] > 0
