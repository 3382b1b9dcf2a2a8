"""The synthetic landing folder: deterministic, on contract, plausibly sized."""
from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import duckdb
import pytest

from dagster_project.contracts import FEEDS, canonical_code
from dagster_project.sample import generate


def _files(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("sample")
    counts = generate(root / "a", councils=2, years=2, scale=0.05, seed=3)
    return root, counts


def test_same_arguments_give_byte_identical_files(sample, tmp_path):
    root, _ = sample
    generate(tmp_path / "b", councils=2, years=2, scale=0.05, seed=3)
    assert _files(root / "a") == _files(tmp_path / "b")
    generate(tmp_path / "c", councils=2, years=2, scale=0.05, seed=4)
    assert _files(root / "a") != _files(tmp_path / "c")


def test_every_file_has_exactly_the_contract_columns_and_valid_codes(sample):
    root, counts = sample
    for name, feed in FEEDS.items():
        paths = sorted((root / "a" / feed.folder).glob(f"{name}_*.csv"))
        assert paths, name
        for path in paths:
            with open(path, newline="") as fh:
                reader = csv.DictReader(fh)
                assert set(reader.fieldnames) <= set(feed.column_names), (name, reader.fieldnames)
                assert {c.name for c in feed.columns if c.required} <= set(reader.fieldnames), name
                rows = list(reader)
            for col in feed.columns:
                if col.codes and col.name in reader.fieldnames:
                    allowed = {canonical_code(c) for c in col.codes}
                    bad = {r[col.name] for r in rows if r[col.name] and canonical_code(r[col.name]) not in allowed}
                    assert not bad, (name, col.name, bad)


def test_clean_sample_breaks_no_rule(sample):
    root, _ = sample
    from dagster_project.cli import main

    assert main(["check", "--landing", str(root / "a")]) == 0


def test_dirty_sample_breaks_rules_but_stays_under_the_reject_threshold(tmp_path, capsys):
    from dagster_project.cli import main

    generate(tmp_path / "d", councils=1, years=1, scale=0.05, seed=3, dirty=True)
    assert main(["check", "--landing", str(tmp_path / "d")]) == 1
    out = capsys.readouterr().out
    for rule in ("unknown code in gender", "date of birth in the future", "duplicate key", "end before start",
                 "negative delayed days"):
        assert rule in out
    assert "people_" in out and ":gender:" in out  # file:row:column: message


def test_every_council_appears_in_every_case_management_feed(sample):
    root, _ = sample
    con = duckdb.connect()
    for feed in [f for f in FEEDS.values() if f.folder == "liquidlogic"]:
        path = next((root / "a" / "liquidlogic").glob(f"{feed.name}_*.csv"))
        councils = con.execute(f"select count(distinct la_code) from read_csv('{path}', all_varchar=true)").fetchall()
        assert councils[0][0] == 2, feed.name


def test_volumes_scale_with_the_county(sample):
    _, counts = sample
    # scale 0.05 of Norfolk over two years: ~4,500 requests a month -> ~10,000 in total for two councils
    assert 6_000 < counts["requests"] < 14_000
    assert counts["dtoc"] > 100 and counts["population"] == 2 * 4 * 91 * 2
    assert counts["risk_register"] >= 2 * 2 * 15  # two snapshots per council
