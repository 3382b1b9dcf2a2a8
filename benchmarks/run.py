"""Benchmark: the pipeline against the raw-SQL floor and a pandas implementation.

Prints a table and writes benchmarks/results/latest.json. For each size (councils x years)
it generates (and caches) a landing folder, then measures in one run:
  1. the full build (ingest, dbt, publish; reports excluded) per stage, in a child process
     whose peak resident memory is read from the OS;
  2. the floor: benchmarks/floor.sql, one DuckDB script from the CSVs to the three marts,
     whose results must equal the pipeline's (an independent second implementation);
  3. a straightforward pandas implementation of the same marts (benchmarks/pandas_marts.py);
  4. an incremental nightly run: one more month of extracts landed, rebuilt;
  5. the Parquet landing zone (benchmarks/lake_bench.py): ingestion alone with and without it, and
     the rows and bytes one more month writes as change sets against the full extracts;
and reports the ratios against the targets. Then the CLD part (issue 13; benchmarks/cld_bench.py):
10 councils x 2 years of quarterly CLD submissions (about 40,000 events per council-year at
--cld-scale 1), measured in one child process: CLD ingestion (load_cld, the raw/cld asset's
work), `dbt build` of the CLD models with their seeds and tests, and the hand-written floor
(benchmarks/cld_floor.sql) whose figures must equal marts.ascof_cld; peak memory per stage.
Figures, not assertions: nothing here is a test.

    .venv/bin/python benchmarks/run.py [--sizes 1x10,3x10,10x10] [--scale 1.0] [--skip-pandas-above 3]
                                       [--only cld|pipeline] [--cld-scale 1.0] [--no-lake]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import queue
import shutil
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CACHE = ROOT / "benchmarks" / "cache"
RESULTS = ROOT / "benchmarks" / "results"
END_MONTH = "2017-03"
CLD_SPAN = ("2023-06", "2025-03")  # issue 13: two years of quarterly CLD submissions per council


def landing_for(councils: int, years: int, scale: float, end_month: str = END_MONTH) -> Path:
    from dagster_project.sample import generate

    path = CACHE / f"c{councils}_y{years}_s{scale:g}_{end_month}_cld{CLD_SPAN[0]}_{CLD_SPAN[1]}"
    if not (path / ".complete").exists():
        shutil.rmtree(path, ignore_errors=True)
        t = time.monotonic()
        generate(
            path,
            councils=councils,
            years=years,
            scale=scale,
            seed=42,
            end_month=end_month,
            cld_first=CLD_SPAN[0],
            cld_last=CLD_SPAN[1],
        )
        (path / ".vitalsigns-sample").write_text("synthetic\n")
        (path / ".complete").write_text(f"{time.monotonic() - t:.1f}s\n")
    return path


def _build_child(landing: str, home: str, results) -> None:
    """Run ingest + dbt + publish (no reports) in this process; report stage times and peak RSS."""
    os.environ.update(VITALSIGNS_LANDING=landing, VITALSIGNS_HOME=home, VITALSIGNS_SAMPLE="1")
    import dagster as dg

    from dagster_project.build_runner import run_everything
    from dagster_project.settings import Settings

    settings = Settings.from_env()
    instance = dg.DagsterInstance.ephemeral()
    started = time.monotonic()
    result = run_everything(settings, instance, reports=False)
    wall = time.monotonic() - started
    stages = {"ingest": 0.0, "dbt": 0.0, "publish": 0.0}
    for stat in instance.get_run_step_stats(result.run_id):
        took = (stat.end_time or 0) - (stat.start_time or 0)
        key = (
            "dbt"
            if stat.step_key == "warehouse_models"
            else "publish"
            if stat.step_key.startswith("published")
            else "ingest"
        )
        stages[key] += took
    # dbt's own elapsed time (models and tests); the rest of the dbt step is dbt's start-up and
    # parse and Dagster recording an event per model and per test
    run_results = settings.dbt_target_path / "run_results.json"
    stages["dbt_engine"] = json.loads(run_results.read_text())["elapsed_time"] if run_results.exists() else 0.0
    results.put({"success": result.success, "wall": wall, "stages": stages})


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def pipeline_build(landing: Path, home: Path) -> dict:
    """Build in a child process; peak memory is the largest sum of RSS over the child and its
    subprocesses (dbt), sampled every 50 ms, so simultaneous use is counted once."""
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_build_child, args=(str(landing), str(home), q))
    p.start()
    proc, peak, out = psutil.Process(p.pid), 0, None
    while out is None:
        peak = max(peak, _tree_rss(proc))
        try:
            out = q.get(timeout=0.05)
        except queue.Empty:
            if not p.is_alive():
                raise RuntimeError("the benchmark build process died") from None
    p.join()
    out["peak_mib"] = peak / (1 << 20)
    return out


def floor(landing: Path) -> tuple[float, duckdb.DuckDBPyConnection]:
    sql = (ROOT / "benchmarks" / "floor.sql").read_text().replace("{landing}", str(landing))
    con = duckdb.connect()
    con.execute("set threads = 2")
    t = time.monotonic()
    con.execute(sql)
    return time.monotonic() - t, con


def compare(floor_con, warehouse: Path) -> dict[str, int]:
    """Rows where the floor and the pipeline disagree (should all be zero)."""
    floor_con.execute(f"attach '{warehouse}' as wh (read_only)")
    checks = {
        "ascof": """select count(*) from floor_ascof f join wh.marts.ascof p using (la_code, financial_year, ascof_code)
                    where f.numerator is distinct from p.numerator or f.denominator is distinct from p.denominator
                       or abs(coalesce(f.value, -1) - coalesce(p.value, -1)) > 1e-9""",
        "ascof_matched": """select count(*) from floor_ascof f join wh.marts.ascof p
                            using (la_code, financial_year, ascof_code)""",
        "dtoc_monthly": """select count(*) from floor_dtoc_monthly f full join wh.marts.dtoc_monthly p
                           using (la_code, period, responsible_org)
                           where f.delayed_days is distinct from p.delayed_days
                              or abs(coalesce(f.rate_per_100k, -1) - coalesce(p.rate_per_100k, -1)) > 1e-9""",
        "admissions_rolling_12m": """select count(*) from floor_admissions_rolling_12m f
                           join wh.marts.admissions_rolling_12m p
                           using (la_code, period_end, age_band)
                           where f.admissions_12m is distinct from p.admissions_12m
                              or abs(coalesce(f.rate_per_100k, -1) - coalesce(p.rate_per_100k, -1)) > 1e-9""",
    }
    return {k: floor_con.execute(q).fetchall()[0][0] for k, q in checks.items()}


def pandas_run(landing: Path, floor_con) -> tuple[float, int]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import pandas_marts

    t = time.monotonic()
    marts = pandas_marts.compute(landing)
    took = time.monotonic() - t
    floor_con.register("pd_ascof", marts["ascof"])
    mismatches = floor_con.execute(
        """select count(*) from pd_ascof p join floor_ascof f using (la_code, financial_year, ascof_code)
           where p.numerator <> f.numerator or p.denominator <> f.denominator"""
    ).fetchall()[0][0]
    return took, mismatches


CLD_COUNCILS = 10  # and CLD_SPAN: two years of quarterly submissions


def _cld_child(landing: str, home: str, results) -> None:
    """The CLD stages one after another; a ("stage", name) message starts each so the parent
    attributes its memory samples to it."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import cld_bench

    landing, home = Path(landing), Path(home)
    out = {}
    results.put(("stage", "ingest"))
    out.update(cld_bench.ingest(landing, home))
    results.put(("stage", "dbt"))
    out.update(cld_bench.dbt_build(landing, home))
    results.put(("stage", "floor"))
    took, con = cld_bench.floor(landing)
    out["floor_s"] = took
    results.put(("stage", "compare"))
    out.update(cld_bench.compare(con, out["warehouse"]))
    con.close()
    results.put(("done", out))


def cld_run(scale: float) -> dict:
    """Generate (cached) the CLD landing folder and measure its stages in a child process; peak
    memory per stage is the largest RSS of the child and its dbt subprocess, sampled every 50 ms."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import cld_bench

    # the Liquid Logic part is the smallest the generator makes (1 year); only cld/ and population/ are read
    landing = landing_for(CLD_COUNCILS, 1, scale)
    home = CACHE / "home_cld"
    shutil.rmtree(home, ignore_errors=True)
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_cld_child, args=(str(landing), str(home), q))
    p.start()
    proc, stage, peaks, out = psutil.Process(p.pid), None, {}, None
    while out is None:
        if stage:
            peaks[stage] = max(peaks.get(stage, 0), _tree_rss(proc))
        try:
            kind, value = q.get(timeout=0.05)
            if kind == "stage":
                stage = value
            else:
                out = value
        except queue.Empty:
            if not p.is_alive():
                raise RuntimeError("the CLD benchmark process died") from None
    p.join()
    files = sorted((landing / "cld").glob("cld_*.csv"))
    return {
        "councils": CLD_COUNCILS,
        "quarters": f"{CLD_SPAN[0]}..{CLD_SPAN[1]}",
        "cld_scale": scale,
        "files": len(files),
        "csv_mib": round(sum(f.stat().st_size for f in files) / (1 << 20)),
        "raw_rows": out["raw_rows"],
        "events_per_council_year": round(cld_bench.events_per_council_year(landing)),
        "ingest_s": round(out["ingest_s"], 1),
        "dbt_s": round(out["dbt_s"], 1),
        "dbt_engine_s": round(out["dbt_engine_s"], 1),
        "floor_s": round(out["floor_s"], 1),
        "ingest_dbt_vs_floor": round((out["ingest_s"] + out["dbt_s"]) / out["floor_s"], 2),
        "peak_ingest_mib": round(peaks.get("ingest", 0) / (1 << 20)),
        "peak_dbt_mib": round(peaks.get("dbt", 0) / (1 << 20)),
        "peak_floor_mib": round(peaks.get("floor", 0) / (1 << 20)),
        "matched": out["matched"],
        "mismatches": out["mismatches"],
        "mismatch_examples": out["examples"],
        "dbt_models": out["dbt_models"],
        "dbt_seeds": out["dbt_seeds"],
        "dbt_tests": out["dbt_tests"],
    }


def print_cld(row: dict) -> None:
    cols = [
        "councils",
        "quarters",
        "files",
        "csv_mib",
        "raw_rows",
        "events_per_council_year",
        "ingest_s",
        "dbt_s",
        "dbt_engine_s",
        "floor_s",
        "ingest_dbt_vs_floor",
        "peak_ingest_mib",
        "peak_dbt_mib",
        "peak_floor_mib",
        "matched",
        "mismatches",
    ]
    print(
        "\nCLD (issue 13): ingest = load_cld; dbt = dbt build of the CLD models, seeds and tests "
        "(dbt's own time in dbt_engine_s); floor = benchmarks/cld_floor.sql"
    )
    print(pd.DataFrame([{c: row[c] for c in cols}]).to_string(index=False))
    for example in row["mismatch_examples"]:
        print("  mismatch:", ", ".join(example))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1x10,3x10,10x10", help="councils x years, comma separated")
    ap.add_argument("--scale", type=float, default=float(os.environ.get("VITALSIGNS_BENCH_SCALE", "0.5")))
    ap.add_argument("--skip-pandas-above", type=int, default=3, help="pandas only up to this many councils")
    ap.add_argument("--only", choices=("cld", "pipeline"), help="run only the CLD part or only the pipeline part")
    ap.add_argument(
        "--no-lake", action="store_true", help="skip the landing-zone figures (ingestion with and without it)"
    )
    ap.add_argument(
        "--cld-scale",
        type=float,
        default=float(os.environ.get("VITALSIGNS_BENCH_CLD_SCALE", "1.0")),
        help="CLD sample scale (1.0: about 40,000 events per council-year)",
    )
    args = ap.parse_args()
    previous = json.loads((RESULTS / "latest.json").read_text()) if (RESULTS / "latest.json").exists() else {}
    if isinstance(previous, list):  # the format before the CLD part: the pipeline rows only
        previous = {"pipeline": previous}
    results = dict(previous)
    if args.only != "cld":
        results["pipeline"] = pipeline_part(args)
    if args.only != "pipeline":
        results["cld"] = cld_run(args.cld_scale)
        print_cld(results["cld"])
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2))
    return 0


def lake_part(next_landing: Path, landing: Path, size: str) -> dict:
    """The Parquet landing zone (issue 17; benchmarks/lake_bench.py): ingestion with and without it,
    and what the next month's extracts write as change sets against the full extracts."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import lake_bench

    from dagster_project.ingest.reading import extract_date

    stamp = extract_date(next(iter(sorted((landing / "liquidlogic").glob("people_*.csv"))))).strftime("%Y%m%d")
    work = CACHE / f"lake_{size}"
    m = lake_bench.measure(next_landing, work, stamp, repeats=1)
    shutil.rmtree(work, ignore_errors=True)
    return {
        "ingest_no_lake_s": round(m["night1_off_s"], 1),
        "ingest_lake_s": round(m["night1_on_s"], 1),
        "next_ingest_no_lake_s": round(m["night2_off_s"], 1),
        "next_ingest_lake_s": round(m["night2_on_s"], 1),
        "next_rows_written": m["night2_rows_written"],
        "next_full_rows": m["night2_full_rows"],
        "next_mib_written": round(m["night2_bytes_written"] / (1 << 20), 2),
        "next_full_parquet_mib": round(m["night2_full_parquet_bytes"] / (1 << 20), 2),
    }


def pipeline_part(args) -> list[dict]:
    rows = []
    for size in args.sizes.split(","):
        councils, years = map(int, size.split("x"))
        landing = landing_for(councils, years, args.scale)
        home = CACHE / f"home_{size}"
        shutil.rmtree(home, ignore_errors=True)
        full = pipeline_build(landing, home)
        f_time, fcon = floor(landing)
        diffs = compare(fcon, home / "warehouse" / "vitalsigns.duckdb")
        p_time, p_mismatch = (None, None)
        if councils <= args.skip_pandas_above:
            p_time, p_mismatch = pandas_run(landing, fcon)
        fcon.close()  # its read-only attach of the warehouse would block the next build's writer
        # incremental: the next night, one more month of extracts lands in the same landing folder
        # (full Liquid Logic extracts replace, DToC adds) and the same warehouse is rebuilt
        nxt = landing_for(councils, years, args.scale, end_month="2017-04")
        inc_landing = CACHE / f"inc_{size}"
        shutil.rmtree(inc_landing, ignore_errors=True)
        shutil.copytree(landing, inc_landing)
        for folder in ("liquidlogic", "dtoc"):
            for p in (nxt / folder).glob("*.csv"):
                shutil.copy(p, inc_landing / folder / p.name)
        os.environ["VITALSIGNS_CONFIRM_SHRINK"] = "1"
        inc = pipeline_build(inc_landing, home)
        os.environ.pop("VITALSIGNS_CONFIRM_SHRINK")
        zone = lake_part(nxt, landing, size) if not args.no_lake else {}
        rows.append(
            {
                "size": size,
                "councils": councils,
                "years": years,
                "scale": args.scale,
                "full_build_s": round(full["wall"], 1),
                **{f"{k}_s": round(v, 1) for k, v in full["stages"].items()},
                "floor_s": round(f_time, 1),
                "pandas_s": round(p_time, 1) if p_time else None,
                "incremental_s": round(inc["wall"], 1),
                **{f"inc_{k}_s": round(v, 1) for k, v in inc["stages"].items() if k in ("ingest", "dbt")},
                "peak_mib": round(max(full["peak_mib"], inc["peak_mib"])),
                "build_vs_floor": round(full["wall"] / f_time, 2),
                "incremental_vs_full": round(inc["wall"] / full["wall"], 2),
                "pandas_vs_build": round(p_time / full["wall"], 2) if p_time else None,
                "floor_mismatches": diffs,
                "pandas_mismatches": p_mismatch,
                "build_ok": full["success"] and inc["success"],
                **zone,
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    table = pd.DataFrame(rows).drop(columns=["floor_mismatches"])
    print()
    print(table.to_string(index=False))
    if len(rows) > 1:
        per_council = [r["full_build_s"] / r["councils"] for r in rows]
        print(
            f"\ncost per council: {', '.join(f'{x:.1f}s' for x in per_council)} "
            f"(linear or better when this does not grow)"
        )
    print(
        "\ntargets: build <= 1.5x floor; incremental <= 15% of full; >= 10x faster than pandas; "
        "peak <= 4096 MiB; linear growth"
    )
    return rows


if __name__ == "__main__":
    sys.exit(main())
