"""Which dbt to run, and a manifest that matches the project on disk.

The manifest is parsed once, when a model, seed, macro or test changed since the last parse
(a cheap modification-time check), not on every import of the code location.
"""
from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

from .settings import DBT_PROJECT_DIR

log = logging.getLogger(__name__)
MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"


def dbt_executable() -> str:
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def manifest_is_stale() -> bool:
    if not MANIFEST.exists():
        return True
    sources = [p for d in ("models", "seeds", "macros", "tests") for p in (DBT_PROJECT_DIR / d).rglob("*") if p.is_file()]
    sources += [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    return MANIFEST.stat().st_mtime < max(p.stat().st_mtime for p in sources)


def prepare_dbt_manifest(force: bool = False) -> Path:
    if force or manifest_is_stale():
        log.info("parsing the dbt project (changed since the last manifest)")
        proc = subprocess.run(
            [dbt_executable(), "parse", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
             "--quiet"],
            capture_output=True, text=True,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"dbt parse failed:\n{proc.stdout}\n{proc.stderr}")
    return MANIFEST
