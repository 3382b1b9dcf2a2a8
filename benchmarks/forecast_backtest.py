"""The year-end forecast's backtest, reproducibly: a synthetic sample of 2 councils x 10 years (scale
0.3, seed 7, cached under benchmarks/cache/), built without reports, then the backtest dbt computed
(intermediate.int_year_end_forecast_backtest) printed as the table docs/decisions.md quotes
("Year-end forecast"). `--warehouse PATH` prints it from an existing warehouse instead.

    .venv/bin/python benchmarks/forecast_backtest.py [--warehouse data/warehouse/vitalsigns.duckdb]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CACHE = ROOT / "benchmarks" / "cache" / "forecast_c2_y10_s0.3_seed7"

SUMMARY = """
select method, months_remaining, forecasts, mape, median_ape, with_interval, interval_coverage, interval_width_pct
from intermediate.int_year_end_forecast_backtest order by method desc, months_remaining desc"""
OVERALL = """
select method, count(*) as forecasts, count(distinct financial_year) as years,
       avg(abs(outturn - forecast) / nullif(abs(outturn), 0)) * 100 as mape, count(forecast_lower) as with_interval,
       avg(case when forecast_lower is not null then (outturn between forecast_lower and forecast_upper)::int end)
           as interval_coverage
from intermediate.int_year_end_forecast where forecast is not null and outturn is not null
group by method order by method desc"""


def build() -> Path:
    """The sample's warehouse, built once (ingest, dbt and publish; no reports)."""
    from dagster_project.build_runner import run_everything
    from dagster_project.sample import generate
    from dagster_project.settings import Settings

    landing, home = CACHE / "landing", CACHE / "home"
    warehouse = home / "warehouse" / "vitalsigns.duckdb"
    if (CACHE / ".complete").exists() and warehouse.exists():
        return warehouse
    shutil.rmtree(CACHE, ignore_errors=True)
    generate(landing, councils=2, years=10, scale=0.3, seed=7)
    os.environ["VITALSIGNS_SAMPLE"] = "1"
    result = run_everything(Settings.from_env(landing=landing, home=home), reports=False, dagster_log=False)
    if not result.success:
        raise SystemExit(f"the sample build failed: {result.failures}")
    (CACHE / ".complete").write_text("built\n")
    return warehouse


def pct(x) -> str:
    return "" if x is None else f"{x:.1f}%"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--warehouse", type=Path, help="print the backtest of this warehouse (no build)")
    args = p.parse_args()
    warehouse = args.warehouse or build()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(SUMMARY).fetchall()
        overall = con.execute(OVERALL).fetchall()
    print(
        "| method | months remaining | forecasts | MAPE | median APE | with interval | coverage (nominal 80%) | width |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for method, rem, n, mape, mdape, with_iv, cov, width in rows:
        print(
            f"| {method} | {rem} | {n} | {pct(mape)} | {pct(mdape)} | {with_iv} | "
            f"{'' if cov is None else f'{cov:.0%}'} | {pct(width)} |"
        )
    print()
    for method, n, years, mape, with_iv, cov in overall:
        print(
            f"{method}: {n} forecasts over {years} financial years, MAPE {pct(mape)}; {with_iv} with an interval, "
            f"which held the outturn in {'' if cov is None else f'{cov:.0%}'} of them"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
