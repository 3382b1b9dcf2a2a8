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
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ..contracts import FEEDS, Feed
from ..settings import Settings
from .reading import FILE_NAME, UnreadableFile, extract_date, file_hash, load_mapping, read_as_text
from .validate import Reject, db_type, validate

log = logging.getLogger(__name__)

META_COLUMNS = "_source_file varchar, _extract_date date, _loaded_at timestamp"

# raw.cld exactly as agreed between CLD ingestion and the CLD dbt models (CLD_RAW.md): every
# row of every accepted submission, additive; it exists (empty) before any CLD file arrives.
CLD_RAW_DDL = """
create table if not exists raw.cld (
  _source_file varchar, _extract_date date, _loaded_at timestamp, _submitted_at timestamp, _row_number integer,
  la_code varchar, reporting_period_start_date date, reporting_period_end_date date,
  nhs_number varchar, la_person_unique_identifier varchar, gender varchar, ethnicity varchar,
  date_of_birth date, date_of_death date, client_type varchar, primary_support_reason varchar,
  accommodation_status varchar, employment_status varchar, has_unpaid_carer varchar,
  client_funding_status varchar, event_type varchar, event_start_date date, event_end_date date,
  event_outcome varchar, request_route_of_access varchar, assessment_type varchar, service_type varchar,
  service_component varchar, delivery_mechanism varchar, adult_1_linked_person_id varchar,
  adult_2_linked_person_id varchar, adult_3_linked_person_id varchar,
  gp_practice_code varchar, postcode_district varchar, autism_spectrum_disorder_asd varchar,
  visual_impairment varchar, hearing_impairment varchar, dementia varchar, event_reference varchar,
  event_description varchar, eligible_needs_identified varchar, method_of_assessment varchar,
  total_hrs_caring_per_week varchar, no_of_adults_being_cared_for varchar, provider_cqc_location_id varchar,
  provider_cqc_location_name varchar, review_reason varchar, review_outcomes_achieved varchar,
  method_of_review varchar, unit_cost varchar, cost_frequency_unit_type varchar, planned_units_per_week varchar
)
"""


class LoadFailed(RuntimeError):
    """A feed could not be (fully) loaded; the message lists every failing file and why."""


@dataclass
class FileOutcome:
    feed: str
    file: Path
    status: str  # loaded | unchanged | empty | quarantined | failed
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    message: str = ""
    rejects: list[Reject] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in ("loaded", "unchanged", "empty")


def feed_files(landing: Path, feed: Feed) -> list[Path]:
    folder = landing / feed.folder
    if not folder.is_dir():
        return []
    files = []
    for p in folder.iterdir():
        m = FILE_NAME.match(p.name)
        if m and m.group("feed").lower() == feed.name and m.group("ext").lower() in feed.formats:
            files.append(p)
    return sorted(files, key=lambda p: (extract_date(p) or dt.date.min, p.name))


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
    con.execute(CLD_RAW_DDL)


def load_feed(con: duckdb.DuckDBPyConnection, settings: Settings, feed_name: str) -> list[FileOutcome]:
    """Load every file of a feed in extract-date order. Raises LoadFailed if any file failed."""
    feed = FEEDS[feed_name]
    ensure_raw_schema(con)
    files = feed_files(settings.landing, feed)
    if not files:
        _log(con, FileOutcome(feed.name, settings.landing / feed.folder, "missing",
                              message=f"no {feed.name} file in {settings.landing / feed.folder}"), None, None)
        return []
    outcomes = [_load_file(con, settings, feed, path) for path in files]
    failed = [o for o in outcomes if not o.ok]
    if failed:
        raise LoadFailed("; ".join(o.message for o in failed))
    return outcomes


def _already_loaded(con, feed: Feed, digest: str) -> bool:
    return con.execute(
        "select count(*) from raw._load_log where feed = ? and file_hash = ? and status in ('loaded', 'empty')",
        [feed.name, digest],
    ).fetchall()[0][0] > 0


def _load_file(con, settings: Settings, feed: Feed, path: Path) -> FileOutcome:
    digest = file_hash(path)
    if _already_loaded(con, feed, digest):
        log.info("%s: %s unchanged since its last load (same hash); skipped", feed.name, path.name)
        return FileOutcome(feed.name, path, "unchanged", message="same file already loaded")
    table = f"_in_{feed.name}"
    try:
        mapping = load_mapping(path.parent, feed.name)
        columns = read_as_text(con, path, table, mapping)
        rejects = validate(con, feed, path, table, columns)
    except UnreadableFile as exc:
        outcome = FileOutcome(feed.name, path, "quarantined", message=str(exc))
        _quarantine(settings, outcome)
        _log(con, outcome, digest, extract_date(path))
        log.error("%s quarantined: %s", path, exc)
        return outcome

    rows_read = con.execute(f"select count(*) from {table}_typed").fetchall()[0][0]
    rejected_rows = {r.row for r in rejects}
    outcome = FileOutcome(feed.name, path, "loaded", rows_read, rows_read - len(rejected_rows),
                          len(rejected_rows), rejects=rejects)
    if rows_read == 0:
        outcome.status, outcome.message = "empty", f"{path.name}: header only, no rows (nothing to add)"
        _log(con, outcome, digest, extract_date(path))
        return outcome

    if rows_read and len(rejected_rows) / rows_read > settings.reject_threshold:
        first = rejects[0].line(path)
        outcome.status = "failed"
        outcome.message = (f"{path}: {len(rejected_rows)} of {rows_read} rows rejected "
                           f"({len(rejected_rows) / rows_read:.1%}, above the {settings.reject_threshold:.0%} "
                           f"threshold); first: {first}")
        _quarantine(settings, outcome)
        _log(con, outcome, digest, extract_date(path))
        return outcome

    con.execute("create or replace temp table _rejected_rows (_row bigint)")
    if rejected_rows:
        con.executemany("insert into _rejected_rows values (?)", [[r] for r in sorted(rejected_rows)])
    accepted = f"(select * from {table}_typed where _row not in (select _row from _rejected_rows))"
    if feed.name == "risk_register":
        try:
            accepted = _fill_la_code(con, accepted, path)
        except UnreadableFile as exc:
            outcome = FileOutcome(feed.name, path, "quarantined", rows_read, message=str(exc))
            _quarantine(settings, outcome)
            _log(con, outcome, digest, extract_date(path))
            return outcome
    con.execute("begin transaction")
    try:
        _write(con, settings, feed, path, accepted, outcome)
        if outcome.status == "failed":
            con.execute("rollback")
            _log(con, outcome, digest, extract_date(path))
            log.error("%s", outcome.message)
            return outcome
        _record_rejects(con, outcome, digest)
        _log(con, outcome, digest, extract_date(path))
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    log.info("%s: %s read %d, accepted %d, rejected %d", feed.name, path.name, outcome.rows_read,
             outcome.rows_accepted, outcome.rows_rejected)
    return outcome


def _select_for_raw(settings: Settings, feed: Feed, path: Path, accepted: str) -> str:
    cols = []
    for c in feed.columns:
        if c.pseudonymise:
            salt = settings.pseudonymisation_salt().replace("'", "''")
            cols.append(f"substr(sha256('{salt}' || '|' || la_code || '|' || \"{c.name}\"), 1, 24) as \"{c.name}\"")
        else:
            cols.append(f'"{c.name}"')
    if feed.mode == "snapshot":
        cols.append(f"DATE '{extract_date(path)}' as snapshot_date")
    date = extract_date(path)
    cols += [f"'{path.name}' as _source_file", f"{'DATE ' + repr(str(date)) if date else 'null'}::date as _extract_date",
             "current_timestamp::timestamp as _loaded_at"]
    return f"select {', '.join(cols)} from {accepted} a"


def _write(con, settings: Settings, feed: Feed, path: Path, accepted: str, outcome: FileOutcome) -> None:
    target = f"raw.{feed.name}"
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
        con.execute(f"delete from {target} t where exists (select 1 from _new n where "
                    "t.snapshot_date = n.snapshot_date and t.la_code is not distinct from n.la_code)")
    con.execute(f"insert into {target} by name select * from _new")


def _fill_la_code(con, accepted: str, path: Path) -> str:
    """A risk register may omit la_code when the landing folder serves one council."""
    missing = con.execute(f"select count(*) from {accepted} where la_code is null").fetchall()[0][0]
    if not missing:
        return accepted
    councils = [r[0] for r in con.execute(
        "select distinct la_code from (select la_code from raw.people union select la_code from raw.family_groups "
        "union select la_code from raw.population) where la_code is not null").fetchall()]
    if len(councils) != 1:
        raise UnreadableFile(f"{path}:2:la_code: la_code is empty and the landing folder serves "
                             f"{len(councils)} councils, so the risk register's council cannot be inferred")
    return f"(select * replace (coalesce(la_code, '{councils[0]}') as la_code) from {accepted})"


def _record_rejects(con, outcome: FileOutcome, digest: str) -> None:
    if outcome.rejects:
        con.executemany(
            "insert into raw._rejects values (?, ?, ?, ?, ?, ?, ?, current_timestamp)",
            [[outcome.feed, str(outcome.file), digest, r.row, r.column, r.rule, r.value] for r in outcome.rejects],
        )


def _log(con, outcome: FileOutcome, digest: str | None, date: dt.date | None) -> None:
    con.execute(
        "insert into raw._load_log values (?, ?, ?, ?, current_timestamp, ?, ?, ?, ?, ?)",
        [outcome.feed, str(outcome.file), digest, date, outcome.rows_read, outcome.rows_accepted,
         outcome.rows_rejected, outcome.status, outcome.message],
    )


def _quarantine(settings: Settings, outcome: FileOutcome) -> None:
    """Copy (never move) the bad file aside with its reason; the landing file stays untouched."""
    folder = settings.quarantine_path / outcome.feed
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(outcome.file, folder / outcome.file.name)
    (folder / f"{outcome.file.name}.reason.txt").write_text(outcome.message + "\n", encoding="utf-8")
