"""Every page of every printed report, as a councillor would see it: the PDFs of a tiny sample
build rendered to PNG (pypdfium2), and each page checked for what the issue-15 reading found:
blank pages, "nan"/"None"/"seed" in the text, text or drawing past the margins, and a dashboard
without RAG colour. Set VITALSIGNS_SCREENSHOTS=<folder> to keep the cover and dashboard PNGs
(docs/screenshots/ holds the ones the docs show)."""

from __future__ import annotations

import os
import re
import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from dagster_project.reporting.palette import RAG, rgb

from ..conftest import build

pdfium = pytest.importorskip("pypdfium2")

pytestmark = pytest.mark.slow

REPORTS = ("committee_report", "risk_register_summary", "integrated_report")
SCALE = 1.5  # pixels per PDF point
MARGIN_PT = 1.4 * 72 / 2.54  # the template's side margin (pack.typst)
WORDS = re.compile(r"\b(nan|NaN|None|seed|Seed)\b")


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """{report: [(text, chars, image, (width, height))]} for every page of the sample's PDFs."""
    from dagster_project.sample import generate

    root = tmp_path_factory.mktemp("pages")
    generate(root / "landing", councils=1, years=1, scale=0.3, seed=11, unitary=True)
    outcome, settings = build(root / "landing", root / "home")
    assert outcome.success, outcome
    # the county's packs (Norfolk, E10..., sorted first here); the integrated report is the unitary council's
    folders = sorted(settings.reports_path.glob("*/*"), reverse=True)
    out = {}
    for name in REPORTS:
        folder = next(f for f in folders if (f / f"{name}.pdf").exists())
        doc = pdfium.PdfDocument(str(folder / f"{name}.pdf"))
        out[name] = []
        out[f"{name}.html"] = (folder / f"{name}.html").read_text(encoding="utf-8")
        for page in doc:
            text = page.get_textpage()
            chars = [(text.get_text_range(i, 1), text.get_charbox(i)) for i in range(text.count_chars())]
            out[name].append(
                (text.get_text_range(), chars, page.render(scale=SCALE).to_pil().convert("RGB"), page.get_size())
            )
    keep = os.environ.get("VITALSIGNS_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        out["committee_report"][0][2].save(Path(keep) / "pack_cover.png")
        _dashboard_page(out)[2].save(Path(keep) / "pack_dashboard_pdf.png")
        out["integrated_report"][0][2].save(Path(keep) / "integrated_report_p1.png")
    yield out
    shutil.rmtree(root, ignore_errors=True)


def _dashboard_page(pages):
    return next(
        p
        for p in pages["committee_report"]
        if "Performance dashboard\r\n" in p[0].split("Contents")[-1] and "Indicator" in p[0]
    )


def _all(pages):
    return [(name, i + 1, p) for name in REPORTS for i, p in enumerate(pages[name])]


def test_every_page_is_a4_landscape(pages):
    for name, n, (_, _, _, size) in _all(pages):
        assert size == pytest.approx((841.89, 595.28), abs=0.5), f"{name} page {n} is {size}"


def test_no_page_is_blank(pages):
    """A page whose body (between the running head and the footer) has no ink is blank."""
    for name, n, (_, _, image, _) in _all(pages):
        w, h = image.size
        body = image.crop((0, int(h * 0.08), w, int(h * 0.92)))
        ink = sum(c for c, (r, g, b) in body.getcolors(1 << 22) if r + g + b < 600)
        assert ink > 500, f"{name} page {n} is blank"


def body_text(text: str) -> str:
    """A page's text without its running head and footer."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return " ".join(
        ln
        for ln in lines
        if " · " not in ln
        and not re.fullmatch(r"Page \d+ of \d+", ln)
        and not ln.endswith(("performance report", "risk register summary", "Performance Report"))
    )


def test_no_heading_is_stranded_on_a_page_of_its_own(pages):
    """A section heading whose content all went to the next page leaves a page with only the heading."""
    for name, n, (text, _, _, _) in _all(pages):
        body = body_text(text)
        assert len(body) > 40, f"{name} page {n} holds only {body!r}"


def test_no_page_shows_nan_none_or_seed(pages):
    for name, n, (text, _, _, _) in _all(pages):
        found = WORDS.findall(text)
        assert not found, f"{name} page {n} shows {found}: {text[:300]!r}"


def test_no_text_runs_past_the_margins(pages):
    tolerance = 3.0  # points: glyph boxes of italics and bold overhang a little
    for name, n, (_, chars, _, (width, height)) in _all(pages):
        for ch, (left, bottom, right, top) in chars:
            if not ch.strip():
                continue
            assert left >= MARGIN_PT - tolerance and right <= width - MARGIN_PT + tolerance, (
                f"{name} page {n}: {ch!r} at x {left:.0f}-{right:.0f} outside the margins"
            )
            assert bottom >= 0 and top <= height, f"{name} page {n}: {ch!r} off the page"


def test_no_text_overlaps_other_text(pages):
    """A word too long for its table column runs into the next cell (hyphenation is off, so a
    file name or a header cannot break): two characters on one baseline overlap."""
    for name, n, (_, chars, _, _) in _all(pages):
        lines = defaultdict(list)
        for i, (ch, (left, bottom, right, _)) in enumerate(chars):
            if ch.strip():
                lines[round(bottom)].append((left, right, ch, i))
        for baseline, row in lines.items():
            row.sort()
            for (_, r1, c1, i1), (l2, _, c2, i2) in zip(row, row[1:]):
                if abs(i1 - i2) == 1 and c1.islower() and c2.islower():
                    continue  # a ligature (ff, fi, ft in a serif fallback font) is one glyph pdfium splits
                assert l2 >= r1 - 1.0, (
                    f"{name} page {n}: {c1!r} and {c2!r} overlap by {r1 - l2:.1f}pt at baseline {baseline}"
                )


def test_nothing_is_drawn_in_the_outer_margin(pages):
    """Charts and tables too, not only text: the outer centimetre at the sides, and the outer half
    centimetre above and below (the running head and the page number sit in the top and bottom
    margins), stay white."""
    side, edge = int(1.0 * 72 / 2.54 * SCALE), int(0.5 * 72 / 2.54 * SCALE)
    for name, n, (_, _, image, _) in _all(pages):
        w, h = image.size
        for box in ((0, 0, side, h), (w - side, 0, w, h), (0, 0, w, edge), (0, h - edge, w, h)):
            strip = image.crop(box)
            dark = sum(c for c, (r, g, b) in strip.getcolors(1 << 22) if min(r, g, b) < 235)
            assert dark == 0, f"{name} page {n}: {dark} pixels drawn in the margin {box}"


def test_the_pdf_dashboard_is_coloured(pages):
    """The dashboard's RAG cells are painted with the palette (the sample has Red and Green cells)."""
    _, _, image, _ = _dashboard_page(pages)
    colours = dict((c, n) for n, c in image.getcolors(1 << 22))
    painted = {k: colours.get(rgb(s.fill), 0) for k, s in RAG.items()}
    assert painted["G"] > 1000 and painted["R"] > 1000, painted


def test_risk_prospects_are_coloured(pages):
    """Pixels of the Amber fill in the Prospects column itself (the heat map above is amber too)."""
    text, chars, image, (_, height) = next(
        p for p in pages["risk_register_summary"] if "Summary of all risks\r\n" in p[0] and "Prospects" in p[0]
    )
    k = next(i for i in range(len(chars)) if "".join(c for c, _ in chars[i : i + 9]) == "Prospects")
    left, _, _, top = chars[k][1]
    column = image.crop(
        (int((left - 2) * SCALE), int((height - top) * SCALE) + 12, int((left + 45) * SCALE), image.size[1])
    )
    colours = dict((c, n) for n, c in column.getcolors(1 << 22))
    assert colours.get(rgb(RAG["A"].fill), 0) > 300, "the Amber prospects are not coloured"


def test_cover_names_council_department_committee_meeting_and_period(pages):
    cover = pages["committee_report"][0][0]
    for words in (
        "Norfolk County Council",
        "Adult Social Services",
        "Adult Social Care Committee",
        "Date of meeting",
        "March 2017",
    ):
        assert words in cover, cover


def test_the_integrated_report_cover_names_council_department_committee_meeting_and_quarter(pages):
    cover = pages["integrated_report"][0][0]
    for words in (
        "Leicester City Council",
        "Adult Social Services",
        "Adult Social Care Committee",
        "Date of meeting",
        "2016/17 Quarter 4",
    ):
        assert words in cover, cover


def test_the_integrated_report_shows_the_samples_safeguarding_figures(pages):
    """The sample carries the safeguarding feed: the section has the quarter's people, both breakdown
    tables and the performance table, not the not-yet-supplied wording (a council without the feed:
    test_integrated_report.py)."""
    text = re.sub(r"\s+", " ", " ".join(p[0] for p in pages["integrated_report"]))
    section = text.split("Keeping people safe")[-1].partition("Managing our resources")[0]  # after the contents
    assert "Safeguarding data not yet supplied" not in section
    assert re.search(r"\b[\d,]+ individuals were involved in a safeguarding enquiry started in that period", section)
    assert "People in enquiries started in quarter 4, by characteristic" in section
    assert "Enquiries concluded in quarter 4, by type of abuse and location of risk" in section
    assert "Quarter 4 performance" in section and "Safeguarding concerns (alerts) received" in section
    for characteristic in ("Age", "Sex", "Ethnic group", "Type of abuse", "Location of risk"):
        assert characteristic in section, characteristic


def test_the_integrated_report_ratings_are_coloured(pages):
    painted = 0
    for _, _, image, _ in pages["integrated_report"]:
        colours = dict((c, n) for n, c in image.getcolors(1 << 22))
        painted += sum(colours.get(rgb(s.fill), 0) for s in RAG.values())
    assert painted > 300, "no rating in the integrated report is coloured"


def test_the_renderer_is_named_once_at_the_end(pages):
    for name in REPORTS:
        texts = [p[0] for p in pages[name]]
        assert sum(t.count("Rendered by") for t in texts) == 1, name
        assert "Rendered by" in texts[-1]


def test_no_word_is_hyphenated_across_lines(pages):
    """pdfium reports a hyphen that ends a line as U+FFFE inside the rejoined word. A compound the
    text itself hyphenates ("self-directed", as the unhyphenated HTML has it) may break there."""
    for name, n, (text, _, _, _) in _all(pages):
        html = pages[f"{name}.html"]
        broken = [
            w for w in re.findall(r"\w+[\ufffe\u00ad]\s*\w+", text) if re.sub(r"[\ufffe\u00ad]\s*", "-", w) not in html
        ]
        assert not broken, f"{name} page {n}: {broken}"
