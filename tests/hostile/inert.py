"""The payloads planted in every field, and proofs that an output left them inert."""

from __future__ import annotations

from html.parser import HTMLParser

PAYLOADS = {
    "script": '<script>alert("vs-script")</script>',
    "img": "<img src=x onerror=alert('vs-img')>",
    "link": "[vs-click](javascript:alert('vs-link'))",
    "cite": "@vs-cite and @SUM(1)",
    "formula": "=1+1",
    "typst": "#vs-hash $vs-math$ *vs-star* _vs-under_ <vs-label>",
    "traversal": "../../../../vs-escape",
}


class _Scan(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            v = (value or "").strip().lower()
            if name.lower().startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name.lower() in ("href", "src", "action", "formaction") and (
                v.startswith(("javascript:", "vbscript:")) or (tag == "img" and not v.startswith("data:"))
            ):
                self.problems.append(f"<{tag} {name}={value}>")
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and "vs-" in data:
            self.problems.append(f"script running planted code: {data[:60]}")


def html_problems(html: str) -> list[str]:
    scan = _Scan()
    scan.feed(html)
    return scan.problems


def pdf_text(path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
