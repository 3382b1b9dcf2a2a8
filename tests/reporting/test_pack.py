"""The printed pack's parts that need no build: the RAG palette's contrast (WCAG AA) and its
colours in the PDF, the front sheet's meeting details, the benchmarking key findings."""

from __future__ import annotations

import pandas as pd
import pytest

from dagster_project.reporting.pack import DEFAULTS, NOT_SET, benchmark_findings, front_sheet
from dagster_project.reporting.palette import RAG, contrast_ratio, css, rgb, typst


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic just-fails grey
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)


@pytest.mark.parametrize("letter", sorted(RAG))
def test_rag_text_on_its_fill_meets_wcag_aa(letter):
    swatch = RAG[letter]
    assert contrast_ratio(swatch.ink, swatch.fill) >= 4.5, swatch


def test_html_and_pdf_take_the_same_palette():
    for letter, s in RAG.items():
        assert f".rag-{letter.lower()} {{ background: {s.fill}; color: {s.ink};" in css()
        assert f'#let rag-{letter.lower()}(body) = box(fill: rgb("{s.fill}")' in typst()
        assert f'text(fill: rgb("{s.ink}")' in typst()


def test_a_rag_cell_is_coloured_in_the_pdf(tmp_path):
    """Through the fallback's own typesetting (template + filter): the fill is painted, the letter printed."""
    import pypdfium2 as pdfium

    from dagster_project.reporting.data import md_table, rag_span
    from dagster_project.reporting.typeset import to_pdf

    md = md_table(
        ["Indicator", "Mar 17"],
        [
            ["Reablement", rag_span("85.4%", "G")],
            ["Delays", rag_span("3.7", "R")],
            ["Admissions", rag_span("611", "A")],
        ],
    )
    pdf = to_pdf({"title": "t"}, md, tmp_path / "t.pdf", tmp_path, {}, "t")
    page = pdfium.PdfDocument(str(pdf))[0]
    assert "85.4% G" in page.get_textpage().get_text_range()
    image = page.render(scale=2).to_pil().convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    for s in RAG.values():
        assert sum(n for n, c in colours if c == rgb(s.fill)) > 200, f"no {s.name} fill painted"


def test_front_sheet_defaults_without_a_pack_commentary(tmp_path):
    sheet = front_sheet(tmp_path, "2017-03")
    assert sheet.committee == DEFAULTS["committee"] and sheet.meeting_date == NOT_SET
    assert sheet.source == "defaults"


def test_front_sheet_reads_the_months_front_matter_as_text(tmp_path):
    (tmp_path / "commentary").mkdir()
    (tmp_path / "commentary" / "2017-03.md").write_text(
        "---\ncommittee: People *and* Communities\nmeeting_date: 2017-05-08\n"
        "responsible_director: James Bullion, Executive Director\n---\nnotes\n"
    )
    sheet = front_sheet(tmp_path, "2017-03")
    assert sheet.meeting_date == "8 May 2017"
    assert sheet.committee == r"People \*and\* Communities"  # outside text is never markup
    assert sheet.responsible_director == r"James Bullion\, Executive Director"
    assert sheet.strategic_impact == DEFAULTS["strategic_impact"].replace(",", r"\,").replace(".", r"\.")


def test_front_sheet_names_a_file_with_bad_front_matter(tmp_path):
    (tmp_path / "commentary").mkdir()
    (tmp_path / "commentary" / "2017-03.md").write_text("---\ncommittee: [unclosed\n---\n")
    with pytest.raises(ValueError, match=r"2017-03\.md: the front matter is not valid YAML"):
        front_sheet(tmp_path, "2017-03")


def _ascof(rows):
    cols = [
        "ascof_code",
        "title",
        "value",
        "family_group_rank",
        "family_group_size",
        "england_value",
        "polarity",
        "unit",
        "decimals",
        "suppressed",
    ]
    return pd.DataFrame(rows, columns=cols)


def test_key_findings_place_measures_by_family_quarter_and_against_england():
    a = _ascof(
        [
            ["1E", "LD employment", 4.5, 12, 15, 6.0, "bigger", "%", 1, False],  # worst quarter, worse
            ["2B(1)", "At home 91 days", 93.7, 1, 15, 82.9, "bigger", "%", 1, False],  # best, better
            ["2A(1)", "Admissions 18-64", 22.3, 15, 15, 13.9, "smaller", "", 1, False],  # worst, worse
            ["2C(2)", "Delays", 3.66, 4, 15, 5.5, "smaller", "", 1, False],  # best (4 of 15), better
            ["1G", "Own home", 75.7, 8, 15, 75.71, "bigger", "%", 1, False],  # middle, same as shown
            ["X", "Hidden", 9.0, 1, 15, 1.0, "bigger", "%", 1, True],  # suppressed: never a finding
        ]
    )
    family, england = benchmark_findings(a, "Norfolk")
    assert "best quarter of its family group for 2 measures and in the worst quarter for 2 measures." in family
    assert family.splitlines()[2:] == [
        "- Best quarter: at home 91 days (2B(1), 93.7%), ranked 1 of 15",
        "- Best quarter: delays (2C(2), 3.7), ranked 4 of 15",
        "- Worst quarter: LD employment (1E, 4.5%), ranked 12 of 15",  # an acronym keeps its capitals
        "- Worst quarter: admissions 18-64 (2A(1), 22.3), ranked 15 of 15",
    ]
    assert "Hidden" not in family + england
    assert "better than the England average on 2 of 5 measures" in england and "worse on 2 (the same on 1)" in england
    assert "- Worse than England: LD employment (1E, 4.5%) against England's 6.0%" in england


def test_no_family_finding_from_a_group_of_one():
    a = _ascof([["2A", "Short-term", 82.4, 1, 1, None, "bigger", "%", 1, False]])
    assert benchmark_findings(a, "Norfolk") == []


def test_meeting_date_as_text_is_kept(tmp_path):
    (tmp_path / "commentary").mkdir()
    (tmp_path / "commentary" / "2017-03.md").write_text("---\nmeeting_date: 6 March 2017\n---\n")
    assert front_sheet(tmp_path, "2017-03").meeting_date == "6 March 2017"


def test_planted_meeting_details_stay_text_on_the_cover(tmp_path):
    """The front matter comes from outside: on the cover (HTML and PDF) it is shown as written."""
    import pypdfium2 as pdfium

    from dagster_project.reporting.typeset import to_html, to_pdf

    from ..hostile.inert import PAYLOADS, html_problems

    (tmp_path / "commentary").mkdir()
    payload = PAYLOADS["script"] + " " + PAYLOADS["typst"] + " ]"
    (tmp_path / "commentary" / "2017-03.md").write_text("---\ncommittee: '" + payload.replace("'", "''") + "'\n---\n")
    sheet = front_sheet(tmp_path, "2017-03")
    md = f"::: {{.cover}}\n**{sheet.committee}**\n\n[{sheet.committee}]{{.running-head}}\n:::\n\nBody.\n"
    html = to_html({"title": "t"}, md, tmp_path / "t.html", tmp_path, {}).read_text()
    assert html_problems(html) == [] and "&lt;script&gt;" in html
    pdf = pdfium.PdfDocument(str(to_pdf({"title": "t"}, md, tmp_path / "t.pdf", tmp_path, {}, "t")))
    text = " ".join(p.get_textpage().get_text_range() for p in pdf)
    assert "#vs-hash $vs-math$ *vs-star*" in text and "]" in text
    assert text.count("vs-script") == 2, "the running head shows the committee too"


@pytest.mark.parametrize("cover", [True, False])
def test_every_pdf_page_is_a4_landscape_and_the_contents_follow_the_cover(cover, tmp_path):
    import pypdfium2 as pdfium

    from dagster_project.reporting.typeset import to_pdf

    md = ("::: {.cover}\nNorfolk County Council\n:::\n\n" if cover else "") + "## Dashboard\n\nText.\n"
    doc = pdfium.PdfDocument(str(to_pdf({"title": "Pack"}, md, tmp_path / "t.pdf", tmp_path, {"toc": True}, "t")))
    assert [tuple(round(x) for x in p.get_size()) for p in doc] == [(842, 595)] * (2 if cover else 1)
    texts = [p.get_textpage().get_text_range() for p in doc]
    assert texts[-1].index("Contents") < texts[-1].index("Text.")
    if cover:
        assert "Norfolk County Council" in texts[0] and "Contents" not in texts[0] and "Page" not in texts[0]


def test_an_overlong_committee_name_is_cut_so_the_cover_stays_one_page(tmp_path):
    (tmp_path / "commentary").mkdir()
    (tmp_path / "commentary" / "2017-03.md").write_text("---\ncommittee: " + "Adult " * 5000 + "\n---\n")
    assert (
        front_sheet(tmp_path, "2017-03").committee.endswith("…")
        and len(front_sheet(tmp_path, "2017-03").committee) < 210
    )
