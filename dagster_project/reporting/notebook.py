"""Running a document's chunks as Quarto does for Jupyter, with nbclient in one ipykernel:
parameters injected after the chunk tagged `parameters`, then each cell's outputs turned into
markdown according to its chunk options (`echo`, `include`, `output: asis`, `warning`, `fig-cap`).

(papermill would inject the parameters and nbconvert export the outputs, but neither knows
Quarto's chunk options, so using them would change what the reports show; see docs/decisions.md.)
"""

from __future__ import annotations

import base64
import json
import re
import sys
import tempfile
from pathlib import Path

from .outputs import RenderError


def _kernel_manager_class(tmp: Path):
    """A kernel on this interpreter, so chunks see the same packages; its spec is found in `tmp`
    only (no JUPYTER_PATH change in this process). The kernel logs errors only: its transport
    notice is not for the committee pack's reader. A class, so nbclient owns and shuts the kernel."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    spec = tmp / "vitalsigns-python"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}", "--log-level=ERROR"],
                "display_name": "vitalsigns",
                "language": "python",
            }
        )
    )

    class VitalsignsKernelManager(AsyncKernelManager):
        @default("kernel_spec_manager")
        def _only_our_kernel(self):
            return KernelSpecManager(kernel_dirs=[str(tmp)])

    return VitalsignsKernelManager


def execute(front: dict, parts, params: dict, work: Path, timeout: int):
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
        client = NotebookClient(
            nb,
            kernel_manager_class=_kernel_manager_class(Path(ktmp)),
            timeout=timeout,
            kernel_name="vitalsigns-python",
            resources={"metadata": {"path": str(work)}},
        )
        try:
            client.execute()
        except CellExecutionError as exc:
            idx = next(
                (
                    k
                    for k, c in enumerate(nb.cells)
                    if any(o.get("output_type") == "error" for o in c.get("outputs", []))
                ),
                None,
            )
            label = ""
            if idx is not None and cell_parts[idx] is not None:
                label = (parts[cell_parts[idx]][1][0] or {}).get("label", f"chunk {idx + 1}")
            raise RenderError(
                f"a code chunk failed ({label or 'parameters'}): {_strip_ansi(str(exc))[-2000:]}"
            ) from exc
    return {cell_parts[k]: c for k, c in enumerate(nb.cells) if cell_parts[k] is not None}


def _param_source(params: dict) -> str:
    return "# injected parameters\n" + "\n".join(f"{k} = {v!r}" for k, v in params.items())


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def outputs_to_markdown(cell, options: dict, echo_default: bool, source: str, work: Path, counter: list) -> str:
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
