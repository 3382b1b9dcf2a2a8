"""What leaves the warehouse, read from dbt's exposures (dbt/models/exposures.yml).

The published database's exposure lists the marts it publishes; the reports' exposures list
what each report reads. Publication, the Dagster asset's dependencies and the tests take the
list from the manifest, so it is kept in one place and dbt docs show it in the lineage.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

PUBLISHED_EXPOSURE = "analysts_database"
REPORT_EXPOSURES = ("committee_report", "risk_register_summary", "integrated_report", "vital_signs_workbook")


def _manifest_path() -> Path:
    from ..dbt_runtime import prepare_dbt_manifest

    return prepare_dbt_manifest()


@lru_cache(maxsize=8)
def _exposures(manifest: Path, mtime: float) -> dict[str, list[str]]:
    data = json.loads(manifest.read_text(encoding="utf-8"))
    nodes = data["nodes"]
    return {e["name"]: [nodes[n]["name"] for n in e["depends_on"]["nodes"]] for e in data["exposures"].values()}


def exposure_tables(name: str, manifest: Path | None = None) -> list[str]:
    """The marts (models and seeds) an exposure depends on, in the order it lists them."""
    path = Path(manifest) if manifest else _manifest_path()
    exposures = _exposures(path, path.stat().st_mtime)
    if name not in exposures:
        raise KeyError(f"no dbt exposure {name!r} in {path} (has: {', '.join(sorted(exposures))})")
    return list(exposures[name])


def published_tables(manifest: Path | None = None) -> list[str]:
    """The marts published to the analysts' database (the `analysts_database` exposure)."""
    return exposure_tables(PUBLISHED_EXPOSURE, manifest)
