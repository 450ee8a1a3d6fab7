"""Progress on stderr: a bar on a terminal, a line every few seconds elsewhere (pipes, notebooks).

``update(done)`` takes the work done as a number that may be fractional (replications done plus
the share of those running), so a single long replication still moves the bar. ``note(text)``
prints a line above the bar (or as is, off a terminal), for results worth reading as they come;
``set_total(n)`` changes the total, for work whose size is known only as it goes (a search).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

LINE_SECONDS = 10.0  # off a terminal, at most one progress line this often


class Progress:
    """What ``progress_bar`` yields: call it with the work done; ``note`` prints a line."""

    def __init__(self, description: str, total: float, bar: Any = None, enabled: bool = True) -> None:
        self.description, self.total, self.bar, self.enabled = description, total, bar, enabled
        self.task = bar.add_task(description, total=total, done="") if bar is not None else None
        self.started = self.last_line = time.monotonic()

    def __call__(self, done: float) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=done, done=_amount(done, self.total))
        elif self.enabled and time.monotonic() - self.last_line >= LINE_SECONDS:
            self.last_line = time.monotonic()
            print(f"policesim: {self.description}: {self._line(done)}", file=sys.stderr, flush=True)

    def set_total(self, total: float) -> None:
        """A new estimate of the work in all (for work whose size is known only as it goes)."""
        self.total = total
        if self.bar is not None:
            self.bar.update(self.task, total=total)

    def note(self, text: str) -> None:
        """A line for the reader now (above the bar on a terminal)."""
        if self.bar is not None:
            self.bar.console.print(text, highlight=False, markup=False)
        elif self.enabled:
            print(text, file=sys.stderr, flush=True)

    def _line(self, done: float) -> str:
        elapsed = time.monotonic() - self.started
        share = done / self.total if self.total else 0.0
        left = f", about {_clock(elapsed * (1 - share) / share)} left" if share > 0 else ""
        return f"{_amount(done, self.total)} ({share:.0%}), {_clock(elapsed)} elapsed{left}"


def _amount(done: float, total: float) -> str:
    """``1.4/5`` (a decimal only while a part is running)."""
    shown = f"{done:.0f}" if abs(done - round(done)) < 0.05 else f"{done:.1f}"
    return f"{shown}/{total:g}"


def _clock(seconds: float) -> str:
    return str(timedelta(seconds=round(seconds)))


@contextmanager
def progress_bar(description: str, total: float, enabled: bool | None = None) -> Iterator[Progress]:
    """Yield a :class:`Progress`: a bar when stderr is a terminal (or ``enabled``), else lines."""
    show = sys.stderr.isatty() if enabled is None else enabled
    if not show:
        yield Progress(description, total, enabled=enabled is None)
        return
    from rich.console import Console
    from rich.progress import BarColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
    from rich.progress import Progress as RichProgress

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[done]}"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    )
    with RichProgress(*columns, console=Console(file=sys.stderr), transient=False) as bar:
        yield Progress(description, total, bar)
