"""The round trip: the sample's returns pass the project's own CLD ingestion with 0 structural
errors, the revised ASCOF is built from one, and each figure is set beside the Liquid Logic feeds'
own (agreeing, or with the difference explained)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dagster_project.cld_return import make_return
from dagster_project.cld_return.build import build
from dagster_project.cld_return.roundtrip import admissions_not_council_funded
from dagster_project.sample.councils import COUNCILS
from dagster_project.settings import Settings

from .conftest import LA, PERIOD

MEASURES = {"CLD_2A", "CLD_2B", "CLD_2C", "CLD_2E", "CLD_2E_LD", "CLD_3D1A", "CLD_3D2A", "CLD_3D1B", "CLD_3D2B"}


def _fake_warehouse(home: Path, values: dict[str, float]) -> None:
    """marts.ascof as the build writes it (the columns the comparison reads), with chosen values."""
    path = home / "warehouse" / "vitalsigns.duckdb"
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.ascof (la_code varchar, indicator_code varchar, financial_year varchar, value double)"
        )
        for code, v in values.items():
            con.execute("insert into marts.ascof values (?, ?, '2024/25', ?)", [LA, code, v])


@pytest.mark.parametrize("index", [0, 1])
def test_each_sample_councils_return_passes_the_cld_ingestion(era_sample, tmp_path, index):
    la = COUNCILS[index].la_code
    out = make_return(Settings.from_env(era_sample, tmp_path), la, PERIOD, ascof=False)
    assert out.round_trip.structural_errors == []
    assert out.round_trip.rows_loaded == out.rows > 1000


@pytest.fixture(scope="module")
def with_ascof(era_sample, tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    first = make_return(Settings.from_env(era_sample, home), LA, PERIOD, ascof=True)
    got = first.round_trip.ascof.set_index("indicator")
    # the feeds' own figures: 3D1A equal to the return's, 2C different, 1G absent
    _fake_warehouse(home, {"1C1A": got.at["CLD_3D1A", "return_value"], "2A2": got.at["CLD_2C", "return_value"] - 50})
    return era_sample, home, make_return(Settings.from_env(era_sample, home), LA, PERIOD, ascof=True)


def test_the_revised_ascof_is_built_from_the_return(with_ascof):
    _, _, out = with_ascof
    table = out.round_trip.ascof.set_index("indicator")
    assert set(table.index) == MEASURES
    assert table.return_value.notna().all(), table[table.return_value.isna()]
    assert table.loc["CLD_2A", "numerator"] <= table.loc["CLD_2A", "denominator"]


def test_every_pair_agrees_or_the_difference_is_explained(with_ascof):
    landing, _, out = with_ascof
    table = out.round_trip.ascof.set_index("indicator")
    assert table.at["CLD_3D1A", "note"] == "agrees"
    note = table.at["CLD_2C", "note"]
    assert note.startswith("differs by +50.0: Old 2A(2) counts council-supported admissions only")
    n, k, _ = admissions_not_council_funded(build(landing, LA, PERIOD), older=True)
    assert f"{k} of the {n} people admitted are not council-funded" in note
    assert "the feeds give no 1G" in table.at["CLD_2E_LD", "note"]
    assert table.at["CLD_2E", "note"].startswith("no SALT-era measure")
    assert table.note.str.len().gt(0).all()


def test_without_a_built_warehouse_the_report_says_so(era_sample, tmp_path):
    # the module fixture's first run had no warehouse: re-run cheaply via the comparison function
    from dagster_project.cld_return.roundtrip import direct_figures

    assert direct_figures(tmp_path / "none.duckdb", LA, "2024/25") is None


def test_report_shows_the_round_trip_and_the_comparison(with_ascof):
    _, _, out = with_ascof
    html = out.html_path.read_text()
    assert "0 structural error(s)" in html and "Revised ASCOF 2024/25" in html and "agrees" in html
    assert "Since the previous quarter" in html and "events added" in html


def test_the_2e_ld_difference_counts_the_clients_dhsc_presumes_at_home():
    import pandas as pd

    from dagster_project.cld_return.build import COLUMNS, Period, Return
    from dagster_project.cld_return.roundtrip import _differences, explain

    base = {c: "" for c in COLUMNS} | {
        "Primary_Support_Reason": "Learning disability support",
        "Client_Type": "Service user",
        "Service_Type": "Long term support: Community",
    }
    rows = pd.DataFrame(
        [
            base | {"LA_Person_Unique_Identifier": "A", "Accommodation_Status": "Unknown"},
            base | {"LA_Person_Unique_Identifier": "B", "Accommodation_Status": ""},
            base | {"LA_Person_Unique_Identifier": "C", "Accommodation_Status": "Shared Lives scheme"},
            base
            | {
                "LA_Person_Unique_Identifier": "D",
                "Accommodation_Status": "Unknown",
                "Service_Type": "Long term support: Nursing care",
            },
        ]
    )[COLUMNS]
    ret = Return(LA, Period.parse(PERIOD), rows, pd.Series(["x"] * 4))
    note = explain("CLD_2E_LD", 75.0, 25.0, ret, _differences(), 3, 4)
    assert note.startswith("differs by +50.0: Old 1G counts a client whose accommodation is Unknown as not at home")
    assert "Here 2 such client(s)" in note and "about 25.0 against 25.0" in note
