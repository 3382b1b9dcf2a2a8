"""Load a council's CLD submissions (`<landing>/cld/cld_<la_code>_<YYYYMMDD>[_<HHMMSS>].csv`) into raw.cld.

CLD is additive by file: every accepted submission appends all its rows, resubmissions
included, and DHSC's submission selection (in dbt) decides which rows count. It reuses the
loader's machinery (hash dedup and load log, quarantine with a reason, column mapping, the one
pseudonymisation); what differs from the other feeds is here: the file name carries the
council and the submission time, coded values are kept raw (mapped in dbt), and the structural
checks of cld.md quarantine the whole file (name, required columns, dates, LA_Code, no rows,
a future quarter). The field list is `cld_contract.FIELDS`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .. import cld_contract as C
from .. import lake
from ..contracts import Column
from ..settings import Settings
from .loader import FileOutcome, LoadFailed, _log, _quarantine, ensure_raw_schema, fewer_checkpoints, pseudonym_sql
from .reading import UnreadableFile, _norm, _sql_str, file_hash, load_mapping, parse_error, read_as_text
from .validate import _typed_expr, first_bad_cells

log = logging.getLogger(__name__)

TEXT = "_in_cld"  # the file as text (a view over DuckDB's CSV reader)
TYPED = "_in_cld_typed"  # typed, reduced (birth month, postcode district); ids still clear: never persisted
NEW = "_in_cld_new"  # the submission's rows as they go into raw.cld (pseudonymised), for the landing zone


@dataclass(frozen=True)
class Submission:
    path: Path
    la_code: str
    date: dt.date
    submitted_at: dt.datetime


def today() -> dt.date:
    """The date a submission's reporting period may not end after (a function so tests can fix it)."""
    return dt.date.today()


def cld_files(landing: Path) -> tuple[list[Path], list[Path]]:
    """(submissions in submission order, files in cld/ whose name is not a CLD submission's)."""
    folder = landing / C.FOLDER
    if not folder.is_dir():
        return [], []
    subs, other = [], []
    for p in folder.iterdir():
        if not p.is_file() or p.name.startswith(".") or p.name.lower() == f"{C.FEED}.mapping.yml":
            continue
        (subs if C.FILE_NAME.match(p.name) else other).append(p)
    return sorted(subs, key=_order), sorted(other)


def _order(p: Path):
    m = C.FILE_NAME.match(p.name)
    return (m.group("date"), m.group("time") or "000000", p.name)


def misnamed_message(path: Path) -> str:
    return (
        f"{path}:0:0: file name does not match {C.FILE_PATTERN} "
        "(e.g. cld_E10000020_20240715.csv); not loaded: rename it to load it"
    )


def submission(path: Path) -> Submission:
    """The council and submission time a file's name states; UnreadableFile when they are not real."""
    m = C.FILE_NAME.match(path.name)
    if not m:
        raise UnreadableFile(misnamed_message(path))
    la = m.group("la").upper()
    if not C.ONS_LA_CODE.match(la):
        raise UnreadableFile(
            f"{path}:0:0: '{m.group('la')}' in the file name is not an ONS council code "
            "(E06/E07/E08/E09/E10 and six digits, e.g. E10000020)"
        )
    try:
        stamp = dt.datetime.strptime(m.group("date") + (m.group("time") or "000000"), "%Y%m%d%H%M%S")
    except ValueError:
        raise UnreadableFile(
            f"{path}:0:0: the submission date/time in the file name "
            f"({m.group('date')}{'_' + m.group('time') if m.group('time') else ''}) "
            "is not a real date (YYYYMMDD) and time (HHMMSS)"
        ) from None
    return Submission(path, la, stamp.date(), stamp)


def _key(name: str) -> str:
    return re.sub(r"[\s_]+", "_", name.strip()).lower()


def read_submission(con: duckdb.DuckDBPyConnection, path: Path, mapping: dict[str, str] | None = None) -> Submission:
    """Read, type and check one file into temp table TYPED; UnreadableFile says what is wrong, where.

    Shared by the load and by `vitalsigns check`; needs no salt (ids are pseudonymised on write).
    """
    sub = submission(path)
    mapping = load_mapping(path.parent, C.FEED) if mapping is None else mapping
    _check_header(path, _first_line(path), mapping)  # before DuckDB, whose errors may quote a data row
    names = read_as_text(con, path, TEXT, mapping)
    present: dict[str, str] = {}
    for n in names:
        present.setdefault(_key(n), n)
    _check_header(path, names, {})
    _type(con, path, present)
    rows = con.execute(f"select count(*) from {TYPED}").fetchall()[0][0]
    if rows == 0:
        raise UnreadableFile(
            f"{path}:2:0: no data rows (header only): a CLD return with no rows is not a valid "
            "submission; send the council's events for the reporting period"
        )
    _check_dates(con, path)
    _check_la_code(con, path, sub)
    _check_not_future(con, path, sub)
    return sub


def _first_line(path: Path) -> list[str]:
    """The header as Python's csv reads it ([] when unreadable: read_as_text then says why)."""
    import csv

    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            return next(csv.reader(fh), [])
    except (UnicodeDecodeError, csv.Error, OSError):
        return []


def _check_header(path: Path, names: list[str], mapping: dict[str, str]) -> None:
    """Every required field present; the message names fields, never echoes a first line that is data."""
    if not names:
        return
    present = {_key(mapping.get(_norm(n), n)) for n in names if n.strip()}
    missing = [f for f in C.REQUIRED if f.key not in present]
    if missing:
        f = missing[0]
        also = f" (and {len(missing) - 1} more: {', '.join(m.raw for m in missing[1:])})" if len(missing) > 1 else ""
        known = [k for k in present if k in C.BY_KEY]
        others = len(present) - len(known)  # not echoed: a file without its header row has data there
        seen = (
            f"the header has {len(known)} CLD field(s) and {others} other column(s)"
            if known
            else "no CLD field name in the first line: is the header row missing?"
        )
        raise UnreadableFile(f"{path}:1:{f.raw}: required CLD column '{f.raw}' is missing{also}; {seen}")


def _type(con, path: Path, present: dict[str, str]) -> None:
    # typed once (inner); a date that did not convert keeps its text in _bad_<column> (outer)
    inner, outer = ["_row"], ["* exclude (" + ", ".join(f"_text_{f.column}" for f in C.DATES) + ")"]
    for f in C.STORED:
        q = f'"{present[f.key]}"' if f.key in present else None
        if f.type == "date":
            inner.append(
                f"({_typed_expr(Column(f.key, 'date'), q)})::date as {f.column}" if q else f"null::date as {f.column}"
            )
            inner.append(f"{q or 'null::varchar'} as _text_{f.column}")
            outer.append(f"case when {f.column} is null then _text_{f.column} end as _bad_{f.column}")
        elif q is None:
            inner.append(f"null::varchar as {f.column}")
        elif f.treatment == "postcode_district":
            inner.append(f"{_district_sql(q)} as {f.column}")
        else:
            inner.append(f"{q} as {f.column}")
    birth = [f.column for f in C.DATES if f.treatment == "birth_month"]
    outer[0] = outer[0][:-1] + ", " + ", ".join(birth) + ")"
    outer += [f"date_trunc('month', {b})::date as {b}" for b in birth]
    try:
        con.execute(
            f"create or replace temp table {TYPED} as select {', '.join(outer)} "
            f"from (select {', '.join(inner)} from {TEXT})"
        )
    except duckdb.Error as exc:
        raise parse_error(path, exc) from exc


def _district_sql(q: str) -> str:
    """Outward code ("NR1" of "NR1 2AB" or "NR12AB"); null when it is not a UK postcode's outward code."""
    up = f"upper(trim({q}))"
    outward = (
        f"case when strpos({up}, ' ') > 0 then split_part({up}, ' ', 1) "
        f"when length({up}) >= 5 then left({up}, length({up}) - 3) else {up} end"
    )
    return f"case when regexp_full_match({outward}, '[A-Z]{{1,2}}[0-9][A-Z0-9]?') then {outward} end"


def _check_dates(con, path: Path) -> None:
    by_column = {f.column: f for f in C.DATES}
    for column, (row, value) in first_bad_cells(con, TYPED, list(by_column)).items():
        f = by_column[column]
        raise UnreadableFile(f"{path}:{row}:{f.raw}: {_shown(value, f)} is not a date (YYYY-MM-DD or DD/MM/YYYY)")


DATE_SHAPED = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")


def _shown(value: str, field: C.Field) -> str:
    """A message may travel (logs, the data-quality table): show a bad value only when it is a
    mistyped date of an event or period, never a person's date or anything else (a shifted column
    could put a name or an NHS number where a date belongs)."""
    if field.raw in C.PERSON_DATES:
        return "the value (not shown: a person's date)"
    if DATE_SHAPED.fullmatch(value.strip()):
        return repr(value)
    return "the value (not shown: it may be personal)"


def _check_la_code(con, path: Path, sub: Submission) -> None:
    row, value = con.execute(
        f"select min(_row), arg_min(la_code, _row) from {TYPED} "
        f"where la_code is not null and upper(la_code) <> '{sub.la_code}'"
    ).fetchall()[0]
    if row is not None:
        shown = f"'{value}'" if C.ONS_LA_CODE.match(value.upper()) else "(not shown: not a council code)"
        raise UnreadableFile(
            f"{path}:{row}:LA_Code: LA_Code {shown} differs from the council in the file name "
            f"({sub.la_code}); one file holds one council's submission"
        )


def _check_not_future(con, path: Path, sub: Submission) -> None:
    limit = min(sub.date, today())
    row, value = con.execute(
        f"select min(_row), arg_min(reporting_period_end_date, _row) from {TYPED} "
        f"where reporting_period_end_date > DATE '{limit}'"
    ).fetchall()[0]
    if row is not None:
        why = (
            f"after the submission date {sub.date} in the file name"
            if sub.date <= today()
            else f"after today ({today()})"
        )
        raise UnreadableFile(
            f"{path}:{row}:Reporting_Period_End_Date: the reporting period ends {value}, {why}: "
            "a submission cannot cover a future quarter"
        )


def _insert_sql(settings: Settings, sub: Submission, table: str = C.TABLE) -> str:
    la = f"'{sub.la_code}'"
    cols = [
        f"'{_sql_str(sub.path.name)}' as _source_file",
        f"DATE '{sub.date}' as _extract_date",
        "current_timestamp::timestamp as _loaded_at",
        f"TIMESTAMP '{sub.submitted_at}' as _submitted_at",
        "(_row - 1)::integer as _row_number",
    ]
    for f in C.STORED:
        if f.column == "la_code":
            cols.append(f"{la} as la_code")  # rows agree with the name (checked); blanks take the name's code
        elif f.treatment == "pseudonym":
            cols.append(f"{pseudonym_sql(settings, la, f.column)} as {f.column}")
        elif f.treatment == "nhs_pseudonym":
            clean = f"nullif(regexp_replace({f.column}, '[\\s-]', '', 'g'), '')"
            cols.append(f"{pseudonym_sql(settings, repr('NHS'), clean)} as {f.column}")
        else:
            cols.append(f.column)
    return f"insert into {table} by name select {', '.join(cols)} from {TYPED}"


def load_cld(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[FileOutcome]:
    """Load every new CLD submission in submission order. Raises LoadFailed if any was quarantined."""
    with fewer_checkpoints(con):
        return _load_cld(con, settings)


def _load_cld(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[FileOutcome]:
    ensure_raw_schema(con)
    subs, other = cld_files(settings.landing)
    outcomes = []
    for path in other:
        outcome = FileOutcome(C.FEED, path, "ignored", message=misnamed_message(path))
        log.warning("%s", outcome.message)
        _log(con, outcome, None, None)
        outcomes.append(outcome)
    if not subs:
        if not other:
            _log(
                con,
                FileOutcome(
                    C.FEED,
                    settings.landing / C.FOLDER,
                    "missing",
                    message=f"no CLD submission in {settings.landing / C.FOLDER}",
                ),
                None,
                None,
            )
        return outcomes
    outcomes += [_load_file(con, settings, path) for path in subs]
    failed = [o for o in outcomes if o.status in ("quarantined", "failed")]
    if failed:
        raise LoadFailed("; ".join(o.message for o in failed))
    return outcomes


def _load_file(con, settings: Settings, path: Path) -> FileOutcome:
    digest = file_hash(path)
    if _already_loaded(con, path, digest):
        return FileOutcome(C.FEED, path, "unchanged", message="same file already loaded")
    m = C.FILE_NAME.match(path.name)
    name_date = _name_date(m.group("date"))
    try:
        sub = read_submission(con, path)
    except UnreadableFile as exc:
        outcome = FileOutcome(C.FEED, path, "quarantined", message=str(exc))
        _quarantine(settings, outcome)
        _log(con, outcome, digest, name_date)
        log.error("%s quarantined: %s", path, exc)
        _drop(con)
        return outcome
    rows = con.execute(f"select count(*) from {TYPED}").fetchall()[0][0]
    outcome = FileOutcome(C.FEED, path, "loaded", rows, rows, 0)
    con.execute("begin transaction")
    try:
        if settings.lake:
            # pseudonymised once into a copy with raw.cld's columns, which feeds raw and the zone alike:
            # reading the rows back out of raw.cld scanned every submission ever loaded, once per file
            con.execute(f"create or replace temp table {NEW} as select * from {C.TABLE} limit 0")
            con.execute(_insert_sql(settings, sub, NEW))
            con.execute(f"insert into {C.TABLE} select * from {NEW}")
        else:
            con.execute(_insert_sql(settings, sub))
        if settings.lake and not _stored_in_lake(con, settings, path, digest, sub, rows, outcome):
            con.execute("rollback")
            _log(con, outcome, digest, sub.date)
            log.error("%s", outcome.message)
            return outcome
        _log(con, outcome, digest, sub.date)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        _drop(con)
    log.info("cld: %s loaded %d rows (%s, submitted %s)", path.name, rows, sub.la_code, sub.submitted_at)
    return outcome


def _stored_in_lake(con, settings: Settings, path: Path, digest: str, sub, rows: int, outcome: FileOutcome) -> bool:
    """Append the submission to the Parquet landing zone (docs/lake.md) inside the warehouse transaction,
    from the rows just inserted; False (the outcome failed, with why) when the zone cannot be written."""
    try:
        lake.store_submission(
            con,
            settings.lake_path,
            C.FEED,
            sub.la_code,
            f"select * from {NEW}",
            path,
            digest,
            {"extract_date": sub.date, "rows_read": rows, "rows_accepted": rows, "rows_rejected": 0},
        )
    except (lake.LakeError, OSError, duckdb.Error) as exc:
        outcome.status = "failed"
        outcome.message = (
            f"{path}:0:0: could not write the Parquet landing zone {settings.lake_path} ({exc}); the submission "
            "was not loaded: free space or fix permissions there and rebuild (VITALSIGNS_LAKE=0 skips the zone)"
        )
        return False
    return True


def _already_loaded(con, path: Path, digest: str) -> bool:
    """The same submission: same name and same bytes. The name is part of a submission (its council and
    submission time), so identical bytes under another name are another submission, checked and loaded."""
    return (
        con.execute(
            "select count(*) from raw._load_log where feed = ? and file_hash = ? and status = 'loaded' "
            "and (file = ? or suffix(file, ?))",
            [C.FEED, digest, str(path), "/" + path.name],
        ).fetchall()[0][0]
        > 0
    )


def _name_date(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        return None


def _drop(con) -> None:
    """The typed copy holds clear identifiers: gone as soon as the file is written or refused."""
    con.execute(f"drop table if exists {TYPED}")
    con.execute(f"drop table if exists {NEW}")
