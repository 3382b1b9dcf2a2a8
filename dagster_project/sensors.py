"""Start a build when new or changed files land (by content hash, not modification time).

Debounced: a file is only considered once its size and mtime have been stable for
VITALSIGNS_SENSOR_SETTLE_SECONDS (default 60), so a half-copied file is never read.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import dagster as dg

from .cld_contract import FILE_NAME as CLD_FILE_NAME
from .ingest.reading import FILE_NAME, file_hash
from .schedules import everything_job
from .settings import Settings


def landing_files(landing: Path) -> list[Path]:
    if not landing.is_dir():
        return []
    from .contracts import FEEDS  # every feed's own name pattern, and CLD submissions

    names = (FILE_NAME, CLD_FILE_NAME, *(f.file_re for f in FEEDS.values()))
    return sorted(p for p in landing.rglob("*")
                  if p.is_file() and (any(n.match(p.name) for n in names) or p.suffix == ".yml"))


def scan(landing: Path, previous: dict, settle_seconds: float, now: float | None = None) -> tuple[dict, list[str], bool]:
    """Compare the landing folder with the last cursor.

    Returns (new cursor, changed relative paths, unsettled) where the cursor maps relative
    path -> {size, mtime, hash}. Hashes are only recomputed when size or mtime moved.
    """
    now = time.time() if now is None else now
    cursor, changed, unsettled = {}, [], False
    for path in landing_files(landing):
        rel = str(path.relative_to(landing))
        stat = path.stat()
        if now - stat.st_mtime < settle_seconds:
            unsettled = True
            if rel in previous:
                cursor[rel] = previous[rel]
            continue
        old = previous.get(rel)
        if old and old["size"] == stat.st_size and old["mtime"] == stat.st_mtime:
            cursor[rel] = old
            continue
        digest = file_hash(path)
        cursor[rel] = {"size": stat.st_size, "mtime": stat.st_mtime, "hash": digest}
        if not old or old["hash"] != digest:
            changed.append(rel)
    return cursor, changed, unsettled


@dg.sensor(job=everything_job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Runs the build when landing files are new or changed (content hash), once they settle.")
def landing_sensor(context: dg.SensorEvaluationContext):
    settings = Settings.from_env()
    previous = json.loads(context.cursor) if context.cursor else {}
    settle = float(os.environ.get("VITALSIGNS_SENSOR_SETTLE_SECONDS", "60"))
    cursor, changed, unsettled = scan(settings.landing, previous, settle)
    context.update_cursor(json.dumps(cursor, sort_keys=True))
    if not changed:
        return dg.SkipReason("files still arriving" if unsettled else "no new or changed landing files")
    run_key = hashlib.sha256("".join(sorted(cursor[c]["hash"] for c in changed)).encode()).hexdigest()[:16]
    return dg.RunRequest(run_key=run_key, tags={"vitalsigns/changed_files": ", ".join(changed)[:1000]})
