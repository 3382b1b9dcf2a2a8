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
    """The settings, read once from the environment; command-line paths win over it. Nothing is
    written back: the settings travel as resource fields (definitions.build_resources)."""
    return Settings.from_env(landing=getattr(args, "landing", None), home=getattr(args, "home", None))


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
    return home


def child_env(settings: Settings) -> dict[str, str]:
    """The environment of a process the CLI starts (the UI): this process's, plus the resolved paths
    and Dagster home, so the child reads the same settings. Only the child's environment is set."""
    return {**os.environ, "VITALSIGNS_LANDING": str(settings.landing), "VITALSIGNS_HOME": str(settings.home),
            "DAGSTER_HOME": str(settings.dagster_home)}


def cmd_sample(args) -> int:
    from .sample import generate

    out = Path(args.out)
    started = time.monotonic()
    counts = generate(out, councils=args.councils, years=args.years, scale=args.scale, seed=args.seed,
                      dirty=args.dirty, end_month=args.end_month, cld_first=args.cld_first, cld_last=args.cld_last)
    (out / ".vitalsigns-sample").write_text("synthetic sample data: pseudonymised with the built-in sample salt\n")
    for feed, n in counts.items():
        print(f"  {feed:<18} {n:>10,} rows")
    print(f"sample landing folder written to {out.resolve()} in {time.monotonic() - started:.1f}s")
    return 0


def cmd_check(args) -> int:
    import duckdb

    from .contracts import FEEDS
    from .ingest.landing import feed_files, not_loaded
    from .ingest.reading import UnreadableFile, load_mapping, read_as_text
    from .ingest.validate import validate

    landing = Path(args.landing).resolve()
    if not landing.is_dir():
        print(f"{landing}:0:0: landing folder does not exist", file=sys.stderr)
        return 2
    limits = Settings.from_env(landing=landing).limits
    problems = files = 0
    con = duckdb.connect()
    for item in not_loaded(landing):
        problems += 1
        print(item.line())
    for feed in FEEDS.values():
        paths = feed_files(landing, feed)
        if not paths:
            print(f"{landing / feed.folder}:0:0: note: no {feed.name} file (measures needing it will be null)")
        for path in paths:
            files += 1
            try:
                cols = read_as_text(con, path, "_chk", load_mapping(path.parent, feed.name), limits, feed.name)
                for r in validate(con, feed, path, "_chk", cols, limits):
                    problems += 1
                    print(r.line(path))
            except UnreadableFile as exc:
                problems += 1
                print(str(exc))
    n, bad = check_cld(con, landing)
    files, problems = files + n, problems + bad
    print(f"checked {files} files: {problems} problem(s)", file=sys.stderr)
    return 1 if problems else 0


def _period_arg(value: str) -> str:
    from .guards import UnsafeValue, check_period

    try:
        return check_period(value)
    except UnsafeValue as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def preflight(settings: Settings) -> None:
    """Fail in one line, before any step runs, when a database file is damaged or the home
    cannot be written (otherwise every step fails with its own stack trace)."""
    import duckdb

    settings.home.mkdir(parents=True, exist_ok=True)
    for folder in (settings.home, settings.warehouse_path.parent, settings.published_path.parent,
                   settings.reports_path, settings.quarantine_path, settings.dagster_home):
        if folder.is_dir():
            probe = folder / f".write-test.{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
    for path in (settings.warehouse_path, settings.published_path):
        if not path.exists():
            continue
        try:
            duckdb.connect(str(path), read_only=True).close()
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                continue  # held by a UI run: the build queues behind it
            raise


def check_cld(con, landing: Path) -> tuple[int, int]:
    """CLD submissions, checked as the load would (structure only: coded values are mapped later)."""
    from . import cld_contract
    from .ingest.cld import TYPED, cld_files, misnamed_message, read_submission
    from .ingest.reading import UnreadableFile

    subs, other = cld_files(landing)
    if not subs:
        print(f"{landing / cld_contract.FOLDER}:0:0: note: no CLD submission (CLD measures will be empty)")
    for path in other:
        print(misnamed_message(path))
    problems = len(other)
    for path in subs:
        try:
            read_submission(con, path)
        except UnreadableFile as exc:
            problems += 1
            print(str(exc))
        finally:
            con.execute(f"drop table if exists {TYPED}")  # it holds clear identifiers
    return len(subs) + len(other), problems


def cmd_build(args) -> int:
    import dataclasses

    settings = _apply_paths(args)
    if args.period:  # this build renders (or re-renders: a backfill) that month's packs
        settings = dataclasses.replace(settings, period=args.period)
    if not settings.landing.is_dir():
        print(f"error: landing folder {settings.landing} does not exist (use --landing or VITALSIGNS_LANDING; "
              "`vitalsigns sample --out DIR` makes one)", file=sys.stderr)
        return 2
    preflight(settings)
    prepare_dbt_manifest()
    ensure_dagster_home(settings)
    from .resources.warehouse import WarehouseBusy, exclusive_lock

    try:
        with exclusive_lock(settings.home / ".build.lock", settings.build_wait_seconds, "another vitalsigns build"):
            return _run_build(settings, full_refresh=args.full_refresh)
    except WarehouseBusy as exc:
        print(f"error: {exc}. Wait for it to finish (or set VITALSIGNS_BUILD_WAIT=seconds to queue).",
              file=sys.stderr)
        return 3


def _run_build(settings: Settings, full_refresh: bool = False) -> int:
    import dagster as dg

    from .build_runner import run_everything

    started = time.monotonic()
    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        outcome = run_everything(settings, instance, full_refresh=full_refresh)
    print()
    print(f"build finished in {time.monotonic() - started:.0f}s")
    print(f"  warehouse:  {settings.warehouse_path}")
    print(f"  published:  {settings.published_path}" + ("" if settings.published_path.exists() else " (not written)")
          + ("" if outcome.success else " (not replaced by this build)"))
    if not outcome.success and settings.held_path.exists():
        print(f"  held:       {settings.held_path} (what this build would have published)")
    for path in outcome.report_paths:
        print(f"  report:     {path}")
    from .ingest.landing import not_loaded

    skipped = not_loaded(settings.landing)
    if skipped:
        print(f"\nNOT LOADED ({len(skipped)} file(s) or folder(s) in the landing folder; also in marts.data_quality):")
        for item in skipped:
            print(f"  - {item.path}: {item.reason}")
    if outcome.failures:
        print("\nFAILED:", file=sys.stderr)
        for f in outcome.failures:
            print(f"  - {f}", file=sys.stderr)
        from .alerts import notify_failure

        notify_failure("vitalsigns build failed:\n" + "\n".join(f"- {f}" for f in outcome.failures),
                       settings.failure_command, settings.failure_webhook, from_env=False)
        return 1
    return 0


def cmd_ui(args) -> int:
    settings = _apply_paths(args)
    prepare_dbt_manifest()
    ensure_dagster_home(settings)
    cmd = [str(Path(sys.executable).parent / "dagster"), "dev", "-m", "dagster_project.definitions",
           "-h", "127.0.0.1", "-p", str(args.port)]
    print(f"Dagster UI on http://127.0.0.1:{args.port} (landing {settings.landing}, home {settings.home})")
    return subprocess.call(cmd, env=child_env(settings))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vitalsigns", description=__doc__)
    parser.add_argument("--verbose", action="store_true", help="show full tracebacks")
    # after the command too; SUPPRESS so a subcommand's default never undoes `vitalsigns --verbose build`
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--verbose", action="store_true", default=argparse.SUPPRESS, help="show full tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("sample", help="write a synthetic landing folder", parents=[common])
    p.add_argument("--out", required=True)
    p.add_argument("--councils", type=int, default=1)
    p.add_argument("--years", type=int, default=2)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--dirty", action="store_true", help="add data-quality noise")
    p.add_argument("--end-month", default="2017-03", type=_period_arg, help="last month of data (YYYY-MM)")
    p.add_argument("--cld-first", type=_period_arg,
                   help="first CLD quarter, as its last month (YYYY-MM; default 2023-06)")
    p.add_argument("--cld-last", type=_period_arg, help="last CLD quarter, as its last month (YYYY-MM; default "
                                                        "2025-03: two whole financial years)")
    p.set_defaults(fn=cmd_sample)

    p = sub.add_parser("build", help="ingest, dbt build, publish and render reports", parents=[common])
    p.add_argument("--landing")
    p.add_argument("--home")
    p.add_argument("--period", type=_period_arg,
                   help="report month YYYY-MM to render: a past month re-renders (backfills) its packs "
                        "(default: VITALSIGNS_PERIOD, else each council's latest month with data)")
    p.add_argument("--full-refresh", action="store_true",
                   help="recompute incremental models over all history (after corrected old records arrive)")
    p.set_defaults(fn=cmd_build)

    p = sub.add_parser("ui", help="start the Dagster UI on 127.0.0.1", parents=[common])
    p.add_argument("--port", type=int, default=3000)
    p.add_argument("--landing")
    p.add_argument("--home")
    p.set_defaults(fn=cmd_ui)

    p = sub.add_parser("check", help="validate a landing folder without building", parents=[common])
    p.add_argument("--landing", required=True)
    p.set_defaults(fn=cmd_check)

    args = parser.parse_args(argv)
    verbose = bool(getattr(args, "verbose", False))
    # Dagster redirects the process's stderr while it captures a run's logs; when the disk fills
    # it cannot put it back, so the final error line goes to a copy of the terminal's stderr
    try:
        terminal = os.fdopen(os.dup(sys.stderr.fileno()), "w", buffering=1)
    except (OSError, ValueError, AttributeError):  # pytest's capture has no real descriptor
        terminal = sys.stderr
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not verbose:
        quiet_tracebacks()
    try:
        return args.fn(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the one place a command ends on an error: one line unless --verbose
        from .errors import one_line
        from .settings import home_for_messages

        if verbose:
            import traceback

            traceback.print_exc(file=terminal)
        print(f"\nerror: {one_line(exc, getattr(args, 'home', None) or home_for_messages())}"
              + ("" if verbose else " (run with --verbose for the traceback)"), file=terminal, flush=True)
        return 1


class _NoTracebacks:
    """stderr without stack traces: a log record is written in one call, so a record that
    carries one (Dagster's STEP_FAILURE, a logged exception) is cut where the trace begins."""

    MARKERS = ("\nStack Trace:", "Traceback (most recent call last)", "\nThe above exception was")

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        cut = min((text.index(m) for m in self.MARKERS if m in text), default=-1)
        if cut >= 0:
            text = text[:cut].rstrip() + " (trace hidden: --verbose shows it)\n"
        return self._stream.write(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def quiet_tracebacks() -> None:
    if not isinstance(sys.stderr, _NoTracebacks):
        sys.stderr = _NoTracebacks(sys.stderr)
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and handler.stream is getattr(sys.stderr, "_stream", None):
            handler.setStream(sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
