"""Turn the faults people meet (full disk, read-only home, damaged database file) into one
line that says what happened and what to do; the traceback only with `--verbose`.

Used by the CLI for errors raised before or around a run, and by the build summary for the
innermost error of each failed step, so the same fault reads the same everywhere.
"""

from __future__ import annotations

import errno
import re

from .guards import UnsafeValue
from .settings import ConfigError

_PATH = re.compile(r"""(?:^|[\s"'(])(/[^"'\s:]+/[^"'\s:]+)""")

UNCHANGED = "the last good warehouse and published database are unchanged"


def _path_in(text: str) -> str | None:
    m = _PATH.search(text)
    return m.group(1) if m else None


def _nearly_full(home: object) -> bool:
    import shutil
    from pathlib import Path

    path = Path(str(home))
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        return shutil.disk_usage(path).free < 64 * 1024 * 1024
    except OSError:
        return False


def explain(error: BaseException | str, home: object = None) -> str | None:
    """One actionable line for a known fault, else None (the caller shows the error itself)."""
    text = str(error)
    code = getattr(error, "errno", None)
    low = text.lower()
    where = getattr(error, "filename", None) or _path_in(text) or (str(home) if home else "the home folder")
    full = code == errno.ENOSPC or any(w in low for w in ("no space left on device", "disk is full", "disk full"))
    if (
        not full
        and home
        and any(
            w in low
            for w in ("disk i/o error", "could not write", "failed to write", "could not truncate", "could not fsync")
        )
    ):
        full = _nearly_full(home)
    if full:
        return (
            f"the disk is full (writing {where}): free some space, or point --home / VITALSIGNS_HOME at a "
            f"larger disk, and run the build again; {UNCHANGED}"
        )
    if (
        code in (errno.EROFS, errno.EACCES, errno.EPERM)
        or "read-only file system" in low
        or "permission denied" in low
        or "cannot open file" in low
        and "read-only" in low
    ):
        return (
            f"cannot write {where}: the home folder is read-only or belongs to someone else; make it "
            "writable for this user or choose another with --home / VITALSIGNS_HOME; nothing was changed"
        )
    if (
        "not a valid duckdb database" in low
        or "serialization error" in low
        or "checksum" in low
        and "block" in low
        or "database file" in low
        and ("corrupt" in low or "damaged" in low)
    ):
        return (
            f"the database file {where} is damaged: move it aside (mv {where} {where}.damaged) and run the "
            "build again; the warehouse is rebuilt from the landing files and the published database from "
            "the warehouse (add --full-refresh to recompute all history)"
        )
    return None


def one_line(error: BaseException, home: object = None) -> str:
    """What to print for an error that ends a command."""
    if isinstance(error, (UnsafeValue, ConfigError)):
        return str(error)
    return (
        explain(error, home)
        or f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}"
    )
