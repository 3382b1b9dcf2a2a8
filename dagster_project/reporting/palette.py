"""The RAG palette, defined once: HTML gets it as CSS (`css`), the PDF as typst functions
(`typst`), the risk heat map as fills. Text on fill meets WCAG 2.1 AA (contrast 4.5:1 or more,
`contrast_ratio`), so a printed or photocopied cell stays legible, and the letter is always
printed beside the colour (colour is never the only carrier of meaning)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Swatch:
    name: str
    fill: str
    ink: str  # text colour on the fill
    border: str


# Excel's "Good", "Neutral" and "Bad" cell styles, familiar to council analysts
RAG = {
    "G": Swatch("Green", "#c6efce", "#006100", "#006100"),
    "A": Swatch("Amber", "#ffeb9c", "#7f6000", "#9c6500"),
    "R": Swatch("Red", "#ffc7ce", "#9c0006", "#9c0006"),
}


def _luminance(hex_colour: str) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour `#rrggbb`."""
    rgb = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.1 contrast ratio (1 to 21); AA for normal text needs 4.5 or more."""
    hi, lo = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def css() -> str:
    """The `.rag-g/.rag-a/.rag-r` classes that `data.rag_span` marks cells with."""
    rules = [
        ".rag { display: inline-block; min-width: 3.2em; padding: .1em .35em; border-radius: 3px; "
        "font-weight: 600; text-align: center; white-space: nowrap; }"
    ]
    rules += [
        f".rag-{k.lower()} {{ background: {s.fill}; color: {s.ink}; border: 1px solid {s.border}; }}"
        for k, s in RAG.items()
    ]
    return "\n".join(rules) + "\n"


def typst() -> str:
    """`#rag-g[...]` etc. for the PDF: a filled box with the palette's ink, never broken across lines."""
    lines = []
    for k, s in RAG.items():
        lines.append(
            f'#let rag-{k.lower()}(body) = box(fill: rgb("{s.fill}"), stroke: 0.5pt + rgb("{s.border}"), '
            f"inset: (x: 2.5pt, y: 1.5pt), outset: (y: 1pt), radius: 1.5pt, "
            f'text(fill: rgb("{s.ink}"), weight: "bold", hyphenate: false, body))'
        )
    return "\n".join(lines) + "\n"


def style_workdir(work: Path) -> None:
    """Add the palette to every stylesheet of a render's scratch copy of `reports/` (both
    renderers use the document's `css:`), so the repository's CSS never repeats the colours."""
    for sheet in sorted(work.glob("*.css")):
        sheet.write_text(
            sheet.read_text(encoding="utf-8") + "\n/* RAG palette (palette.py) */\n" + css(), encoding="utf-8"
        )
