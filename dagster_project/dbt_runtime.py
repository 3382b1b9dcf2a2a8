"""Which dbt to run: the pinned one installed beside this interpreter."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path


def dbt_executable() -> str:
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")
