"""Where a return may be written: `<home>/exports/`, owner-only, and nowhere else."""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE, FILE_MODE = 0o700, 0o600


def exports_dir(home: Path, la: str) -> Path:
    """`<home>/exports/<la>/`, created (and kept) owner-only."""
    old = os.umask(0o077)
    try:
        for d in (Path(home) / "exports", Path(home) / "exports" / la):
            d.mkdir(parents=True, exist_ok=True)
            os.chmod(d, DIR_MODE)
    finally:
        os.umask(old)
    return Path(home) / "exports" / la


def write_private(path: Path, data: bytes | str) -> Path:
    """Write a file readable by its owner only, atomically (no moment with wider permissions)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)
    os.chmod(tmp, FILE_MODE)
    os.replace(tmp, path)
    return path
