"""`vitalsigns`: the stable command line (outputs.md) — sample, build, ui, check, docs, cld-return."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

from .dbt_runtime import prepare_dbt_manifest
from .settings import ENGINES, SAMPLE_MARKER, Settings

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
    return {
        **os.environ,
        "VITALSIGNS_LANDING": str(settings.landing),
        "VITALSIGNS_HOME": str(settings.home),
        "DAGSTER_HOME": str(settings.dagster_home),
    }


def cmd_sample(args) -> int:
    from .sample import generate

    out = Path(args.out)
    started = time.monotonic()
    counts = generate(
        out,
        councils=args.councils,
        years=args.years,
        scale=args.scale,
        seed=args.seed,
        dirty=args.dirty,
        end_month=args.end_month,
        cld_first=args.cld_first,
        cld_last=args.cld_last,
        unitary=args.unitary,
    )
    (out / SAMPLE_MARKER).write_text("synthetic sample data: pseudonymised with the built-in sample salt\n")
    for feed, n in counts.items():
        print(f"  {feed:<18} {n:>10,} rows")
    print(f"sample landing folder written to {out.resolve()} in {time.monotonic() - started:.1f}s")
    return 0


def cmd_check(args) -> int:
    """What a build would do with each file (landing_check.py); exit codes in CHECK_EPILOG."""
    from .landing_check import NOTHING_TO_CHECK, check_landing, render, write_report

    settings = Settings.from_env(landing=args.landing)
    landing = settings.landing
    if not landing.is_dir():
        print(
            f"{landing}:0:0: landing folder does not exist (use --landing DIR; `vitalsigns sample --out DIR` "
            "makes a synthetic one)",
            file=sys.stderr,
        )
        return NOTHING_TO_CHECK
    result = check_landing(landing, settings)
    for line in render(result, verbose=bool(getattr(args, "verbose", False))):
        print(line)
    if args.report:
        n = write_report(result, Path(args.report))
        print(f"{n:,} problem row(s) written to {Path(args.report).resolve()}")
    return result.exit_code


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
    for folder in (
        settings.home,
        settings.warehouse_path.parent,
        settings.published_path.parent,
        settings.reports_path,
        settings.quarantine_path,
        settings.dagster_home,
    ):
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


def cmd_build(args) -> int:
    import dataclasses

    settings = _apply_paths(args)
    if args.period:  # this build renders (or re-renders: a backfill) that month's packs
        settings = dataclasses.replace(settings, period=args.period)
    if args.engine:
        settings = dataclasses.replace(settings, engine=args.engine)
    if settings.engine == "spark":
        from .spark_engine import SparkUnavailable, check_available

        try:
            check_available()
        except SparkUnavailable as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    if not settings.landing.is_dir():
        print(
            f"error: landing folder {settings.landing} does not exist (use --landing or VITALSIGNS_LANDING; "
            "`vitalsigns sample --out DIR` makes one)",
            file=sys.stderr,
        )
        return 2
    preflight(settings)
    prepare_dbt_manifest()
    ensure_dagster_home(settings)
    from .resources.warehouse import WarehouseBusy, exclusive_lock

    try:
        with exclusive_lock(settings.home / ".build.lock", settings.build_wait_seconds, "another vitalsigns build"):
            return _run_build(settings, full_refresh=args.full_refresh, verbose=bool(getattr(args, "verbose", False)))
    except WarehouseBusy as exc:
        print(f"error: {exc}. Wait for it to finish (or set VITALSIGNS_BUILD_WAIT=seconds to queue).", file=sys.stderr)
        return 3


def _run_build(settings: Settings, full_refresh: bool = False, verbose: bool = False) -> int:
    """One line per stage as it ends (progress.py); Dagster's and dbt's own log only with --verbose."""
    import dagster as dg

    from .build_runner import run_everything
    from .progress import BuildProgress

    started = time.monotonic()
    terminal = sys.stdout
    progress = BuildProgress(write=lambda line: print(line, file=terminal, flush=True))
    print(
        f"building {settings.landing} -> {settings.home}" + ("" if verbose else " (--verbose for Dagster's log)"),
        flush=True,
    )
    quiet = contextlib.nullcontext() if verbose else _quiet_logs()
    with quiet, dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        outcome = run_everything(settings, instance, full_refresh=full_refresh, progress=progress, dagster_log=verbose)
    progress.finish()
    print()
    print(f"build finished in {time.monotonic() - started:.0f}s")
    print(f"  warehouse:  {settings.warehouse_path}")
    published = settings.published_path.exists()
    print(
        f"  published:  {settings.published_path}"
        + (
            ""
            if outcome.success
            else " (not replaced by this build)"
            if published
            else " (none yet) (not replaced by this build)"
        )
    )
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

        notify_failure(
            "vitalsigns build failed:\n" + "\n".join(f"- {f}" for f in outcome.failures),
            settings.failure_command,
            settings.failure_webhook,
            from_env=False,
        )
        return 1
    return 0


def cmd_docs(args) -> int:
    from .dbt_docs import generate_docs
    from .resources.warehouse import WarehouseBusy

    settings = _apply_paths(args)
    try:
        page = generate_docs(settings)
    except WarehouseBusy as exc:
        print(f"error: {exc}. Run `vitalsigns docs` when the build has finished.", file=sys.stderr)
        return 3
    print(f"dbt documentation written to {page.parent}\n  open {page} in a browser (no server needed)")
    return 0


@contextlib.contextmanager
def _quiet_logs():
    """dbt's lines (dagster-dbt writes them to sys.stdout) and INFO logs (alembic, the dbt parse)
    are dropped for the length of the run; warnings and errors still print."""
    handlers = logging.getLogger().handlers  # Dagster's named loggers set their own levels: filter at the handler
    levels = [h.level for h in handlers]
    for h in handlers:
        h.setLevel(max(h.level, logging.WARNING))
    try:
        with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
            yield
    finally:
        for h, level in zip(handlers, levels):
            h.setLevel(level)


def cmd_cld_return(args) -> int:
    """The quarterly CLD return from the Liquid Logic landing files (docs/cld-return.md)."""
    from .cld_return import make_return, summary_lines

    settings = _apply_paths(args)
    outcome = make_return(settings, args.la, args.period, ascof=not args.no_ascof)
    print("\n".join(summary_lines(outcome)))
    return 1 if outcome.round_trip and outcome.round_trip.structural_errors else 0


def cmd_ui(args) -> int:
    settings = _apply_paths(args)
    prepare_dbt_manifest()
    ensure_dagster_home(settings)
    cmd = [
        str(Path(sys.executable).parent / "dagster"),
        "dev",
        "-m",
        "dagster_project.definitions",
        "-h",
        "127.0.0.1",
        "-p",
        str(args.port),
    ]
    print(f"Dagster UI on http://127.0.0.1:{args.port} (landing {settings.landing}, home {settings.home})")
    return subprocess.call(cmd, env=child_env(settings))


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Every option's default in its help, except where there is none to show (a flag that is off,
    an option whose default the help text states itself); epilogs keep their line breaks."""

    def _get_help_string(self, action):
        if isinstance(action, argparse._HelpAction) or action.default is None or "default" in (action.help or ""):
            return action.help
        if action.nargs == 0 and action.default in (False, argparse.SUPPRESS) and action.option_strings:
            return f"{action.help} (default: off)"
        return super()._get_help_string(action)


LANDING_HELP = "landing folder, one sub-folder per feed (default: $VITALSIGNS_LANDING, else data/landing)"
HOME_HELP = (
    "folder the build writes: warehouse/, published/, reports/, quarantine/, dagster/ "
    "(default: $VITALSIGNS_HOME, else data)"
)
VERBOSE_HELP = "more detail: every rejected row (check), Dagster's debug log (build), full tracebacks (all)"

DESCRIPTION = (
    "vitalsigns: adult social care extracts in, the monthly committee pack out (warehouse, "
    "published database, reports). Commands:"
)
MAIN_EPILOG = """\
examples:
  vitalsigns sample --out data/landing --councils 2     # a synthetic landing folder to try things on
  vitalsigns check --landing data/landing               # what a build would load, reject and quarantine
  vitalsigns build --landing data/landing --home data   # everything; prints where the outputs are
  vitalsigns ui                                         # the Dagster UI, schedules and sensor

environment (the full list is in README.md, "Configuration"):
  VITALSIGNS_SALT      secret salt for pseudonymising person ids; required for real extracts
  VITALSIGNS_LANDING   landing folder when --landing is not given (default data/landing)
  VITALSIGNS_HOME      output folder when --home is not given (default data)

`vitalsigns COMMAND --help` gives each command's options. Your own extracts: docs/own-extracts.md.
"""

CHECK_EPILOG = """\
Reads every file as the build would and prints each problem as file:row:column: message.
Rows with the same problem and value are one line with a count and the first row numbers
(--verbose lists every row; --report FILE writes every row to a CSV). Then one line per file:
feed, rows, rows rejected and the verdict (would load / would be quarantined and why), and the
salt status. Nothing is written to the landing folder or the home.

exit codes:
  0  every file would load, no row rejected, the salt is usable
  1  problems: a file would be quarantined, rows would be rejected, a file or folder would not be
     loaded (a name that matches no feed), or the salt is missing or unsafe
  2  nothing to check: the landing folder is missing, empty or has no feed folder

environment: VITALSIGNS_SALT (checked, never shown), VITALSIGNS_SAMPLE, VITALSIGNS_REJECT_THRESHOLD
and the VITALSIGNS_MAX_* limits (read as the build reads them).

example:
  VITALSIGNS_SALT=... vitalsigns check --landing /data/vitalsigns/landing --report problems.csv
"""

BUILD_EPILOG = """\
Prints one line per stage (ingest each feed, dbt staging / intermediate / marts and tests,
publish, reports) with counts and elapsed time, then where the outputs are. --verbose shows
Dagster's own log instead.

exit codes:
  0  every asset and every blocking check succeeded
  1  something failed: each failed step or check is named (a quarantined file, a failed dbt
     test, a refused publication); the last good published database and reports are kept
  2  the landing folder does not exist
  3  another build is running on the same home (VITALSIGNS_BUILD_WAIT=seconds queues behind it)

environment: VITALSIGNS_SALT (required for real extracts), VITALSIGNS_LANDING, VITALSIGNS_HOME,
VITALSIGNS_BUILD_WAIT, VITALSIGNS_FAILURE_COMMAND / _WEBHOOK (alerts); the rest in README.md.

examples:
  vitalsigns build                                       # data/landing -> data/
  vitalsigns build --landing /data/landing --home /data/vitalsigns --period 2017-03
  vitalsigns build --full-refresh                        # after a council re-sends old records
"""

SAMPLE_EPILOG = """\
example:
  vitalsigns sample --out /tmp/landing --councils 1 --years 1 --scale 0.3 --dirty
The folder is marked synthetic (.vitalsigns-sample), so it builds with the built-in sample salt.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vitalsigns", description=DESCRIPTION, epilog=MAIN_EPILOG, formatter_class=_HelpFormatter
    )
    parser.add_argument("--verbose", action="store_true", help=VERBOSE_HELP)
    # after the command too; SUPPRESS so a subcommand's default never undoes `vitalsigns --verbose build`
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--verbose", action="store_true", default=argparse.SUPPRESS, help=VERBOSE_HELP)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name, help, epilog=None):
        return sub.add_parser(
            name, help=help, description=help, epilog=epilog, parents=[common], formatter_class=_HelpFormatter
        )

    p = command("sample", "write a synthetic landing folder (fake councils, realistic data)", SAMPLE_EPILOG)
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write (created; required)")
    p.add_argument("--councils", type=int, default=1, metavar="N", help="number of councils")
    p.add_argument("--years", type=int, default=2, metavar="N", help="years of history")
    p.add_argument("--scale", type=float, default=1.0, metavar="X", help="size; 1 is a county like Norfolk")
    p.add_argument("--seed", type=int, default=42, metavar="N", help="random seed (same seed, same files)")
    p.add_argument("--dirty", action="store_true", help="add data-quality noise (bad codes, duplicates, ...)")
    p.add_argument(
        "--end",
        "--end-month",
        dest="end_month",
        default="2017-03",
        type=_period_arg,
        metavar="YYYY-MM",
        help="last month of the Liquid Logic data (e.g. 2025-03 for a sample through the CLD era); "
        "--end-month is the old spelling",
    )
    p.add_argument(
        "--cld-first",
        type=_period_arg,
        metavar="YYYY-MM",
        help="first CLD quarter, as its last month (default 2023-06)",
    )
    p.add_argument(
        "--cld-last",
        type=_period_arg,
        metavar="YYYY-MM",
        help="last CLD quarter, as its last month (default 2025-03: two whole financial years)",
    )
    p.add_argument(
        "--unitary",
        action="store_true",
        help="add a unitary council (Leicester City) with the integrated performance report enabled",
    )
    p.set_defaults(fn=cmd_sample)

    p = command("build", "ingest, dbt build, publish and render reports", BUILD_EPILOG)
    p.add_argument("--landing", metavar="DIR", help=LANDING_HELP)
    p.add_argument("--home", metavar="DIR", help=HOME_HELP)
    p.add_argument(
        "--period",
        type=_period_arg,
        metavar="YYYY-MM",
        help="report month to render: a past month re-renders (backfills) its packs "
        "(default: VITALSIGNS_PERIOD, else each council's latest month with data)",
    )
    p.add_argument(
        "--full-refresh",
        action="store_true",
        help="recompute incremental models over all history (after corrected old records arrive; "
        "default: only each council's last 24 month ends)",
    )
    p.add_argument(
        "--engine",
        choices=ENGINES,
        help="where dbt builds the models: duckdb, or spark on a local pyspark, the marts then copied "
        "into the warehouse (needs Java 17 and the spark extra; docs/spark.md) (default: VITALSIGNS_ENGINE, "
        "else duckdb)",
    )
    p.set_defaults(fn=cmd_build)

    p = command(
        "cld-return",
        "build and check the quarterly CLD return from the Liquid Logic feeds "
        "(person-identifiable: written owner-only under <home>/exports/)",
    )
    p.add_argument("--la", required=True, metavar="CODE", help="council ONS code, e.g. E10000020 (required)")
    p.add_argument(
        "--period", required=True, metavar="YYYY-Qn", help="financial-year quarter, 2024-Q4 = Jan-Mar 2025 (required)"
    )
    p.add_argument("--landing", metavar="DIR", help=LANDING_HELP)
    p.add_argument("--home", metavar="DIR", help=HOME_HELP)
    p.add_argument("--no-ascof", action="store_true", help="skip the revised-ASCOF round trip (dbt, about a minute)")
    p.set_defaults(fn=cmd_cld_return)

    p = command("ui", "start the Dagster UI on 127.0.0.1 (with the schedules and the landing sensor)")
    p.add_argument("--port", type=int, default=3000, metavar="N", help="port")
    p.add_argument("--landing", metavar="DIR", help=LANDING_HELP)
    p.add_argument("--home", metavar="DIR", help=HOME_HELP)
    p.set_defaults(fn=cmd_ui)

    p = command("docs", "build the dbt documentation site into <home>/docs/ (opens without a server)")
    p.add_argument("--home", metavar="DIR", help=HOME_HELP + "; column types come from its warehouse when built")
    p.set_defaults(fn=cmd_docs)

    p = command(
        "check",
        "validate a landing folder without building: what would load, be rejected, be quarantined",
        CHECK_EPILOG,
    )
    p.add_argument("--landing", metavar="DIR", help=LANDING_HELP)
    p.add_argument(
        "--report", metavar="FILE", help="also write every problem, one row each, to this CSV (default: none)"
    )
    p.set_defaults(fn=cmd_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Dagster's "is currently in beta" notices speak to the code's authors, not to whoever runs a build
    warnings.filterwarnings("ignore", message=r".*is currently in (beta|preview)")
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
        print(
            f"\nerror: {one_line(exc, getattr(args, 'home', None) or home_for_messages())}"
            + ("" if verbose else " (run with --verbose for the traceback)"),
            file=terminal,
            flush=True,
        )
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
