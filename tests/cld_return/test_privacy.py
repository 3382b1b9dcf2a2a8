"""The return is person-identifiable: owner-only files under <home>/exports only, nothing else
written, no identifier in the reports about it, and the Liquid Logic NHS-number column never
reaches the warehouse."""

from __future__ import annotations

import os
import stat

import duckdb
import pytest

from dagster_project.cld_return import make_return
from dagster_project.ingest.loader import load_feed
from dagster_project.settings import Settings

from .conftest import LA, PERIOD, write_landing

NHS = "9434765919"


@pytest.fixture()
def landing(tmp_path):
    return write_landing(
        tmp_path / "landing",
        {
            "people": [
                dict(
                    person_id="PERSON-7731",
                    date_of_birth="1950-05-17",
                    gender="Female",
                    ethnicity="White British",
                    primary_support_reason="Learning Disability Support",
                    nhs_number=NHS,
                )
            ],
            "services": [
                dict(
                    service_id="S1",
                    person_id="PERSON-7731",
                    client_type="Service User",
                    service_type="Long Term Support: Community",
                    delivery_mechanism="Direct Payment",
                    start_date="2024-06-01",
                    funding_source="Council",
                )
            ],
        },
        extra_people_columns=("nhs_number",),
    )


def test_files_are_owner_only_even_with_a_permissive_umask(landing, tmp_path):
    old = os.umask(0o002)
    try:
        out = make_return(Settings.from_env(landing, tmp_path / "home"), LA, PERIOD, ascof=False)
    finally:
        os.umask(old)
    exports = tmp_path / "home" / "exports"
    for d in (exports, exports / LA):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700, d
    for f in (out.return_path, out.html_path, out.csv_path):
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    assert NHS in out.return_path.read_text()  # the return itself carries it, as NHS England needs


def test_nothing_is_written_outside_exports_and_the_scratch_warehouse_is_removed(landing, tmp_path):
    home = tmp_path / "home"
    make_return(Settings.from_env(landing, home), LA, PERIOD, ascof=False)
    written = sorted(p.relative_to(home).as_posix() for p in home.rglob("*"))
    assert all(p == "exports" or p.startswith("exports/") for p in written), written
    assert not [p for p in written if "roundtrip" in p], written
    landing_files = sorted(p.name for p in (landing / "liquidlogic").iterdir())
    assert landing_files == ["people_20250401.csv", "services_20250401.csv"]  # the landing is untouched


def test_the_validation_reports_carry_no_identifier(landing, tmp_path):
    out = make_return(Settings.from_env(landing, tmp_path / "home"), LA, PERIOD, ascof=False)
    for f in (out.html_path, out.csv_path):
        text = f.read_text()
        for secret in (NHS, "PERSON-7731", "17/05/1950", "1950-05-17"):
            assert secret not in text, (f.name, secret)


def test_the_nhs_number_column_never_reaches_the_warehouse(landing, tmp_path):
    settings = Settings.from_env(landing, tmp_path / "home")
    with duckdb.connect(str(tmp_path / "wh.duckdb")) as con:
        load_feed(con, settings, "people")
    with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as con:  # what the warehouse file keeps
        tables = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
        assert ("raw", "people") in tables
        for schema, table in tables:
            cols = [c[0] for c in con.execute(f'describe "{schema}"."{table}"').fetchall()]
            assert (schema, table) != ("raw", "people") or "nhs_number" not in cols  # not a contract column
            for col in cols:
                hit = con.execute(
                    f'select count(*) from "{schema}"."{table}" where cast("{col}" as varchar) in (?, ?)',
                    [NHS, "PERSON-7731"],
                ).fetchone()[0]
                assert hit == 0, (schema, table, col)
