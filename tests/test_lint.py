"""The project's own style checks, run by `make test`: ruff (lint and format) on the Python, sqlfluff on the dbt SQL.

`make lint-fix` applies the fixes both tools can make on their own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _run(args: list[str], cwd: Path, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, timeout=900)


def test_python_passes_ruff():
    proc = _run([str(BIN / "ruff"), "check", "--no-cache", "."], ROOT)
    assert proc.returncode == 0, f"ruff found problems (fix with `make lint-fix`):\n{proc.stdout}{proc.stderr}"


def test_python_is_ruff_formatted():
    proc = _run([str(BIN / "ruff"), "format", "--check", "--no-cache", "."], ROOT)
    assert proc.returncode == 0, (
        f"ruff format would change files (fix with `make lint-fix`):\n{proc.stdout}{proc.stderr}"
    )


@pytest.mark.slow
def test_dbt_sql_passes_sqlfluff(tmp_path):
    # the dbt templater compiles the project, which needs a profile target but no data; its own target
    # folder, so it never touches dbt/target/ while another test (another worker) reads the manifest there
    proc = _run(
        [str(BIN / "sqlfluff"), "lint", "models", "--processes", "2"],
        ROOT / "dbt",
        {"VITALSIGNS_WAREHOUSE": str(tmp_path / "lint.duckdb"), "DBT_TARGET_PATH": str(tmp_path / "target")},
    )
    assert proc.returncode == 0, f"sqlfluff found problems (fix with `make lint-fix`):\n{proc.stdout[-6000:]}"
