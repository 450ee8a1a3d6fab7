"""An exclusive lock held through a lock file that is removed when the lock is released.

Used by every writer of a results location (``--out`` directories, sweep directories), so two
processes writing one place fail at once instead of one silently losing its work. The lock is an
``flock`` on the file, so it is freed by the system if the holder dies; a file left behind by a
killed holder is taken over by the next writer. Usable from every layer (it imports nothing).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from dataclasses import dataclass
from pathlib import Path


class LockBusy(Exception):
    """The lock is held by another process (``pid`` as that process recorded it, if known)."""

    def __init__(self, path: Path, pid: str) -> None:
        super().__init__(f"{path} is held by process {pid or '?'}")
        self.path = path
        self.pid = pid


@dataclass
class Lock:
    """A held lock: its file and the open descriptor that holds it."""

    path: Path
    fd: int

    def release(self) -> None:
        """Remove the lock file, then let go (in this order, so no one locks a removed file)."""
        if self.fd < 0:
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        os.close(self.fd)
        self.fd = -1

    def __enter__(self) -> Lock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def acquire(path: Path) -> Lock:
    """Take the lock at ``path`` without waiting; ``LockBusy`` if another process holds it."""
    path = Path(path)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            raise LockBusy(path, pid) from None
        try:
            current = os.stat(path).st_ino
        except FileNotFoundError:
            current = -1
        if current == os.fstat(fd).st_ino:  # not removed by its last holder while we waited
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode("ascii"))
            return Lock(path, fd)
        os.close(fd)
