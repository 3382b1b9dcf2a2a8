"""Outside text is inert in every output, and no output path leaves the home (issue 12
failures 2, 3 and 5). Fast: pandoc and typst are called directly; one end-to-end build with
every payload planted is in test_end_to_end_hostile.py."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import duckdb
import pypandoc
import pytest
from openpyxl import Workbook, load_workbook

from dagster_project.assets.reports import ReportConfig, targets
from dagster_project.reporting.data import md_table
from dagster_project.settings import Settings

from .inert import PAYLOADS, html_problems, pdf_text


def _render(markdown: str, tmp_path: Path) -> tuple[str, str]:
    """HTML and PDF text the way the fallback renderer makes them (markdown -> html5 / typst)."""
    import typst

    html = pypandoc.convert_text(
        markdown, "html5", format="markdown", extra_args=["--standalone", "--metadata=title:t"]
    )
    typ = tmp_path / "doc.typ"
    pypandoc.convert_text(markdown, "typst", format="markdown", outputfile=str(typ), extra_args=["--standalone"])
    typst.compile(str(typ), output=str(tmp_path / "doc.pdf"), root=str(tmp_path))
    return html, pdf_text(tmp_path / "doc.pdf")


@pytest.mark.parametrize("name", PAYLOADS)
def test_escaped_text_renders_as_itself_in_html_and_pdf(name, tmp_path):
    from dagster_project.reporting.data import md_escape  # new in issue 12

    payload = PAYLOADS[name]
    text = md_escape(f"Risk {payload}\nsecond line {payload}")
    doc = "\n\n".join([f"### RM1 — {text}", f"**Description.** {text}", md_table(["Risk", "Name"], [["RM1", text]])])
    html, pdf = _render(doc, tmp_path)
    assert html_problems(html) == []
    assert "<script>alert" not in html and "onerror=" not in html.replace("onerror=alert", "") or "&lt;img" in html
    visible = " ".join(pdf.split())
    assert payload.replace(" ", "") in visible.replace(" ", "")  # shown as written, not interpreted


def test_council_text_never_becomes_a_table_column_or_heading():
    from dagster_project.reporting.data import md_escape  # new in issue 12

    assert md_table(["a", "b"], [[md_escape("x | y"), "z"]]).splitlines()[2] == "| x \\| y | z |"
    assert md_escape("# heading\n    code\n1. list") == "\\# heading\\\ncode\\\n1\\. list"


def test_commentary_is_rendered_with_raw_html_off_and_only_http_links(tmp_path):
    from dagster_project.reporting.data import safe_markdown  # new in issue 12

    commentary = "\n".join(
        [
            "Performance improved; see [the plan](https://example.org/plan).",
            PAYLOADS["script"],
            PAYLOADS["img"],
            PAYLOADS["link"],
            "<javascript:alert('vs-auto')>",
            "![secret](/etc/passwd)",
            "[vs-span]{onclick=\"alert('vs-span')\"}",
            "",
            "```{=html}",
            "<script>alert('vs-raw')</script>",
            "```",
            PAYLOADS["cite"],
            "$x$ <!-- vs-comment -->",
        ]
    )
    html, pdf = _render(safe_markdown(commentary), tmp_path)
    assert html_problems(html) == []
    assert '<a href="https://example.org/plan">the plan</a>' in " ".join(html.split())
    assert "javascript:" not in html.replace("javascript:alert(", "")  # only as visible text, never a link
    assert "vs-click" in html and "/etc/passwd" not in html
    assert "vs-cite" in pdf and "vs-comment" in pdf


@pytest.mark.parametrize(
    "tricky",
    ["`<b>vs</b>`{=html}", "[a](https://x.org){onclick=alert(1)}", "`a`{.x onclick=alert(1)}", "[a]{onclick=alert(1)}"],
)
def test_commentary_text_after_code_or_links_never_becomes_attributes(tricky, tmp_path):
    from dagster_project.reporting.data import safe_markdown  # new in issue 12

    html, _ = _render(safe_markdown(f"Some **bold** text. {tricky}"), tmp_path)
    assert html_problems(html) == [] and "onclick=" not in html.replace("onclick=alert(1)}", "")
    assert "<b>vs</b>" not in html and "<strong>bold</strong>" in " ".join(html.split())


def test_commentary_sections_are_sanitised_together():
    from dagster_project.reporting.data import safe_markdown_parts  # new in issue 12

    parts = safe_markdown_parts(["**bold** text", "", "<script>x</script>"])
    assert parts[0] == "**bold** text" and parts[1] == "" and "<script>" not in parts[2]


def test_workbook_strings_are_text_never_formulas(tmp_path):
    from dagster_project.reporting.spreadsheet import _append  # new in issue 12

    wb = Workbook()
    _append(wb.active, ["=1+1", "+SUM(A1)", "-2+3", "@x", "plain", 3, "bell\x07"])
    wb.save(tmp_path / "w.xlsx")
    cells = list(load_workbook(tmp_path / "w.xlsx").active[1])
    assert [c.data_type for c in cells] == ["s", "s", "s", "s", "s", "n", "s"]
    assert [c.value for c in cells] == ["=1+1", "+SUM(A1)", "-2+3", "@x", "plain", 3, "bell"]
    assert all(c.quotePrefix for c in cells[:4])


def test_report_paths_cannot_leave_the_home(tmp_path):
    from dagster_project.assets.reports import report_dir  # new in issue 12
    from dagster_project.guards import UnsafeValue, inside  # new in issue 12

    settings = Settings(landing=tmp_path / "l", home=tmp_path / "home")
    assert report_dir(settings, "E10000020", "2017-03") == (tmp_path / "home/reports/E10000020/2017-03").resolve()
    for la, period in [("../../../../x", "2017-03"), ("E10000020", "2017-03/../../x"), ("/etc", "2017-03")]:
        with pytest.raises(UnsafeValue):
            report_dir(settings, la, period)
    (tmp_path / "home").mkdir()
    (tmp_path / "outside").mkdir()
    os.symlink(tmp_path / "outside", tmp_path / "home" / "reports")
    with pytest.raises(UnsafeValue, match="outside"):
        report_dir(settings, "E10000020", "2017-03")
    with pytest.raises(UnsafeValue):
        inside(tmp_path / "home", "quarantine", "../../x")


def _published(tmp_path: Path) -> Path:
    path = tmp_path / "published.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.indicator_values as select * from (values "
            "('E10000020', 'month', DATE '2017-03-31', 1.0), ('../../../../x', 'month', DATE '2017-03-31', 1.0))"
            " t(la_code, period_type, period_end, value)"
        )
        con.execute(
            "create table marts.risk_register as select * from (values ('../../../../y'), ('E10000020')) t(la_code)"
        )
    return path


def test_report_targets_leave_out_bogus_councils_and_refuse_bad_periods(tmp_path, monkeypatch):
    published = _published(tmp_path)
    assert targets(published, ReportConfig()) == [("E10000020", "2017-03")]
    for config in (ReportConfig(period="2017-03/../../x"), ReportConfig(council="../../x")):
        with pytest.raises(dg.Failure, match="not"):
            targets(published, config)
    # the partition or VITALSIGNS_PERIOD (Settings checks that one first: test_dagster_native.py)
    with pytest.raises(dg.Failure, match="is not a month written YYYY-MM"):
        targets(published, ReportConfig(), period="../2017-03")


def test_a_failed_pdf_leaves_the_previous_html_and_pdf_together(tmp_path, monkeypatch):
    """`@SUM(1)` once made typst fail after the new HTML was written beside the old PDF."""
    import typst

    from dagster_project.reporting.quarto import RenderError, render

    qmd = tmp_path / "src" / "doc.qmd"
    qmd.parent.mkdir()
    qmd.write_text("---\ntitle: t\n---\n\nHello\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "doc.html").write_text("old html")
    (out / "doc.pdf").write_bytes(b"old pdf")

    def broken(*a, **kw):
        raise RuntimeError("the document does not contain a bibliography")

    monkeypatch.setattr(typst, "compile", broken)
    monkeypatch.delenv("QUARTO_PATH", raising=False)
    with pytest.raises(RenderError):
        render(qmd, out, renderer="fallback")
    assert (out / "doc.html").read_text() == "old html" and (out / "doc.pdf").read_bytes() == b"old pdf"
    assert sorted(p.name for p in out.iterdir()) == ["doc.html", "doc.pdf"]
