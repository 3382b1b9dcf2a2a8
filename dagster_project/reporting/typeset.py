"""Markdown to the two report formats with registry packages only: a standalone HTML with every
resource embedded (pandoc from `pypandoc-binary`), and a PDF via pandoc's typst writer and the
`typst` compiler (no TeX installation or browser; lays out wide tables well in landscape)."""

from __future__ import annotations

from pathlib import Path

import yaml

from . import palette
from .outputs import RenderError

# the pack's page design (A4 landscape throughout, cover, running head, page numbers) and the
# filter that turns its classes (RAG cells, cover, kept-together blocks) into typst
PACK_TEMPLATE = Path(__file__).with_name("pack.typst")
PACK_FILTER = Path(__file__).with_name("pack.lua")


def _document(meta: dict, markdown: str) -> str:
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + markdown


def _common_args(work: Path, opts: dict) -> list[str]:
    return ["--standalone", f"--resource-path={work}", *(["--toc"] if opts.get("toc") else [])]


def to_html(meta: dict, markdown: str, target: Path, work: Path, opts: dict) -> Path:
    """Self-contained HTML (images and the format's `css` embedded)."""
    import pypandoc

    args = _common_args(work, opts)
    css = opts.get("css")
    if css and (work / css).exists():
        args.append(f"--css={work / css}")
    args += ["--embed-resources", "--metadata=lang:en-GB"]
    try:
        pypandoc.convert_text(
            _document(meta, markdown), "html5", format="markdown", outputfile=str(target), extra_args=args
        )
    except RuntimeError as exc:
        raise RenderError(f"pandoc (html) failed: {exc}") from exc
    return target


def to_pdf(meta: dict, markdown: str, target: Path, work: Path, opts: dict, name: str) -> Path:
    """PDF through a typst source written beside the document (images resolve from its folder)."""
    import pypandoc
    import typst

    typ = work / f"{name}.typ"
    args = _common_args(work, opts) + [
        f"--template={PACK_TEMPLATE}",
        f"--lua-filter={PACK_FILTER}",
        f"--variable=header-includes:{palette.typst()}",
    ]
    try:
        pypandoc.convert_text(
            _document(meta, markdown), "typst", format="markdown", outputfile=str(typ), extra_args=args
        )
    except RuntimeError as exc:
        raise RenderError(f"pandoc (typst) failed: {exc}") from exc
    try:
        typst.compile(str(typ), output=str(target), root=str(work))
    except Exception as exc:  # typst raises its own error types with the layout message
        raise RenderError(f"typst failed to compile the PDF: {exc}") from exc
    return target
