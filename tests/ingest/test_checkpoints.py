"""Ingestion checkpoints once per load (loader.fewer_checkpoints), not after nearly every file, and
leaves DuckDB's checkpoint threshold as it found it, whether the load succeeds or fails."""

from __future__ import annotations

import duckdb
import pytest

from dagster_project.contracts import FEEDS
from dagster_project.ingest.loader import CHECKPOINT_THRESHOLD, LoadFailed, fewer_checkpoints, load_feed
from dagster_project.settings import Settings

PEOPLE = FEEDS["people"]


def _threshold(con) -> str:
    return con.execute("select current_setting('checkpoint_threshold')").fetchall()[0][0]


@pytest.fixture
def env(tmp_path):
    settings = Settings(landing=tmp_path / "landing", home=tmp_path / "home", sample_data=True, lake=False)
    (settings.landing / "liquidlogic").mkdir(parents=True)
    db = tmp_path / "wh.duckdb"
    con = duckdb.connect(str(db))
    yield settings, con, db
    con.close()


def _people(settings: Settings, name: str, la_code: str = "E10000020") -> None:
    header = ",".join(c.name for c in PEOPLE.columns)
    values = {"person_id": "P1", "la_code": la_code, "date_of_birth": "1950-05-17", "gender": "Female"}
    line = ",".join(values.get(c.name, "") for c in PEOPLE.columns)
    (settings.landing / "liquidlogic" / name).write_text(f"{header}\n{line}\n", encoding="utf-8")


def test_a_load_ends_with_the_log_folded_into_the_database_and_the_threshold_restored(env):
    settings, con, db = env
    con.execute("set checkpoint_threshold = '3MiB'")
    _people(settings, "people_20170401.csv")
    [outcome] = load_feed(con, settings, "people")
    assert outcome.status == "loaded"
    assert _threshold(con) == "3.0 MiB"
    wal = db.with_name(db.name + ".wal")
    assert not wal.exists() or wal.stat().st_size == 0  # one small file: the default threshold would leave it


def test_a_failed_load_restores_the_threshold_too(env):
    settings, con, _ = env
    before = _threshold(con)
    _people(settings, "people_20170401.csv", la_code="not a council")  # every row rejected: the file fails
    with pytest.raises(LoadFailed):
        load_feed(con, settings, "people")
    assert _threshold(con) == before


def test_the_threshold_is_raised_only_inside(env):
    _, con, _ = env
    before = _threshold(con)
    with pytest.raises(RuntimeError), fewer_checkpoints(con):
        assert _threshold(con).replace(".0 ", "").replace(" ", "") == CHECKPOINT_THRESHOLD
        raise RuntimeError("the load failed")
    assert _threshold(con) == before
