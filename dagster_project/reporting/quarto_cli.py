"""The real `quarto` binary: found through `QUARTO_PATH` or PATH, run once per format on a
scratch copy of the document's folder, with the parameters as `-P name:value`."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .outputs import EXTENSIONS, RenderError, install_outputs
from .palette import style_workdir


def find_quarto() -> str | None:
    explicit = os.environ.get("QUARTO_PATH")
    if explicit:
        if os.path.isfile(explicit) and os.access(explicit, os.X_OK):
            return explicit
        raise RenderError(f"QUARTO_PATH={explicit} is not an executable file")
    return shutil.which("quarto")


def render_with_quarto(
    quarto: str, qmd: Path, output_dir: Path, params: dict, formats, name: str, timeout: int
) -> tuple[dict[str, Path], str]:
    outputs, logs = {}, []
    with tempfile.TemporaryDirectory(prefix="vitalsigns-quarto-") as tmp:
        work = Path(tmp) / qmd.parent.name
        shutil.copytree(qmd.parent, work)
        style_workdir(work)
        for fmt in formats:
            target = f"{name}.{EXTENSIONS[fmt]}"
            cmd = [quarto, "render", str(work / qmd.name), "--to", fmt, "--output", target, "--execute"]
            if fmt == "html":
                cmd += ["-M", "embed-resources:true"]
            for k, v in params.items():
                cmd += ["-P", f"{k}:{v}"]
            proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True, timeout=timeout)
            logs.append(f"$ {' '.join(cmd)}\n{proc.stdout}{proc.stderr}")
            if proc.returncode != 0:
                tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
                raise RenderError(f"quarto render --to {fmt} failed (exit {proc.returncode}): {tail}")
            produced = work / target
            if not produced.exists():
                raise RenderError(f"quarto reported success but wrote no {target}")
            outputs[fmt] = produced
        outputs = install_outputs(outputs, output_dir)
    return outputs, "\n".join(logs)
