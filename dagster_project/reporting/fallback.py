"""The fallback renderer, for machines without `quarto` (its installer downloads from the
internet): the *same* `.qmd` sources, their chunks run with nbclient (`notebook`), the outputs
assembled into markdown, then HTML and PDF made by pandoc and typst (`typeset`)."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from .notebook import execute, outputs_to_markdown
from .outputs import EXTENSIONS, install_outputs
from .palette import style_workdir
from .qmd import parse_qmd
from .typeset import to_html, to_pdf

FALLBACK = "fallback (nbclient + pandoc + typst)"


def render_fallback(
    qmd: Path, output_dir: Path, params: dict, formats, name: str, timeout: int
) -> tuple[dict[str, Path], str]:
    front, parts = parse_qmd(qmd.read_text(encoding="utf-8"))
    echo_default = bool((front.get("execute") or {}).get("echo", True))
    outputs: dict[str, Path] = {}
    log = [f"fallback renderer: {qmd.name} with {params}"]
    with tempfile.TemporaryDirectory(prefix="vitalsigns-render-") as tmp:
        work = Path(tmp) / qmd.parent.name
        shutil.copytree(qmd.parent, work)
        style_workdir(work)
        t0 = time.monotonic()
        cells = execute(front, parts, params, work, timeout)
        log.append(f"executed {len(cells)} chunks in {time.monotonic() - t0:.1f}s")
        counter = [0]
        body = []
        for i, (kind, payload) in enumerate(parts):
            if kind == "md":
                body.append(payload)
            else:
                options, source = payload
                body.append("\n" + outputs_to_markdown(cells[i], options, echo_default, source, work, counter) + "\n")
        # the document names its renderer itself, once, in its closing footer (the `renderer` parameter)
        markdown = "".join(body)
        meta = {k: front[k] for k in ("title", "subtitle", "author", "date") if k in front}
        fmt_opts = front.get("format") or {}
        for fmt in formats:
            target = Path(tmp) / f"{name}.{EXTENSIONS[fmt]}"
            opts = fmt_opts.get(fmt) or {} if isinstance(fmt_opts, dict) else {}
            t0 = time.monotonic()
            if fmt == "html":
                to_html(meta, markdown, target, work, opts)
            else:
                to_pdf(meta, markdown, target, work, opts, name)
            log.append(f"{fmt}: {target.name} in {time.monotonic() - t0:.1f}s")
            outputs[fmt] = target
        outputs = install_outputs(outputs, output_dir)
    return outputs, "\n".join(log)
