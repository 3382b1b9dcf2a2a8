"""Quarantine without identifiers (issue 12): a refused person-level file leaves its reason and
hash, never a copy of ids and dates of birth; other feeds are still copied for inspection."""

from __future__ import annotations

import hashlib

import pytest

from dagster_project.ingest.loader import LoadFailed, load_feed

from .conftest import DTOC_HEADER, LA, PEOPLE_HEADER, people, tree_digest, write


def test_person_level_file_is_not_copied_into_quarantine(env):
    settings, con = env
    bad = write(
        settings.landing,
        "liquidlogic",
        "people_20170401.csv",
        [PEOPLE_HEADER, *people(3), f'P9,{LA},1950-01-01,"unterminated'],
    )
    before = tree_digest(settings.landing)
    with pytest.raises(LoadFailed):
        load_feed(con, settings, "people")
    folder = settings.quarantine_path / "people"
    assert sorted(p.name for p in folder.iterdir()) == ["people_20170401.csv.reason.txt"]
    reason = (folder / "people_20170401.csv.reason.txt").read_text()
    assert reason.count("\n") == 1
    assert hashlib.sha256(bad.read_bytes()).hexdigest() in reason and "not copied" in reason
    every_byte = b"".join(p.read_bytes() for p in settings.quarantine_path.rglob("*") if p.is_file())
    assert b"P1," not in every_byte and b"1950-01-01" not in every_byte
    assert tree_digest(settings.landing) == before
    # an aggregate feed is still copied, for whoever fixes it
    write(settings.landing, "dtoc", "dtoc_20170401.csv", [DTOC_HEADER, f"2017-03,{LA},RM1,Acute,NHS,A,ten"])
    with pytest.raises(LoadFailed):
        load_feed(con, settings, "dtoc")
    assert (settings.quarantine_path / "dtoc" / "dtoc_20170401.csv").exists()


def test_a_copy_left_by_an_earlier_version_is_removed(env):
    settings, con = env
    write(settings.landing, "liquidlogic", "people_20170401.csv", [PEOPLE_HEADER, "P1,E10000020,oops-not-a-date"])
    old_copy = settings.quarantine_path / "people" / "people_20170401.csv"
    old_copy.parent.mkdir(parents=True)
    old_copy.write_text(PEOPLE_HEADER + "\nP1,E10000020,1950-01-01\n")
    with pytest.raises(LoadFailed):
        load_feed(con, settings, "people")
    assert not old_copy.exists()
