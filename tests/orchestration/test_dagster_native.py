"""Dagster-native configuration, partitions and freshness (issue 14): settings are resource fields
read once, nothing writes the environment or runs at import, commentary is an observed asset the
sensor watches, reports are partitioned by month, every feed and the published database have a
freshness policy, and the two private dagster-dbt overrides still override something."""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "dagster_project"


def test_no_module_writes_the_environment():
    """Settings travel as resource fields; a child process gets its own env mapping."""
    writes = re.compile(r"os\.environ\[[^]]+\]\s*=|os\.environ\.(setdefault|update|pop|clear)\(|os\.putenv\(")
    offenders = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in PACKAGE.rglob("*.py")
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if writes.search(line)
    ]
    assert offenders == []


def test_only_settings_reads_vitalsigns_variables():
    """One place reads VITALSIGNS_*: settings.py (the resources say which EnvVar a secret comes from)."""
    reads = re.compile(r"environ(\.get)?\(?\[?[\"']VITALSIGNS_|getenv\([\"']VITALSIGNS_")
    offenders = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in PACKAGE.rglob("*.py")
        if p.name != "settings.py"
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if reads.search(line)
    ]
    assert offenders == []


def test_importing_the_code_location_runs_nothing(tmp_path):
    """No dbt parse (no subprocess) and no settings read when the module is imported."""
    code = (
        "import subprocess\n"
        "real = subprocess.Popen.__init__\n"
        "def refuse(self, args, *a, **k):\n"
        "    if 'dbt' in repr(args): raise SystemExit('dbt ran at import: ' + repr(args)[:200])\n"
        "    real(self, args, *a, **k)\n"
        "subprocess.Popen.__init__ = refuse\n"
        "import os; os.environ['VITALSIGNS_PROTECTION_INTERVAL'] = 'not a number'\n"
        "import dagster_project.definitions as d\n"
        "print(type(d.defs).__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "LazyDefinitions" in out.stdout


def test_settings_from_the_environment_become_resource_fields_with_secrets_as_envvars(monkeypatch, tmp_path):
    from dagster_project.alerts import AlertsResource
    from dagster_project.resources.warehouse import WarehouseResource

    monkeypatch.setenv("VITALSIGNS_SALT", "s3cret")
    monkeypatch.setenv("VITALSIGNS_FAILURE_WEBHOOK", "http://127.0.0.1:9/hook")
    monkeypatch.setenv("VITALSIGNS_SUPPRESSION_THRESHOLD", "5")
    monkeypatch.setenv("VITALSIGNS_MAX_ROWS_DTOC", "10")
    monkeypatch.setenv("VITALSIGNS_PERIOD", "2017-01")
    settings = Settings.from_env(landing=tmp_path / "l", home=tmp_path / "h")
    resource = WarehouseResource.from_settings(settings)
    assert isinstance(resource.salt, dg.EnvVar) and resource.salt.env_var_name == "VITALSIGNS_SALT"
    assert resource.suppression_threshold == 5 and resource.period == "2017-01"
    assert resource.max_rows_per_feed == {"dtoc": 10}
    alerts = AlertsResource.from_settings(settings)
    assert isinstance(alerts.failure_webhook, dg.EnvVar)
    # resolved as a run would see them: the same settings, the secret read from its EnvVar
    resolved = resource.process_config_and_initialize()
    assert resolved.settings.pseudonymisation_salt() == "s3cret"
    assert resolved.settings.suppression_threshold == 5 and resolved.settings.limits.rows("dtoc") == 10
    assert resolved.settings.warehouse_path == settings.warehouse_path
    # a run reads nothing else from the environment: a setting changed after loading has no effect
    monkeypatch.setenv("VITALSIGNS_SUPPRESSION_THRESHOLD", "9")
    monkeypatch.setenv("VITALSIGNS_REJECT_THRESHOLD", "not a number")
    again = WarehouseResource.from_settings(settings).process_config_and_initialize()
    assert again.settings.suppression_threshold == 5 and again.settings.reject_threshold == 0.05


def test_the_resource_resolves_its_settings_once(monkeypatch, tmp_path):
    from dagster_project.resources import warehouse

    calls = []
    real = Settings.from_env

    def counting(*a, **kw):
        calls.append(1)
        return real(*a, **kw)

    monkeypatch.setattr(warehouse.Settings, "from_env", staticmethod(counting))
    resource = warehouse.WarehouseResource(landing=str(tmp_path), home=str(tmp_path))
    for _ in range(5):
        assert resource.settings.home == tmp_path.resolve()
    assert len(calls) == 1


def test_a_bad_period_setting_is_a_one_line_config_error(monkeypatch):
    from dagster_project.settings import ConfigError

    monkeypatch.setenv("VITALSIGNS_PERIOD", "../2017-03")
    with pytest.raises(ConfigError, match="VITALSIGNS_PERIOD"):
        Settings.from_env()


def test_the_dbt_profile_gets_the_warehouse_as_vars_not_the_environment(tmp_path):
    from dagster_project.dbt_runtime import profile_vars

    settings = Settings(landing=tmp_path, home=tmp_path, dbt_threads=3)
    assert profile_vars(settings) == {
        "warehouse_path": str(tmp_path / "warehouse" / "vitalsigns.duckdb"),
        "dbt_threads": 3,
        "duckdb_memory_limit": "2GB",
    }
    profile = (ROOT / "dbt" / "profiles.yml").read_text()
    for name in profile_vars(settings):
        assert f"var('{name}'" in profile


def test_the_private_dagster_dbt_overrides_still_override_something():
    """resources/dbt_cli.py replaces two private DbtCliResource members; if dagster-dbt renames or
    stops calling them, the overrides silently stop working (and each dbt run costs ~7 s again)."""
    from dagster_dbt import DbtCliResource

    from dagster_project.resources.dbt_cli import DbtCoreCliResource

    cli_source = inspect.getsource(DbtCliResource.cli)
    for name in ("_cli_version", "_initialize_dbt_core_adapter"):
        assert name in DbtCliResource.__dict__, f"dagster-dbt no longer defines DbtCliResource.{name}"
        assert f"self.{name}" in cli_source, f"DbtCliResource.cli no longer uses {name}"
        assert name in DbtCoreCliResource.__dict__
    parent = inspect.signature(DbtCliResource._initialize_dbt_core_adapter)
    assert list(parent.parameters) == list(
        inspect.signature(DbtCoreCliResource._initialize_dbt_core_adapter).parameters
    )
    assert isinstance(DbtCliResource.__dict__["_cli_version"], type(DbtCoreCliResource.__dict__["_cli_version"]))


@pytest.fixture(scope="module")
def definitions():
    from dagster_project.definitions import make_definitions

    return make_definitions(Settings.from_env(landing="/nonexistent", home="/nonexistent"))


def test_groups_come_from_dbt_meta_and_nothing_is_in_the_default_group(definitions):
    graph = definitions.resolve_asset_graph()
    groups = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert [k for k, g in groups.items() if g == "default"] == []
    assert groups["raw/_load_log"] == groups["raw/_rejects"] == "ingestion"
    assert groups["staging/stg_people"] == "staging" and groups["marts/indicator_values"] == "marts"
    from dagster_project.assets.dbt import VitalsignsTranslator

    assert "get_group_name" not in VitalsignsTranslator.__dict__  # no path parsing


def test_reports_depend_on_commentary_and_are_partitioned_by_month(definitions):
    graph = definitions.resolve_asset_graph()
    commentary = dg.AssetKey(["landing", "commentary"])
    assert graph.get(commentary).is_observable
    for name in ("committee_report", "risk_register_summary", "integrated_report", "vital_signs_workbook"):
        node = graph.get(dg.AssetKey(name))
        assert commentary in node.parent_keys
        assert isinstance(node.partitions_def, dg.DynamicPartitionsDefinition)
        assert node.partitions_def.name == "report_month"


def test_every_feed_and_the_published_database_have_a_freshness_policy(definitions):
    from dagster_project.assets.ingestion import CADENCE

    graph = definitions.resolve_asset_graph()
    raw = [k for k in graph.get_all_asset_keys() if k.path[0] == "raw" and graph.get(k).is_materializable]
    assert len(raw) >= 15
    for key in [*raw, dg.AssetKey(["published", "vitalsigns"])]:
        policy = definitions.get_assets_def(key).specs_by_key[key].freshness_policy
        assert policy is not None, key
    dtoc = definitions.get_assets_def(dg.AssetKey(["raw", "dtoc"])).specs_by_key[dg.AssetKey(["raw", "dtoc"])]
    assert dtoc.freshness_policy.fail_window.to_timedelta() == CADENCE["dtoc"][2]
    people = dg.AssetKey(["raw", "people"])
    assert (
        definitions.get_assets_def(people).specs_by_key[people].freshness_policy.fail_window.to_timedelta()
        < dtoc.freshness_policy.fail_window.to_timedelta()
    )


def _age(path, seconds):
    t = time.time() - seconds
    os.utime(path, (t, t))


def test_new_commentary_is_observed_and_re_renders_its_month(tmp_path):
    from dagster_project.sensors import landing_result, scan

    landing = tmp_path / "landing"
    note = landing / "commentary" / "VS_DTOC" / "2017-02.md"
    note.parent.mkdir(parents=True)
    note.write_text("Delays fell.\n")
    _age(note, 120)
    cursor, changed, _ = scan(landing, {}, settle_seconds=60)
    assert changed == ["commentary/VS_DTOC/2017-02.md"]
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("report_month", ["2017-02", "2017-03"])
    result = landing_result(instance, landing, cursor, changed)
    [request] = result.run_requests
    assert request.job_name == "vitalsigns_reports" and request.partition_key == "2017-02"
    [observation] = result.asset_events
    assert observation.asset_key == dg.AssetKey(["landing", "commentary"])
    first = observation.tags["dagster/data_version"]
    note.write_text("Delays fell again.\n")
    _age(note, 120)
    cursor, changed, _ = scan(landing, cursor, settle_seconds=60)
    result = landing_result(instance, landing, cursor, changed)
    assert result.asset_events[0].tags["dagster/data_version"] != first
    assert [r.job_name for r in result.run_requests] == ["vitalsigns_reports"]  # no rebuild for commentary


def test_commentary_for_a_month_without_data_and_data_files_start_a_build(tmp_path):
    from dagster_project.sensors import landing_result, scan

    landing = tmp_path / "landing"
    (landing / "commentary" / "VS_DTOC").mkdir(parents=True)
    (landing / "dtoc").mkdir()
    for p in (landing / "commentary" / "VS_DTOC" / "2030-01.md", landing / "dtoc" / "dtoc_20170401.csv"):
        p.write_text("x\n")
        _age(p, 120)
    cursor, changed, _ = scan(landing, {}, settle_seconds=60)
    result = landing_result(dg.DagsterInstance.ephemeral(), landing, cursor, changed)
    assert [r.job_name for r in result.run_requests] == ["vitalsigns_all"]


def test_report_runs_render_each_councils_latest_month_or_the_period():
    from dagster_project.sensors import report_requests

    [one] = report_requests({"E10000020": "2017-03", "E06000001": "2017-03"}, None, "r")
    assert one.partition_key == "2017-03" and not one.run_config
    split = report_requests({"E10000020": "2017-03", "E06000001": "2017-02"}, None, "r")
    assert sorted((r.partition_key, r.run_config["ops"]["committee_report"]["config"]["council"]) for r in split) == [
        ("2017-02", "E06000001"),
        ("2017-03", "E10000020"),
    ]
    [period] = report_requests({"E10000020": "2017-03"}, "2016-11", "r")
    assert period.partition_key == "2016-11"


def test_a_partition_and_a_contradicting_period_are_refused(tmp_path):
    from dagster_project.assets.reports import ReportConfig, targets

    with pytest.raises(dg.Failure, match="contradicts the partition"):
        targets(tmp_path / "none.duckdb", ReportConfig(period="2017-01"), period="2017-02")


def test_every_setting_is_documented():
    names = set(re.findall(r"VITALSIGNS_[A-Z_]+[A-Z]", (PACKAGE / "settings.py").read_text()))
    doc = (ROOT / "docs" / "configuration.md").read_text()
    assert names and sorted(n for n in names if n not in doc) == []


@pytest.mark.parametrize(
    "flag, env, expected",
    [
        ([], None, None),
        (["--period", "2016-11"], None, "2016-11"),
        ([], "2017-01", "2017-01"),
        (["--period", "2016-11"], "2017-01", "2016-11"),
    ],
)
def test_build_period_reaches_the_build_as_a_setting_not_the_environment(tmp_path, monkeypatch, flag, env, expected):
    from dagster_project import build_runner, cli
    from dagster_project.build_runner import BuildOutcome

    if env:
        monkeypatch.setenv("VITALSIGNS_PERIOD", env)
    seen = {}
    monkeypatch.setattr(
        build_runner,
        "run_everything",
        lambda settings, instance=None, **kw: seen.update(period=settings.period) or BuildOutcome(True),
    )
    (tmp_path / "landing").mkdir()
    before = dict(os.environ)
    assert cli.main(["build", "--landing", str(tmp_path / "landing"), "--home", str(tmp_path / "home"), *flag]) == 0
    assert seen["period"] == expected
    assert dict(os.environ) == before


def test_a_configured_month_without_data_gets_its_partition():
    from dagster_project.sensors import report_result

    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("report_month", ["2017-03"])
    assert report_result(instance, {"E10000020": "2017-03"}, None, "r").dynamic_partitions_requests == []
    result = report_result(instance, {"E10000020": "2017-03"}, "2030-01", "r")
    [add] = result.dynamic_partitions_requests
    assert add.partitions_def_name == "report_month" and list(add.partition_keys) == ["2030-01"]
    assert [r.partition_key for r in result.run_requests] == ["2030-01"]


def _manifest(tmp_path, nodes):
    import json

    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"nodes": nodes}))
    return path


def test_table_models_get_row_counts_after_dbt_exits_and_views_do_not(tmp_path):
    import duckdb

    from dagster_project.dbt_runtime import with_row_counts

    db = tmp_path / "wh.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema marts; create table marts.t as select * from range(7)")
        con.execute("create schema staging; create view staging.v as select 1 as x")
    manifest = _manifest(
        tmp_path,
        {
            "model.p.t": {"schema": "marts", "alias": "t", "config": {"materialized": "table"}},
            "model.p.v": {"schema": "staging", "alias": "v", "config": {"materialized": "view"}},
        },
    )
    events = [
        dg.Output(None, "t", metadata={"unique_id": "model.p.t"}),
        dg.Output(None, "v", metadata={"unique_id": "model.p.v"}),
    ]
    out = list(with_row_counts(iter(events), db, manifest))
    assert out[0].metadata["dagster/row_count"].value == 7
    assert "dagster/row_count" not in out[1].metadata


def test_a_failed_dbt_run_still_reports_what_it_built_then_fails(tmp_path):
    import duckdb

    from dagster_project.dbt_runtime import with_row_counts

    db = tmp_path / "wh.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema marts; create table marts.t as select * from range(3)")
    manifest = _manifest(
        tmp_path, {"model.p.t": {"schema": "marts", "alias": "t", "config": {"materialized": "incremental"}}}
    )

    def dbt_events():
        yield dg.Output(None, "t", metadata={"unique_id": "model.p.t"})
        raise RuntimeError("dbt test failed")

    seen = []
    with pytest.raises(RuntimeError, match="dbt test failed"):
        for event in with_row_counts(dbt_events(), db, manifest):
            seen.append(event)
    assert [e.metadata["dagster/row_count"].value for e in seen] == [3]
