"""The reference/series_breaks feed loads like every reference feed: an empty indicator_code is
kept (every indicator), a bad date or council rejects the row with its rule."""

from __future__ import annotations

import dataclasses

import duckdb
import pytest

from dagster_project.ingest.loader import load_feed
from dagster_project.settings import Settings

LA = "E10000020"
HEADER = "la_code,indicator_code,break_date,description"


@pytest.fixture
def env(tmp_path):
    settings = Settings(landing=tmp_path / "landing", home=tmp_path / "home", sample_data=True)
    (settings.landing / "reference").mkdir(parents=True)
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    yield settings, con
    con.close()


def test_breaks_load_with_an_empty_indicator_code_meaning_all(env):
    settings, con = env
    (settings.landing / "reference" / "series_breaks_20170401.csv").write_text(
        f"{HEADER}\n{LA},,2016-04-01,Care First to Liquid Logic\n"
        f"{LA},RC_HOLDING_LIST,2016-10-01,Counting rule changed\n"
    )
    (outcome,) = load_feed(con, settings, "series_breaks")
    assert outcome.rows_accepted == 2 and outcome.rows_rejected == 0
    rows = con.execute(
        "select indicator_code, break_date, description from raw.series_breaks order by break_date"
    ).fetchall()
    assert [r[0] for r in rows] == [None, "RC_HOLDING_LIST"]
    assert str(rows[0][1]) == "2016-04-01"


def test_a_bad_row_is_rejected_with_its_reason(env):
    settings = dataclasses.replace(env[0], reject_threshold=0.9)
    con = env[1]
    (settings.landing / "reference" / "series_breaks_20170401.csv").write_text(
        f"{HEADER}\n{LA},,2016-04-01,Care First to Liquid Logic\nE1000002,,2016-04-01,bad council\n"
    )
    (outcome,) = load_feed(con, settings, "series_breaks")
    assert outcome.rows_accepted == 1 and outcome.rows_rejected == 1
    assert "ONS council code" in outcome.rejects[0].rule
