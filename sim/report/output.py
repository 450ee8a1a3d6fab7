"""Writing results safely: a whole directory appears at once, and nobody else's files are lost.

A results directory is claimed before the long work starts (:func:`claim_directory`): it must be
writable, not hold results unless ``force`` is given, and hold nothing policesim did not write
(the list of what it wrote is kept in the directory, in :data:`FILES_LIST`). The claim holds a
lock, so a second process writing the same place fails at once. Files are written into a
temporary sibling directory which is renamed into place only when complete, so an interrupted
run (Ctrl-C, a crash) never leaves a half-written result; if the place cannot be written when the
work is done, the results go to a fallback directory and the error says where.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from sim import lockfile
from sim.errors import OutputExistsError, PolicesimError

Writer = Callable[[Path], object]
FILES_LIST = ".policesim-files.json"  # what policesim wrote in a results directory


class OutputWriteError(PolicesimError):
    """The results could not be written where asked; the message says where they went instead."""


def _lock_path(path: Path) -> Path:
    """The lock file of a results directory: a hidden sibling, so it exists before the directory."""
    real = Path(os.path.realpath(path))
    return real.parent / f".{real.name}.lock"


def written_by_policesim(path: Path) -> set[str]:
    """The entries of ``path`` that policesim wrote (its files list, and nested results folders)."""
    listed: set[str] = set()
    with contextlib.suppress(OSError, ValueError, TypeError):
        listed = set(json.loads((path / FILES_LIST).read_text(encoding="utf-8"))["files"]) | {FILES_LIST}
    for entry in path.iterdir():
        if entry.name not in listed and _results_folder(entry):  # RESULTS/report, by `policesim report`
            listed.add(entry.name)
    return listed


def _results_folder(entry: Path) -> bool:
    """Whether ``entry`` is a folder that policesim wrote whole (its own files list, nothing else)."""
    return entry.is_dir() and not entry.is_symlink() and (entry / FILES_LIST).is_file() and not foreign_entries(entry)


def foreign_entries(path: Path) -> list[str]:
    """Entries of the directory ``path`` that policesim did not write, sorted."""
    ours = written_by_policesim(path)
    return sorted(entry.name for entry in path.iterdir() if entry.name not in ours)


def _probe(folder: Path, flag: str, path: Path) -> None:
    """Fail now, not after the run, if ``folder`` cannot take a new directory."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".policesim-probe-{uuid.uuid4().hex}"
        probe.mkdir()
        probe.rmdir()
    except (FileExistsError, NotADirectoryError):
        raise OutputExistsError(
            f"{flag} {path}: cannot write in {folder} (a file is in the way, not a folder)"
        ) from None
    except OSError as error:
        raise OutputExistsError(f"{flag} {path}: cannot write in {folder} ({error.strerror or error})") from None


def _check(path: Path, force: bool, flag: str) -> None:
    """The refusals that hold before and after the work: wrong kind, results present, foreign files."""
    if path.exists() and not path.is_dir():
        raise OutputExistsError(f"{flag} {path}: exists and is not a directory")
    if not path.is_dir() or not any(path.iterdir()):
        return
    if not force:
        raise OutputExistsError(
            f"{flag} {path}: already holds results; choose another directory or pass --force to replace them"
        )
    foreign = foreign_entries(path)
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise OutputExistsError(
            f"{flag} {path}: --force replaces only what policesim wrote, and these are not its: {shown}; "
            "move them or choose another directory"
        )


class ClaimedDirectory:
    """A results directory checked and locked for this process; :meth:`write` fills it."""

    def __init__(self, path: Path, force: bool, flag: str = "--out") -> None:
        self.path, self.force, self.flag = Path(path), force, flag
        _check(self.path, force, flag)
        _probe(self.path.parent, flag, self.path)
        try:
            self.lock: lockfile.Lock | None = lockfile.acquire(_lock_path(self.path))
        except lockfile.LockBusy as busy:
            raise OutputExistsError(
                f"{flag} {self.path}: another policesim process (pid {busy.pid or '?'}) is writing there; "
                "wait for it to finish or choose another directory"
            ) from None
        except OSError as error:
            raise OutputExistsError(f"{flag} {self.path}: cannot lock ({error.strerror or error})") from None

    def write(self, writers: Mapping[str, Writer]) -> Path:
        """Write each ``name -> writer(file_path)`` into the directory at once (all files or none).

        Raises ``OutputWriteError`` naming a fallback directory holding the results when the
        directory itself could not be written (it changed, the disk filled, permissions).
        """
        try:
            _check(self.path, self.force, self.flag)  # files may have appeared during the run
            return _write_whole(self.path, writers)
        except Exception as error:  # noqa: BLE001 - whatever failed, the finished results are kept
            problem = _describe(error)
            fallback = _write_fallback(self.path, writers)
            if fallback is None:
                raise OutputWriteError(
                    f"{self.flag} {self.path}: cannot write ({problem}); no fallback worked"
                ) from None
            raise OutputWriteError(
                f"{self.flag} {self.path}: not written ({problem}); the results were written to {fallback}"
            ) from None

    def release(self) -> None:
        """Let go of the lock (its file is removed)."""
        if self.lock is not None:
            self.lock.release()
            self.lock = None


@contextlib.contextmanager
def claim_directory(path: Path | None, force: bool, flag: str = "--out") -> Iterator[ClaimedDirectory | None]:
    """Claim ``path`` for the length of the block (``None`` when no directory was asked for)."""
    if path is None:
        yield None
        return
    claimed = ClaimedDirectory(path, force, flag)
    try:
        yield claimed
    finally:
        claimed.release()


def _new_dir(parent: Path, prefix: str) -> Path:
    """A new, uniquely named directory in ``parent`` with the user's umask (mkdtemp's is 0700)."""
    folder = parent / f"{prefix}{uuid.uuid4().hex[:12]}"
    folder.mkdir()
    return folder


def _write_whole(path: Path, writers: Mapping[str, Writer]) -> Path:
    """Fill a staging sibling, list what was written, and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = _new_dir(path.parent, f".{path.name}.partial-")
    try:
        for name, writer in writers.items():
            writer(staging / name)
        listing = {"written_by": "policesim", "files": sorted(entry.name for entry in staging.iterdir())}
        json_writer(listing)(staging / FILES_LIST)
        if path.exists():
            retired = _new_dir(path.parent, f".{path.name}.old-")
            os.replace(path, retired / path.name)
            os.replace(staging, path)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, path)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return path


def _write_fallback(path: Path, writers: Mapping[str, Writer]) -> Path | None:
    """Write the results beside ``path``, else in the working folder, else the temporary folder."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for folder in (path.parent, Path.cwd(), Path(tempfile.gettempdir())):
        target = folder / f"{path.name}.unsaved-{stamp}-{uuid.uuid4().hex[:6]}"
        with contextlib.suppress(OSError):
            return _write_whole(target, writers)
    return None


def _describe(error: Exception) -> str:
    """A failure in a few words: the message of our own errors, the reason of a system error."""
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror}: {error.filename}" if error.filename else error.strerror
    return str(error) if isinstance(error, PolicesimError) else f"{type(error).__name__}: {error}"


def check_writable(path: Path, force: bool) -> None:
    """Refuse early (before a long run) what :meth:`ClaimedDirectory.write` would refuse later."""
    ClaimedDirectory(path, force).release()


def write_directory(path: Path, writers: Mapping[str, Writer], force: bool) -> Path:
    """Claim ``path``, write every file into it at once, and let go (see :class:`ClaimedDirectory`)."""
    with claim_directory(path, force) as claimed:
        assert claimed is not None
        return claimed.write(writers)


def json_writer(document: Any) -> Writer:
    """A writer for one JSON document (NaN written as null)."""

    def write(target: Path) -> None:
        target.write_text(json.dumps(document, indent=2, sort_keys=False, allow_nan=False) + "\n", encoding="utf-8")

    return write


def atomic_write_text(path: Path, text: str, force: bool) -> None:
    """Write one text file atomically; refuse to replace an existing file without ``force``."""
    path = Path(path)
    if path.exists() and not force:
        raise OutputExistsError(f"{path}: exists; pass --force to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
