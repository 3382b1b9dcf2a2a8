"""Where things live and how the pipeline is tuned, read from the environment.

Defaults follow outputs.md: landing `data/landing`, home `data/`; everything else is a
VITALSIGNS_* variable so a council can run the same code without editing it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
REPORTS_DIR = REPO_ROOT / "reports"

# The salt used for bundled synthetic data only; real extracts need VITALSIGNS_SALT.
SAMPLE_SALT = "vitalsigns-synthetic-sample-salt"


class ConfigError(RuntimeError):
    """A setting is missing or invalid; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    landing: Path
    home: Path
    salt: str | None = None
    sample_data: bool = False
    suppression_threshold: int = 4
    protection_interval: int = 3
    shrinkage_tolerance: float = 0.20
    reject_threshold: float = 0.05
    confirm_shrink: bool = False
    dbt_threads: int = 2
    duckdb_memory_limit: str = "2GB"

    @property
    def warehouse_path(self) -> Path:
        return self.home / "warehouse" / "vitalsigns.duckdb"

    @property
    def published_path(self) -> Path:
        return self.home / "published" / "vitalsigns.duckdb"

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
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    def pseudonymisation_salt(self) -> str:
        if self.salt:
            return self.salt
        if self.sample_data:
            return SAMPLE_SALT
        raise ConfigError(
            "VITALSIGNS_SALT is not set: person ids are pseudonymised with a secret salt before "
            "anything reaches the warehouse. Set VITALSIGNS_SALT (keep it out of version control), "
            "or mark the landing folder as synthetic sample data with VITALSIGNS_SAMPLE=1."
        )

    @classmethod
    def from_env(cls, landing: str | Path | None = None, home: str | Path | None = None) -> "Settings":
        env = os.environ
        landing_path = Path(landing or env.get("VITALSIGNS_LANDING", "data/landing")).resolve()
        sample_marker = (landing_path / ".vitalsigns-sample").exists()
        return cls(
            landing=landing_path,
            home=Path(home or env.get("VITALSIGNS_HOME", "data")).resolve(),
            salt=env.get("VITALSIGNS_SALT") or None,
            sample_data=env.get("VITALSIGNS_SAMPLE", "") in ("1", "true", "yes") or sample_marker,
            suppression_threshold=int(env.get("VITALSIGNS_SUPPRESSION_THRESHOLD", "4")),
            protection_interval=int(env.get("VITALSIGNS_PROTECTION_INTERVAL", "3")),
            shrinkage_tolerance=float(env.get("VITALSIGNS_SHRINKAGE_TOLERANCE", "0.20")),
            reject_threshold=float(env.get("VITALSIGNS_REJECT_THRESHOLD", "0.05")),
            confirm_shrink=env.get("VITALSIGNS_CONFIRM_SHRINK", "") in ("1", "true", "yes"),
            dbt_threads=int(env.get("VITALSIGNS_DBT_THREADS", "2")),
            duckdb_memory_limit=env.get("VITALSIGNS_DUCKDB_MEMORY_LIMIT", "2GB"),
        )
