"""What a render returns, how it fails, and how its files reach the reports folder."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

EXTENSIONS = {"html": "html", "pdf": "pdf"}


@dataclass
class RenderResult:
    renderer: str
    outputs: dict[str, Path]
    log: str
    seconds: float


class RenderError(RuntimeError):
    """Rendering failed; the message carries the renderer's own words."""


def install_outputs(made: dict[str, Path], output_dir: Path) -> dict[str, Path]:
    """Move a render's files into place only once every format has been made, each through a
    temporary name and an atomic rename: a failed PDF never leaves a new HTML beside an old PDF."""
    staged = {}
    for fmt, path in made.items():
        tmp = output_dir / f".{path.name}.tmp"
        shutil.copyfile(path, tmp)
        staged[fmt] = (tmp, output_dir / path.name)
    for tmp, final in staged.values():
        os.replace(tmp, final)
    return {fmt: final for fmt, (_, final) in staged.items()}
