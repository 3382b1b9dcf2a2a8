"""What the Parquet landing zone costs and saves (issue 17), ingestion only (no dbt, no Dagster).

Two homes load the same landing folder, one with the zone (VITALSIGNS_LAKE) and one without; then
the next month's extracts land (full Liquid Logic extracts replace, DToC adds) and both load
again. The first night's extracts are the next month's cut at the first night's extract date
(`cut`): the sample generator draws every row afresh for another end month, so two generated
samples differ in nearly every row, where a real council's consecutive extracts share their
history. Reported: ingestion time of each night with and without the zone, and for the second night
the rows and bytes the zone wrote (the change sets) against the full extracts it replaced (rows,
CSV bytes, and the same rows stored whole as zstd Parquet).

    .venv/bin/python benchmarks/lake_bench.py NEXT_LANDING WORK_DIR YYYYMMDD

`nightly` measures whole builds (ingest, dbt, publish; reports excluded), full and one more month,
the default way and with the zone as dbt's sources and changed-only nightly builds:

    .venv/bin/python benchmarks/lake_bench.py nightly [COUNCILSxYEARS] [SCALE]
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NEXT_FOLDERS = ("liquidlogic", "dtoc")  # what one more month of extracts brings


def ingest(landing: Path, home: Path, lake: bool) -> tuple[float, float]:
    """Every feed's load_feed (the raw/<feed> assets' work): (wall, CPU) seconds; CLD excluded (not in
    the zone). CPU time counts DuckDB's threads too and is far less noisy on a shared machine."""
    from dagster_project.contracts import FEEDS
    from dagster_project.ingest.loader import load_feed
    from dagster_project.settings import Settings

    settings = dataclasses.replace(
        Settings.from_env(landing=landing, home=home), sample_data=True, lake=lake, confirm_shrink=True
    )
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(settings.warehouse_path), config={"memory_limit": settings.duckdb_memory_limit})
    started, cpu = time.monotonic(), time.process_time()
    for feed in FEEDS:
        load_feed(con, settings, feed)
    took = time.monotonic() - started, time.process_time() - cpu
    con.close()
    return took


def cut(next_landing: Path, out: Path, stamp: str) -> None:
    """`out`: `next_landing` as its Liquid Logic and DToC extracts stood on `stamp` (YYYYMMDD): rows
    whose event (the first required date, the DToC period) is on or after it dropped, later dates
    (an end, an outcome, a death) blanked; other folders copied as they are."""
    from dagster_project.contracts import FEEDS

    shutil.copytree(next_landing, out, ignore=shutil.ignore_patterns("cld"))
    day = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:]}"
    con = duckdb.connect()
    for feed in FEEDS.values():
        if feed.folder not in NEXT_FOLDERS:
            continue
        for p in sorted((out / feed.folder).glob(f"{feed.name}_*.csv")):
            dates = [c for c in feed.columns if c.type in ("date", "period") and c.name != "date_of_birth"]
            event = next((c.name for c in dates if not c.nullable), None)  # people: none, all kept
            bound = day[:7] if event and feed.column(event).type == "period" else day
            cols = ", ".join(
                f'case when "{c}" >= \'{day}\' then null else "{c}" end as "{c}"'
                if c in {d.name for d in dates if d.nullable}
                else f'"{c}"'
                for c in feed.column_names
            )
            target = out / feed.folder / f"{feed.name}_{stamp}.csv"
            con.execute(
                f"copy (select {cols} from read_csv('{p}', header = true, all_varchar = true) "
                f"where {f'{chr(34)}{event}{chr(34)} < {chr(39)}{bound}{chr(39)}' if event else 'true'}) "
                f"to '{target}' (header, delimiter ',')"
            )
            p.unlink()


def measure(next_landing: Path, work: Path, stamp: str, repeats: int = 2) -> dict:
    """Night 1 (`stamp`) and night 2 (the next month landed) into a home with the zone and one without,
    `repeats` times in alternating order with fresh homes; each time is the fastest of its repeats
    (the machine is shared, so the minimum is the least noisy)."""
    from dagster_project.contracts import FEEDS
    from dagster_project.lake import zone

    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    night1, night2 = work / "landing1", work / "landing2"
    cut(next_landing, night1, stamp)
    shutil.copytree(night1, night2)
    new_files = []
    for folder in NEXT_FOLDERS:
        for p in sorted((next_landing / folder).glob("*.csv")):
            shutil.copy(p, night2 / folder / p.name)
            new_files.append(night2 / folder / p.name)
    times: dict[str, list[float]] = {}
    for rep in range(repeats):
        for lake in (False, True) if rep % 2 == 0 else (True, False):
            name = "on" if lake else "off"
            shutil.rmtree(work / name, ignore_errors=True)
            for night, landing in (("night1", night1), ("night2", night2)):
                wall, cpu = ingest(landing, work / name, lake)
                times.setdefault(f"{night}_{name}_s", []).append(wall)
                times.setdefault(f"{night}_{name}_cpu_s", []).append(cpu)
    out = {k: min(v) for k, v in times.items()}
    root = work / "on" / "lake"
    con = duckdb.connect()
    logs = [str(p) for p in (root / zone.LOG).rglob("*.parquet")]
    names = [str(p) for p in new_files]
    by_mode = con.execute(
        "select mode, sum(rows_in), sum(rows_written), sum(bytes_written), sum(inserted), sum(changed), "
        "sum(deleted) from read_parquet($logs) where file in (select unnest($names)) group by 1",
        {"logs": logs, "names": names},
    ).fetchall()
    full = {r[0]: r[1:] for r in by_mode}.get("full", (0,) * 6)
    # the same night's full extracts stored whole, as the zone's Parquet would hold them
    whole = 0
    wh = duckdb.connect(str(work / "on" / "warehouse" / "vitalsigns.duckdb"), read_only=True)
    for feed in FEEDS.values():
        if feed.mode == "full" and feed.folder in NEXT_FOLDERS:
            target = work / f"whole_{feed.name}.parquet"
            cols = ", ".join(f'"{c}"' for c in zone._stored_columns(feed))
            wh.execute(f"copy (select {cols} from raw.{feed.name}) to '{target}' (format parquet, compression zstd)")
            whole += target.stat().st_size
    wh.close()
    out.update(
        {
            "night2_full_rows": int(full[0] or 0),
            "night2_rows_written": int(full[1] or 0),
            "night2_inserted": int(full[3] or 0),
            "night2_changed": int(full[4] or 0),
            "night2_deleted": int(full[5] or 0),
            "night2_bytes_written": int(full[2] or 0),
            "night2_full_parquet_bytes": whole,
            "night2_full_csv_bytes": sum(p.stat().st_size for p in new_files if p.parent.name == "liquidlogic"),
            "lake_bytes_total": sum(p.stat().st_size for p in root.rglob("*.parquet")),
        }
    )
    out["rows_written_share"] = round(out["night2_rows_written"] / max(out["night2_full_rows"], 1), 4)
    out["bytes_written_share"] = round(out["night2_bytes_written"] / max(whole, 1), 4)
    for night in ("night1", "night2"):
        out[f"lake_overhead_{night}"] = round(out[f"{night}_on_s"] / out[f"{night}_off_s"] - 1, 3)
        out[f"lake_overhead_{night}_cpu"] = round(out[f"{night}_on_cpu_s"] / out[f"{night}_off_cpu_s"] - 1, 3)
    for k in list(out):
        if k.endswith("_s"):
            out[k] = round(out[k], 2)
    shutil.rmtree(night1)
    shutil.rmtree(night2)
    return out


# how the builds `nightly` compares are configured (environment of the build process)
NIGHTLY_MODES = {
    "default": {},
    "changed_only": {"VITALSIGNS_LAKE_SOURCES": "1", "VITALSIGNS_DBT_CHANGED_ONLY": "1"},
}


def nightly(councils: int = 3, years: int = 5, scale: float = 0.5, modes=tuple(NIGHTLY_MODES)) -> dict:
    """Per mode: a full build of the month-before landing (the later sample cut, as in `measure`, with
    the CLD submissions as they are), then the month's Liquid Logic and DToC extracts land and the
    same home builds again (the nightly); seconds per stage (benchmarks/run.py's child process) and
    the nightly as a share of the full build."""
    import pandas as pd

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import run

    from dagster_project.ingest.reading import extract_date

    later = run.landing_for(councils, years, scale, end_month="2017-04")
    people = next(iter(sorted((later / "liquidlogic").glob("people_*.csv"))))
    stamp = (pd.Timestamp(extract_date(people)) - pd.DateOffset(months=1)).strftime("%Y%m%d")
    work = run.CACHE / f"nightly_{councils}x{years}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    night1 = work / "night1"
    cut(later, night1, stamp)
    shutil.copytree(later / "cld", night1 / "cld")
    out = {"size": f"{councils}x{years}", "scale": scale, "night1": stamp}
    for mode in modes:
        landing, home = work / f"landing_{mode}", work / f"home_{mode}"
        shutil.copytree(night1, landing)
        saved = {k: os.environ.get(k) for k in NIGHTLY_MODES[mode]}
        os.environ.update(NIGHTLY_MODES[mode])
        try:
            full = run.pipeline_build(landing, home)
            for folder in NEXT_FOLDERS:
                for p in sorted((later / folder).glob("*.csv")):
                    shutil.copy(p, landing / folder / p.name)
            inc = run.pipeline_build(landing, home)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        plan = home / "dbt" / "last_build.json"
        row = {
            "ok": full["success"] and inc["success"],
            "full_s": round(full["wall"], 1),
            **{f"full_{k}_s": round(v, 1) for k, v in full["stages"].items()},
            "next_s": round(inc["wall"], 1),
            **{f"next_{k}_s": round(v, 1) for k, v in inc["stages"].items()},
            "next_vs_full": round(inc["wall"] / full["wall"], 3),
            "peak_mib": round(max(full["peak_mib"], inc["peak_mib"])),
        }
        for k in ("ingest", "dbt", "publish"):
            row[f"{k}_next_vs_full"] = round(inc["stages"][k] / max(full["stages"][k], 1e-9), 3)
        if plan.exists():
            done = json.loads(plan.read_text())
            row.update({"models_rebuilt": "all" if done["full"] else done["rebuilt"], "models_kept": done["kept"]})
        out[mode] = row
        print(json.dumps({mode: row}), flush=True)
    return out


if __name__ == "__main__":
    if sys.argv[1:2] == ["nightly"]:
        c, y = map(int, (sys.argv[2] if len(sys.argv) > 2 else "3x5").split("x"))
        result = nightly(c, y, float(sys.argv[3]) if len(sys.argv) > 3 else 0.5)
        (ROOT / "benchmarks" / "results").mkdir(parents=True, exist_ok=True)
        (ROOT / "benchmarks" / "results" / "nightly.json").write_text(json.dumps(result, indent=2))
        print(json.dumps(result, indent=2))
    else:
        print(json.dumps(measure(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]), indent=2))
