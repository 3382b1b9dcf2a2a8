"""The Parquet landing zone (dagster_project/lake): change sets replay exactly, as of any extract."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import random
from pathlib import Path

import duckdb
import pytest

from dagster_project import lake
from dagster_project.contracts import FEEDS
from dagster_project.ingest.loader import LoadFailed, load_feed
from dagster_project.lake import zone
from dagster_project.settings import Settings

LA, LA2 = "E10000020", "E06000001"
PEOPLE = FEEDS["people"]
HEADER = ",".join(PEOPLE.column_names)


def person(pid: str, la: str = LA, dob: str = "1950-01-01", gender: str = "Female", death: str = "") -> str:
    return f"{pid},{la},{dob},{gender},White,Sensory Support,{death}"


def home(tmp_path: Path, name: str, **kw) -> tuple[Settings, duckdb.DuckDBPyConnection]:
    settings = Settings(landing=tmp_path / name / "landing", home=tmp_path / name / "home", sample_data=True, **kw)
    settings.home.mkdir(parents=True, exist_ok=True)
    return settings, duckdb.connect(str(settings.home / "wh.duckdb"))


def land(settings: Settings, folder: str, name: str, lines: list[str]) -> Path:
    path = settings.landing / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def rows(rel: duckdb.DuckDBPyRelation | list, feed=PEOPLE) -> list[tuple]:
    """The contract columns only, sorted: what 'the same data' means here."""
    if isinstance(rel, list):
        return sorted(rel, key=repr)
    cols = ", ".join(f'"{c}"' for c in feed.column_names) + (", snapshot_date" if feed.mode == "snapshot" else "")
    return sorted(rel.select(cols).fetchall(), key=repr)


def raw(con, feed=PEOPLE) -> list[tuple]:
    cols = ", ".join(f'"{c}"' for c in feed.column_names) + (", snapshot_date" if feed.mode == "snapshot" else "")
    return sorted(con.execute(f"select {cols} from raw.{feed.name}").fetchall(), key=repr)


def tree(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


# three extracts of two councils: a changed row, a deleted row, an inserted row, an unchanged council
EXTRACTS = {
    "people_20170401.csv": [person(f"P{i}") for i in range(1, 8)] + [person("Q1", LA2), person("Q2", LA2)],
    "people_20170501.csv": [person(f"P{i}") for i in range(1, 8) if i != 3]  # P3 deleted
    + [person("P8"), person("Q1", LA2), person("Q2", LA2)],
    "people_20170601.csv": [person(f"P{i}") for i in range(1, 8) if i not in (3, 5)]
    + [person("P5", death="2017-05-20"), person("P8", gender="Male"), person("P3"), person("Q1", LA2)],
}


@pytest.fixture
def chain(tmp_path):
    """The three extracts loaded night after night into one home."""
    settings, con = home(tmp_path, "chain", confirm_shrink=True)
    for name, lines in EXTRACTS.items():
        land(settings, "liquidlogic", name, [HEADER, *lines])
        load_feed(con, settings, "people")
    yield settings, con
    con.close()


def whole(tmp_path: Path, name: str) -> tuple[Settings, duckdb.DuckDBPyConnection]:
    """One extract loaded alone into a fresh home."""
    settings, con = home(tmp_path, f"whole_{name}")
    land(settings, "liquidlogic", name, [HEADER, *EXTRACTS[name]])
    load_feed(con, settings, "people")
    return settings, con


def test_rebuilding_from_change_sets_equals_loading_the_latest_file_whole(chain, tmp_path):
    settings, con = chain
    latest, lcon = whole(tmp_path, "people_20170601.csv")
    replayed = rows(lake.current(settings.lake_path, "people", con=con))
    assert replayed == raw(lcon)  # the latest file loaded whole into the warehouse
    assert replayed == rows(lake.current(latest.lake_path, "people", con=lcon))  # and into a fresh zone
    assert replayed == raw(con)  # and the warehouse the chain built
    # the chain really exercised each kind of change: the last extract changed two rows, re-inserted one
    # deleted the month before, and deleted Q2 (the other council)
    log = {(la, eid): (i, c, d) for la, eid, _, _, i, c, d in lake.extracts(settings.lake_path, "people", con=con)}
    assert log[(LA, "20170501")] == (1, 0, 1)
    assert log[(LA, "20170601")] == (1, 2, 0)
    assert log[(LA2, "20170601")] == (0, 0, 1)
    assert log[(LA2, "20170501")] == (0, 0, 0)
    # one council's state alone
    assert rows(lake.current(settings.lake_path, "people", la_code=LA2, con=con)) == [
        r for r in raw(lcon) if r[1] == LA2
    ]


def test_change_sets_hold_only_what_changed(chain):
    settings, con = chain
    part = settings.lake_path / "people" / f"la_code={LA}" / "extract=20170601"
    ops = con.execute(f"select _op, count(*) from read_parquet('{part}/*.parquet') group by 1 order by 1").fetchall()
    assert ops == [("change", 2), ("insert", 1)]
    # an extract with no change for a council writes no data file, only its log row
    assert not (settings.lake_path / "people" / f"la_code={LA2}" / "extract=20170501").exists()


def test_as_of_each_extract_equals_that_extract_loaded_whole(chain, tmp_path):
    settings, con = chain
    for name in EXTRACTS:
        eid = lake.extract_id(Path(name))
        alone, acon = whole(tmp_path, name)
        assert rows(lake.as_of(settings.lake_path, "people", eid, con=con)) == raw(acon), eid
        acon.close()


def test_loading_the_same_file_again_writes_nothing(chain, tmp_path):
    settings, con = chain
    before = tree(settings.lake_path)
    # a fresh warehouse reloads every file; the zone has them all (by hash) and writes nothing
    con2 = duckdb.connect(str(tmp_path / "second.duckdb"))
    outcomes = load_feed(con2, settings, "people")
    assert [o.status for o in outcomes] == ["loaded"] * 3
    assert tree(settings.lake_path) == before
    # the same warehouse skips them before the zone is asked
    load_feed(con, settings, "people")
    assert tree(settings.lake_path) == before


def test_a_failed_zone_write_leaves_zone_and_warehouse_as_they_were(chain, monkeypatch):
    settings, con = chain
    before, raw_before = tree(settings.lake_path), raw(con)
    land(settings, "liquidlogic", "people_20170701.csv", [HEADER, person("P1", gender="Male"), person("Q1", LA2)])

    def broken(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(zone, "_stage_rejects", broken)  # fails after the data files were written
    monkeypatch.setattr(zone, "_stage_log", broken)
    with pytest.raises(LoadFailed, match="could not write the Parquet landing zone"):
        load_feed(con, dataclasses.replace(settings, confirm_shrink=True), "people")
    assert tree(settings.lake_path) == before
    assert raw(con) == raw_before  # the warehouse transaction was rolled back too
    assert not any((settings.lake_path / zone.TXN).iterdir())


def test_a_committed_write_interrupted_mid_rename_is_finished_by_recover(chain, tmp_path, monkeypatch):
    settings, con = chain
    land(
        settings,
        "liquidlogic",
        "people_20170701.csv",
        [HEADER, *EXTRACTS["people_20170601.csv"][:-1], person("P9"), person("Q1", LA2, gender="Male")],
    )
    real = os.replace
    calls = {"n": 0}

    def crash_on_second_data_move(src, dst):
        if "new" in Path(src).parts:
            calls["n"] += 1
            if calls["n"] == 2:
                raise KeyboardInterrupt  # the process dies between two renames of one commit
        return real(src, dst)

    monkeypatch.setattr(zone.os, "replace", crash_on_second_data_move)
    with pytest.raises(KeyboardInterrupt):
        load_feed(con, dataclasses.replace(settings, confirm_shrink=True), "people")
    monkeypatch.setattr(zone.os, "replace", real)
    assert any((settings.lake_path / zone.TXN).iterdir())  # the committed plan is still there
    lake.recover(settings.lake_path)
    assert not any((settings.lake_path / zone.TXN).iterdir())
    expected, econ = home(tmp_path, "expected")
    land(
        expected,
        "liquidlogic",
        "people_20170701.csv",
        [HEADER, *EXTRACTS["people_20170601.csv"][:-1], person("P9"), person("Q1", LA2, gender="Male")],
    )
    load_feed(econ, expected, "people")
    assert rows(lake.current(settings.lake_path, "people", con=con)) == raw(econ)
    # the warehouse rolled back and loads the file on the next run; the zone has it and writes nothing
    after = tree(settings.lake_path)
    load_feed(con, dataclasses.replace(settings, confirm_shrink=True), "people")
    assert raw(con) == raw(econ) and tree(settings.lake_path) == after


def test_an_uncommitted_write_is_discarded_by_recover(chain):
    settings, con = chain
    before = tree(settings.lake_path)
    txn = zone._Txn(settings.lake_path)
    staged = txn.stage(Path("people") / f"la_code={LA}" / "extract=20990101", "part-x.parquet", replace=False)
    staged.write_bytes(b"half a file")
    lake.recover(settings.lake_path)
    assert tree(settings.lake_path) == before


def test_a_late_older_extract_is_superseded_and_a_resent_latest_replaces_its_change_set(chain, tmp_path):
    settings, con = chain
    cur = rows(lake.current(settings.lake_path, "people", con=con))
    late = land(settings, "liquidlogic", "people_20170415.csv", [HEADER, person("P1"), person("P2")])
    zone.store(con, settings.lake_path, PEOPLE, _as_raw(con, late), late, "late-hash")
    assert rows(lake.current(settings.lake_path, "people", con=con)) == cur
    assert ("E10000020", "20170415", "superseded") in {r[:3] for r in lake.extracts(settings.lake_path, "people")}
    late.unlink()
    may = rows(lake.as_of(settings.lake_path, "people", "20170501", con=con))
    # the council re-sends June's extract corrected: June's change set is recomputed against May
    fixed = [*EXTRACTS["people_20170601.csv"], person("P10")]
    resent = land(settings, "liquidlogic", "people_20170601.csv", [HEADER, *fixed])
    load_feed(con, dataclasses.replace(settings, confirm_shrink=True), "people")
    alone, acon = home(tmp_path, "resent")
    land(alone, "liquidlogic", resent.name, [HEADER, *fixed])
    load_feed(acon, alone, "people")
    assert rows(lake.current(settings.lake_path, "people", con=con)) == raw(acon)
    assert rows(lake.as_of(settings.lake_path, "people", "20170501", con=con)) == may
    part = settings.lake_path / "people" / f"la_code={LA}" / "extract=20170601"
    assert len(list(part.glob("*.parquet"))) == 1  # replaced, not added beside


def _as_raw(con, path: Path) -> str:
    """A file's rows as the loader hands them to the zone (contract columns; ids left as they are)."""
    con.execute(
        f"create or replace temp table _t as select * from read_csv('{path}', header = true, all_varchar = true)"
    )
    return (
        "select person_id, la_code, date_of_birth::date as date_of_birth, gender, ethnicity, "
        "primary_support_reason, nullif(date_of_death, '')::date as date_of_death from _t"
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_random_sequence_of_extracts_replays_exactly(tmp_path, seed):
    rng = random.Random(seed)
    settings, con = home(tmp_path, f"random{seed}", confirm_shrink=True)
    state: dict[tuple[str, str], str] = {}
    truth = {}
    for month in range(1, 9):
        for la in (LA, LA2):
            keys = [k for k in state if k[0] == la]
            for k in keys:
                r = rng.random()
                if r < 0.15:
                    del state[k]
                elif r < 0.35:
                    state[k] = person(
                        k[1], la, dob=f"19{rng.randint(20, 60)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
                    )
            for _ in range(rng.randint(0, 4) if keys else 3):
                pid = f"X{rng.randint(1, 60)}"
                if (la, pid) not in state:
                    state[(la, pid)] = person(pid, la, gender=rng.choice(["Male", "Female", "Unknown"]))
        name = f"people_2017{month:02d}01.csv"
        land(settings, "liquidlogic", name, [HEADER, *state.values()])
        load_feed(con, settings, "people")
        truth[lake.extract_id(Path(name))] = raw(con)
    for eid, expected in truth.items():
        assert rows(lake.as_of(settings.lake_path, "people", eid, con=con)) == expected, (seed, eid)
    assert rows(lake.current(settings.lake_path, "people", con=con)) == raw(con)


DTOC_HEADER = ",".join(FEEDS["dtoc"].column_names)


def test_additive_feeds_append_and_the_newest_row_of_a_key_wins(tmp_path):
    settings, con = home(tmp_path, "dtoc")
    land(settings, "dtoc", "dtoc_20170331.csv", [DTOC_HEADER, f"2017-02,{LA},RX1,Acute,NHS,A,10.5"])
    load_feed(con, settings, "dtoc")
    land(
        settings,
        "dtoc",
        "dtoc_20170430.csv",
        [DTOC_HEADER, f"2017-03,{LA},RX1,Acute,NHS,A,7", f"2017-02,{LA},RX1,Acute,NHS,A,11.25"],
    )
    load_feed(con, settings, "dtoc")
    dtoc = FEEDS["dtoc"]
    assert rows(lake.current(settings.lake_path, "dtoc", con=con), dtoc) == raw(con, dtoc)
    assert [r[-1] for r in rows(lake.as_of(settings.lake_path, "dtoc", "20170331", con=con), dtoc)] == [10.5]
    files = sorted(p.parent.name for p in (settings.lake_path / "dtoc").rglob("*.parquet"))
    assert files == ["extract=20170331", "extract=20170430"]  # each file's rows, appended


def test_snapshot_feeds_store_every_snapshot_and_a_council_less_register(tmp_path):
    rr = FEEDS["risk_register"]
    settings, con = home(tmp_path, "rr")
    header = "risk_id,risk_name,current_likelihood,current_impact"
    land(settings, "risk_register", "risk_register_20170331.csv", [header, "R1,Flooding,2,3", "R2,Staff,4,4"])
    load_feed(con, settings, "risk_register")
    land(settings, "risk_register", "risk_register_20170430.csv", [header, "R1,Flooding,3,3"])
    load_feed(con, settings, "risk_register")
    assert rows(lake.current(settings.lake_path, "risk_register", con=con), rr) == raw(con, rr)
    assert len(rows(lake.as_of(settings.lake_path, "risk_register", "20170331", con=con), rr)) == 2
    assert (settings.lake_path / "risk_register" / f"la_code={zone.NULL_PARTITION}").is_dir()


def test_the_row_hash_is_the_documented_canonical_serialisation():
    con = duckdb.connect()
    con.execute(
        "create table t as select 'abc' as person_id, 'E10000020' as la_code, date '1950-01-31' as date_of_birth, "
        "'Fe\"male' as gender, null::varchar as ethnicity, 'Sensory Support' as primary_support_reason, "
        "null::date as date_of_death"
    )
    got = con.execute(f"select {zone.row_hash_sql(PEOPLE)} from t").fetchall()[0][0]
    text = json.dumps(
        ["abc", "E10000020", "1950-01-31", 'Fe"male', None, "Sensory Support", None], separators=(",", ":")
    )
    assert got == int.from_bytes(hashlib.md5(text.encode()).digest()[:8], "little")


def test_the_zone_can_be_turned_off(tmp_path):
    settings, con = home(tmp_path, "off", lake=False)
    land(settings, "liquidlogic", "people_20170401.csv", [HEADER, person("P1")])
    load_feed(con, settings, "people")
    assert not settings.lake_path.exists()
    assert Settings.from_env(landing=tmp_path, home=tmp_path).lake is True


def test_rejects_and_load_log_are_written_beside(tmp_path):
    settings, con = home(tmp_path, "rej")
    land(
        settings,
        "liquidlogic",
        "people_20170401.csv",
        [HEADER, *[person(f"P{i}") for i in range(30)], "P1,E1,1950-01-01,Female,White,Sensory Support,"],
    )
    load_feed(con, settings, "people")
    rej = con.execute(
        f"select file, row_number, column_name from read_parquet('{settings.lake_path}/_rejects/people/*.parquet')"
    ).fetchall()
    assert [(Path(f).name, r) for f, r, _ in rej] == [("people_20170401.csv", 32)] * len(rej) and rej
    log = con.execute(
        f"select status, rows_read, rows_accepted, rows_rejected, inserted from "
        f"read_parquet('{settings.lake_path}/_load_log/people/*.parquet')"
    ).fetchall()
    assert log == [("stored", 31, 30, 1, 30)]


def test_cld_submissions_are_appended_whole_and_read_back_as_raw_holds_them(tmp_path, monkeypatch):
    from dagster_project.ingest import cld as cld_ingest
    from dagster_project.ingest.cld import load_cld
    from tests.cld.util import LA as CLD_LA
    from tests.cld.util import rows as cld_rows
    from tests.cld.util import write as cld_write

    monkeypatch.setattr(cld_ingest, "today", lambda: __import__("datetime").date(2025, 1, 31))
    settings, con = home(tmp_path, "cld")
    cld_write(settings.landing, f"cld_{CLD_LA}_20240715.csv", cld_rows(3))
    load_cld(con, settings)
    cld_write(settings.landing, f"cld_{CLD_LA}_20240715_143000.csv", cld_rows(2))
    load_cld(con, settings)
    before = tree(settings.lake_path)
    load_cld(duckdb.connect(str(tmp_path / "fresh.duckdb")), settings)  # a fresh warehouse reloads both
    assert tree(settings.lake_path) == before
    cols = [d[0] for d in con.execute("select * from raw.cld limit 0").description if d[0] != "_loaded_at"]
    listed = ", ".join(f'"{c}"' for c in cols)
    stored = con.execute(f"select {listed} from ({zone.submissions_sql(settings.lake_path, 'cld')})").fetchall()
    assert sorted(stored, key=repr) == sorted(con.execute(f"select {listed} from raw.cld").fetchall(), key=repr)
    assert len(stored) == 5
    assert sorted(p.parent.name for p in (settings.lake_path / "cld").rglob("*.parquet")) == [
        "submission=20240715",
        "submission=20240715_143000",
    ]


def test_a_feed_without_a_council_code_is_partitioned_by_extract_only(tmp_path, monkeypatch):
    bm = FEEDS["benchmarks"]
    settings, con = home(tmp_path, "bm")
    header = ",".join(bm.column_names)
    land(
        settings, "reference", "benchmarks_20170401.csv", [header, "ASCOF_1A,2015/16,E92000001,England,England,19.1,,"]
    )
    load_feed(con, settings, "benchmarks")
    land(
        settings, "reference", "benchmarks_20170501.csv", [header, "ASCOF_1A,2015/16,E92000001,England,England,19.2,,"]
    )
    load_feed(con, settings, "benchmarks")
    assert rows(lake.current(settings.lake_path, "benchmarks", con=con), bm) == raw(con, bm)
    assert [r[5] for r in rows(lake.as_of(settings.lake_path, "benchmarks", "20170401", con=con), bm)] == [19.1]
    assert sorted(p.name for p in (settings.lake_path / "benchmarks").iterdir()) == [
        "extract=20170401",
        "extract=20170501",
    ]
    monkeypatch.setenv("VITALSIGNS_LAKE", "0")
    assert Settings.from_env(landing=tmp_path, home=tmp_path).lake is False
