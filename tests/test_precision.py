"""The confidence-interval method stops at the right number of replications."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

from sim.commands.cli import main
from sim.config import BASELINE_CONFIG
from sim.study.precision import first_meeting, half_width, replications_needed


def _runner(make):  # type: ignore[no-untyped-def]
    """A batch runner whose replication i returns make(i)."""
    return lambda indices: [make(i) for i in indices]


def test_half_width_is_student_t() -> None:
    # values 1..5: mean 3, sd sqrt(2.5); t(0.975, 4) = 2.7764
    expected = 2.7764 * math.sqrt(2.5) / math.sqrt(5)
    assert half_width([1, 2, 3, 4, 5]) == pytest.approx(expected, rel=1e-4)
    assert half_width([7.0]) == math.inf


def test_stops_at_hand_computed_count_for_alternating_outputs() -> None:
    # Replications alternate 110, 90 (mean 100, sd 10), precision 5%:
    #  n=17: mean 100.588, sd 10.29, t16=2.1199 -> half 5.29 (5.26%)   not met
    #  n=18: mean 100,     sd 10.29, t17=2.1098 -> half 5.12 (5.12%)   not met
    #  n=19: mean 100.526, sd 10.26, t18=2.1009 -> half 4.945 (4.92%)  met
    result = replications_needed(_runner(lambda i: {"x": 110.0 if i % 2 == 0 else 90.0}), ["x"], 0.05, cap=60)
    assert result.needed == {"x": 19}
    assert result.replications == 19
    assert len(result.values["x"]) == 19  # stopped there, did not run on to the cap
    last = [r for r in result.rows if r.replications == 19][0]
    assert last.relative == pytest.approx(0.0492, abs=5e-4)


def test_known_variance_stop_probability_at_minimum() -> None:
    # Normal outputs, mean 100, sd 10, precision 5%, at least 10 replications. Stopping at 10
    # happens exactly when S_10 <= 5 sqrt(10) / t(0.975, 9), i.e. chi2_9 <= 9 (that / 10)^2.
    limit = 5.0 * math.sqrt(10) / stats.t.ppf(0.975, 9)
    p_theory = stats.chi2.cdf(9 * (limit / 10.0) ** 2, 9)
    runs, stops, counts = 400, 0, []
    for seed in range(runs):

        def draw(i: int, seed: int = seed) -> dict[str, float]:
            rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(i,)))
            return {"x": float(rng.normal(100.0, 10.0))}

        result = replications_needed(_runner(draw), ["x"], 0.05, minimum=10, cap=80)
        counts.append(result.replications)
        stops += result.replications == 10
    sd = math.sqrt(p_theory * (1 - p_theory) / runs)
    assert abs(stops / runs - p_theory) <= 4 * sd
    # With sigma known, 18 replications give 5%: t(17) 10 / sqrt(18) = 4.97. The sample sd is
    # about sigma by then, so the stopping count centres there (first passage pulls it lower).
    assert 14 <= np.median(counts) <= 19
    assert max(counts) <= 40  # not met by 40: chi2_39 / 39 > 2.4, probability < 1e-8 each


def test_every_output_must_meet_and_the_total_is_the_largest() -> None:
    def draw(i: int) -> dict[str, float]:
        return {"tight": 100.0 + (1 if i % 2 else -1), "loose": 110.0 if i % 2 == 0 else 90.0}

    result = replications_needed(_runner(draw), ["tight", "loose"], 0.05, cap=60)
    assert result.needed["tight"] == 3
    assert result.needed["loose"] == 19
    assert result.replications == 19


def test_cap_reports_not_reached() -> None:
    result = replications_needed(_runner(lambda i: {"x": 1000.0 if i % 2 == 0 else 1.0}), ["x"], 0.05, cap=12)
    assert result.needed == {"x": None}
    assert result.replications is None
    assert len(result.values["x"]) == 12


def test_look_ahead_rejects_a_lucky_start() -> None:
    values = [100.0, 100.5, 100.2] + [150.0, 50.0] * 20
    assert first_meeting(values, 0.05, minimum=3) == 3
    assert first_meeting(values, 0.05, minimum=3, look_ahead=2) != 3


def test_batches_do_not_change_the_answer() -> None:
    def draw(i: int) -> dict[str, float]:
        rng = np.random.default_rng(np.random.SeedSequence(5, spawn_key=(i,)))
        return {"x": float(rng.gamma(2.0, 50.0))}

    one = replications_needed(_runner(draw), ["x"], 0.1, cap=200, look_ahead=3)
    four = replications_needed(_runner(draw), ["x"], 0.1, cap=200, look_ahead=3, batch=4)
    assert one.needed == four.needed
    assert one.needed["x"] is not None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"precision": 0.0}, "precision"),
        ({"precision": 0.05, "confidence": 1.0}, "confidence"),
        ({"precision": 0.05, "minimum": 1}, "minimum"),
        ({"precision": 0.05, "cap": 4, "minimum": 3, "look_ahead": 2}, "cap"),
    ],
)
def test_bad_settings_are_named(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        replications_needed(_runner(lambda i: {"x": 1.0}), ["x"], **kwargs)


def test_missing_output_is_named() -> None:
    with pytest.raises(KeyError, match="nope"):
        replications_needed(_runner(lambda i: {"x": 1.0}), ["nope"], 0.05)


def test_replications_command_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "replications",
        str(BASELINE_CONFIG),  # the unpressured baseline, where DA waits vary little
        "--days",
        "6",
        "--warmup-days",
        "2",
        "--precision",
        "0.5",
        "--cap",
        "4",
        "--look-ahead",
        "0",
        "--workers",
        "1",
        "--json",
        "--outputs",
        "summary.response_minutes.domestic_abuse.mean",
    ]
    assert main(argv) == 0
    document = json.loads(capsys.readouterr().out)
    name = "response_minutes.domestic_abuse.mean"
    assert document["needed"] == {name: 3}  # 3 is the minimum; DA waits vary far below 50%
    rows = [r for r in document["table"] if r["replications"] == 3]
    assert rows[0]["relative"] <= 0.5


def test_replications_command_names_an_unknown_metric(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "replications",
        "--days",
        "3",
        "--warmup-days",
        "1",
        "--cap",
        "3",
        "--look-ahead",
        "0",
        "--workers",
        "1",
        "--outputs",
        "response_minutes.burglary.median",
    ]
    assert main(argv) == 2
    assert "'response_minutes.burglary.median' is not a metric" in capsys.readouterr().err
