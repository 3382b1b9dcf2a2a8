"""Shared fixtures: an isolated home per test and helpers to build a landing folder end to end."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from dagster_project.settings import Settings


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    for var in ("VITALSIGNS_LANDING", "VITALSIGNS_HOME", "VITALSIGNS_SALT", "VITALSIGNS_WAREHOUSE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    (tmp_path / "dagster_home").mkdir(exist_ok=True)
    yield


def sample_settings(landing: Path, home: Path, **kw) -> Settings:
    """The settings a build would read (VITALSIGNS_* a test set), for sample data, with `kw` on top."""
    import dataclasses

    return dataclasses.replace(Settings.from_env(landing=landing, home=home), sample_data=True, **kw)


def build(landing: Path, home: Path, **kw):
    """Materialise every asset for a landing folder; return (outcome, settings)."""
    from dagster_project.build_runner import run_everything

    settings = sample_settings(landing, home, **kw)
    os.environ["VITALSIGNS_SAMPLE"] = "1"
    try:
        outcome = run_everything(settings)
    finally:
        os.environ.pop("VITALSIGNS_SAMPLE", None)
    return outcome, settings


def query(path: Path, sql: str, params=None):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()
