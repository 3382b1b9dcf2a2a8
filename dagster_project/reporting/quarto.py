"""Render a Quarto `.qmd` with parameters to self-contained HTML and to PDF: the entry point.

A real `quarto` is used when one is found (`QUARTO_PATH`, else `quarto` on PATH). The quarto
installer downloads from the internet and cannot run on our machines, so there is a fallback
built only from registry packages that renders the *same* sources:

* the document is split into markdown and ```{python} chunks (with their `#|` options, and
  the `execute:` defaults of the front matter), parameters are injected after the chunk tagged
  `parameters` exactly as Quarto does for Jupyter, and the chunks run in one kernel with
  nbclient/ipykernel, in a scratch copy of the document's folder;
* outputs become markdown (`output: asis` and text/markdown raw, figures as image files,
  HTML tables converted by pandoc) and pandoc (`pypandoc-binary`, a bundled pandoc 3) makes a
  standalone HTML with every resource embedded;
* the PDF goes markdown -> typst (pandoc's typst writer) -> PDF with the `typst` package.
  Typst needs neither a TeX installation nor a browser, starts in milliseconds and lays out
  wide tables well in landscape: the best PDF we can make from registry packages alone.

Modules: `quarto_cli` (the real binary), `fallback` (the fallback's steps: `qmd` parses the
source, `notebook` runs the chunks, `typeset` makes HTML and PDF), `outputs` (results, errors,
atomic install into the reports folder).
"""

from __future__ import annotations

import time
from pathlib import Path

from .fallback import FALLBACK, render_fallback
from .outputs import RenderError, RenderResult
from .qmd import parse_qmd
from .quarto_cli import find_quarto, render_with_quarto

__all__ = ["FALLBACK", "RenderError", "RenderResult", "find_quarto", "parse_qmd", "render"]


def render(
    qmd: Path,
    output_dir: Path,
    params: dict | None = None,
    formats=("html", "pdf"),
    output_name: str | None = None,
    renderer: str = "auto",
    timeout: int = 600,
) -> RenderResult:
    qmd = Path(qmd).resolve()
    if not qmd.exists():
        raise RenderError(f"{qmd} does not exist")
    output_dir = Path(output_dir).resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    name = output_name or qmd.stem
    quarto = find_quarto() if renderer in ("auto", "quarto") else None
    if renderer == "quarto" and not quarto:
        raise RenderError("renderer 'quarto' requested but no quarto on PATH or in QUARTO_PATH")
    started = time.monotonic()
    if quarto:
        outputs, log = render_with_quarto(
            quarto, qmd, output_dir, dict(params or {}, renderer="quarto"), formats, name, timeout
        )
        used = "quarto"
    else:
        outputs, log = render_fallback(qmd, output_dir, dict(params or {}, renderer=FALLBACK), formats, name, timeout)
        used = FALLBACK
    return RenderResult(used, outputs, log, time.monotonic() - started)
