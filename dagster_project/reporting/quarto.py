"""Render a Quarto `.qmd` with parameters to self-contained HTML and to PDF.

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
"""
from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

FALLBACK = "fallback (nbclient + pandoc + typst)"
EXTENSIONS = {"html": "html", "pdf": "pdf"}


@dataclass
class RenderResult:
    renderer: str
    outputs: dict[str, Path]
    log: str
    seconds: float


class RenderError(RuntimeError):
    """Rendering failed; the message carries the renderer's own words."""


def find_quarto() -> str | None:
    explicit = os.environ.get("QUARTO_PATH")
    if explicit:
        if os.path.isfile(explicit) and os.access(explicit, os.X_OK):
            return explicit
        raise RenderError(f"QUARTO_PATH={explicit} is not an executable file")
    return shutil.which("quarto")


def render(qmd: Path, output_dir: Path, params: dict | None = None, formats=("html", "pdf"),
           output_name: str | None = None, renderer: str = "auto", timeout: int = 600) -> RenderResult:
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
        outputs, log = _render_quarto(quarto, qmd, output_dir, dict(params or {}, renderer="quarto"), formats, name,
                                      timeout)
        used = "quarto"
    else:
        outputs, log = _render_fallback(qmd, output_dir, dict(params or {}, renderer=FALLBACK), formats, name,
                                        timeout)
        used = FALLBACK
    return RenderResult(used, outputs, log, time.monotonic() - started)


# --- quarto ------------------------------------------------------------------------------

def _render_quarto(quarto: str, qmd: Path, output_dir: Path, params: dict, formats, name: str,
                   timeout: int) -> tuple[dict[str, Path], str]:
    outputs, logs = {}, []
    with tempfile.TemporaryDirectory(prefix="vitalsigns-quarto-") as tmp:
        work = Path(tmp) / qmd.parent.name
        shutil.copytree(qmd.parent, work)
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
        outputs = _install(outputs, output_dir)
    return outputs, "\n".join(logs)


def _install(made: dict[str, Path], output_dir: Path) -> dict[str, Path]:
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


# --- fallback ------------------------------------------------------------------------------

CHUNK = re.compile(r"^```\{python([^}]*)\}[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)


def parse_qmd(text: str) -> tuple[dict, list[tuple[str, object]]]:
    """(front matter, [("md", text) | ("code", (options, source))])."""
    front: dict = {}
    body = text
    m = re.match(r"^---\s*\n(.*?)\n---\s*\n", text, re.DOTALL)
    if m:
        front = yaml.safe_load(m.group(1)) or {}
        body = text[m.end():]
    parts: list[tuple[str, object]] = []
    pos = 0
    for c in CHUNK.finditer(body):
        if c.start() > pos:
            parts.append(("md", body[pos:c.start()]))
        lines = c.group(2).splitlines()
        opts_lines = [ln[3:] for ln in lines if ln.startswith("#| ")]
        source = "\n".join(ln for ln in lines if not ln.startswith("#| "))
        options = yaml.safe_load("\n".join(opts_lines)) if opts_lines else {}
        parts.append(("code", (options or {}, source)))
        pos = c.end()
    parts.append(("md", body[pos:]))
    return front, parts


def _kernel_env(tmp: Path) -> str:
    """A kernelspec pointing at this interpreter, so chunks see the same packages."""
    spec = tmp / "kernels" / "vitalsigns-python"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "vitalsigns", "language": "python"}))
    return str(tmp)


def _execute(front: dict, parts, params: dict, work: Path, timeout: int):
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.v4.new_notebook()
    cell_parts = []  # index into parts for each code cell
    injected = False
    for i, (kind, payload) in enumerate(parts):
        if kind != "code":
            continue
        options, source = payload
        nb.cells.append(nbformat.v4.new_code_cell(source))
        cell_parts.append(i)
        if "parameters" in (options.get("tags") or []) and not injected:
            nb.cells.append(nbformat.v4.new_code_cell(_param_source(params)))
            cell_parts.append(None)
            injected = True
    if not injected:
        nb.cells.insert(0, nbformat.v4.new_code_cell(_param_source(params)))
        cell_parts.insert(0, None)
    with tempfile.TemporaryDirectory(prefix="vitalsigns-kernel-") as ktmp:
        old = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = _kernel_env(Path(ktmp)) + (os.pathsep + old if old else "")
        try:
            client = NotebookClient(nb, timeout=timeout, kernel_name="vitalsigns-python",
                                    resources={"metadata": {"path": str(work)}})
            try:
                client.execute()
            except CellExecutionError as exc:
                idx = next((k for k, c in enumerate(nb.cells) if any(o.get("output_type") == "error"
                                                                     for o in c.get("outputs", []))), None)
                label = ""
                if idx is not None and cell_parts[idx] is not None:
                    label = (parts[cell_parts[idx]][1][0] or {}).get("label", f"chunk {idx + 1}")
                raise RenderError(f"a code chunk failed ({label or 'parameters'}): {_strip_ansi(str(exc))[-2000:]}") from exc
        finally:
            if old is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = old
    return {cell_parts[k]: c for k, c in enumerate(nb.cells) if cell_parts[k] is not None}


def _param_source(params: dict) -> str:
    return "# injected parameters\n" + "\n".join(f"{k} = {v!r}" for k, v in params.items())


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _outputs_to_markdown(cell, options: dict, echo_default: bool, source: str, work: Path, counter: list) -> str:
    import pypandoc

    if options.get("include") is False:
        return ""
    chunks = []
    if options.get("echo", echo_default):
        chunks.append(f"```python\n{source}\n```")
    if options.get("output") is False:
        return "\n\n".join(chunks)
    asis = options.get("output") == "asis"
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "stream":
            if out.get("name") == "stderr" and options.get("warning", True) is False:
                continue
            text = out.get("text", "")
            chunks.append(text if asis else f"```\n{text.rstrip()}\n```")
        elif kind in ("display_data", "execute_result"):
            data = out.get("data", {})
            if "text/markdown" in data:
                chunks.append(data["text/markdown"])
            elif "image/png" in data:
                counter[0] += 1
                img = work / f"_fig_{counter[0]}.png"
                img.write_bytes(base64.b64decode(data["image/png"]))
                cap = options.get("fig-cap", "")
                chunks.append(f"![{cap}]({img.name})")
            elif "image/svg+xml" in data:
                counter[0] += 1
                img = work / f"_fig_{counter[0]}.svg"
                img.write_text(data["image/svg+xml"])
                chunks.append(f"![{options.get('fig-cap', '')}]({img.name})")
            elif "text/html" in data:
                html = re.sub(r"<style.*?</style>", "", data["text/html"], flags=re.DOTALL)
                chunks.append(pypandoc.convert_text(html, "gfm", format="html"))
            elif "text/plain" in data and not asis:
                chunks.append(f"```\n{data['text/plain']}\n```")
            elif "text/plain" in data:
                chunks.append(data["text/plain"])
    return "\n\n".join(chunks)


def _render_fallback(qmd: Path, output_dir: Path, params: dict, formats, name: str,
                     timeout: int) -> tuple[dict[str, Path], str]:
    import pypandoc

    front, parts = parse_qmd(qmd.read_text(encoding="utf-8"))
    echo_default = bool(((front.get("execute") or {}).get("echo", True)))
    outputs: dict[str, Path] = {}
    log = [f"fallback renderer: {qmd.name} with {params}"]
    with tempfile.TemporaryDirectory(prefix="vitalsigns-render-") as tmp:
        work = Path(tmp) / qmd.parent.name
        shutil.copytree(qmd.parent, work)
        t0 = time.monotonic()
        cells = _execute(front, parts, params, work, timeout)
        log.append(f"executed {len(cells)} chunks in {time.monotonic() - t0:.1f}s")
        counter = [0]
        body = []
        for i, (kind, payload) in enumerate(parts):
            if kind == "md":
                body.append(payload)
            else:
                options, source = payload
                body.append("\n" + _outputs_to_markdown(cells[i], options, echo_default, source, work, counter) + "\n")
        markdown = "".join(body)
        footer = f"\n\n::: {{.renderer}}\nRendered by {FALLBACK}.\n:::\n"
        meta = {k: front[k] for k in ("title", "subtitle", "author", "date") if k in front}
        fmt_opts = front.get("format") or {}
        for fmt in formats:
            target = Path(tmp) / f"{name}.{EXTENSIONS[fmt]}"
            opts = fmt_opts.get(fmt) or {} if isinstance(fmt_opts, dict) else {}
            doc = "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + markdown + footer
            args = ["--standalone", f"--resource-path={work}"]
            if opts.get("toc"):
                args.append("--toc")
            t0 = time.monotonic()
            if fmt == "html":
                css = opts.get("css")
                if css and (work / css).exists():
                    args.append(f"--css={work / css}")
                args += ["--embed-resources", "--metadata=lang:en-GB"]
                try:
                    pypandoc.convert_text(doc, "html5", format="markdown", outputfile=str(target), extra_args=args)
                except RuntimeError as exc:
                    raise RenderError(f"pandoc (html) failed: {exc}") from exc
            else:
                typ = work / f"{name}.typ"
                landscape = ("```{=typst}\n#set page(paper: \"a4\", flipped: true, margin: 1.4cm)\n"
                             "#set text(size: 8pt)\n"
                             "#show figure: set block(breakable: true)\n"  # long tables continue on the next page
                             "```\n")
                d = "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + landscape + markdown + footer
                try:
                    pypandoc.convert_text(d, "typst", format="markdown", outputfile=str(typ), extra_args=args)
                except RuntimeError as exc:
                    raise RenderError(f"pandoc (typst) failed: {exc}") from exc
                import typst

                try:
                    typst.compile(str(typ), output=str(target), root=str(work))
                except Exception as exc:  # typst raises its own error types with the layout message
                    raise RenderError(f"typst failed to compile the PDF: {exc}") from exc
            log.append(f"{fmt}: {target.name} in {time.monotonic() - t0:.1f}s")
            outputs[fmt] = target
        outputs = _install(outputs, output_dir)
    return outputs, "\n".join(log)
