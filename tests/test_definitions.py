"""The code location loads: one Definitions with every asset group, the job, schedule and sensor."""

from __future__ import annotations

from dagster_project.definitions import defs as lazy_defs

defs = lazy_defs()


def test_definitions_load_with_groups_schedule_and_sensor():
    graph = defs.resolve_asset_graph()
    groups = {graph.get(k).group_name for k in graph.get_all_asset_keys() if graph.get(k).is_materializable}
    assert {"ingestion", "staging", "intermediate", "marts", "publishing", "reports"} <= groups
    assert defs.resolve_schedule_def("nightly_build").execution_timezone == "Europe/London"
    assert defs.resolve_sensor_def("landing_sensor")
    assert defs.resolve_job_def("vitalsigns_all")
    checks = {k.name for k in graph.asset_check_keys}
    assert {"load_ok", "no_person_level_data"} <= checks
    assert any(name.startswith("not_null") or name.startswith("unique") for name in checks), "dbt tests as checks"


def test_nights_are_incremental_and_sunday_is_a_full_refresh():
    import datetime as dt

    import dagster as dg

    schedule = defs.resolve_schedule_def("nightly_build")
    for day, full in ((dt.datetime(2017, 4, 5, 2), False), (dt.datetime(2017, 4, 9, 2), True)):  # a Wednesday, a Sunday
        [request] = schedule.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=day)).run_requests
        assert request.run_config["ops"]["warehouse_models"]["config"]["full_refresh"] is full
        assert request.tags["vitalsigns/full_refresh"] == str(full).lower()
