"""`vitalsigns`: the stable command line (outputs.md) — sample, build, ui, check."""
from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

from .dbt_runtime import prepare_dbt_manifest
from .settings import Settings

log = logging.getLogger("vitalsigns")


def _apply_paths(args) -> Settings:
    """Command-line paths win over the environment; everything downstream reads the env."""
    if getattr(args, "landing", None):
        os.environ["VITALSIGNS_LANDING"] = str(Path(args.landing).resolve())
    if getattr(args, "home", None):
        os.environ["VITALSIGNS_HOME"] = str(Path(args.home).resolve())
    settings = Settings.from_env()
    os.environ["VITALSIGNS_LANDING"] = str(settings.landing)
    os.environ["VITALSIGNS_HOME"] = str(settings.home)
    os.environ["VITALSIGNS_WAREHOUSE"] = str(settings.warehouse_path)
    return settings


def ensure_dagster_home(settings: Settings) -> Path:
    """Run history lives under <home>/dagster; one run at a time (DuckDB allows one writer)."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(
            "# written by vitalsigns: runs queue one at a time because DuckDB allows a single writer\n"
            "concurrency:\n  runs:\n    max_concurrent_runs: 1\n"
            "telemetry:\n  enabled: false\n"
        )
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def cmd_sample(args) -> int:
    from .sample import generate

    out = Path(args.out)
    started = time.monotonic()
    counts = generate(out, councils=args.councils, years=args.years, scale=args.scale, seed=args.seed,
                      dirty=args.dirty, end_month=args.end_month)
    (out / ".vitalsigns-sample").write_text("synthetic sample data: pseudonymised with the built-in sample salt\n")
    for feed, n in counts.items():
        print(f"  {feed:<18} {n:>10,} rows")
    print(f"sample landing folder written to {out.resolve()} in {time.monotonic() - started:.1f}s")
    return 0


def cmd_check(args) -> int:
    import duckdb

    from .contracts import FEEDS
    from .ingest.loader import feed_files
    from .ingest.reading import UnreadableFile, load_mapping, read_as_text
    from .ingest.validate import validate

    landing = Path(args.landing).resolve()
    if not landing.is_dir():
        print(f"{landing}:0:0: landing folder does not exist", file=sys.stderr)
        return 2
    problems = files = 0
    con = duckdb.connect()
    for feed in FEEDS.values():
        paths = feed_files(landing, feed)
        if not paths:
            print(f"{landing / feed.folder}:0:0: note: no {feed.name} file (measures needing it will be null)")
        for path in paths:
            files += 1
            try:
                cols = read_as_text(con, path, "_chk", load_mapping(path.parent, feed.name))
                for r in validate(con, feed, path, "_chk", cols):
                    problems += 1
                    print(r.line(path))
            except UnreadableFile as exc:
                problems += 1
                print(str(exc))
    print(f"checked {files} files: {problems} problem(s)", file=sys.stderr)
    return 1 if problems else 0


def cmd_build(args) -> int:
    settings = _apply_paths(args)
    if args.period:
        os.environ["VITALSIGNS_PERIOD"] = args.period
    if not settings.landing.is_dir():
        print(f"error: landing folder {settings.landing} does not exist (use --landing or VITALSIGNS_LANDING; "
              "`vitalsigns sample --out DIR` makes one)", file=sys.stderr)
        return 2
    prepare_dbt_manifest()
    ensure_dagster_home(settings)
    from .resources.warehouse import WarehouseBusy, exclusive_lock

    try:
        with exclusive_lock(settings.home / ".build.lock", float(os.environ.get("VITALSIGNS_BUILD_WAIT", "0")),
                            "another vitalsigns build"):
            return _run_build(settings, full_refresh=args.full_refresh)
    except WarehouseBusy as exc:
        print(f"error: {exc}. Wait for it to finish (or set VITALSIGNS_BUILD_WAIT=seconds to queue).",
              file=sys.stderr)
        return 3


def _run_build(settings: Settings, full_refresh: bool = False) -> int:
    import dagster as dg

    from .build_runner import run_everything

    started = time.monotonic()
    outcome = run_everything(settings, dg.DagsterInstance.get(), full_refresh=full_refresh)
    print()
    print(f"build finished in {time.monotonic() - started:.0f}s")
    print(f"  warehouse:  {settings.warehouse_path}")
    print(f"  published:  {settings.published_path}" + ("" if settings.published_path.exists() else " (not written)")
          + ("" if outcome.success else " (not replaced by this build)"))
    if not outcome.success and settings.held_path.exists():
        print(f"  held:       {settings.held_path} (what this build would have published)")
    for path in outcome.report_paths:
        print(f"  report:     {path}")
    if outcome.failures:
        print("\nFAILED:", file=sys.stderr)
        for f in outcome.failures:
            print(f"  - {f}", file=sys.stderr)
        from .alerts import notify_failure

        notify_failure("vitalsigns build failed:\n" + "\n".join(f"- {f}" for f in outcome.failures))
        return 1
    return 0


def cmd_ui(args) -> int:
    settings = _apply_paths(args)
    prepare_dbt_manifest()
    ensure_dagster_home(settings)
    cmd = [str(Path(sys.executable).parent / "dagster"), "dev", "-m", "dagster_project.definitions",
           "-h", "127.0.0.1", "-p", str(args.port)]
    print(f"Dagster UI on http://127.0.0.1:{args.port} (landing {settings.landing}, home {settings.home})")
    return subprocess.call(cmd)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vitalsigns", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("sample", help="write a synthetic landing folder")
    p.add_argument("--out", required=True)
    p.add_argument("--councils", type=int, default=1)
    p.add_argument("--years", type=int, default=2)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--dirty", action="store_true", help="add data-quality noise")
    p.add_argument("--end-month", default="2017-03", help="last month of data (YYYY-MM)")
    p.set_defaults(fn=cmd_sample)

    p = sub.add_parser("build", help="ingest, dbt build, publish and render reports")
    p.add_argument("--landing")
    p.add_argument("--home")
    p.add_argument("--period", help="report period YYYY-MM (default: latest month with data)")
    p.add_argument("--full-refresh", action="store_true",
                   help="recompute incremental models over all history (after corrected old records arrive)")
    p.set_defaults(fn=cmd_build)

    p = sub.add_parser("ui", help="start the Dagster UI on 127.0.0.1")
    p.add_argument("--port", type=int, default=3000)
    p.add_argument("--landing")
    p.add_argument("--home")
    p.set_defaults(fn=cmd_ui)

    p = sub.add_parser("check", help="validate a landing folder without building")
    p.add_argument("--landing", required=True)
    p.set_defaults(fn=cmd_check)

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
