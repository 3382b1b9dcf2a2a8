"""Markdown to the two report formats with registry packages only: a standalone HTML with every
resource embedded (pandoc from `pypandoc-binary`), and a PDF via pandoc's typst writer and the
`typst` compiler (no TeX installation or browser; lays out wide tables well in landscape)."""

from __future__ import annotations

from pathlib import Path

import yaml

from .outputs import RenderError

# the PDF is A4 landscape at 8pt; long tables continue on the next page
TYPST_PAGE = (
    '```{=typst}\n#set page(paper: "a4", flipped: true, margin: 1.4cm)\n'
    "#set text(size: 8pt)\n"
    "#show figure: set block(breakable: true)\n"
    "```\n"
)


def _document(meta: dict, markdown: str, preamble: str = "") -> str:
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + preamble + markdown


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
    try:
        pypandoc.convert_text(
            _document(meta, markdown, TYPST_PAGE),
            "typst",
            format="markdown",
            outputfile=str(typ),
            extra_args=_common_args(work, opts),
        )
    except RuntimeError as exc:
        raise RenderError(f"pandoc (typst) failed: {exc}") from exc
    try:
        typst.compile(str(typ), output=str(target), root=str(work))
    except Exception as exc:  # typst raises its own error types with the layout message
        raise RenderError(f"typst failed to compile the PDF: {exc}") from exc
    return target
