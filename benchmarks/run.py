"""Benchmark (issue 17): the pipeline against the raw-SQL floor, pandas, itself a night later, and Spark.

Prints tables and the targets, and writes benchmarks/results/latest.json (after each part). Parts:

pipeline (DuckDB), for each size councils x years (default 1x10,3x10,10x10,10x5,50x5):
  1. the full build (ingest, dbt, publish; reports excluded) per stage, in a child process whose peak
     resident memory (with dbt's) is sampled; cost per council = wall / councils;
  2. the floor: benchmarks/floor.sql, one DuckDB script from the CSVs to every mart plain SQL
     reasonably computes (ascof, dtoc_monthly, admissions_rolling_12m, indicator_values' event and
     snapshot indicators, the dashboard's figures; the file says what it leaves out and why), then
     benchmarks/cld_floor.sql on the same folder's Client Level Data (ascof_cld: the full build ingests,
     models and publishes CLD too), each compared with the pipeline's marts row by row (`compare`,
     `cld_bench.compare`); floor_s is their sum, build_vs_ll_floor the ratio to the first alone;
     pandas (benchmarks/pandas_marts.py) at small sizes;
  3. the next night, with NIGHTLY's settings (changed-only dbt): the same landing folder with one more
     month of extracts landed, rebuilt into the same warehouse. Both nights come from one generation
     (end NEXT_MONTH), the first cut at its extract date (lake_bench.cut), so they share their history
     as a council's consecutive extracts do;
  4. the Parquet landing zone (benchmarks/lake_bench.py): ingestion with and without it, and the rows
     the next night's extracts change.
  Beyond the generator's 15 councils a size is CLONE_BASE councils' data repeated under new codes, so
  50x5 is 10x5 five times over and its cost per council compares with 10x5's directly.
spark: --spark-councils councils x --spark-years years: ingestion, then `dbt build` of the whole
  project (every model, seed and snapshot) on DuckDB and on local Spark from the same raw tables; wall,
  dbt's time per node, cost per council, peak memory, and every table compared row for row.
cld (issue 13; benchmarks/cld_bench.py): 10 councils x 2 years of quarterly CLD submissions: ingestion,
  `dbt build` of the CLD models and the floor benchmarks/cld_floor.sql, which must equal marts.ascof_cld.
Figures, not assertions: nothing here is a test.

    .venv/bin/python benchmarks/run.py [--sizes 1x10,10x10,10x5,50x5] [--scale 0.5] [--only pipeline,spark,cld]
        [--spark-councils 10] [--spark-years 10] [--spark-no-tests] [--no-incremental] [--no-lake]
        [--skip-pandas-above 3] [--cld-scale 1.0]
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
from collections import Counter
from pathlib import Path

import duckdb
import pandas as pd
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CACHE = ROOT / "benchmarks" / "cache"
RESULTS = ROOT / "benchmarks" / "results"
END_MONTH = "2017-03"  # the first night's extracts: to the end of March 2017, extracted on STAMP
# The next night's settings: changed-only dbt (dagster_project/changes.py, docs/configuration.md), the
# setting for nightly runs between weekly full refreshes; the full build is the default path.
NIGHTLY = {"VITALSIGNS_DBT_CHANGED_ONLY": "1"}
NEXT_MONTH = "2017-04"  # the next night's: one more month, generated once; the first night is cut from it
STAMP = "20170401"
SIZES = "1x10,3x10,10x10,10x5,50x5"  # 10x5 beside 50x5: cost per council at the same years
CLONE_BASE = 10  # councils beyond the generator's are copies of this many (`clone`)
CLD_SPAN = ("2023-06", "2025-03")  # issue 13: two years of quarterly CLD submissions per council


def _cached(path: Path, make) -> Path:
    """`path`, made by `make(path)` unless a complete copy is cached."""
    if not (path / ".complete").exists():
        shutil.rmtree(path, ignore_errors=True)
        t = time.monotonic()
        make(path)
        (path / ".vitalsigns-sample").write_text("synthetic\n")
        (path / ".complete").write_text(f"{time.monotonic() - t:.1f}s\n")
    return path


def generated(councils: int, years: int, scale: float, end_month: str = NEXT_MONTH) -> Path:
    """The generator's landing folder (cached). Beyond the generator's councils, the CLONE_BASE-council
    folder is repeated under new council codes (`clone`), so 50 councils are 10 councils' data five times."""
    from dagster_project.sample import generate
    from dagster_project.sample.councils import COUNCILS

    path = CACHE / f"c{councils}_y{years}_s{scale:g}_{end_month}_cld{CLD_SPAN[0]}_{CLD_SPAN[1]}"
    if councils > len(COUNCILS):
        base = generated(CLONE_BASE, years, scale, end_month)
        return _cached(path, lambda out: clone(base, out, councils))
    return _cached(
        path,
        lambda out: generate(
            out,
            councils=councils,
            years=years,
            scale=scale,
            seed=42,
            end_month=end_month,
            cld_first=CLD_SPAN[0],
            cld_last=CLD_SPAN[1],
        ),
    )


def clone_code(code: str, copy: int) -> str:
    """Council `code` in copy `copy` (0: itself): the fourth character is the copy number, a valid ONS-style
    code no real council in the seed has (theirs are E0x000... and E10000...)."""
    return code if copy == 0 else f"{code[:3]}{copy}{code[4:]}"


def clone(base: Path, out: Path, councils: int) -> None:
    """`base`'s landing folder with its councils repeated until there are `councils` of them: every row that
    names one of its councils (la_code, LA_Code, area_code) is written once per copy under that copy's code;
    rows naming no council (England and regions) once. CLD files are per council, so copied and renamed."""
    with duckdb.connect() as con:
        own = sorted(
            r[0]
            for r in con.execute(
                f"select distinct la_code from read_csv('{base}/population/*.csv', header = true, all_varchar = true)"
            ).fetchall()
        )
        copies = -(-councils // len(own))
        if copies > 10:  # the copy number is one digit of the council code
            raise ValueError(f"at most {10 * len(own)} councils can be cloned from {len(own)}")
        wanted = [(c, k) for k in range(copies) for c in own][:councils]
        con.execute("create table codes (code varchar, copy int, cloned varchar)")
        con.executemany("insert into codes values (?, ?, ?)", [(c, k, clone_code(c, k)) for c, k in wanted])
        for src in sorted(base.rglob("*")):
            target = out / src.relative_to(base)
            if src.is_dir() or src.name.startswith("."):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if src.parent.name == "cld":  # headers vary between submissions ("LA_Code", "LA Code", ...)
                code = src.name.split("_")[1]
                rel = f"read_csv('{src}', header = true, all_varchar = true)"
                cols = [r[0] for r in con.execute(f"describe select * from {rel}").fetchall()]
                la = next(c for c in cols if c.lower().replace(" ", "_") == "la_code")
                for (new,) in con.execute("select cloned from codes where code = ?", [code]).fetchall():
                    con.execute(
                        f"""copy (select * replace (replace("{la}", '{code}', '{new}') as "{la}") from {rel})
                            to '{target.with_name(src.name.replace(code, new))}' (header, delimiter ',')"""
                    )
                continue
            if src.suffix != ".csv":
                shutil.copy(src, target)
                continue
            cols = [r[0] for r in con.execute(f"describe select * from read_csv('{src}', header = true)").fetchall()]
            named = next((c for c in ("la_code", "area_code") if c in cols), None)
            if named is None:
                shutil.copy(src, target)
                continue
            con.execute(
                f"""copy (select f.* replace (coalesce(k.cloned, f."{named}") as "{named}")
                         from read_csv('{src}', header = true, all_varchar = true) f
                         left join codes k on k.code = f."{named}"
                         where k.code is not null or f."{named}" not in (select code from codes))
                    to '{target}' (header, delimiter ',')"""
            )


def landing_for(councils: int, years: int, scale: float) -> Path:
    """The first night's landing folder: the NEXT_MONTH sample cut at its extract date (END_MONTH's
    extracts), CLD submissions as generated. The next night lands the NEXT_MONTH extracts themselves,
    so the two nights share their history as a council's consecutive extracts do (`next_landing`)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import lake_bench

    nxt = generated(councils, years, scale)

    def make(out: Path) -> None:
        lake_bench.cut(nxt, out, STAMP)
        if (nxt / "cld").exists():
            shutil.copytree(nxt / "cld", out / "cld")

    return _cached(CACHE / f"{nxt.name}_cut{STAMP}", make)


def next_landing(councils: int, years: int, scale: float, home_landing: Path, out: Path) -> Path:
    """The next night: the first night's folder with the NEXT_MONTH Liquid Logic and DToC extracts landed
    beside it (full extracts replace, DToC adds), as `lake_bench.measure` lands them."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import lake_bench

    nxt = generated(councils, years, scale)
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(home_landing, out)
    for folder in lake_bench.NEXT_FOLDERS:
        for p in (nxt / folder).glob("*.csv"):
            shutil.copy(p, out / folder / p.name)
    return out


def measured(target, *args) -> tuple[dict, dict[str, float]]:
    """Run `target(results, *args)` in a spawned child process; it sends ("stage", name) as each stage
    starts and ("done", dict) at the end. Returns the dict and each stage's peak memory in MiB: the largest
    sum of resident memory over the child and its subprocesses (dbt, Spark's JVM), sampled every 50 ms,
    so simultaneous use is counted once."""
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=target, args=(q, *args))
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
                raise RuntimeError(f"the benchmark process ({target.__name__}) died") from None
    p.join()
    return out, {k: v / (1 << 20) for k, v in peaks.items()}


def node_times(run_results: Path) -> dict[str, float]:
    """Seconds per dbt node (model, seed, test) from dbt's run_results.json, by unique id."""
    if not run_results.exists():
        return {}
    return {r["unique_id"]: r["execution_time"] for r in json.loads(run_results.read_text())["results"]}


def _build_child(results, landing: str, home: str, env: dict) -> None:
    """Run ingest + dbt + publish (no reports) in this process; report stage times and per-node dbt times."""
    os.environ.update(VITALSIGNS_LANDING=landing, VITALSIGNS_HOME=home, VITALSIGNS_SAMPLE="1", **env)
    import dagster as dg

    from dagster_project.build_runner import run_everything
    from dagster_project.settings import Settings

    results.put(("stage", "build"))
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
    results.put(("done", {"success": result.success, "wall": wall, "stages": stages, "nodes": node_times(run_results)}))


def _tree_rss(proc: psutil.Process) -> int:
    """Resident memory of the process and its subprocesses, each page once: a forked copy of the process
    (publication's workers, `disclosure.each_component`) shares the parent's pages until it writes them,
    so it counts only its own (USS); dbt and Spark's JVM, separate programs, count their resident memory.
    Summing forked workers' resident memory counted the parent's model once per worker (4,691 MiB against
    1,854 MiB of proportional set size, publishing 10 x 10 with two workers)."""
    total = 0
    try:
        own = proc.cmdline()
    except psutil.Error:
        own = None
    for p in [proc, *proc.children(recursive=True)]:
        try:
            forked = p is not proc and p.cmdline() == own
            total += p.memory_full_info().uss if forked else p.memory_info().rss
        except psutil.Error:
            pass
    return total


def pipeline_build(landing: Path, home: Path, **env: str) -> dict:
    """The build (ingest, dbt, publish) in a child process, with its peak memory (`measured`); `env`: more
    VITALSIGNS_* variables for the child (e.g. VITALSIGNS_CONFIRM_SHRINK for the next night)."""
    out, peaks = measured(_build_child, str(landing), str(home), env)
    out["peak_mib"] = peaks.get("build", 0.0)
    return out


def floor(landing: Path) -> tuple[float, duckdb.DuckDBPyConnection]:
    sql = (
        (ROOT / "benchmarks" / "floor.sql")
        .read_text()
        .replace("{landing}", str(landing))
        .replace("{seeds}", str(ROOT / "dbt" / "seeds"))
    )
    con = duckdb.connect()
    con.execute("set threads = 2")
    t = time.monotonic()
    con.execute(sql)
    return time.monotonic() - t, con


# Every mart the floor computes (floor.sql's floor_<mart>): its key, the figures compared within 1e-9
# (relative), whether a row on one side only is a mismatch ("full") or only common rows are compared
# ("inner": ascof holds comparators and CLD measures the floor does not make), and the pipeline's rows
# in scope (the floor's rows at keys outside it are left out too): the indicator marts compare the
# computed values of the indicators the floor computes, not values a council supplied over them.
COMPUTED_BY_FLOOR = (
    "value_source = 'computed' and indicator_code in (select indicator_code from floor_indicator_values)"
)
COMPARED = {
    "ascof": (("la_code", "financial_year", "ascof_code"), ("numerator", "denominator", "value"), "inner", "true"),
    "dtoc_monthly": (("la_code", "period", "responsible_org"), ("delayed_days", "rate_per_100k"), "full", "true"),
    "admissions_rolling_12m": (
        ("la_code", "period_end", "age_band"),
        ("admissions_12m", "rate_per_100k"),
        "inner",
        "true",
    ),
    "indicator_values": (
        ("la_code", "indicator_code", "period_type", "period_end"),
        ("numerator", "denominator", "value"),
        "full",
        COMPUTED_BY_FLOOR,
    ),
    "dashboard": (
        ("la_code", "indicator_code", "period_type", "period_end"),
        ("numerator", "denominator", "value"),
        "full",
        COMPUTED_BY_FLOOR,
    ),
}


def compare(floor_con, warehouse: Path, examples: int = 5) -> dict[str, dict]:
    """Per mart: rows matched on the key and rows where the floor and the pipeline disagree (should be
    zero), with a few examples of the latter."""
    floor_con.execute(f"attach '{warehouse}' as wh (read_only)")
    out = {}
    try:
        for mart, (key, figures, join, scope) in COMPARED.items():
            keys = ", ".join(key)
            differ = " or ".join(
                [
                    f"abs(coalesce(f.{c}, -1) - coalesce(p.{c}, -1)) > 1e-9 * greatest(1, abs(coalesce(p.{c}, 0))) "
                    f"or (f.{c} is null) <> (p.{c} is null)"
                    for c in figures
                ]
                + ([f"f.{key[0]} is null or p.{key[0]} is null"] if join == "full" else [])
            )
            joined = f"""(select * from floor_{mart} anti join (select {keys} from wh.marts.{mart} where not ({scope}))
                            using ({keys})) f
                         {join} join (select * from wh.marts.{mart} where {scope}) p using ({keys})"""
            matched, mismatched = floor_con.execute(
                f"select count(*) filter (where f.{key[0]} is not null and p.{key[0]} is not null), "
                f"count(*) filter (where {differ}) from {joined}"
            ).fetchone()
            shown = ", ".join(f"f.{c} as floor_{c}, p.{c} as pipeline_{c}" for c in figures)
            rows = floor_con.execute(
                f"select {keys}, {shown} from {joined} where {differ} order by all limit {examples}"
            ).fetchall()
            out[mart] = {"matched": matched, "mismatches": mismatched, "examples": [list(map(str, r)) for r in rows]}
    finally:
        floor_con.execute("detach wh")
    return out


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


def _floor_child(results, landing: str, warehouse: str, with_pandas: bool) -> None:
    """The floor, its comparison with the pipeline's marts and (small sizes) pandas, each a stage. The
    floor is floor.sql (the Liquid Logic and DToC marts) and, when the landing folder holds Client Level
    Data, cld_floor.sql (the revised ASCOF from the CLD files): the full build ingests, models and
    publishes both, so the floor computes both."""
    results.put(("stage", "floor"))
    took, con = floor(Path(landing))
    out = {"floor_ll_s": took, "floor_cld_s": 0.0}
    cld = None
    if any((Path(landing) / "cld").glob("cld_*.csv")):
        sys.path.insert(0, str(ROOT / "benchmarks"))
        import cld_bench

        out["floor_cld_s"], cld = cld_bench.floor(Path(landing))
    out["floor_s"] = out["floor_ll_s"] + out["floor_cld_s"]
    results.put(("stage", "compare"))
    out["floor_compare"] = compare(con, Path(warehouse))
    if cld is not None:
        out["floor_compare"]["ascof_cld"] = cld_bench.compare(cld, Path(warehouse))
        cld.close()
    if with_pandas:
        results.put(("stage", "pandas"))
        out["pandas_s"], out["pandas_mismatches"] = pandas_run(Path(landing), con)
    con.close()
    results.put(("done", out))


CLD_COUNCILS = 10  # and CLD_SPAN: two years of quarterly submissions


def _cld_child(results, landing: str, home: str) -> None:
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
    """Generate (cached) the CLD landing folder and measure its stages in a child process (`measured`)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import cld_bench

    # the Liquid Logic part is the smallest the generator makes (1 year); only cld/ and population/ are read
    landing = generated(CLD_COUNCILS, 1, scale)
    home = CACHE / "home_cld"
    shutil.rmtree(home, ignore_errors=True)
    out, peaks = measured(_cld_child, str(landing), str(home))
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
        "peak_ingest_mib": round(peaks.get("ingest", 0)),
        "peak_dbt_mib": round(peaks.get("dbt", 0)),
        "peak_floor_mib": round(peaks.get("floor", 0)),
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


PARTS = ("pipeline", "spark", "cld")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default=SIZES, help="councils x years on DuckDB, comma separated")
    ap.add_argument("--scale", type=float, default=float(os.environ.get("VITALSIGNS_BENCH_SCALE", "0.5")))
    ap.add_argument("--skip-pandas-above", type=int, default=3, help="pandas only up to this many councils")
    ap.add_argument("--only", help=f"comma-separated parts to run, of {', '.join(PARTS)} (default: all)")
    ap.add_argument(
        "--no-lake", action="store_true", help="skip the landing-zone figures (ingestion with and without it)"
    )
    ap.add_argument("--no-incremental", action="store_true", help="skip the next night (one more month)")
    ap.add_argument("--spark-councils", type=int, default=10, help="councils of the Spark run (0: none)")
    ap.add_argument("--spark-years", type=int, default=10, help="years of the Spark run")
    ap.add_argument(
        "--spark-no-tests", action="store_true", help="models and seeds only on both engines (dbt data tests left out)"
    )
    ap.add_argument(
        "--cld-scale",
        type=float,
        default=float(os.environ.get("VITALSIGNS_BENCH_CLD_SCALE", "1.0")),
        help="CLD sample scale (1.0: about 40,000 events per council-year)",
    )
    args = ap.parse_args()
    parts = set(PARTS) if not args.only else {x.strip() for x in args.only.split(",")}
    if parts - set(PARTS):
        ap.error(f"--only: unknown part(s) {', '.join(sorted(parts - set(PARTS)))}; use {', '.join(PARTS)}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    measured_now: dict = {}

    def held() -> dict:
        previous = json.loads((RESULTS / "latest.json").read_text()) if (RESULTS / "latest.json").exists() else {}
        return {"pipeline": previous} if isinstance(previous, list) else previous  # a list: before the CLD part

    def merged() -> dict:
        """The file's figures with this run's over them: parts this run did not measure, and pipeline sizes
        it did not run, keep the figures the file holds (read again now: another run may have written it)."""
        out = {**held(), **measured_now}
        if "pipeline" in measured_now:
            ran = {r["size"] for r in measured_now["pipeline"]}
            out["pipeline"] = [r for r in held().get("pipeline", []) if r["size"] not in ran] + measured_now["pipeline"]
        return out

    def save() -> None:  # after each part, so a long run that fails later keeps what it measured
        (RESULTS / "latest.json").write_text(json.dumps(merged(), indent=2))

    results = measured_now
    if "pipeline" in parts:
        results["pipeline"] = pipeline_part(args)
        save()
    if "spark" in parts and args.spark_councils:
        results["spark"] = spark_run(args.spark_councils, args.spark_years, args.scale, not args.spark_no_tests)
        print_spark(results["spark"])
        save()
    if "cld" in parts:
        results["cld"] = cld_run(args.cld_scale)
        print_cld(results["cld"])
        save()
    print_targets(merged())
    return 0


def lake_part(landing: Path, size: str, councils: int, years: int, scale: float) -> dict:
    """The Parquet landing zone (issue 17; benchmarks/lake_bench.py): ingestion with and without it,
    and what the next month's extracts write as change sets against the full extracts."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import lake_bench

    work = CACHE / f"lake_{size}"
    m = lake_bench.measure(generated(councils, years, scale), work, STAMP, repeats=1)
    shutil.rmtree(work, ignore_errors=True)
    return {
        "ingest_no_lake_s": round(m["night1_off_s"], 1),
        "ingest_lake_s": round(m["night1_on_s"], 1),
        "next_ingest_no_lake_s": round(m["night2_off_s"], 1),
        "next_ingest_lake_s": round(m["night2_on_s"], 1),
        "next_rows_written": m["night2_rows_written"],
        "next_full_rows": m["night2_full_rows"],
        "next_changed": m["night2_changed"],
        "next_mib_written": round(m["night2_bytes_written"] / (1 << 20), 2),
        "next_full_parquet_mib": round(m["night2_full_parquet_bytes"] / (1 << 20), 2),
    }


def pipeline_part(args) -> list[dict]:
    """Per size: the full build, the floor (compared mart by mart) and pandas, the next night, the zone."""
    rows = []
    for size in args.sizes.split(","):
        councils, years = map(int, size.split("x"))
        landing = landing_for(councils, years, args.scale)
        home = CACHE / f"home_{size}"
        shutil.rmtree(home, ignore_errors=True)
        full = pipeline_build(landing, home)
        if not full["success"]:  # nothing to compare or rebuild; say so and go on to the next size
            print(f"{size}: the full build failed (see the log above); floor and next night not run", flush=True)
            rows.append({"size": size, "councils": councils, "years": years, "scale": args.scale, "build_ok": False})
            continue
        fl, fl_peaks = measured(
            _floor_child,
            str(landing),
            str(home / "warehouse" / "vitalsigns.duckdb"),
            councils <= args.skip_pandas_above,
        )
        inc = None
        if not args.no_incremental:
            # the next night: one more month of extracts lands in the same landing folder and the same
            # warehouse is rebuilt (an ordinary night, not the weekly full refresh)
            inc_landing = next_landing(councils, years, args.scale, landing, CACHE / f"inc_{size}")
            # as a nightly schedule would run it: dbt rebuilds only what the changed feeds reach
            inc = pipeline_build(inc_landing, home, VITALSIGNS_CONFIRM_SHRINK="1", **NIGHTLY)
            shutil.rmtree(inc_landing, ignore_errors=True)
        zone = lake_part(landing, size, councils, years, args.scale) if not args.no_lake else {}
        p_time = fl.get("pandas_s")
        rows.append(
            {
                "size": size,
                "councils": councils,
                "years": years,
                "scale": args.scale,
                "full_build_s": round(full["wall"], 1),
                "s_per_council": round(full["wall"] / councils, 2),
                **{f"{k}_s": round(v, 1) for k, v in full["stages"].items()},
                "floor_s": round(fl["floor_s"], 1),
                "floor_ll_s": round(fl["floor_ll_s"], 1),
                "floor_cld_s": round(fl["floor_cld_s"], 1),
                "pandas_s": round(p_time, 1) if p_time else None,
                "incremental_s": round(inc["wall"], 1) if inc else None,
                **(
                    {f"inc_{k}_s": round(v, 1) for k, v in inc["stages"].items() if k in ("ingest", "dbt")}
                    if inc
                    else {}
                ),
                "peak_full_mib": round(full["peak_mib"]),
                "peak_incremental_mib": round(inc["peak_mib"]) if inc else None,
                "peak_floor_mib": round(fl_peaks.get("floor", 0)),
                "peak_pandas_mib": round(fl_peaks["pandas"]) if "pandas" in fl_peaks else None,
                "build_vs_floor": round(full["wall"] / fl["floor_s"], 2),
                "build_vs_ll_floor": round(full["wall"] / fl["floor_ll_s"], 2),
                "incremental_vs_full": round(inc["wall"] / full["wall"], 2) if inc else None,
                "pandas_vs_build": round(p_time / full["wall"], 2) if p_time else None,
                "floor_mismatches": sum(m["mismatches"] for m in fl["floor_compare"].values()),
                "floor_compare": fl["floor_compare"],
                "pandas_mismatches": fl.get("pandas_mismatches"),
                "build_ok": full["success"] and (inc["success"] if inc else True),
                **zone,
                "slowest_nodes": dict(sorted(full["nodes"].items(), key=lambda kv: -kv[1])[:15]),
            }
        )
        print(json.dumps({k: v for k, v in rows[-1].items() if k != "slowest_nodes"}), flush=True)
    columns = [
        "size",
        "scale",
        "full_build_s",
        "s_per_council",
        "ingest_s",
        "dbt_s",
        "publish_s",
        "floor_s",
        "floor_ll_s",
        "floor_cld_s",
        "pandas_s",
        "incremental_s",
        "build_vs_floor",
        "build_vs_ll_floor",
        "incremental_vs_full",
        "peak_full_mib",
        "peak_incremental_mib",
        "peak_floor_mib",
        "floor_mismatches",
        "build_ok",
    ]
    print("\nDuckDB (full build = ingest + dbt + publish, reports excluded; incremental = the next night)")
    table = pd.DataFrame(rows)
    print(table[[c for c in columns if c in table.columns]].to_string(index=False))
    print("\nfloor against the pipeline, mart by mart (rows matched / rows that differ):")
    for r in (r for r in rows if "floor_compare" in r):
        print(
            f"  {r['size']}: "
            + "; ".join(f"{m} {v['matched']}/{v['mismatches']}" for m, v in r["floor_compare"].items())
        )
        for m, v in r["floor_compare"].items():
            for example in v["examples"]:
                print(f"    {m} differs: {', '.join(example)}")
    if not args.no_lake:
        lake_cols = [c for c in table.columns if c.startswith(("ingest_", "next_"))]
        print("\nParquet landing zone (ingestion only) and what the next night's extracts change:")
        print(table[["size", *lake_cols]].to_string(index=False))
    return rows


def _spark_child(results, landing: str, home: str, select: list[str], data_tests: bool) -> None:
    """Ingest (DuckDB, as every build), then `dbt build` of one selection on DuckDB and on Spark from the same
    raw tables; Spark's build includes exporting raw to Parquet; its tables are then copied back to DuckDB."""
    os.environ.update(VITALSIGNS_LANDING=landing, VITALSIGNS_HOME=home, VITALSIGNS_SAMPLE="1")
    import dataclasses

    from dagster_project import spark_engine
    from dagster_project.contracts import FEEDS
    from dagster_project.dbt_runtime import profile_vars, scratch_build
    from dagster_project.ingest.cld import load_cld
    from dagster_project.ingest.loader import load_feed
    from dagster_project.settings import Settings

    settings = dataclasses.replace(Settings.from_env(), confirm_shrink=True)
    home = Path(home)
    out = {}
    results.put(("stage", "ingest"))
    started = time.monotonic()
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse_path), config={"memory_limit": settings.duckdb_memory_limit}) as con:
        for feed in FEEDS:
            load_feed(con, settings, feed)
        load_cld(con, settings)
    out["ingest_s"] = time.monotonic() - started
    for engine in ("duckdb", "spark"):
        results.put(("stage", engine))
        scratch = home / f"dbt_{engine}"
        started = time.monotonic()
        if engine == "duckdb":
            proc = scratch_build(
                select,
                settings.warehouse_path,
                scratch,
                {**settings.dbt_vars(), **profile_vars(settings)},
                data_tests=data_tests,
            )
        else:
            proc = spark_engine.build(
                select,
                settings.warehouse_path,
                spark_engine.spark_home_of(settings),
                scratch,
                data_tests=data_tests,
                dbt_vars=settings.dbt_vars(),
            )
        out[f"{engine}_s"] = time.monotonic() - started
        run_results = scratch / "target" / "run_results.json"
        out[f"{engine}_ok"] = proc.returncode == 0
        out[f"{engine}_tail"] = "" if proc.returncode == 0 else proc.stdout[-3000:]
        out[f"{engine}_engine_s"] = (
            json.loads(run_results.read_text())["elapsed_time"] if run_results.exists() else None
        )
        out[f"{engine}_nodes"] = node_times(run_results)
        out[f"{engine}_statuses"] = (
            dict(Counter(r["status"] for r in json.loads(run_results.read_text())["results"]))
            if run_results.exists()
            else {}
        )
    results.put(("stage", "compare"))
    spark_home = spark_engine.spark_home_of(settings)
    out["row_mismatches"], out["tables_compared"] = [], 0
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        for schema, name in spark_engine.built_tables(spark_home):
            try:
                differs = spark_engine.difference(
                    con,
                    f"{schema}.{name}",
                    f'select * from "{schema}"."{name}"',
                    spark_engine.parquet_sql(spark_home, schema, name),
                )
            except duckdb.Error as exc:
                out["row_mismatches"].append(f"{schema}.{name}: not compared ({str(exc).splitlines()[0]})")
                continue
            out["tables_compared"] += 1
            if differs:
                out["row_mismatches"].append(differs)
    results.put(("stage", "copy_back"))
    started = time.monotonic()
    out["copied_back"] = len(spark_engine.copy_back(spark_home, settings.warehouse_path)) if out["spark_ok"] else 0
    out["copy_back_s"] = time.monotonic() - started
    results.put(("done", out))


def spark_selection() -> tuple[list[str], list[str]]:
    """Every model, seed and snapshot: the whole project is portable (docs/spark.md), so the Spark part
    measures the whole `dbt build`; and the models left out (none, kept in latest.json for comparison
    with runs made before the refusal was removed)."""
    from dagster_project.dbt_runtime import prepare_dbt_manifest

    nodes = json.loads(prepare_dbt_manifest().read_text())["nodes"].values()
    select = sorted(n["name"] for n in nodes if n["resource_type"] in ("model", "seed", "snapshot"))
    return select, []


def spark_run(councils: int, years: int, scale: float, data_tests: bool) -> dict:
    """The same dbt build on local Spark and on DuckDB, one landing folder, side by side (issue 17)."""
    from dagster_project import spark_engine

    try:
        spark_engine.check_available()
    except spark_engine.SparkUnavailable as exc:
        print(f"\nSpark: not run ({exc})")
        return {"skipped": str(exc)}
    select, blocked = spark_selection()
    landing = landing_for(councils, years, scale)
    home = CACHE / f"home_spark_{councils}x{years}"
    shutil.rmtree(home, ignore_errors=True)
    out, peaks = measured(_spark_child, str(landing), str(home), select, data_tests)
    kinds = {e: Counter(uid.split(".")[0] for uid in out[f"{e}_nodes"]) for e in ("duckdb", "spark")}
    both = sorted(set(out["duckdb_nodes"]) & set(out["spark_nodes"]), key=lambda u: -out["spark_nodes"][u])
    return {
        "councils": councils,
        "years": years,
        "scale": scale,
        "data_tests": data_tests,
        "whole_pipeline": not blocked,
        "excluded_models": blocked,
        "selected_nodes": len(select),
        "ingest_s": round(out["ingest_s"], 1),
        **{
            f"{e}_{k}": v
            for e in ("duckdb", "spark")
            for k, v in {
                "s": round(out[f"{e}_s"], 1),
                "engine_s": round(out[f"{e}_engine_s"] or 0, 1),
                "s_per_council": round(out[f"{e}_s"] / councils, 2),
                "ok": out[f"{e}_ok"],
                "models": kinds[e]["model"],
                "tests": kinds[e]["test"],
                "model_s": round(sum(t for u, t in out[f"{e}_nodes"].items() if u.startswith("model.")), 1),
                "test_s": round(sum(t for u, t in out[f"{e}_nodes"].items() if u.startswith("test.")), 1),
                "peak_mib": round(peaks.get(e, 0)),
            }.items()
        },
        "statuses": {e: out[f"{e}_statuses"] for e in ("duckdb", "spark")},
        "spark_vs_duckdb": round(out["spark_s"] / out["duckdb_s"], 2),
        "copy_back_s": round(out["copy_back_s"], 1),
        "tables_compared": out["tables_compared"],
        "row_mismatches": out["row_mismatches"],
        "failure_tail": {e: out[f"{e}_tail"] for e in ("duckdb", "spark") if out[f"{e}_tail"]},
        "slowest_nodes": [
            {"node": u, "spark_s": round(out["spark_nodes"][u], 2), "duckdb_s": round(out["duckdb_nodes"][u], 2)}
            for u in both[:15]
        ],
        "nodes": {"duckdb": out["duckdb_nodes"], "spark": out["spark_nodes"]},
    }


def print_spark(row: dict) -> None:
    if "skipped" in row:
        return
    scope = (
        "the whole dbt build"
        if row["whole_pipeline"]
        else f"every model but {len(row['excluded_models'])} not yet portable (spark_engine.NOT_PORTABLE "
        f"and what depends on them: {', '.join(row['excluded_models'])})"
    )
    print(
        f"\nSpark (issue 17): {row['councils']} councils x {row['years']} years, dbt build of {scope}, "
        f"{'with' if row['data_tests'] else 'without'} data tests, on local Spark and on DuckDB from the same raw "
        "tables (Spark's time includes exporting raw to Parquet)"
    )
    cols = ["s", "engine_s", "s_per_council", "model_s", "test_s", "models", "tests", "peak_mib", "ok"]
    table = pd.DataFrame([{"engine": e, **{c: row[f"{e}_{c}"] for c in cols}} for e in ("duckdb", "spark")])
    print(table.to_string(index=False))
    print("  dbt node statuses: " + "; ".join(f"{e} {v}" for e, v in row.get("statuses", {}).items()))
    print(
        f"  Spark / DuckDB: {row['spark_vs_duckdb']}x; copy back to DuckDB {row['copy_back_s']}s; "
        f"{row['tables_compared']} tables compared row for row (spark_engine.difference), "
        f"{len(row['row_mismatches'])} differ"
    )
    print("  slowest nodes on Spark (s on Spark, on DuckDB):")
    for n in row["slowest_nodes"][:10]:
        print(f"    {n['node']}: {n['spark_s']}, {n['duckdb_s']}")
    for m in row["row_mismatches"]:
        print("  differs:", m)
    for engine, tail in row["failure_tail"].items():
        print(f"  {engine} build failed:\n{tail}")


def print_targets(results: dict) -> None:
    """The issue 17 targets against this run's figures (parts not run this time are read from latest.json)."""
    rows = {r["size"]: r for r in results.get("pipeline", []) if r.get("build_ok")}
    print("\ntargets (issue 17):")
    inc = [(s, r["incremental_vs_full"]) for s, r in rows.items() if r.get("incremental_vs_full") is not None]
    for s, x in inc:
        print(f"  one more month <= 15% of full: {s} {x:.0%} {'met' if x <= 0.15 else 'NOT met'}")
    r = rows.get("10x10")
    if r:
        x = r["build_vs_floor"]
        print(f"  full <= 4x floor at 10 councils x 10 years: {x}x {'met' if x <= 4 else 'NOT met'}")
    else:
        print("  full <= 4x floor at 10 councils x 10 years: not measured (no 10x10 size)")
    by_years: dict[int, list[dict]] = {}
    for r in rows.values():
        by_years.setdefault(r["years"], []).append(r)
    for years, group in sorted(by_years.items()):
        group.sort(key=lambda r: r["councils"])
        if len(group) > 1:
            a, b = group[0], group[-1]
            ok = b["s_per_council"] <= a["s_per_council"]
            print(
                f"  cost per council not rising ({years} years): {a['councils']} councils {a['s_per_council']}s, "
                f"{b['councils']} councils {b['s_per_council']}s {'met' if ok else 'NOT met'}"
            )
    # the pipeline's own builds on DuckDB: the floor and pandas are yardsticks, Spark's JVM another engine
    peaks = [
        (f"{s} {k.removeprefix('peak_').removesuffix('_mib')}", v)
        for s, r in rows.items()
        for k, v in r.items()
        if k in ("peak_full_mib", "peak_incremental_mib") and v
    ]
    spark = results.get("spark") or {}
    if peaks:
        worst = max(peaks, key=lambda kv: kv[1])
        print(f"  peak <= 4096 MiB: highest {worst[1]} MiB ({worst[0]}) {'met' if worst[1] <= 4096 else 'NOT met'}")
    if "spark_s_per_council" in spark:
        print(
            f"  Spark cost per council: {spark['spark_s_per_council']}s against DuckDB's "
            f"{spark['duckdb_s_per_council']}s for the same selection ({spark['councils']} councils)"
        )


if __name__ == "__main__":
    sys.exit(main())
