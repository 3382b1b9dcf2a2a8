"""`vitalsigns check`: a per-file verdict, grouped problems with the bad value and what is allowed,
the salt status, and a non-zero exit for a landing folder with nothing to check."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from dagster_project.cli import main
from dagster_project.settings import SAMPLE_SALT

LA = "E10000020"
PEOPLE = "person_id,la_code,date_of_birth,gender,ethnicity,primary_support_reason,date_of_death"
DTOC = "period,la_code,provider_code,acute_or_non_acute,responsible_org,reason_code,delayed_days"


def write(landing: Path, rel: str, lines: list[str]) -> Path:
    path = landing / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def people(n: int, gender=lambda i: "Female") -> list[str]:
    return [f"P{i},{LA},1950-01-01,{gender(i)},White,Sensory Support," for i in range(1, n + 1)]


def dtoc(n: int = 20, days=lambda i: 10 + i) -> list[str]:
    orgs, reasons = ["NHS", "Social Care"], ["A", "B", "C", "D(i)", "D(ii)", "E", "F", "G", "H", "I"]
    return [f"2017-03,{LA},RM1,Acute,{orgs[i % 2]},{reasons[i // 2 % 10]},{days(i)}" for i in range(n)]


def run(capsys, landing: Path, *extra: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["check", "--landing", str(landing), *extra])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.fixture
def landing(tmp_path, monkeypatch):
    monkeypatch.delenv("VITALSIGNS_SAMPLE", raising=False)
    monkeypatch.setenv("VITALSIGNS_SALT", "a-long-enough-secret-salt-for-tests")
    root = tmp_path / "landing"
    root.mkdir()
    return root


def summary_line(out: str, name: str) -> str:
    (line,) = [ln for ln in out.splitlines() if ln.split()[1:2] and ln.split()[1].endswith(name)]
    return line


def test_a_clean_folder_gives_one_summary_line_per_file_and_exit_0(landing, capsys):
    write(landing, "liquidlogic/people_20170401.csv", [PEOPLE, *people(30)])
    write(landing, "dtoc/dtoc_20170401.csv", [DTOC, *dtoc()])
    code, out = run(capsys, landing)
    assert code == 0, out
    assert summary_line(out, "people_20170401.csv").split()[:4] == [
        "people",
        "liquidlogic/people_20170401.csv",
        "30",
        "0",
    ]
    assert summary_line(out, "dtoc_20170401.csv").endswith("would load")
    assert "salt: ok: VITALSIGNS_SALT is set" in out
    assert "a-long-enough-secret" not in out  # never printed
    assert "OK: a build would load everything" in out


def test_many_rows_with_one_bad_code_are_one_line_with_the_value_count_rows_and_allowed_codes(landing, capsys):
    # 500 of 10,000 rows (exactly the 5% threshold: still loads) carry the same bad code
    write(
        landing,
        "liquidlogic/people_20170401.csv",
        [PEOPLE, *people(10_000, gender=lambda i: "Mail" if i % 20 == 0 else "Male")],
    )
    code, out = run(capsys, landing)
    assert code == 1
    lines = [ln for ln in out.splitlines() if ":gender:" in ln]
    assert len(lines) == 1, lines
    assert lines[0].endswith(
        "people_20170401.csv:21:gender: unknown code in gender: 'Mail' in 500 rows (21, 41, 61, 81, 101, ...); "
        "allowed: Male | Female | Other | Unknown (case, spacing and dashes may differ)"
    )
    assert "would load without 500 rejected row(s) (5.00%)" in summary_line(out, "people_20170401.csv")
    assert len(out.splitlines()) < 30

    code, out = run(capsys, landing, "--verbose")
    (line,) = [ln for ln in out.splitlines() if ":gender:" in ln]
    assert "10001)" in line and "..." not in line  # every row number

    report = landing.parent / "problems.csv"
    run(capsys, landing, "--report", str(report))
    rows = list(csv.DictReader(report.open(encoding="utf-8")))
    assert len(rows) == 500
    assert rows[0]["row"] == "21" and rows[0]["column"] == "gender" and rows[0]["value"] == "Mail"
    assert "Unknown" in rows[0]["allowed"]


def test_too_many_rejected_rows_is_a_quarantine_verdict_with_the_reason(landing, capsys):
    write(
        landing,
        "liquidlogic/people_20170401.csv",
        [PEOPLE, *people(100, gender=lambda i: "Mail" if i % 10 == 0 else "Male")],
    )
    code, out = run(capsys, landing)
    assert code == 1
    line = summary_line(out, "people_20170401.csv")
    assert "would quarantine: 10 of 100 rows rejected (10.0%, above the 5% threshold" in line


def test_a_whole_file_error_is_a_quarantine_with_row_column_and_what_is_expected(landing, capsys):
    write(landing, "dtoc/dtoc_20170401.csv", [DTOC, *dtoc(days=lambda i: "lots" if i == 3 else 5)])
    code, out = run(capsys, landing)
    assert code == 1
    assert "dtoc_20170401.csv:5:delayed_days: 'lots' is not a number" in out
    assert summary_line(out, "dtoc_20170401.csv").endswith(
        "would quarantine: row 5, column delayed_days: 'lots' is not a number"
    )


def test_a_rule_on_an_aggregate_feed_shows_the_bad_value(landing, capsys):
    write(landing, "dtoc/dtoc_20170401.csv", [DTOC, *dtoc(days=lambda i: -15 if i == 0 else 5)])
    code, out = run(capsys, landing)
    assert code == 1
    assert "dtoc_20170401.csv:2:delayed_days: negative delayed days: '-15.0' in 1 row (2)" in out


def test_a_header_only_file_is_valid(landing, capsys):
    write(landing, "dtoc/dtoc_20170401.csv", [DTOC])
    code, out = run(capsys, landing)
    assert code == 0, out
    assert "would load nothing: header only" in summary_line(out, "dtoc_20170401.csv")


def test_an_empty_landing_folder_is_a_warning_and_exit_2(landing, capsys):
    code, out = run(capsys, landing)
    assert code == 2
    assert f"warning: the landing folder {landing} is empty" in out


def test_a_folder_with_no_feed_folder_is_a_warning_and_exit_2_and_each_stray_entry_is_named(landing, capsys):
    write(landing, "Liquid Logic/people_20170401.csv", [PEOPLE, *people(2)])
    write(landing, "readme.txt", ["x"])
    code, out = run(capsys, landing)
    assert code == 2
    assert "has no feed folder" in out and "Is --landing pointing at the right folder?" in out
    assert "Liquid Logic:0:0: not loaded: unknown folder 'Liquid Logic'" in out
    assert "readme.txt:0:0: not loaded: file at the top of the landing folder" in out


def test_unknown_files_and_folders_beside_feeds_are_warned_and_fail(landing, capsys):
    write(landing, "dtoc/dtoc_20170401.csv", [DTOC, *dtoc()])
    write(landing, "dtoc/dtoc March.csv", [DTOC, *dtoc()])
    write(landing, "safeguarding/concerns_20170401.csv", ["x"])
    code, out = run(capsys, landing)
    assert code == 1
    assert "dtoc March.csv:0:0: not loaded: name matches no dtoc feed" in out
    # safeguarding/ is a feed folder now: a file there not named safeguarding_<date> is not loaded
    assert "concerns_20170401.csv:0:0: not loaded: name matches no safeguarding feed" in out
    assert "2 not loaded" in out


def test_a_landing_folder_that_does_not_exist_is_exit_2(tmp_path, capsys):
    code, out = run(capsys, tmp_path / "nowhere")
    assert code == 2 and "landing folder does not exist" in out


# --- the salt ----------------------------------------------------------------------------------------


def test_no_salt_with_person_level_files_is_an_error_that_says_what_to_do(landing, capsys, monkeypatch):
    monkeypatch.delenv("VITALSIGNS_SALT")
    write(landing, "liquidlogic/people_20170401.csv", [PEOPLE, *people(3)])
    code, out = run(capsys, landing)
    assert code == 1
    assert "salt: error: VITALSIGNS_SALT is not set, so a build would refuse every person-level file" in out
    assert "export VITALSIGNS_SALT=" in out


def test_no_salt_is_fine_without_person_level_files(landing, capsys, monkeypatch):
    monkeypatch.delenv("VITALSIGNS_SALT")
    write(landing, "dtoc/dtoc_20170401.csv", [DTOC, *dtoc()])
    code, out = run(capsys, landing)
    assert code == 0 and "salt: ok: VITALSIGNS_SALT is not set (not needed yet" in out


def test_the_public_sample_salt_on_real_extracts_is_an_error(landing, capsys, monkeypatch):
    monkeypatch.setenv("VITALSIGNS_SALT", SAMPLE_SALT)
    write(landing, "liquidlogic/people_20170401.csv", [PEOPLE, *people(3)])
    code, out = run(capsys, landing)
    assert code == 1 and "salt: error: VITALSIGNS_SALT is the built-in sample salt, which is public" in out
    (landing / ".vitalsigns-sample").write_text("synthetic\n")  # on a synthetic folder it is what it is for
    code, out = run(capsys, landing)
    assert code == 0 and "salt: ok" in out


def test_a_sample_folder_needs_no_salt_and_a_short_salt_is_a_warning(landing, capsys, monkeypatch):
    monkeypatch.delenv("VITALSIGNS_SALT")
    write(landing, "liquidlogic/people_20170401.csv", [PEOPLE, *people(3)])
    (landing / ".vitalsigns-sample").write_text("synthetic\n")
    code, out = run(capsys, landing)
    assert code == 0 and "salt: ok: synthetic sample folder" in out
    (landing / ".vitalsigns-sample").unlink()
    monkeypatch.setenv("VITALSIGNS_SALT", "abc")
    code, out = run(capsys, landing)
    assert code == 0 and "salt: warning: VITALSIGNS_SALT is set but short (3 characters)" in out
    monkeypatch.delenv("VITALSIGNS_SALT")
    monkeypatch.setenv("VITALSIGNS_SAMPLE", "1")
    code, out = run(capsys, landing)
    assert code == 0 and "salt: warning: VITALSIGNS_SAMPLE=1 declares this folder synthetic" in out


# --- mapping and commentary --------------------------------------------------------------------------


def test_a_mapping_that_does_not_fit_the_file_is_noted(landing, capsys):
    write(
        landing,
        "dtoc/dtoc_20170401.csv",
        [DTOC.replace("delayed_days", "Days Delayed") + ",Notes", *[r + ",x" for r in dtoc()]],
    )
    write(landing, "dtoc/dtoc.mapping.yml", ["Delayed Days: delayed_days", "Provider: provider_code"])
    code, out = run(capsys, landing)
    assert (
        "dtoc_20170401.csv:0:0: note: dtoc.mapping.yml names column(s) "
        "not in this file's header: delayed_days, provider" in out
    )
    assert "column(s) not in the dtoc contract, ignored: days_delayed, notes" in out
    assert "required column 'delayed_days' is missing" in out and code == 1
    write(landing, "dtoc/dtoc.mapping.yml", ["Days Delayed: delayed_days"])
    code, out = run(capsys, landing)
    assert code == 0, out
    assert "ignored: notes" in out


def test_commentary_headings_that_match_no_section_are_warned(landing, capsys):
    write(landing, "dtoc/dtoc_20170401.csv", [DTOC, *dtoc()])
    write(
        landing,
        "commentary/VS_01/2017-03.md",
        ["# Why is this important?", "Because.", "# What explains current performance", "Winter."],
    )
    code, out = run(capsys, landing)
    assert (
        "2017-03.md:0:0: warning: heading(s) 'What explains current performance' are not report-card sections: "
        "the text runs on inside the section before"
    ) in out
    write(landing, "commentary/VS_01/2017-03.md", ["Why is this important? Because."])
    code, out = run(capsys, landing)
    assert "2017-03.md:0:0: warning: no report-card section heading, so none of the text appears" in out
    assert code == 0  # a warning: the report shows "commentary not yet provided" there


def test_commentary_for_a_code_that_is_no_indicator_is_warned(landing, capsys):
    write(landing, "dtoc/dtoc_20170401.csv", [DTOC, *dtoc()])
    write(landing, "commentary/VS_DTOC_SOCIAL_CARE/2017-03.md", ["# Why is this important?", "Because."])
    write(landing, "commentary/VS_DTOC_SOCIALCARE/2017-03.md", ["# Why is this important?", "Because."])
    code, out = run(capsys, landing)
    assert "VS_DTOC_SOCIALCARE:0:0: warning: 'VS_DTOC_SOCIALCARE' is not an indicator code" in out
    assert "'VS_DTOC_SOCIAL_CARE' is not" not in out


# --- the synthetic samples, as a newcomer first meets check -----------------------------------------


def sample(tmp_path, dirty: bool) -> Path:
    from dagster_project.cli import main as cli

    out = tmp_path / ("dirty" if dirty else "clean")
    assert (
        cli(
            [
                "sample",
                "--out",
                str(out),
                "--councils",
                "1",
                "--years",
                "1",
                "--scale",
                "0.05",
                *(["--dirty"] if dirty else []),
            ]
        )
        == 0
    )
    return out


def test_the_clean_sample_passes_with_one_line_per_file(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("VITALSIGNS_SALT", raising=False)
    root = sample(tmp_path, dirty=False)
    code, out = run(capsys, root)
    assert code == 0, out
    files = sorted(p for p in root.rglob("*.csv") if "commentary" not in p.parts) + sorted(root.rglob("*.xlsx"))
    table = [ln for ln in out.splitlines() if re.match(r"^\w+\s+\S+\.(csv|xlsx)\s", ln)]
    assert len(table) == len(files) > 15
    assert all("would load" in ln for ln in table), table  # a header-only file would load nothing: still a verdict
    assert "salt: ok: synthetic sample folder" in out and "PROBLEMS" not in out


def test_the_dirty_sample_is_grouped_and_every_file_has_its_verdict(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("VITALSIGNS_SALT", raising=False)
    root = sample(tmp_path, dirty=True)
    code, out = run(capsys, root)
    assert code == 1
    _, every = run(capsys, root, "--verbose")
    report = tmp_path / "all.csv"
    run(capsys, root, "--report", str(report))
    rows = list(csv.DictReader(report.open(encoding="utf-8")))
    kinds = {(r["file"], r["column"], r["problem"], r["value"]) for r in rows}
    problems = [ln for ln in out.splitlines() if re.match(r"^/.*:\d+:\w+: ", ln)]
    assert len(problems) == len(kinds)  # one line per kind of problem, however many rows
    rejected = sum(int(ln.split()[3].replace(",", "")) for ln in out.splitlines() if "would load without" in ln)
    assert rejected == len({(r["file"], r["row"]) for r in rows}) > 0
    for rule in (
        "unknown code in gender",
        "date of birth in the future",
        "duplicate key",
        "end before start",
        "negative delayed days",
    ):
        assert rule in out
    assert len(out.splitlines()) <= len(every.splitlines())
