"""Shared helpers for the hostile-input suite (issue 12): a landing folder, a warehouse
connection, and fingerprints that prove raw files and the last good data are unchanged."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from dagster_project.settings import Settings

LA = "E10000020"
PEOPLE_HEADER = "person_id,la_code,date_of_birth,gender,ethnicity,primary_support_reason,date_of_death"
DTOC_HEADER = "period,la_code,provider_code,acute_or_non_acute,responsible_org,reason_code,delayed_days"
RISK_HEADER = (
    "la_code,risk_id,risk_name,risk_description,tasks,progress_update,risk_owner,"
    "current_likelihood,current_impact,prospects"
)


def write(landing: Path, folder: str, name: str, lines: list[str]) -> Path:
    path = landing / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return path


def people(n: int, start: int = 1, la: str = LA) -> list[str]:
    return [f"P{i},{la},1950-01-01,Female,White,Sensory Support," for i in range(start, start + n)]


def dtoc_rows(period: str = "2017-03", days: int = 10, n: int = 20) -> list[str]:
    orgs = ["NHS", "Social Care"]
    reasons = ["A", "B", "C", "D(i)", "D(ii)", "E", "F", "G", "H", "I"]
    return [f"{period},{LA},RM1,Acute,{orgs[i % 2]},{reasons[i // 2]},{days + i}" for i in range(n)]


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under folder with its SHA-256 and mtime: the landing files must never change."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() + f"@{p.stat().st_mtime_ns}"
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def raw_snapshot(con, feed: str):
    return con.execute(f"select * exclude (_loaded_at) from raw.{feed} order by all").fetchall()


@pytest.fixture
def env(tmp_path):
    settings = Settings(landing=tmp_path / "landing", home=tmp_path / "home", sample_data=True)
    settings.landing.mkdir()
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    yield settings, con
    con.close()


def with_limits(settings: Settings, **kw) -> Settings:
    from dataclasses import replace

    from dagster_project.settings import Limits

    return replace(settings, limits=replace(Limits(), **kw))
