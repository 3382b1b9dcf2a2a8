"""`vitalsigns docs`: the dbt documentation site (models, measure definitions, column descriptions,
lineage through to the exposures) as static files under <home>/docs/.

`static_index.html` is the whole site in one file that opens from disk without a server
(`dbt docs generate --static`); `index.html` with manifest.json and catalog.json is the usual
site for `python -m http.server`. Column types come from the home's warehouse when it has been
built (read under the build lock, so never mid-build); before the first build the site still
has every description, without types.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from .dbt_runtime import dbt_executable, home_vars, reuse_parse
from .settings import DBT_PROJECT_DIR, Settings

STATIC_PAGE = "static_index.html"


class DocsFailed(RuntimeError):
    """dbt could not generate the documentation."""


def generate_docs(settings: Settings, wait_seconds: float = 0) -> Path:
    """Write the site to <home>/docs/ and return its single-file page."""
    from .resources.warehouse import exclusive_lock

    out = settings.home / "docs"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vitalsigns-docs-") as tmp:
        built = settings.warehouse_path.exists()
        warehouse = settings.warehouse_path if built else Path(tmp) / "empty.duckdb"
        cmd = [
            dbt_executable(),
            "docs",
            "generate",
            "--static",
            "--quiet",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(out),
            "--log-path",
            str(Path(tmp) / "logs"),
            "--vars",
            json.dumps({**home_vars(settings), "warehouse_path": str(warehouse)}),
            *([] if built else ["--empty-catalog"]),
        ]
        with exclusive_lock(settings.home / ".build.lock", wait_seconds, "vitalsigns docs"):
            if built:  # the build's vars, so its parse fits: dbt re-parses only what changed since
                reuse_parse(settings.dbt_target_path, out)
            proc = subprocess.run(cmd, capture_output=True, text=True)
    page = out / STATIC_PAGE
    if proc.returncode != 0 or not page.exists():
        raise DocsFailed("dbt docs generate failed: " + (proc.stdout + proc.stderr).strip()[-1500:])
    return page
