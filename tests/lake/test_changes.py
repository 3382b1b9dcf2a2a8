"""What a nightly build rebuilds (dagster_project/changes.py), without dbt: a small manifest and a
warehouse whose load log says what arrived."""

from __future__ import annotations

import dataclasses
import json

import duckdb
import pytest

from dagster_project import changes
from dagster_project.ingest.loader import ensure_raw_schema
from dagster_project.settings import Settings

P = "vitalsigns"


def node(name: str, kind: str = "model", tags=()) -> dict:
    return {"name": name, "resource_type": kind, "tags": list(tags)}


def manifest(tmp_path):
    """raw.people -> stg_people -> lts -> ascof <- stg_population <- raw.population; a test on
    stg_people; raw._load_log -> data_quality; a seed under ascof; risk_register tagged daily."""
    nodes = {
        f"model.{P}.stg_people": node("stg_people"),
        f"model.{P}.stg_population": node("stg_population"),
        f"model.{P}.lts": node("lts"),
        f"model.{P}.ascof": node("ascof"),
        f"model.{P}.data_quality": node("data_quality"),
        f"model.{P}.risk_register": node("risk_register", tags=["daily"]),
        f"seed.{P}.catalogue": node("catalogue", "seed"),
        f"test.{P}.not_null_stg_people": node("not_null_stg_people", "test"),
    }
    edges = {
        f"source.{P}.raw.people": [f"model.{P}.stg_people"],
        f"source.{P}.raw.population": [f"model.{P}.stg_population"],
        f"source.{P}.raw._load_log": [f"model.{P}.data_quality"],
        f"source.{P}.raw.risk_register": [f"model.{P}.risk_register"],
        f"model.{P}.stg_people": [f"model.{P}.lts", f"test.{P}.not_null_stg_people"],
        f"model.{P}.lts": [f"model.{P}.ascof"],
        f"model.{P}.stg_population": [f"model.{P}.ascof"],
        f"seed.{P}.catalogue": [f"model.{P}.ascof"],
    }
    parents: dict[str, list[str]] = {}
    for parent, kids in edges.items():
        for kid in kids:
            parents.setdefault(kid, []).append(parent)
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"nodes": nodes, "child_map": edges, "parent_map": parents}))
    return path


@pytest.fixture
def setup(tmp_path):
    settings = Settings(landing=tmp_path / "landing", home=tmp_path / "home", lake=False, dbt_changed_only=True)
    con = duckdb.connect()
    ensure_raw_schema(con)
    return settings, con, manifest(tmp_path)


def log(con, feed: str, status: str = "loaded") -> None:
    con.execute(
        "insert into raw._load_log values (?, 'f', 'h', null, now()::timestamp + interval (?) microsecond, "
        "1, 1, 0, ?, '')",
        [feed, con.execute("select count(*) from raw._load_log").fetchall()[0][0], status],
    )


def night(settings, con, path, vars_=None, full_refresh=False) -> changes.Plan:
    done = changes.plan(settings, con, path, vars_ or {}, full_refresh)
    changes.record(settings, done)
    return done


def test_first_build_and_full_refresh_build_everything(setup):
    settings, con, path = setup
    log(con, "people")
    assert night(settings, con, path).reason == "no earlier good build recorded"
    log(con, "people")
    assert not night(settings, con, path).full
    assert night(settings, con, path, full_refresh=True).full


def test_only_what_a_changed_feed_reaches_is_rebuilt(setup):
    settings, con, path = setup
    log(con, "population")
    night(settings, con, path)
    log(con, "people")
    todo = night(settings, con, path)
    assert not todo.full and list(todo.changed) == ["people"] and todo.changed["people"] is None
    # people's models and test, the load log's model, the day-dependent register; the rest kept
    assert todo.rebuild == ["ascof", "data_quality", "lts", "risk_register", "stg_people"]
    assert set(todo.keep) == {"stg_population", "catalogue"}
    assert set(todo.exclude) == {"stg_population", "catalogue"}
    assert "not_null_stg_people" not in todo.exclude


def test_a_refused_file_rebuilds_only_the_load_log_models(setup):
    settings, con, path = setup
    log(con, "people")
    night(settings, con, path)
    log(con, "people", "quarantined")
    todo = night(settings, con, path)
    assert todo.changed == {} and todo.rebuild == ["data_quality", "risk_register"]
    # the kept models come parents first: Dagster takes a multi-asset's outputs in that order
    assert todo.keep.index("stg_people") < todo.keep.index("lts") < todo.keep.index("ascof")
    assert todo.keep.index("catalogue") < todo.keep.index("ascof")


def test_a_fixed_report_date_leaves_the_register_alone(setup):
    settings, con, path = setup
    settings = dataclasses.replace(settings, report_date="2017-03-31")
    log(con, "people")
    night(settings, con, path)
    todo = night(settings, con, path)  # nothing arrived
    assert not todo.full and todo.rebuild == [] and "risk_register" in todo.keep


def test_changed_vars_or_setting_off_build_everything(setup):
    settings, con, path = setup
    log(con, "people")
    night(settings, con, path, {"report_date": None})
    assert night(settings, con, path, {"report_date": "2017-03-31"}).reason.startswith("the dbt project, its vars")
    off = dataclasses.replace(settings, dbt_changed_only=False)
    assert night(off, con, path, {"report_date": "2017-03-31"}).full


def test_a_subset_run_does_not_move_the_mark():
    """A run of some dbt assets (the UI) leaves the others behind, so only a run of all of them is
    recorded as the last good build."""
    from types import SimpleNamespace

    from dagster_project.assets.dbt import _whole_project

    every = {"a", "b"}
    assert _whole_project(SimpleNamespace(assets_def=SimpleNamespace(keys=every), selected_asset_keys=every))
    assert not _whole_project(SimpleNamespace(assets_def=SimpleNamespace(keys=every), selected_asset_keys={"a"}))
