"""Each Making Data Count rule on hand-made series: the dbt macro (macros/spc.sql, compiled by dbt
itself) against a small independent implementation written here from NHSRplotthedots' rules."""

from __future__ import annotations

import os
import subprocess

import duckdb
import pytest

from dagster_project.dbt_runtime import dbt_executable
from dagster_project.settings import DBT_PROJECT_DIR

RUN, TREND, MIN_POINTS = 7, 6, 12


@pytest.fixture(scope="module")
def spc_sql(tmp_path_factory):
    """The macro's SQL over a table `spc_input`, as dbt renders it for the models."""
    tmp = tmp_path_factory.mktemp("spc")
    env = {**os.environ, "VITALSIGNS_WAREHOUSE": str(tmp / "wh.duckdb")}
    inline = (
        "{{ spc_points('spc_input') }}\n-- split --\n"
        "select {{ spc_assurance('target', 'lo', 'hi', 'polarity') }} as assurance from spc_limits"
    )
    out = subprocess.run(
        [
            dbt_executable(),
            "compile",
            "--quiet",
            "--inline",
            inline,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(tmp / "target"),
            "--log-path",
            str(tmp / "logs"),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    points, assurance = out.stdout.split("-- split --")
    return points.strip(), assurance.strip()


def run_macro(sql: str, values, polarity="bigger", segments=None):
    con = duckdb.connect()
    segs = segments or [0] * len(values)
    con.execute(
        "create table spc_input (series_key text, as_of int, segment_start int, period_end int, "
        "value double, polarity text)"
    )
    con.executemany(
        "insert into spc_input values ('s', 0, ?, ?, ?, ?)",
        [(s, i, float(v), polarity) for i, (s, v) in enumerate(zip(segs, values))],
    )
    rows = con.execute(
        f"select period_end, centre, lower_limit, upper_limit, special_cause_rule, "
        f"special_cause_direction, variation from ({sql}) order by period_end"
    ).fetchall()
    return rows


def reference(values, polarity="bigger"):
    """Independent XmR with NHSRplotthedots' rules (trend of TREND points as the brief asks)."""
    n = len(values)
    mr = [abs(values[i] - values[i - 1]) for i in range(1, n)]
    amr0 = sum(mr) / len(mr)
    kept = [m for m in mr if m <= 3.267 * amr0]
    amr = sum(kept) / len(kept)
    mean = sum(values) / n
    lo, hi = mean - 2.66 * amr, mean + 2.66 * amr
    nlo, nhi = mean - 2 * 2.66 / 3 * amr, mean + 2 * 2.66 / 3 * amr
    side = [(v > mean) - (v < mean) for v in values]
    beyond = [v > hi or v < lo for v in values]
    near = [not b and (v > nhi or v < nlo) for v, b in zip(values, beyond)]
    steps = [None] + [(values[i] > values[i - 1]) - (values[i] < values[i - 1]) for i in range(1, n)]
    in_run, in_trend, in_23 = [False] * n, [False] * n, [False] * n
    for end in range(RUN - 1, n):
        w = side[end - RUN + 1 : end + 1]
        if w[0] != 0 and all(s == w[0] for s in w):
            for i in range(end - RUN + 1, end + 1):
                in_run[i] = True
    for end in range(TREND - 1, n):
        w = steps[end - TREND + 2 : end + 1]
        if w[0] and all(s == w[0] for s in w):
            for i in range(end - TREND + 1, end + 1):
                in_trend[i] = True
    for end in range(2, n):
        idx = range(end - 2, end + 1)
        if abs(sum(side[i] for i in idx)) == 3 and sum(near[i] for i in idx) >= 2:
            for i in idx:
                in_23[i] = in_23[i] or near[i]
    out = []
    for i in range(n):
        if beyond[i]:
            rule, d = "beyond a limit", side[i]
        elif in_trend[i]:
            nxt = in_trend[i + 1] if i + 1 < n else False
            rule, d = "trend", steps[i + 1] if nxt else steps[i]
        elif in_23[i]:
            rule, d = "two of three near a limit", side[i]
        elif in_run[i]:
            rule, d = "run", side[i]
        else:
            rule, d = "common cause", 0
        out.append((rule, d))
    return mean, lo, hi, out


# a flat, noisy base: alternating around 50, common cause everywhere
BASE = [50, 52, 49, 51, 48, 52, 50, 49, 51, 50, 52, 48, 50, 51, 49, 50]

SERIES = {
    "common cause": BASE,
    "a point beyond the upper limit": BASE[:-1] + [70],
    "a point beyond the lower limit": BASE[:-1] + [30],
    "a run of 7 above the mean": BASE[:9] + [51.5, 51.2, 51.8, 51.4, 51.6, 51.3, 51.7],
    "a run of 6 above the mean is not a shift": BASE[:10] + [51.5, 51.2, 51.8, 51.4, 51.6, 51.3],
    "a trend of 6 rising": BASE[:10] + [47.0, 48.0, 49.0, 50.0, 51.0, 52.0],
    "a trend of 5 rising is not a trend": BASE[:11] + [48.0, 49.0, 50.0, 51.0, 51.5],
    "a trend of 6 falling": BASE[:10] + [53.0, 52.0, 51.0, 50.0, 49.0, 48.0],
    "two of three near the upper limit": BASE[:13] + [56.8, 52, 57.2],
    "one of three near a limit is not": BASE[:13] + [56.8, 52, 52.5],
}

EXPECTED_LAST = {
    "common cause": "common cause",
    "a point beyond the upper limit": "beyond a limit",
    "a point beyond the lower limit": "beyond a limit",
    "a run of 7 above the mean": "run",
    "a run of 6 above the mean is not a shift": "common cause",
    "a trend of 6 rising": "trend",
    "a trend of 5 rising is not a trend": "common cause",
    "a trend of 6 falling": "trend",
    "two of three near the upper limit": "two of three near a limit",
    "one of three near a limit is not": "common cause",
}


@pytest.mark.parametrize("name", SERIES)
def test_each_rule_matches_the_independent_reference(spc_sql, name):
    values = SERIES[name]
    rows = run_macro(spc_sql[0], values)
    mean, lo, hi, ref = reference(values)
    assert rows[-1][1] == pytest.approx(mean) and rows[-1][2] == pytest.approx(lo) and rows[-1][3] == pytest.approx(hi)
    assert [(r[4], r[5]) for r in rows] == ref, name
    assert rows[-1][4] == EXPECTED_LAST[name], (name, rows[-1])


@pytest.mark.parametrize(
    "polarity,direction_up,expected",
    [
        ("bigger", True, "special_cause_improving"),
        ("bigger", False, "special_cause_concerning"),
        ("smaller", True, "special_cause_concerning"),
        ("smaller", False, "special_cause_improving"),
        (None, True, "special_cause_neither"),
    ],
)
def test_variation_icon_follows_polarity(spc_sql, polarity, direction_up, expected):
    values = SERIES["a point beyond the upper limit" if direction_up else "a point beyond the lower limit"]
    assert run_macro(spc_sql[0], values, polarity)[-1][6] == expected
    assert run_macro(spc_sql[0], BASE, polarity)[-1][6] == "common_cause"


def test_fewer_than_12_points_have_no_limits_and_a_break_restarts_them(spc_sql):
    rows = run_macro(spc_sql[0], BASE[: MIN_POINTS - 1])
    assert all(r[1] is None and r[6] is None for r in rows)
    # 16 points, a break before the 6th: the first segment (5) has none, the second (11) none either
    rows = run_macro(spc_sql[0], BASE, segments=[0] * 5 + [1] * 11)
    assert all(r[1] is None for r in rows)
    # a level shift at a break is no special cause: each side has its own mean
    shifted = BASE[:12] + [v + 30 for v in BASE[:12]]
    rows = run_macro(spc_sql[0], shifted, segments=[0] * 12 + [1] * 12)
    assert {r[4] for r in rows} == {"common cause"}
    assert rows[0][1] == pytest.approx(sum(BASE[:12]) / 12) and rows[-1][1] == pytest.approx(sum(BASE[:12]) / 12 + 30)
    unbroken = run_macro(spc_sql[0], shifted)
    assert unbroken[-1][4] != "common cause"


def test_screened_moving_ranges(spc_sql):
    """A moving range above 3.267 x the mean moving range is left out of the limits (NHSRplotthedots)."""
    values = BASE[:-1] + [90]
    rows = run_macro(spc_sql[0], values)
    _, lo, hi, _ = reference(values)
    assert rows[-1][2] == pytest.approx(lo) and rows[-1][3] == pytest.approx(hi)
    mr = [abs(values[i] - values[i - 1]) for i in range(1, len(values))]
    assert hi < sum(values) / len(values) + 2.66 * sum(mr) / len(mr)  # the big jump was screened out


@pytest.mark.parametrize(
    "target,polarity,expected",
    [
        (60, "bigger", "consistently_fail"),
        (40, "bigger", "consistently_pass"),
        (50, "bigger", "hit_and_miss"),
        (60, "smaller", "consistently_pass"),
        (40, "smaller", "consistently_fail"),
        (50, None, None),
        (None, "bigger", None),
    ],
)
def test_assurance_icon(spc_sql, target, polarity, expected):
    con = duckdb.connect()
    con.execute(
        "create table spc_limits as select ?::double as target, 45.0 as lo, 55.0 as hi, ?::text as polarity",
        [target, polarity],
    )
    assert con.execute(spc_sql[1]).fetchone()[0] == expected
