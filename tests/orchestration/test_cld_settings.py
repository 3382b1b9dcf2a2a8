"""CLD settings reach dbt: VITALSIGNS_CLD_* validated in Settings and passed to every dbt build as vars."""

from __future__ import annotations

import contextlib
import json

import pytest

from dagster_project.settings import ConfigError, Settings


def test_defaults_are_dbt_project_defaults(monkeypatch):
    import yaml

    from dagster_project.settings import DBT_PROJECT_DIR

    project_vars = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    assert Settings.from_env().dbt_vars() == {k: project_vars[k] for k in Settings.from_env().dbt_vars()}


def test_cld_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("VITALSIGNS_CLD_AS_OF", "2025-02-01")
    monkeypatch.setenv("VITALSIGNS_CLD_POPULATION_YEAR_OFFSET", "-1")
    monkeypatch.setenv("VITALSIGNS_CLD_POPULATION_FIXED_YEAR", "2024")
    monkeypatch.setenv("VITALSIGNS_REPORT_DATE", "2017-05-31")
    assert Settings.from_env().dbt_vars() == {
        "cld_as_of": "2025-02-01",
        "cld_population_year_offset": -1,
        "cld_population_fixed_year": 2024,
        "report_date": "2017-05-31",
        "lake_sources": None,
    }


@pytest.mark.parametrize(
    "name, value",
    [
        ("VITALSIGNS_CLD_AS_OF", "2025-02-30"),
        ("VITALSIGNS_CLD_AS_OF", "1/2/2025"),
        ("VITALSIGNS_REPORT_DATE", "31/05/2017"),
        ("VITALSIGNS_REPORT_DATE", "2017-05-31' or 1=1 --"),
        ("VITALSIGNS_CLD_AS_OF", "2025-01-01' or 1=1 --"),
        ("VITALSIGNS_CLD_POPULATION_YEAR_OFFSET", "one"),
        ("VITALSIGNS_CLD_POPULATION_FIXED_YEAR", "24"),
    ],
)
def test_a_bad_cld_setting_is_a_one_line_config_error(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        Settings.from_env()


def test_the_dbt_build_gets_the_settings_as_vars(monkeypatch, tmp_path):
    from dagster_project.assets.dbt import DbtBuildConfig, dbt_build

    monkeypatch.setenv("VITALSIGNS_CLD_POPULATION_FIXED_YEAR", "2024")
    seen = []

    class Invocation:
        def stream(self):
            return iter(())

    class Dbt:
        def cli(self, args, **kw):
            seen.append(args)
            return Invocation()

    class Warehouse:
        settings = Settings.from_env(landing=tmp_path, home=tmp_path)

        @contextlib.contextmanager
        def write_lock(self):
            yield

    list(dbt_build(None, Dbt(), Warehouse(), DbtBuildConfig()))
    args = seen[0]
    assert json.loads(args[args.index("--vars") + 1])["cld_population_fixed_year"] == 2024
