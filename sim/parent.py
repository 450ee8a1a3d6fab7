"""Worker processes that end when the process that started them dies.

A pool's workers are separate processes: if the main process is killed (``kill -9``, the
terminal closed, an out-of-memory kill) they would go on simulating for nobody. Pass
:func:`exit_with_parent` as the pool's ``initializer``: a watchdog thread in the worker ends it
within about a second of its being orphaned (an orphan is re-parented, so its parent pid
changes). This works on every POSIX system; Linux's ``prctl(PR_SET_PDEATHSIG)`` is not used
because it fires when the *thread* that started the worker ends, which in a pool may be a
helper thread that ends while the pool lives on. Usable from every layer (imports nothing).
"""

from __future__ import annotations

import os
import signal
import threading
import time

POLL_SECONDS = 1.0


def exit_with_parent() -> None:
    """Make this (worker) process end when its parent dies: a pool ``initializer``."""
    parent = os.getppid()
    threading.Thread(target=_watch, args=(parent,), name="exit-with-parent", daemon=True).start()


def _watch(parent: int) -> None:
    """Poll the parent pid; a change means the parent died (the orphan was re-parented)."""
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    os._exit(1)


def ignore_interrupt_and_exit_with_parent() -> None:
    """Initializer of pools whose parent handles Ctrl-C itself (and stops the pool)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with_parent()
