"""Warm-up analysis: Welch's moving average across replications and MSER-5 truncation per output.

A simulation that starts empty (no queue, no follow-up backlog) is biased low until it reaches
steady state; these functions say how much of the start to discard. Pure functions on arrays,
so they can be checked against hand computations and reused on any output series.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

MSER_BATCH = 5


@dataclass(frozen=True)
class Truncation:
    """MSER's advice for one series: observations to discard and whether the advice is reliable."""

    observations: int
    batches: int
    statistic: float
    reliable: bool


@dataclass(frozen=True)
class WarmupAdvice:
    """Warm-up advice for one output, in bins and in days, from the across-replication mean."""

    output: str
    truncation: Truncation
    bin_hours: float

    @property
    def days(self) -> float:
        """The suggested warm-up in days of simulated time."""
        return self.truncation.observations * self.bin_hours / 24.0


def replication_mean(series: ArrayLike) -> NDArray[np.float64]:
    """Mean over replications of a (replications x periods) array; a 1-D array is returned as is."""
    values = np.asarray(series, dtype=float)
    if values.ndim == 1:
        return values
    if values.ndim != 2 or values.shape[0] == 0:
        raise ValueError("series must be 1-D or (replications x periods) with replications >= 1")
    return values.mean(axis=0)


def welch_moving_average(series: ArrayLike, window: int) -> NDArray[np.float64]:
    """Welch's moving average (Law and Kelton) of the across-replication mean, length m - window.

    For period i (1-based) the average runs over i-w..i+w when i > w, and over 1..2i-1 when
    i <= w, so the early points use a shorter symmetric window instead of being dropped.
    """
    mean = replication_mean(series)
    m = mean.size
    if window < 0:
        raise ValueError(f"window must be >= 0, got {window}")
    if m - window < 1 or window > (m - 1) // 2:
        raise ValueError(f"window {window} too large for a series of {m} periods")
    cumulative = np.concatenate(([0.0], np.cumsum(mean)))
    out = np.empty(m - window)
    for i in range(1, m - window + 1):
        half = i - 1 if i <= window else window
        lo, hi = i - 1 - half, i + half  # zero-based slice [lo, hi)
        out[i - 1] = (cumulative[hi] - cumulative[lo]) / (hi - lo)
    return out


def batch_means(series: ArrayLike, batch: int = MSER_BATCH) -> NDArray[np.float64]:
    """Non-overlapping batch means; a trailing partial batch is dropped."""
    values = np.asarray(series, dtype=float).ravel()
    k = values.size // batch
    return values[: k * batch].reshape(k, batch).mean(axis=1)


def mser(series: ArrayLike, batch: int = MSER_BATCH) -> Truncation:
    """MSER-b truncation (White 1997): the start to discard that minimises the marginal error.

    MSER(d) = sum_{j>d} (Z_j - mean(Z_{d+1..k}))^2 / (k - d)^2 over batch means Z. The minimum is
    searched in the first half of the batches (the statistic is erratic when few batches remain);
    if that minimum sits at the end of the first half the series was still drifting there, so the
    run is too short to settle and the advice is flagged unreliable.
    """
    z = batch_means(series, batch)
    k = z.size
    if k < 4:
        raise ValueError(f"MSER-{batch} needs at least {4 * batch} observations, got {k * batch}")
    suffix_sum = np.cumsum(z[::-1])[::-1]
    suffix_sq = np.cumsum((z * z)[::-1])[::-1]
    remaining = np.arange(k, 0, -1, dtype=float)  # k - d for d = 0..k-1
    sse = np.maximum(suffix_sq - suffix_sum**2 / remaining, 0.0)
    statistic = sse / remaining**2
    usable = statistic[: k - 1]  # d = k-1 leaves one batch: zero error, meaningless
    half = k // 2
    best = int(np.argmin(usable[:half]))
    reliable = best < half - 1
    return Truncation(
        observations=best * batch,
        batches=best,
        statistic=float(usable[best]),
        reliable=reliable,
    )


def advise(series_by_output: Mapping[str, ArrayLike], bin_hours: float, batch: int = MSER_BATCH) -> list[WarmupAdvice]:
    """MSER truncation of the across-replication mean of each output, in output order."""
    return [
        WarmupAdvice(name, mser(replication_mean(series), batch), bin_hours)
        for name, series in series_by_output.items()
    ]


def plot_welch(
    series_by_output: Mapping[str, ArrayLike],
    advice: list[WarmupAdvice],
    window: int,
    bin_hours: float,
    path: Path,
) -> Path:
    """One panel per output: replication mean, Welch's average and the MSER cut, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    by_name = {a.output: a for a in advice}
    fig, axes = plt.subplots(len(series_by_output), 1, figsize=(9, 2.6 * len(series_by_output)), squeeze=False)
    for ax, (name, series) in zip(axes[:, 0], series_by_output.items(), strict=True):
        mean = replication_mean(series)
        days = np.arange(mean.size) * bin_hours / 24.0
        ax.plot(days, mean, color="0.75", lw=0.8, label="mean over replications")
        smooth = welch_moving_average(mean, min(window, (mean.size - 1) // 2))
        ax.plot(days[: smooth.size], smooth, color="C0", lw=1.6, label=f"Welch, w={window}")
        cut = by_name[name].days
        ax.axvline(cut, color="C3", ls="--", lw=1.2, label=f"MSER-5: {cut:g} days")
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("simulated day")
        ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def binned(frame: pd.DataFrame, column: str, bin_hours: float) -> NDArray[np.float64]:
    """Means of a time-series column over bins of ``bin_hours``; a trailing partial bin dropped."""
    if column not in frame.columns:
        raise KeyError(column)
    step = float(frame["hour"].iloc[1] - frame["hour"].iloc[0]) if len(frame) > 1 else 1.0
    per_bin = max(int(round(bin_hours / step)), 1)
    values = frame[column].to_numpy(dtype=float)
    k = values.size // per_bin
    return values[: k * per_bin].reshape(k, per_bin).mean(axis=1)


def series_matrix(frames: Sequence[pd.DataFrame], column: str, bin_hours: float) -> NDArray[np.float64]:
    """A (replications x bins) array of one output, cut to the shortest replication."""
    rows = [binned(frame, column, bin_hours) for frame in frames]
    length = min(row.size for row in rows)
    return np.vstack([row[:length] for row in rows])


def suggested_days(advice: Sequence[WarmupAdvice]) -> float:
    """The warm-up to use for every output at once: the longest, rounded up to whole days."""
    return float(math.ceil(max((a.days for a in advice), default=0.0)))
