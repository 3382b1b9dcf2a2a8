"""Where things live and how the pipeline is tuned: the one place the environment is read.

Defaults follow outputs.md: landing `data/landing`, home `data/`; everything else is a
VITALSIGNS_* variable so a council can run the same code without editing it. `Settings.from_env`
reads them once; the Dagster resources (resources/warehouse.py, alerts.py) carry the values as
their fields, so nothing else reads, and nothing writes, `os.environ` (docs/configuration.md).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
REPORTS_DIR = REPO_ROOT / "reports"

# The salt used for bundled synthetic data only; real extracts need VITALSIGNS_SALT.
SAMPLE_SALT = "vitalsigns-synthetic-sample-salt"
SAMPLE_MARKER = ".vitalsigns-sample"  # `vitalsigns sample` marks its folders synthetic with this file
PUBLIC_SALT_ERROR = (
    "VITALSIGNS_SALT is the built-in sample salt, which is public (it is in the "
    "source code): anyone could re-identify pseudonyms made with it. Choose a "
    "secret salt for real extracts (see docs/own-extracts.md, 'The salt')"
)


class ConfigError(RuntimeError):
    """A setting is missing or invalid; the message says which and how to fix it."""


@dataclass(frozen=True)
class Limits:
    """Caps on what is read from a landing file, so no extract can exhaust the machine.

    Sizes are checked before a byte is parsed (and, for XLSX, before anything is expanded);
    rows and cell lengths when the file is typed; plausibility ranges reject rows.
    `per_feed` holds overrides as (feed, "max_file_mb" | "max_rows", value).
    """

    max_file_mb: float = 2048.0
    max_rows: int = 20_000_000
    xlsx_max_uncompressed_mb: float = 10.0
    max_cell_chars: int = 32_767  # Excel's own limit for one cell
    max_delayed_days: float = 100_000.0  # per provider (or council, without provider) per month
    max_population_per_age: float = 200_000.0  # per council, year, sex and single year of age
    risk_scale_min: int = 1
    risk_scale_max: int = 5
    per_feed: tuple[tuple[str, str, float], ...] = ()

    def _for(self, feed: str, name: str) -> float:
        for f, n, v in self.per_feed:
            if f == feed and n == name:
                return v
        return getattr(self, name)

    def file_bytes(self, feed: str) -> int:
        return int(self._for(feed, "max_file_mb") * 1024 * 1024)

    def rows(self, feed: str) -> int:
        return int(self._for(feed, "max_rows"))

    @property
    def xlsx_uncompressed_bytes(self) -> int:
        return int(self.xlsx_max_uncompressed_mb * 1024 * 1024)


def _setting(env, name: str, default: str, kind=float):
    raw = env.get(name, default)
    try:
        return kind(raw)
    except ValueError:
        raise ConfigError(
            f"{name}={raw!r} is not a valid {kind.__name__}; unset it for the default {default}"
        ) from None


def _workers(env, name: str) -> int:
    workers = _setting(env, name, "0", int)
    if workers < 0:
        raise ConfigError(f"{name}={workers} is negative; give a number of processes, or 0 for every core")
    return workers


def limits_from_env(env=None) -> Limits:
    env = os.environ if env is None else env
    per_feed = []
    for key, value in env.items():
        for prefix, name, kind in (
            ("VITALSIGNS_MAX_FILE_MB_", "max_file_mb", float),
            ("VITALSIGNS_MAX_ROWS_", "max_rows", int),
        ):
            if key.startswith(prefix):
                per_feed.append((key[len(prefix) :].lower(), name, _setting(env, key, value, kind)))
    return Limits(
        max_file_mb=_setting(env, "VITALSIGNS_MAX_FILE_MB", "2048"),
        max_rows=_setting(env, "VITALSIGNS_MAX_ROWS", "20000000", int),
        xlsx_max_uncompressed_mb=_setting(env, "VITALSIGNS_XLSX_MAX_UNCOMPRESSED_MB", "10"),
        max_cell_chars=_setting(env, "VITALSIGNS_MAX_CELL_CHARS", "32767", int),
        max_delayed_days=_setting(env, "VITALSIGNS_MAX_DELAYED_DAYS", "100000"),
        max_population_per_age=_setting(env, "VITALSIGNS_MAX_POPULATION_PER_AGE", "200000"),
        risk_scale_min=_setting(env, "VITALSIGNS_RISK_SCALE_MIN", "1", int),
        risk_scale_max=_setting(env, "VITALSIGNS_RISK_SCALE_MAX", "5", int),
        per_feed=tuple(per_feed),
    )


@dataclass(frozen=True)
class Settings:
    landing: Path
    home: Path
    salt: str | None = None
    sample_data: bool = False
    suppression_threshold: int = 4
    protection_interval: int = 3
    # processes that protect and audit a publication's components (0: every core this process may use)
    publish_workers: int = 0
    shrinkage_tolerance: float = 0.20
    reject_threshold: float = 0.05
    confirm_shrink: bool = False
    dbt_threads: int = 2
    duckdb_memory_limit: str = "2GB"
    # where dbt builds the models: duckdb (the warehouse itself) or spark (a local pyspark; docs/spark.md)
    engine: str = "duckdb"
    limits: Limits = Limits()
    # CLD (docs/cld.md): submissions selected as of this date (None: the latest submitted); the
    # population year of a financial year YYYY/YY is YYYY + offset, or one fixed year as DHSC does
    cld_as_of: str | None = None
    cld_population_year_offset: int = 0
    cld_population_fixed_year: int | None = None
    # the day overdue risk reviews are judged at (None: the day the build runs)
    report_date: str | None = None
    # orchestration: the report month a build renders (None: each council's latest), the nightly
    # schedule, the landing sensor's settle time, failure alerts, how long a build queues
    period: str | None = None
    nightly_cron: str = "0 2 * * *"
    nightly_tz: str = "Europe/London"
    full_refresh_weekday: int = 7
    sensor_settle_seconds: float = 60.0
    failure_command: str | None = None
    failure_webhook: str | None = None
    build_wait_seconds: float = 0.0
    # the Parquet landing zone under <home>/lake (docs/lake.md), written beside raw by every load
    lake: bool = True
    # dbt reads the Liquid Logic sources from the zone's current state instead of raw (docs/lake.md)
    lake_sources: bool = False
    # a nightly (not full-refresh) dbt build runs only the models downstream of feeds that changed
    dbt_changed_only: bool = False

    def dbt_vars(self) -> dict:
        """The settings dbt reads as vars (dbt_project.yml names them and gives the same defaults)."""
        return {
            "cld_as_of": self.cld_as_of,
            "cld_population_year_offset": self.cld_population_year_offset,
            "cld_population_fixed_year": self.cld_population_fixed_year,
            "report_date": self.report_date,
            "lake_sources": self.lake_sources_var(),
        }

    def lake_sources_var(self) -> dict | None:
        """What macros/lake_sources.sql needs to read the zone: its root and, per Liquid Logic feed, the
        business key (from the contract) and whether the zone holds any file of it yet. Computed when
        dbt is invoked (after ingestion), so a feed's first stored extract is seen the same night."""
        if not self.lake_sources:
            return None
        from .lake.zone import LAKE_SOURCE_FEEDS, stored_feed

        root = self.lake_path
        return {
            "root": str(root),
            "feeds": {
                f.name: {"key": list(f.key), "columns": f.column_names, "stored": stored_feed(root, f)}
                for f in LAKE_SOURCE_FEEDS
            },
        }

    @property
    def warehouse_path(self) -> Path:
        return self.home / "warehouse" / "vitalsigns.duckdb"

    @property
    def published_path(self) -> Path:
        return self.home / "published" / "vitalsigns.duckdb"

    @property
    def suppression_memory_path(self) -> Path:
        """The cells the last publication hid, with their true values: internal, beside the warehouse
        (publish/suppression.py, `remembered`)."""
        return self.home / "warehouse" / "suppression_memory.json"

    @property
    def disclosure_audit_record_path(self) -> Path:
        """The last publication's disclosure audit of its file, by the file's sha256: internal, beside the
        warehouse; the asset check `disclosure_audit` reuses it for that exact file (publish/database.py)."""
        return self.home / "warehouse" / "disclosure_audit.json"

    @property
    def held_path(self) -> Path:
        """Where a failed build's would-be database (and, on demand, its reports) go: never over the live ones."""
        return self.home / "held" / "vitalsigns.duckdb"

    @property
    def reports_path(self) -> Path:
        return self.home / "reports"

    @property
    def quarantine_path(self) -> Path:
        return self.home / "quarantine"

    @property
    def dbt_target_path(self) -> Path:
        """One dbt target folder per warehouse, so partial parsing carries over between runs."""
        return self.home / "dbt" / "target"

    @property
    def lake_path(self) -> Path:
        return self.home / "lake"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    def pseudonymisation_salt(self) -> str:
        if self.salt:
            # the public salt on a folder `vitalsigns sample` did not write would make reversible pseudonyms
            if self.salt == SAMPLE_SALT and not (self.landing / SAMPLE_MARKER).exists():
                raise ConfigError(PUBLIC_SALT_ERROR)
            return self.salt
        if self.sample_data:
            return SAMPLE_SALT
        raise ConfigError(
            "VITALSIGNS_SALT is not set: person ids are pseudonymised with a secret salt before "
            "anything reaches the warehouse. Set VITALSIGNS_SALT (keep it out of version control), "
            "or mark the landing folder as synthetic sample data with VITALSIGNS_SAMPLE=1."
        )

    @classmethod
    def from_env(cls, landing: str | Path | None = None, home: str | Path | None = None) -> Settings:
        env = os.environ
        landing_path = Path(landing or env.get("VITALSIGNS_LANDING", "data/landing")).resolve()
        sample_marker = (landing_path / SAMPLE_MARKER).exists()
        return cls(
            landing=landing_path,
            home=Path(home or env.get("VITALSIGNS_HOME", "data")).resolve(),
            salt=env.get("VITALSIGNS_SALT") or None,
            sample_data=env.get("VITALSIGNS_SAMPLE", "") in ("1", "true", "yes") or sample_marker,
            suppression_threshold=_setting(env, "VITALSIGNS_SUPPRESSION_THRESHOLD", "4", int),
            protection_interval=_setting(env, "VITALSIGNS_PROTECTION_INTERVAL", "3", int),
            publish_workers=_workers(env, "VITALSIGNS_PUBLISH_WORKERS"),
            shrinkage_tolerance=_setting(env, "VITALSIGNS_SHRINKAGE_TOLERANCE", "0.20"),
            reject_threshold=_setting(env, "VITALSIGNS_REJECT_THRESHOLD", "0.05"),
            confirm_shrink=env.get("VITALSIGNS_CONFIRM_SHRINK", "") in ("1", "true", "yes"),
            dbt_threads=_setting(env, "VITALSIGNS_DBT_THREADS", "2", int),
            duckdb_memory_limit=env.get("VITALSIGNS_DUCKDB_MEMORY_LIMIT", "2GB"),
            engine=check_engine(env.get("VITALSIGNS_ENGINE") or "duckdb", "VITALSIGNS_ENGINE"),
            limits=limits_from_env(env),
            cld_as_of=_cld_as_of(env),
            cld_population_year_offset=_setting(env, "VITALSIGNS_CLD_POPULATION_YEAR_OFFSET", "0", int),
            cld_population_fixed_year=_optional_year(env, "VITALSIGNS_CLD_POPULATION_FIXED_YEAR"),
            report_date=_iso_date(env, "VITALSIGNS_REPORT_DATE", "to judge risk reviews at the day of the build"),
            period=_period(env),
            nightly_cron=env.get("VITALSIGNS_NIGHTLY_CRON", "0 2 * * *"),
            nightly_tz=env.get("VITALSIGNS_NIGHTLY_TZ", "Europe/London"),
            full_refresh_weekday=_setting(env, "VITALSIGNS_FULL_REFRESH_WEEKDAY", "7", int),
            sensor_settle_seconds=_setting(env, "VITALSIGNS_SENSOR_SETTLE_SECONDS", "60"),
            failure_command=env.get("VITALSIGNS_FAILURE_COMMAND") or None,
            failure_webhook=env.get("VITALSIGNS_FAILURE_WEBHOOK") or None,
            build_wait_seconds=_setting(env, "VITALSIGNS_BUILD_WAIT", "0"),
            lake=_flag(env, "VITALSIGNS_LAKE", True),
            lake_sources=_lake_sources(env),
            dbt_changed_only=_flag(env, "VITALSIGNS_DBT_CHANGED_ONLY", False),
        )


def _flag(env, name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    return raw.strip().lower() not in ("0", "false", "no", "off")


def _lake_sources(env) -> bool:
    """dbt reads the zone only if ingestion writes it."""
    on = _flag(env, "VITALSIGNS_LAKE_SOURCES", False)
    if on and not _flag(env, "VITALSIGNS_LAKE", True):
        raise ConfigError(
            "VITALSIGNS_LAKE_SOURCES=1 reads dbt's Liquid Logic sources from the landing zone, which "
            "VITALSIGNS_LAKE=0 turns off: unset one of them"
        )
    return on


def home_for_messages() -> str | None:
    """The home folder named in the environment, to shorten paths in an error line (even when the
    error is that the settings could not be read)."""
    return os.environ.get("VITALSIGNS_HOME")


def _iso_date(env, name: str, unset_means: str) -> str | None:
    """An optional YYYY-MM-DD setting (it goes into SQL, so nothing else passes)."""
    import datetime as dt

    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            return dt.date.fromisoformat(raw).isoformat()
    except ValueError:
        pass
    raise ConfigError(f"{name}={raw!r} is not a date (YYYY-MM-DD); unset it {unset_means}")


def _cld_as_of(env) -> str | None:
    return _iso_date(env, "VITALSIGNS_CLD_AS_OF", "to select CLD submissions as of the latest one landed")


def _optional_year(env, name: str) -> int | None:
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    if not re.fullmatch(r"\d{4}", raw):
        raise ConfigError(f"{name}={raw!r} is not a year (YYYY); unset it for the default (no fixed year)")
    return int(raw)


ENGINES = ("duckdb", "spark")


def check_engine(value: str, where: str) -> str:
    """The dbt engine, one of ENGINES (a profile target of dbt/profiles.yml)."""
    if value not in ENGINES:
        raise ConfigError(f"{where}: unknown engine {value!r}; use one of {', '.join(ENGINES)}")
    return value


def _period(env) -> str | None:
    """VITALSIGNS_PERIOD, the report month a build renders, checked as YYYY-MM (it names a folder)."""
    from .guards import UnsafeValue, check_period

    raw = (env.get("VITALSIGNS_PERIOD") or "").strip()
    if not raw:
        return None
    try:
        return check_period(raw)
    except UnsafeValue as exc:
        raise ConfigError(f"VITALSIGNS_PERIOD: {exc}; unset it for each council's latest month") from None
