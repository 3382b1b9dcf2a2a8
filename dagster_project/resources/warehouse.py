"""The internal DuckDB warehouse: one writer at a time, readers never see half a load."""
from __future__ import annotations

import contextlib
import fcntl
import os
import time
from pathlib import Path
from typing import Iterator

import dagster as dg
import duckdb

from ..settings import Settings


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse write lock for longer than we are willing to wait."""


@contextlib.contextmanager
def exclusive_lock(path: Path, wait_seconds: float, what: str) -> Iterator[None]:
    """An advisory lock file: DuckDB allows one writer, so writers queue here first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    holder = fh.read().strip() or "another process"
                    raise WarehouseBusy(f"{what} is locked by {holder} ({path}); waited {wait_seconds:.0f}s")
                time.sleep(0.5)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


def remove_stale_tmp(folder: Path) -> list[Path]:
    """Delete `.<name>.<pid>.tmp` files a killed publish left behind. Call only while holding the
    warehouse write lock: every publish holds it, so no tmp file there can still be in use."""
    removed = []
    if folder.is_dir():
        for p in [*folder.glob(".*.tmp"), *folder.glob(".*.tmp.wal")]:
            p.unlink(missing_ok=True)
            removed.append(p)
    return removed


class WarehouseResource(dg.ConfigurableResource):
    """Paths and tuning for one deployment; built from the environment (settings.py)."""

    landing: str
    home: str
    lock_wait_seconds: float = 1800.0

    @property
    def settings(self) -> Settings:
        return Settings.from_env(landing=self.landing, home=self.home)

    @contextlib.contextmanager
    def write_lock(self) -> Iterator[None]:
        with exclusive_lock(self.settings.home / "warehouse" / ".write.lock", self.lock_wait_seconds, "the warehouse"):
            yield

    @contextlib.contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A write connection, held only while this process has the warehouse write lock."""
        path = self.settings.warehouse_path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self.write_lock():
            con = duckdb.connect(str(path), config={"memory_limit": self.settings.duckdb_memory_limit})
            try:
                yield con
            finally:
                con.close()
