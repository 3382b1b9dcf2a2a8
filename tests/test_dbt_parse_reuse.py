"""dbt parses the project once per home: a run reuses the parse the last run in the home left (dbt
re-parses only changed files) unless a var or the profile's connection differs, when it parses all
of it again (about 5 s CPU). Guards the nightly case (the same vars and target folder every night)
and `vitalsigns docs` starting from the build's parse (docs/decisions.md, "dbt parses once per home")."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from dagster_project import dbt_docs
from dagster_project.assets.dbt import DbtBuildConfig, dbt_build
from dagster_project.dbt_runtime import dbt_executable, home_vars
from dagster_project.ingest.loader import ensure_raw_schema
from dagster_project.resources.warehouse import WarehouseResource
from dagster_project.settings import DBT_PROJECT_DIR, Settings


class _CapturingDbt:
    """Stands in for the dbt resource: records the command `dbt_build` would run, runs nothing."""

    def __init__(self):
        self.calls = []

    def cli(self, args, context=None, target_path=None):
        self.calls.append((list(args), target_path))
        return SimpleNamespace(stream=lambda: iter(()))


def _build_command(settings: Settings) -> tuple[dict, Path]:
    """The vars and target folder of the `dbt build` a night's build runs for `settings`."""
    dbt = _CapturingDbt()
    list(dbt_build(None, dbt, WarehouseResource.from_settings(settings), DbtBuildConfig()))
    ((args, target),) = dbt.calls
    return json.loads(args[args.index("--vars") + 1]), target


def _parse(vars_: dict, target: Path, logs: Path) -> dict:
    """`dbt parse` as a build in that target folder parses; dbt's own record of what it parsed."""
    proc = subprocess.run(
        [
            dbt_executable(),
            "parse",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(logs),
            "--vars",
            json.dumps(vars_),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-2000:]
    return json.loads((target / "perf_info.json").read_text())


def _settings(landing: Path, home: Path, **kw) -> Settings:
    landing.mkdir(parents=True, exist_ok=True)
    return Settings(landing=landing, home=home, sample_data=True, **kw)


@pytest.fixture(scope="module")
def parsed_home(tmp_path_factory):
    """A home whose target folder holds the parse its first night's build made (the full parse), and
    a warehouse (the raw schema only), as a built home has."""
    root = tmp_path_factory.mktemp("parse_home")
    settings = _settings(root / "night1", root / "home")
    vars_, target = _build_command(settings)
    first = _parse(vars_, target, root / "logs")
    with duckdb.connect(str(settings.warehouse_path)) as con:
        ensure_raw_schema(con)
    return root, settings, first


@pytest.mark.parametrize("lake_sources", [False, True])
def test_the_next_nights_build_runs_dbt_with_the_same_vars_in_the_same_target(tmp_path, lake_sources):
    """A var that changed from night to night (a date, a run id, a landing path) would make dbt parse
    the whole project on every build."""
    home = tmp_path / "home"
    first = _build_command(_settings(tmp_path / "night1", home, lake_sources=lake_sources))
    (tmp_path / "night2" / "liquidlogic").mkdir(parents=True)  # another night's landing folder
    second = _build_command(_settings(tmp_path / "night2", home, lake_sources=lake_sources))
    assert first == second
    assert first[1] == home / "dbt" / "target"


def test_the_next_night_reuses_the_parse_the_first_night_left(parsed_home):
    root, settings, first = parsed_home
    assert first["parsed_path_count"] > 300  # the first night in a home parses everything
    night2 = _settings(root / "night2", settings.home)
    vars_, target = _build_command(night2)
    second = _parse(vars_, target, root / "logs")
    assert second["is_partial_parse_enabled"] is True
    assert second["parsed_path_count"] == 0  # nothing changed in the project: nothing parsed again


def test_docs_start_from_the_builds_parse(parsed_home, monkeypatch):
    """`vitalsigns docs` runs dbt in <home>/docs; with the build's vars (a built home) the build's parse
    fits, so dbt parses nothing again instead of the whole project."""
    root, settings, _ = parsed_home
    logs = []
    real_run = subprocess.run

    def run_and_keep_the_log(cmd, *a, **kw):  # dbt writes its log to a folder docs then deletes
        proc = real_run(cmd, *a, **kw)
        logs.append((Path(cmd[cmd.index("--log-path") + 1]) / "dbt.log").read_text())
        return proc

    monkeypatch.setattr(dbt_docs.subprocess, "run", run_and_keep_the_log)
    assert dbt_docs.generate_docs(settings).exists()
    (log,) = logs
    assert "Unable to do partial parsing" not in log
    assert "Partial parsing enabled" in log
    assert json.loads((settings.home / "docs" / "manifest.json").read_text())["nodes"]


def test_the_build_passes_home_vars(tmp_path):
    """home_vars is the one place a home's vars are made: docs rely on passing the same ones."""
    settings = _settings(tmp_path / "landing", tmp_path / "home", cld_as_of="2024-03-31", dbt_threads=3)
    assert _build_command(settings)[0] == home_vars(settings)
