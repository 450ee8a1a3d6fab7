"""Writing results safely: a whole directory appears at once, and existing results are kept.

Files are written into a temporary sibling directory which is renamed into place only when
complete, so an interrupted run (Ctrl-C, a crash) never leaves a half-written result. An
existing non-empty directory is refused unless ``force`` is given.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sim.errors import OutputExistsError

Writer = Callable[[Path], object]


def check_writable(path: Path, force: bool) -> None:
    """Refuse early (before a long run) to overwrite existing results without ``force``."""
    if path.exists() and not path.is_dir():
        raise OutputExistsError(f"--out {path}: exists and is not a directory")
    if path.is_dir() and any(path.iterdir()) and not force:
        raise OutputExistsError(
            f"--out {path}: already holds results; choose another directory or pass --force to replace them"
        )


def write_directory(path: Path, writers: Mapping[str, Writer], force: bool) -> Path:
    """Write each ``name -> writer(file_path)`` into ``path`` atomically (all files or none)."""
    path = Path(path)
    check_writable(path, force)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.partial-", dir=path.parent))
    try:
        for name, writer in writers.items():
            writer(staging / name)
        if path.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{path.name}.old-", dir=path.parent))
            os.replace(path, retired / path.name)
            os.replace(staging, path)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, path)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return path


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
