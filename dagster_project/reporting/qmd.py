"""A `.qmd` source as Quarto reads it: YAML front matter, markdown, and ```{python} chunks with
their `#|` options."""

from __future__ import annotations

import re

import yaml

CHUNK = re.compile(r"^```\{python([^}]*)\}[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)


def parse_qmd(text: str) -> tuple[dict, list[tuple[str, object]]]:
    """(front matter, [("md", text) | ("code", (options, source))])."""
    front: dict = {}
    body = text
    m = re.match(r"^---\s*\n(.*?)\n---\s*\n", text, re.DOTALL)
    if m:
        front = yaml.safe_load(m.group(1)) or {}
        body = text[m.end() :]
    parts: list[tuple[str, object]] = []
    pos = 0
    for c in CHUNK.finditer(body):
        if c.start() > pos:
            parts.append(("md", body[pos : c.start()]))
        lines = c.group(2).splitlines()
        opts_lines = [ln[3:] for ln in lines if ln.startswith("#| ")]
        source = "\n".join(ln for ln in lines if not ln.startswith("#| "))
        options = yaml.safe_load("\n".join(opts_lines)) if opts_lines else {}
        parts.append(("code", (options or {}, source)))
        pos = c.end()
    parts.append(("md", body[pos:]))
    return front, parts
