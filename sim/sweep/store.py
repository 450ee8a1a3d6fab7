"""A sweep's results directory: manifest, design, and one Parquet part per finished batch.

Layout::

    DIR/manifest.json        sweep spec, its hash, versions, column names (written once)
    DIR/design.parquet       every design point: unit-cube values and parameter values
    DIR/parts/part-*.parquet one file per finished batch: a row per (point, replication)
    DIR/.lock                exists while a process writes, so two runs never share a directory

Every file is written to a temporary name and renamed into place, so a killed run leaves
only whole files behind; parts hold whole points, so a resumed run knows exactly what is done.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim import lockfile
from sim.errors import DataError, OutputExistsError
from sim.sweep.designs import DesignMatrix

FORMAT = "policesim-sweep/1"
MANIFEST = "manifest.json"
DESIGN = "design.parquet"
PARTS = "parts"
LOCK = ".lock"
OVERLOADED = "overloaded"
KEY_COLUMNS = ("point", "replication", "seed", OVERLOADED)
UNIT_PREFIX = "unit:"


def _fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _atomic_write(path: Path, write: Any) -> None:
    """Call ``write(temp_path)``, flush it to disk, then rename it to ``path``."""
    temp = path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")
    try:
        write(temp)
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    _fsync_dir(path.parent)


def _write_json(path: Path, document: Mapping[str, Any]) -> None:
    """Atomically write a JSON document."""
    _atomic_write(path, lambda temp: temp.write_text(json.dumps(document, indent=2) + "\n"))


def result_schema(parameters: Sequence[str], integer: Sequence[bool], outputs: Sequence[str]) -> pa.Schema:
    """The columns of every part file: keys, parameter values, outputs."""
    fields = [pa.field(name, pa.int64(), nullable=False) for name in KEY_COLUMNS]
    fields += [
        pa.field(name, pa.int64() if is_int else pa.float64(), nullable=False)
        for name, is_int in zip(parameters, integer, strict=True)
    ]
    fields += [pa.field(name, pa.float64()) for name in outputs]
    return pa.schema(fields)


@dataclass
class SweepStore:
    """An open results directory; create it with :func:`open_store`."""

    root: Path
    manifest: dict[str, Any]
    _lock: Any = None

    @property
    def parts_dir(self) -> Path:
        """Where the part files live."""
        return self.root / PARTS

    @property
    def schema(self) -> pa.Schema:
        """The schema every part file has."""
        m = self.manifest
        return result_schema(m["parameters"], m["integer"], m["outputs"])

    def part_files(self) -> list[Path]:
        """Finished part files (temporary files of an interrupted write are not listed)."""
        return sorted(self.parts_dir.glob("part-*.parquet"))

    def design(self) -> pd.DataFrame:
        """The stored design: a row per point with its unit and parameter values."""
        return read_table(self.root / DESIGN, "").to_pandas().set_index("point")

    def done_points(self) -> set[int]:
        """Design points whose rows are all stored."""
        done: set[int] = set()
        for part in self.part_files():
            points = read_table(part, RECOMPUTE, columns=["point"]).column("point").to_numpy()
            done.update(int(p) for p in np.unique(points))
        return done

    def write_part(self, rows: list[dict[str, Any]]) -> Path:
        """Store a finished batch of rows as one new part file, atomically."""
        schema = self.schema
        columns = {field.name: [row[field.name] for row in rows] for field in schema}
        table = pa.table(columns, schema=schema)
        first = min(int(row["point"]) for row in rows)
        path = self.parts_dir / f"part-{first:09d}-{uuid.uuid4().hex[:12]}.parquet"
        _atomic_write(path, lambda temp: pq.write_table(table, temp))
        return path

    def results(self) -> pd.DataFrame:
        """All stored rows sorted by point and replication; duplicates are an error, not dropped."""
        parts = self.part_files()
        if not parts:
            return self.schema.empty_table().to_pandas()
        table = pa.concat_tables(read_table(part, RECOMPUTE, schema=self.schema) for part in parts)
        frame = table.to_pandas().sort_values(["point", "replication"], kind="stable")
        duplicated = frame.duplicated(["point", "replication"])
        if duplicated.any():
            first = frame[duplicated].iloc[0]
            raise DataError(
                f"{self.parts_dir}: point {int(first['point'])} replication "
                f"{int(first['replication'])} is stored twice; two runs wrote this directory"
            )
        return frame.reset_index(drop=True)

    def close(self) -> None:
        """Release the directory lock (its file is removed)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> SweepStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


RECOMPUTE = "delete it and continue the sweep with --resume to compute its points again"


def read_table(path: Path, advice: str, **options: Any) -> pa.Table:
    """One Parquet file; a truncated or corrupt one is a one-line ``DataError`` naming it."""
    try:
        return pq.read_table(path, **options)
    except (pa.ArrowException, OSError) as error:
        raise _unreadable(path, error, advice) from None


def check_parquet(path: Path, advice: str) -> None:
    """Read a Parquet file's footer only: a truncated file fails here, naming itself."""
    try:
        pq.ParquetFile(path).close()
    except (pa.ArrowException, OSError) as error:
        raise _unreadable(path, error, advice) from None


def _unreadable(path: Path, error: Exception, advice: str) -> DataError:
    reason = str(error).split(". ")[0].split(": ")[-1]
    tail = f"; {advice}" if advice else ""
    return DataError(f"{path}: not a readable Parquet file ({reason}){tail}")


def _design_table(design: DesignMatrix, integer: Sequence[bool]) -> pa.Table:
    """The design as a table: point, then unit values, then parameter values."""
    columns: dict[str, Any] = {"point": np.arange(design.n_points, dtype=np.int64)}
    for j, name in enumerate(design.names):
        columns[UNIT_PREFIX + name] = design.unit[:, j]
    for j, name in enumerate(design.names):
        values = design.values[:, j]
        columns[name] = values.astype(np.int64) if integer[j] else values
    return pa.table(columns)


def _acquire_lock(root: Path) -> lockfile.Lock:
    """Hold an exclusive lock on the directory until closed (freed if the process dies)."""
    try:
        return lockfile.acquire(root / LOCK)
    except lockfile.LockBusy as busy:
        raise OutputExistsError(
            f"{root}: another sweep process (pid {busy.pid or '?'}) is writing this directory"
        ) from None


def _sweep_compatible(root: Path, stored: Mapping[str, Any], manifest: Mapping[str, Any]) -> None:
    """Refuse to resume a directory that holds a different sweep or one from another version."""
    if stored.get("format") != FORMAT:
        raise OutputExistsError(f"{root}: not a policesim sweep directory (format {stored.get('format')!r})")
    for key, what in (("spec_hash", "sweep"), ("fingerprint", "model set-up")):
        if stored.get(key) != manifest[key]:
            raise OutputExistsError(
                f"{root}: holds a different {what} ({key} {stored.get(key)} here, "
                f"{manifest[key]} requested); choose another --out"
            )
    if stored.get("policesim_version") != manifest["policesim_version"]:
        raise OutputExistsError(
            f"{root}: written by policesim {stored.get('policesim_version')}, this is "
            f"{manifest['policesim_version']}; results would mix versions; choose another --out"
        )


def open_store(root: str | Path, manifest: dict[str, Any], design: DesignMatrix, *, resume: bool) -> SweepStore:
    """Create a new results directory, or reopen one holding the same sweep when ``resume``.

    A directory that exists and is not empty is refused unless it holds this very sweep and
    ``resume`` is set; an empty directory is used as if new.
    """
    root = Path(root)
    manifest = {"format": FORMAT, **manifest}
    if root.exists() and not root.is_dir():
        raise OutputExistsError(f"{root}: exists and is not a directory")
    if root.exists() and any(root.iterdir()):
        manifest_path = root / MANIFEST
        if not manifest_path.exists():
            raise OutputExistsError(f"{root}: not empty and holds no sweep manifest; choose another --out")
        stored = json.loads(manifest_path.read_text())
        _sweep_compatible(root, stored, manifest)
        if not resume:
            raise OutputExistsError(f"{root}: already holds this sweep; pass --resume to continue it")
        lock = _acquire_lock(root)
        for stale in (root / PARTS).glob(".tmp-*"):
            stale.unlink()  # a write cut short by a kill; its batch is not in done_points
        return SweepStore(root, stored, lock)
    return _create(root, manifest, design)


def _create(root: Path, manifest: dict[str, Any], design: DesignMatrix) -> SweepStore:
    """Build the directory beside its final place, then rename it there in one step."""
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = root.with_name(f".tmp-{uuid.uuid4().hex}-{root.name}")
    try:
        (staging / PARTS).mkdir(parents=True)
        pq.write_table(_design_table(design, manifest["integer"]), staging / DESIGN)
        _write_json(staging / MANIFEST, manifest)
        if root.exists():
            root.rmdir()  # empty, checked by the caller; fails loudly if someone filled it since
        os.rename(staging, root)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    _fsync_dir(root.parent)
    return SweepStore(root, manifest, _acquire_lock(root))


def pending_points(store: SweepStore, done: set[int], limit: int | None = None) -> list[int]:
    """Design points not in ``done``, in index order, at most ``limit`` of them."""
    pending = [p for p in range(int(store.manifest["n_points"])) if p not in done]
    return pending if limit is None else pending[:limit]


def open_results(root: str | Path) -> SweepStore:
    """Open a results directory to read it (no lock: reading never writes results)."""
    root = Path(root)
    manifest_path = root / MANIFEST
    if not manifest_path.exists():
        raise DataError(f"{root}: no sweep here ({MANIFEST} not found)")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise DataError(f"{manifest_path}: not valid JSON ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        command = manifest.get("command") if isinstance(manifest, dict) else None
        if command:
            raise DataError(
                f"{root}: not a sweep results directory (written by `policesim {command}`); `policesim report` reads it"
            )
        raise DataError(f"{root}: not a sweep results directory ({MANIFEST} has no sweep format)")
    return SweepStore(root, manifest)
