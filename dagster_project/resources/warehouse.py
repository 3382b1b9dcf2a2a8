"""The internal DuckDB warehouse: one writer at a time, readers never see half a load."""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import os
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import Field, PrivateAttr

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
                    raise WarehouseBusy(f"{what} is locked by {holder} ({path}); waited {wait_seconds:.0f}s") from None
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


# Settings fields that are resource fields one to one (the rest: limits, flattened below)
_SETTING_FIELDS = (
    "salt",
    "sample_data",
    "suppression_threshold",
    "protection_interval",
    "publish_workers",
    "shrinkage_tolerance",
    "reject_threshold",
    "confirm_shrink",
    "dbt_threads",
    "duckdb_memory_limit",
    "engine",
    "cld_as_of",
    "cld_population_year_offset",
    "cld_population_fixed_year",
    "report_date",
    "period",
    "sensor_settle_seconds",
    "lake",
    "lake_sources",
    "dbt_changed_only",
)
_LIMIT_FIELDS = (
    "max_file_mb",
    "max_rows",
    "xlsx_max_uncompressed_mb",
    "max_cell_chars",
    "max_delayed_days",
    "max_population_per_age",
    "risk_scale_min",
    "risk_scale_max",
)


class WarehouseResource(dg.ConfigurableResource):
    """Every setting of one deployment (paths, salt, thresholds, limits, dbt vars) as resource fields.

    `definitions.build_resources` fills every field from `Settings` (read once from the environment,
    settings.py); the salt goes in as `EnvVar("VITALSIGNS_SALT")` so the UI never shows it. A field
    left unset (None) falls back to `Settings.from_env` only in a resource built by hand with just the
    paths (`fill_unset_from_environment`). `settings` is resolved once per resource instance.
    """

    landing: str = Field(description="landing folder the feeds are read from (VITALSIGNS_LANDING)")
    home: str = Field(description="home folder: warehouse, published, reports, quarantine (VITALSIGNS_HOME)")
    lock_wait_seconds: float = Field(1800.0, description="how long a writer queues for the warehouse lock")
    salt: str | None = Field(None, description="secret pseudonymisation salt (VITALSIGNS_SALT, an EnvVar)")
    sample_data: bool | None = Field(None, description="synthetic sample data: the built-in salt (VITALSIGNS_SAMPLE)")
    suppression_threshold: int | None = Field(None, description="counts 1..N suppressed when published")
    protection_interval: int | None = Field(None, description="narrowest range a hidden count may be bounded to")
    publish_workers: int | None = Field(
        None, description="processes protecting and auditing a publication (0: every core; VITALSIGNS_PUBLISH_WORKERS)"
    )
    shrinkage_tolerance: float | None = Field(None, description="a full extract may shrink by this much")
    reject_threshold: float | None = Field(None, description="a file with more rejected rows fails its load")
    confirm_shrink: bool | None = Field(None, description="accept a full extract that shrank past the tolerance")
    dbt_threads: int | None = Field(None, description="dbt threads")
    duckdb_memory_limit: str | None = Field(None, description="DuckDB memory before it spills to disk")
    engine: str | None = Field(
        None, description="where dbt builds the models: duckdb or spark (VITALSIGNS_ENGINE; docs/spark.md)"
    )
    max_file_mb: float | None = Field(None, description="a larger landing file is refused unread")
    max_rows: int | None = Field(None, description="a file with more rows is refused")
    xlsx_max_uncompressed_mb: float | None = Field(None, description="an XLSX expanding past this is refused")
    max_cell_chars: int | None = Field(None, description="a file with a longer text cell is refused")
    max_delayed_days: float | None = Field(None, description="delayed days per provider per month above this rejected")
    max_population_per_age: float | None = Field(None, description="a population row above this is rejected")
    risk_scale_min: int | None = Field(None, description="lowest likelihood/impact accepted")
    risk_scale_max: int | None = Field(None, description="highest likelihood/impact accepted")
    max_file_mb_per_feed: dict[str, float] | None = Field(None, description="per-feed max_file_mb")
    max_rows_per_feed: dict[str, int] | None = Field(None, description="per-feed max_rows")
    cld_as_of: str | None = Field(None, description="CLD submissions selected as of this date (dbt var)")
    cld_population_year_offset: int | None = Field(None, description="CLD population year offset (dbt var)")
    cld_population_fixed_year: int | None = Field(None, description="CLD fixed population year (dbt var)")
    report_date: str | None = Field(
        None,
        description="day overdue risk reviews are judged at, YYYY-MM-DD (VITALSIGNS_REPORT_DATE; dbt var; "
        "None: the build day)",
    )
    period: str | None = Field(
        None, description="report month a build renders (VITALSIGNS_PERIOD); None: each council's latest"
    )
    sensor_settle_seconds: float | None = Field(None, description="a landing file must be unchanged this long")
    lake: bool | None = Field(None, description="write the Parquet landing zone <home>/lake (VITALSIGNS_LAKE)")
    lake_sources: bool | None = Field(
        None, description="dbt reads the Liquid Logic sources from the landing zone (VITALSIGNS_LAKE_SOURCES)"
    )
    dbt_changed_only: bool | None = Field(
        None, description="a nightly dbt build runs only what changed feeds reach (VITALSIGNS_DBT_CHANGED_ONLY)"
    )
    fill_unset_from_environment: bool = Field(
        True,
        description="fields left unset are read from VITALSIGNS_* (a resource built by hand with only the "
        "paths); False when every field was filled from the settings, so a run reads nothing",
    )

    @classmethod
    def from_settings(cls, settings: Settings, env: Mapping[str, str] | None = None) -> WarehouseResource:
        """Every field filled from `settings`; a salt that came from the environment stays an EnvVar."""
        env = os.environ if env is None else env
        values = {name: getattr(settings, name) for name in _SETTING_FIELDS}
        if settings.salt and env.get("VITALSIGNS_SALT") == settings.salt:
            values["salt"] = dg.EnvVar("VITALSIGNS_SALT")
        values.update({name: getattr(settings.limits, name) for name in _LIMIT_FIELDS})
        values["max_file_mb_per_feed"] = {f: v for f, n, v in settings.limits.per_feed if n == "max_file_mb"}
        values["max_rows_per_feed"] = {f: int(v) for f, n, v in settings.limits.per_feed if n == "max_rows"}
        return cls(
            landing=str(settings.landing),
            home=str(settings.home),
            fill_unset_from_environment=False,
            **{k: v for k, v in values.items() if v is not None},
        )

    _resolved: Settings | None = PrivateAttr(default=None)

    @property
    def settings(self) -> Settings:
        if self._resolved is None:
            self._resolved = self._resolve()
        return self._resolved

    def _resolve(self) -> Settings:
        base = (
            Settings.from_env(landing=self.landing, home=self.home)
            if self.fill_unset_from_environment
            else Settings(landing=Path(self.landing), home=Path(self.home))
        )
        given = {n: getattr(self, n) for n in _SETTING_FIELDS if getattr(self, n) is not None}
        limits = {n: getattr(self, n) for n in _LIMIT_FIELDS if getattr(self, n) is not None}
        if self.max_file_mb_per_feed is not None or self.max_rows_per_feed is not None:
            limits["per_feed"] = tuple(
                [(f, "max_file_mb", float(v)) for f, v in (self.max_file_mb_per_feed or {}).items()]
                + [(f, "max_rows", int(v)) for f, v in (self.max_rows_per_feed or {}).items()]
            )
        return dataclasses.replace(base, limits=dataclasses.replace(base.limits, **limits), **given)

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
