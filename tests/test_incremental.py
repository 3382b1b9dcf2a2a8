"""Nightly builds are incremental: the long-term-support snapshots recompute only the last
`lts_lookback_months` month ends; a full refresh recomputes all of them.

The fixture builds once (full), then lands a corrected services extract: one open service is
ended, effective from a date outside the window (old history) and the figures inside the window
change with it. An incremental build must update the window and keep older months exactly as they
were; a full refresh must then agree with a from-scratch build everywhere.
"""

from __future__ import annotations

import pandas as pd
import pytest

from dagster_project.build_runner import run_everything
from dagster_project.sample import generate
from tests.conftest import query, sample_settings

pytestmark = pytest.mark.slow

LTS = "intermediate.int_long_term_support_snapshots"
COUNTS = f"select as_at, count(*) from {LTS} group by 1 order by 1"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental")
    landing, home = root / "landing", root / "home"
    generate(landing, councils=1, years=4, scale=0.05, seed=11)
    (landing / ".vitalsigns-sample").write_text("synthetic\n")  # the sample's salt, as `vitalsigns sample` marks it
    settings = sample_settings(landing, home)

    def build(settings=settings, full_refresh=False):
        # reports are not what this tests, and take a third of a build
        outcome = run_everything(settings, full_refresh=full_refresh, reports=False)
        assert outcome.success, outcome.failures
        return dict(query(settings.warehouse_path, COUNTS))

    first = build()
    last_month = max(first)
    cutoff = (pd.Timestamp(last_month) - pd.DateOffset(months=24)).date()
    # the correction: the longest-running open service actually ended three years before the data ends
    [services] = sorted((landing / "liquidlogic").glob("services_*.csv"))
    frame = pd.read_csv(services, dtype=str, keep_default_na=False)
    only_service = frame["person_id"].map(frame["person_id"].value_counts()) == 1
    open_ = frame[
        only_service
        & (frame["end_date"] == "")
        & (frame["client_type"] == "Service User")
        & frame["funding_source"].isin(["Council", "Joint"])
        & frame["service_type"].str.startswith("Long Term Support:")
    ]
    target = open_.sort_values("start_date").index[0]
    ended = (pd.Timestamp(last_month) - pd.DateOffset(months=36)).date()
    assert frame.loc[target, "start_date"] < ended.isoformat()
    frame.loc[target, "end_date"] = ended.isoformat()
    next_day = (pd.Timestamp(services.stem.split("_")[-1]) + pd.Timedelta(days=1)).strftime("%Y%m%d")
    frame.to_csv(services.with_name(f"services_{next_day}.csv"), index=False)

    incremental = build()
    refreshed = build(full_refresh=True)

    from_scratch = build(sample_settings(landing, root / "scratch"))
    return first, incremental, refreshed, from_scratch, cutoff, ended


def test_incremental_build_updates_the_lookback_window(runs):
    first, incremental, _, from_scratch, cutoff, _ = runs
    window = [m for m in first if m > cutoff]
    assert len(window) == 24
    assert {m: incremental[m] for m in window} == {m: from_scratch[m] for m in window}
    assert any(incremental[m] == first[m] - 1 for m in window)  # the ended service left the window's counts


def test_incremental_build_keeps_months_before_the_window(runs):
    first, incremental, _, from_scratch, cutoff, ended = runs
    old = [m for m in first if m <= cutoff]
    assert {m: incremental[m] for m in old} == {m: first[m] for m in old}
    changed = [m for m in old if m > ended]
    assert changed and all(from_scratch[m] == first[m] - 1 for m in changed)


def test_full_refresh_equals_a_build_from_scratch(runs):
    _, _, refreshed, from_scratch, _, _ = runs
    assert refreshed == from_scratch
