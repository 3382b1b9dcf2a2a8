"""Load a landing folder's files for one feed into the warehouse's `raw` schema.

Rules from extracts.md, "What happens to bad input": raw files are only read; every load
is logged with the file's hash (the same file twice changes nothing); an unreadable file is
quarantined whole with a one-line reason and the feed keeps its last good data; rule-breaking
rows go to `raw._rejects`; too many rejects or a sharp shrink fail the load.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from .. import lake
from ..cld_contract import raw_table_ddl as cld_raw_table_ddl
from ..contracts import FEEDS, LA_CODE_RULE, Feed
from ..guards import inside
from ..settings import Settings
from .landing import feed_files, not_loaded
from .reading import UnreadableFile, extract_date, file_hash, load_mapping, read_as_text
from .validate import Reject, db_type, free_text_columns, load_verdict, plausibility_rules, validate

log = logging.getLogger(__name__)

META_COLUMNS = "_source_file varchar, _extract_date date, _loaded_at timestamp"

# DuckDB checkpoints at the first commit that takes its write-ahead log past 16 MiB. A CLD submission
# or a feed's file commits 10-30 MiB, so with that default nearly every file was followed by a
# checkpoint that compressed and rewrote the table's last, growing row group again: at 10 councils
# most of CLD ingestion's CPU. Within one feed's load the log may grow to this much instead; the
# usual threshold is restored and the log folded into the database file once at the end.
CHECKPOINT_THRESHOLD = "256MiB"


class LoadFailed(RuntimeError):
    """A feed could not be (fully) loaded; the message lists every failing file and why."""


@dataclass
class FileOutcome:
    feed: str
    file: Path
    status: str  # loaded | unchanged | empty | superseded | quarantined | failed
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    message: str = ""
    rejects: list[Reject] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in ("loaded", "unchanged", "empty", "superseded")


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every raw table (empty) so dbt's sources exist even before a feed arrives."""
    con.execute("create schema if not exists raw")
    con.execute(
        "create table if not exists raw._load_log (feed varchar, file varchar, file_hash varchar, "
        "extract_date date, loaded_at timestamp, rows_read bigint, rows_accepted bigint, "
        "rows_rejected bigint, status varchar, message varchar)"
    )
    con.execute(
        "create table if not exists raw._rejects (feed varchar, file varchar, file_hash varchar, "
        "row_number bigint, column_name varchar, rule varchar, value varchar, loaded_at timestamp)"
    )
    for feed in FEEDS.values():
        cols = ", ".join(f'"{c.name}" {db_type(c)}' for c in feed.columns)
        extra = ", snapshot_date date" if feed.mode == "snapshot" else ""
        con.execute(f"create table if not exists raw.{feed.name} ({cols}{extra}, {META_COLUMNS})")
    con.execute(cld_raw_table_ddl())


@contextmanager
def fewer_checkpoints(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Checkpoint once per load rather than after nearly every file (CHECKPOINT_THRESHOLD); each file is
    still its own committed transaction, so what a crash keeps or loses is unchanged (the log is replayed)."""
    before = con.execute("select current_setting('checkpoint_threshold')").fetchall()[0][0]
    con.execute(f"set checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
    try:
        yield
    finally:
        try:
            con.execute(f"set checkpoint_threshold = '{before}'")
        except duckdb.Error:  # a connection left unusable by the original error: that error is the one to see
            pass
    con.execute("checkpoint")  # reached only when the load succeeded


def load_feed(con: duckdb.DuckDBPyConnection, settings: Settings, feed_name: str) -> list[FileOutcome]:
    """Load every file of a feed in extract-date order. Raises LoadFailed if any file failed."""
    with fewer_checkpoints(con):
        return _load_feed(con, settings, feed_name)


def _load_feed(con: duckdb.DuckDBPyConnection, settings: Settings, feed_name: str) -> list[FileOutcome]:
    feed = FEEDS[feed_name]
    ensure_raw_schema(con)
    log_not_loaded(con, settings.landing)
    purge_invalid_raw(con, settings, feed)
    files = feed_files(settings.landing, feed)
    if not files:
        _log(
            con,
            FileOutcome(
                feed.name,
                settings.landing / feed.folder,
                "missing",
                message=f"no {feed.name} file in {settings.landing / feed.folder}",
            ),
            None,
            None,
        )
        return []
    outcomes = [_load_file(con, settings, feed, path) for path in files]
    failed = [o for o in outcomes if not o.ok]
    if failed:
        raise LoadFailed("; ".join(o.message for o in failed))
    return outcomes


def _already_loaded(con, feed: Feed, digest: str) -> bool:
    """Loaded (for additive and snapshot feeds: since the feed's last purge, so that after a
    purge every file present is applied again and restores what a bad file displaced; a full
    extract replaces everything anyway, and replaying its older files would only trip the
    shrinkage guard)."""
    since = (
        (
            "and loaded_at > coalesce((select max(loaded_at) from raw._load_log where feed = ? "
            "and status = 'purged'), '-infinity'::timestamp)"
        )
        if feed.mode != "full"
        else "and ? is not null"
    )
    return (
        con.execute(
            "select count(*) from raw._load_log where feed = ? and file_hash = ? "
            f"and status in ('loaded', 'empty', 'superseded') {since}",
            [feed.name, digest, feed.name],
        ).fetchall()[0][0]
        > 0
    )


_HASHES: dict[tuple, str] = {}


def _cached_hash(path: Path) -> str:
    """Every feed asset of a build lists the same stray files: hash each version once."""
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _HASHES:
        _HASHES[key] = file_hash(path)
    return _HASHES[key]


def log_not_loaded(con, landing: Path) -> list:
    """Record each file or folder no feed loads, once per file version, as feed `landing`."""
    problems = not_loaded(landing)
    for p in problems:
        digest = _cached_hash(p.path) if p.path.is_file() else None
        seen = con.execute(
            "select count(*) from raw._load_log where feed = 'landing' and file = ? "
            "and file_hash is not distinct from ? and status = 'not_loaded'",
            [str(p.path), digest],
        ).fetchall()[0][0]
        if not seen:
            _log(con, FileOutcome("landing", p.path, "not_loaded", message=p.line()), digest, extract_date(p.path))
    return problems


def raw_rule_predicates(feed: Feed, settings: Settings) -> list[tuple[str, str]]:
    """Rules that rows already in raw must still meet, as (predicate true when bad, reason)."""
    rules: list[tuple[str, str]] = []
    if "la_code" in feed.column_names:
        rules.append(LA_CODE_RULE)
    rules += plausibility_rules(feed, settings.limits)
    for c in free_text_columns(feed):
        rules.append(
            (
                f'length("{c.name}") > {int(settings.limits.max_cell_chars)}',
                f"{c.name} longer than {settings.limits.max_cell_chars:,} characters",
            )
        )
    rules.append(("_extract_date is null", "loaded from a file whose name had no real date"))
    return rules


def purge_invalid_raw(con, settings: Settings, feed: Feed) -> int:
    """Remove rows that earlier versions let in (a bogus la_code, a file with no real date, a
    200 MB cell): they would otherwise break or poison every later build, since nothing ever
    replaces them. The removal is logged as `purged`; every landing file of the feed is then
    applied again, so the rows a bad file displaced come back from the files still present.
    """
    rules = raw_rule_predicates(feed, settings)
    # a plausibility rule may be a window over the feed, so the rules are flags of a projection; they are
    # counted in one pass and the rows listed only when one breaks a rule (almost never): a temp copy of
    # every row id on every load cost more than the check itself
    flags = ", ".join(f"coalesce(({p}), false) as _r{i}" for i, (p, _) in enumerate(rules))
    flagged = f"(select rowid as _rid, {flags} from raw.{feed.name})"
    bad = " or ".join(f"_r{i}" for i in range(len(rules)))
    *counts, total = con.execute(
        "select "
        + "".join(f"count(*) filter (where _r{i}), " for i in range(len(rules)))
        + f"count(*) filter (where {bad}) from {flagged}"
    ).fetchall()[0]
    if total:
        reasons = "; ".join(f"{n} {rule}" for n, (_, rule) in zip(counts, rules) if n)
        con.execute("begin transaction")
        try:
            con.execute(f"delete from raw.{feed.name} where rowid in (select _rid from {flagged} where {bad})")
            _log(
                con,
                FileOutcome(
                    feed.name,
                    settings.landing / feed.folder,
                    "purged",
                    message=(
                        f"removed {total} row(s) of raw.{feed.name} loaded before these checks existed ({reasons}); "
                        "the feed's landing files are applied again"
                    ),
                ),
                None,
                None,
            )
            con.execute("commit")
        except BaseException:
            _rollback(con)
            raise
        log.warning("raw.%s: removed %d rows that break today's rules (%s)", feed.name, total, reasons)
    return total


def _rollback(con) -> None:
    """Roll back if a transaction is open; never let a failed rollback hide the original error."""
    try:
        con.execute("rollback")
    except duckdb.Error:
        pass


def _load_file(con, settings: Settings, feed: Feed, path: Path) -> FileOutcome:
    digest = file_hash(path)
    if _already_loaded(con, feed, digest):
        log.info("%s: %s unchanged since its last load (same hash); skipped", feed.name, path.name)
        return FileOutcome(feed.name, path, "unchanged", message="same file already loaded")
    table = f"_in_{feed.name}"
    try:
        mapping = load_mapping(path.parent, feed.name)
        columns = read_as_text(con, path, table, mapping, settings.limits, feed.name)
        rejects = validate(con, feed, path, table, columns, settings.limits)
    except UnreadableFile as exc:
        outcome = FileOutcome(feed.name, path, "quarantined", message=str(exc))
        _quarantine(settings, outcome)
        _log(con, outcome, digest, extract_date(path))
        log.error("%s quarantined: %s", path, exc)
        return outcome

    rows_read = con.execute(f"select count(*) from {table}_typed").fetchall()[0][0]
    rejected_rows = {r.row for r in rejects}
    outcome = FileOutcome(
        feed.name, path, "loaded", rows_read, rows_read - len(rejected_rows), len(rejected_rows), rejects=rejects
    )
    if rows_read == 0:
        outcome.status, outcome.message = "empty", f"{path.name}: header only, no rows (nothing to add)"
        _log(con, outcome, digest, extract_date(path))
        return outcome

    failure = load_verdict(path, rows_read, rejects, settings.reject_threshold)
    if failure:
        outcome.status = "failed"
        outcome.message = failure
        _quarantine(settings, outcome)
        _log(con, outcome, digest, extract_date(path))
        return outcome

    con.execute("create or replace temp table _rejected_rows (_row bigint)")
    if rejected_rows:
        con.executemany("insert into _rejected_rows values (?)", [[r] for r in sorted(rejected_rows)])
    accepted = f"(select * from {table}_typed where _row not in (select _row from _rejected_rows))"
    con.execute("begin transaction")
    try:
        _write(con, settings, feed, path, accepted, outcome)
        if outcome.status == "failed":
            _rollback(con)
            _log(con, outcome, digest, extract_date(path))
            log.error("%s", outcome.message)
            return outcome
        _record_rejects(con, outcome, digest)
        _store_in_lake(con, settings, feed, path, accepted, digest, outcome)
        if outcome.status == "failed":
            _rollback(con)
            _log(con, outcome, digest, extract_date(path))
            log.error("%s", outcome.message)
            return outcome
        _log(con, outcome, digest, extract_date(path))
        con.execute("commit")
    except BaseException:
        _rollback(con)
        raise
    log.info(
        "%s: %s read %d, accepted %d, rejected %d",
        feed.name,
        path.name,
        outcome.rows_read,
        outcome.rows_accepted,
        outcome.rows_rejected,
    )
    return outcome


def _select_for_raw(settings: Settings, feed: Feed, path: Path, accepted: str) -> str:
    cols = []
    for c in feed.columns:
        if c.pseudonymise:
            quoted = f'"{c.name}"'
            cols.append(f"{pseudonym_sql(settings, 'la_code', quoted)} as {quoted}")
        else:
            cols.append(f'"{c.name}"')
    if feed.mode == "snapshot":
        cols.append(f"DATE '{extract_date(path)}' as snapshot_date")
    date = extract_date(path)
    cols += [
        f"'{path.name}' as _source_file",
        f"{'DATE ' + repr(str(date)) if date else 'null'}::date as _extract_date",
        "current_timestamp::timestamp as _loaded_at",
    ]
    return f"select {', '.join(cols)} from {accepted} a"


def pseudonym_sql(settings: Settings, scope: str, value: str) -> str:
    """The one pseudonymisation: salted sha256 of scope|value, 24 hex; null stays null.

    `scope` is the council's code for a council's own ids (person_id, CLD person ids), so the same
    id links across a council's feeds; CLD NHS numbers use the national scope 'NHS'.
    """
    salt = settings.pseudonymisation_salt().replace("'", "''")
    return f"substr(sha256('{salt}' || '|' || {scope} || '|' || {value}), 1, 24)"


def _write(con, settings: Settings, feed: Feed, path: Path, accepted: str, outcome: FileOutcome) -> None:
    target = f"raw.{feed.name}"
    if feed.mode == "full":
        accepted = _without_superseded(con, feed, path, accepted, outcome)
        if outcome.status == "superseded":
            return
    rows = _select_for_raw(settings, feed, path, accepted)
    if feed.mode == "full":
        # a full extract replaces its councils' rows: counted and inserted straight from the typed
        # file, with no intermediate copy (the largest feeds hold millions of rows)
        shrink = con.execute(
            f"""select n.la_code, coalesce(o.n, 0) as old_n, n.n as new_n from
                (select la_code, count(*) n from {accepted} a group by 1) n
                left join (select la_code, count(*) n from {target} group by 1) o using (la_code)
                where o.n > 0 and n.n < o.n * (1 - ?)""",
            [settings.shrinkage_tolerance],
        ).fetchall()
        if shrink and not settings.confirm_shrink:
            la, old_n, new_n = shrink[0]
            outcome.status = "failed"
            outcome.message = (
                f"{path}: {feed.name} for {la} would shrink from {old_n} to {new_n} rows "
                f"({1 - new_n / old_n:.0%} fewer, more than the {settings.shrinkage_tolerance:.0%} allowed); "
                "kept the previous extract. If the shrink is genuine, rerun with VITALSIGNS_CONFIRM_SHRINK=1"
            )
            return
        con.execute(f"delete from {target} where la_code in (select distinct la_code from {accepted} a)")
        con.execute(f"insert into {target} by name {rows}")
        return
    con.execute(f"create or replace temp table _new as {rows}")
    if feed.mode == "additive":
        on = " and ".join(f't."{k}" is not distinct from n."{k}"' for k in feed.key)
        con.execute(f"delete from {target} t where exists (select 1 from _new n where {on})")
    else:  # snapshot
        con.execute(
            f"delete from {target} t where exists (select 1 from _new n where "
            "t.snapshot_date = n.snapshot_date and t.la_code is not distinct from n.la_code)"
        )
    con.execute(f"insert into {target} by name select * from _new")


def _without_superseded(con, feed: Feed, path: Path, accepted: str, outcome: FileOutcome) -> str:
    """A full extract that arrives after a newer one for the same council is stale: it would roll
    that council back, so its rows are left out (the landing zone keeps the newest extract too)."""
    date = extract_date(path)
    if date is None:
        return accepted
    newer = con.execute(
        f"""select la_code, max(_extract_date) from raw.{feed.name}
            where la_code in (select distinct la_code from {accepted} a)
            group by 1 having max(_extract_date) > ? order by 1""",
        [date],
    ).fetchall()
    if not newer:
        return accepted
    kept = ", ".join(f"{la} (extract of {d})" for la, d in newer)
    left = con.execute(
        f"select count(distinct la_code) from {accepted} a where la_code not in ({', '.join('?' * len(newer))})",
        [la for la, _ in newer],
    ).fetchall()[0][0]
    outcome.message = (
        f"{path.name} ({date}) is older than the {feed.name} extract already loaded for {kept}: "
        "kept the newer extract for " + ("that council" if len(newer) == 1 else "those councils")
    )
    log.warning("%s", outcome.message)
    if not left:
        outcome.status = "superseded"
        return accepted
    codes = ", ".join("'" + str(la).replace("'", "''") + "'" for la, _ in newer)
    return f"(select * from {accepted} a where la_code not in ({codes}))"


def _store_in_lake(con, settings: Settings, feed: Feed, path: Path, accepted: str, digest: str, outcome) -> None:
    """Write the file to the Parquet landing zone inside the warehouse transaction, from the rows just
    put in raw (pseudonymised once): the zone commits first, so a failure there rolls the warehouse
    back, and a warehouse that fails after it reloads the file, which the zone then skips by hash."""
    if not settings.lake:
        return
    if feed.mode == "full":
        source = f"select * from raw.{feed.name} where la_code in (select distinct la_code from {accepted} a)"
    else:
        source = "select * from _new"
    fields = {
        "extract_date": extract_date(path),
        "rows_read": outcome.rows_read,
        "rows_accepted": outcome.rows_accepted,
        "rows_rejected": outcome.rows_rejected,
    }
    try:
        lake.store(con, settings.lake_path, feed, source, path, digest, outcome.rejects, fields)
    except (lake.LakeError, OSError, duckdb.Error) as exc:
        outcome.status = "failed"
        outcome.message = (
            f"{path}:0:0: could not write the Parquet landing zone {settings.lake_path} ({exc}); the warehouse "
            "keeps the previous extract: free space or fix permissions there and rebuild (VITALSIGNS_LAKE=0 skips it)"
        )


def _record_rejects(con, outcome: FileOutcome, digest: str) -> None:
    if outcome.rejects:
        con.executemany(
            "insert into raw._rejects values (?, ?, ?, ?, ?, ?, ?, current_timestamp)",
            [[outcome.feed, str(outcome.file), digest, r.row, r.column, r.rule, r.value] for r in outcome.rejects],
        )


def _log(con, outcome: FileOutcome, digest: str | None, date: dt.date | None) -> None:
    con.execute(
        "insert into raw._load_log values (?, ?, ?, ?, current_timestamp, ?, ?, ?, ?, ?)",
        [
            outcome.feed,
            str(outcome.file),
            digest,
            date,
            outcome.rows_read,
            outcome.rows_accepted,
            outcome.rows_rejected,
            outcome.status,
            outcome.message,
        ],
    )


def quarantine(settings: Settings, outcome: FileOutcome) -> Path:
    """Set a refused file aside with its one-line reason; the landing file stays untouched.

    A person-level file is *not* copied: the quarantine keeps the reason, the file's SHA-256,
    size and landing path, enough to find and fix the exact file at its source, without a
    second copy of names, ids and dates of birth that no retention rule would ever clear.
    Other feeds (aggregates, reference data, the risk register) are copied, as before; a feed
    without a contract in FEEDS (CLD) is treated as person-level.
    """
    feed = FEEDS.get(outcome.feed)
    folder = inside(settings.home, "quarantine", outcome.feed)
    folder.mkdir(parents=True, exist_ok=True)
    reason = inside(folder, f"{outcome.file.name}.reason.txt")
    if feed is None or feed.person_level:  # CLD (not a FEEDS contract) is person-level too
        stale = inside(folder, outcome.file.name)
        stale.unlink(missing_ok=True)  # a copy left by an earlier version
        size = outcome.file.stat().st_size if outcome.file.exists() else 0
        digest = file_hash(outcome.file) if outcome.file.exists() else ""
        reason.write_text(
            f"{outcome.message} [sha256 {digest}, {size} bytes; person-level file, not copied: "
            "the original stays in the landing folder]\n",
            encoding="utf-8",
        )
        return reason
    shutil.copy2(outcome.file, inside(folder, outcome.file.name))
    reason.write_text(outcome.message + "\n", encoding="utf-8")
    return reason


_quarantine = quarantine  # the name other modules used before
