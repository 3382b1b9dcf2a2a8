"""The Parquet landing zone under `<home>/lake/`: each feed's validated, pseudonymised rows as Parquet,
partitioned by council and extract, with the zone's own load log and rejects beside them.

Why change sets: Liquid Logic sends *full* extracts, so storing each night's file whole would keep
(and make every reader re-read) every row every night. A full feed is stored as change sets
instead: each row carries a hash of its canonical text (`row_hash_sql`), the new extract is compared
with the council's state in the zone, and only rows inserted, changed or deleted are written, with
`_op`. The first extract of a council is all inserts. `as_of` replays the change sets up to an
extract, so any stored state can be read back exactly. Additive feeds store each file's rows (the
newest extract's row wins per key); snapshot feeds store every snapshot.

Writes are transactions (`_Txn`): files are written under `_txn/<id>/`, a COMMITTED marker makes
the plan durable, and the files are then renamed into place; `recover` rolls a committed plan
forward and deletes an uncommitted one, so a failed or interrupted load leaves the zone as it was.
Layout and semantics: docs/lake.md and docs/decisions.md ("Parquet landing zone").
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ..contracts import FEEDS, Feed
from ..ingest.reading import DATE_SUFFIX
from ..ingest.validate import db_type

NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"  # Hive's (and Spark's) directory name for a null value
LOG = "_load_log"
REJECTS = "_rejects"
TXN = "_txn"
OPS = ("insert", "change", "delete")


class LakeError(RuntimeError):
    """The zone could not be written; the message says what and what to do."""


@dataclass
class Stored:
    """What one file wrote for one council (one row of the zone's load log)."""

    la_code: str | None
    extract_id: str
    status: str  # stored | superseded
    rows_in: int = 0
    inserted: int = 0
    changed: int = 0
    deleted: int = 0
    rows_written: int = 0
    bytes_written: int = 0


def lake_root(home: Path) -> Path:
    return home / "lake"


def extract_id(path: Path) -> str:
    """The extract id is the stamp in the file name, `YYYYMMDD` (or `YYYYMMDD_HHMMSS` where the feed's
    name carries a time): what the council sent it as, so ids sort in extract order and a zone rebuilt
    from the same landing files has the same layout."""
    m = DATE_SUFFIX.search(path.name)
    if not m:
        raise LakeError(f"{path}:0:0: no extract date in the file name; it cannot be stored in the landing zone")
    return m.group("date") + (f"_{m.group('time')}" if m.group("time") else "")


# Liquid Logic's full feeds: the sources dbt reads from the zone when VITALSIGNS_LAKE_SOURCES is on
LAKE_SOURCE_FEEDS = tuple(f for f in FEEDS.values() if f.folder == "liquidlogic" and f.mode == "full")


def stored_feed(root: Path, feed: Feed) -> bool:
    """Whether the zone holds any data file of the feed (dbt reads an empty feed from raw's columns)."""
    base = root / feed.name
    return base.is_dir() and next(base.rglob("*.parquet"), None) is not None


# --- canonical row hash ------------------------------------------------------------------------


def hashed_columns(feed: Feed) -> list[str]:
    """Every contract column, in contract order: the row's whole content (keys included)."""
    return feed.column_names


def row_hash_sql(feed: Feed, alias: str = "") -> str:
    """The row hash: MD5 of the canonical text of the row, its contract columns in contract order as
    a JSON array, each cast to DuckDB's text (ISO dates, plain integers, shortest round-trip doubles;
    null is JSON null), kept as the digest's first 8 bytes read as a little-endian unsigned 64-bit
    integer (DuckDB's `md5_number_upper`). Text, not binary, so the serialisation is readable and the
    same on every run and platform; the person id is hashed after pseudonymisation. 64 bits are
    ample: a hash is only ever compared with the previous version of the same key's row."""
    prefix = f"{alias}." if alias else ""
    items = ", ".join(f'{prefix}"{c}"::varchar' for c in hashed_columns(feed))
    return f"md5_number_upper(to_json([{items}]::varchar[]))"


# --- layout ------------------------------------------------------------------------------------


def _has_council(feed: Feed) -> bool:
    return "la_code" in feed.column_names


def _partition(feed: Feed, la_code: str | None, eid: str) -> Path:
    if not _has_council(feed):
        return Path(feed.name) / f"extract={eid}"
    return Path(feed.name) / f"la_code={la_code or NULL_PARTITION}" / f"extract={eid}"


def _stored_columns(feed: Feed) -> list[str]:
    """Columns in a data file: the contract's (la_code is the partition), snapshot_date for snapshots."""
    cols = [c for c in feed.column_names if c != "la_code"]
    return cols + (["snapshot_date"] if feed.mode == "snapshot" else [])


def _files(root: Path, feed: Feed, la_code: str | None = None, upto: str | None = None, council_given=False):
    """Data files of a feed, optionally one council's and up to (and including) an extract id."""
    base = root / feed.name
    if not base.is_dir():
        return []
    if _has_council(feed):
        councils = [base / f"la_code={la_code or NULL_PARTITION}"] if council_given else sorted(base.glob("la_code=*"))
    else:
        councils = [base]
    out = []
    for c in councils:
        for e in sorted(c.glob("extract=*")):
            if upto is None or e.name.split("=", 1)[1] <= upto:
                out += sorted(e.glob("*.parquet"))
    return out


def _empty_sql(feed: Feed) -> str:
    by_name = {c.name: c for c in feed.columns}
    cols = [f'null::{db_type(by_name[c])} as "{c}"' for c in _stored_columns(feed)]
    if _has_council(feed):
        cols.append("null::varchar as la_code")
    if feed.mode == "full":
        cols += ["null::ubigint as _row_hash", "null::varchar as _op"]
    cols.append("null::varchar as extract")
    return f"(select {', '.join(cols)} limit 0)"


def _read_sql(feed: Feed, files: list[Path]) -> str:
    if not files:
        return _empty_sql(feed)
    listed = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
    council = (
        f"case when la_code = '{NULL_PARTITION}' then null else la_code end as la_code, " if _has_council(feed) else ""
    )
    return (
        f"(select * exclude (la_code, extract), {council}extract from read_parquet([{listed}], "
        "hive_partitioning = true, hive_types_autocast = false, union_by_name = true))"
        if _has_council(feed)
        else f"(select * from read_parquet([{listed}], hive_partitioning = true, hive_types_autocast = false, "
        "union_by_name = true))"
    )


def state_sql(root: Path, feed: Feed, upto: str | None = None, la_code: str | None = None, council_given=False) -> str:
    """SQL for the feed's state after extract `upto` (None: the newest), every council or one:
    contract columns in contract order (snapshot_date for snapshots), then `_extract`, the extract
    that last wrote the row (and `_row_hash` for full feeds)."""
    src = _read_sql(feed, _files(root, feed, la_code, upto, council_given))
    cols = [f'"{c}"' for c in feed.column_names] + (["snapshot_date"] if feed.mode == "snapshot" else [])
    out = ", ".join(cols) + ", extract as _extract" + (", _row_hash" if feed.mode == "full" else "")
    if feed.mode == "snapshot":
        return f"select {out} from {src}"
    keys = ", ".join(f'"{k}"' for k in feed.key)
    latest = f"select *, row_number() over (partition by {keys} order by extract desc) as _rn from {src}"
    deleted = " and _op <> 'delete'" if feed.mode == "full" else ""
    return f"select {out} from ({latest}) where _rn = 1{deleted}"


def _con(con: duckdb.DuckDBPyConnection | None) -> duckdb.DuckDBPyConnection:
    return con if con is not None else duckdb.connect()


def current(
    root: Path, feed: str, la_code: str | None = None, con: duckdb.DuckDBPyConnection | None = None
) -> duckdb.DuckDBPyRelation:
    """The feed's current state in the zone (every council's newest extract), or one council's."""
    f = FEEDS[feed]
    return _con(con).sql(state_sql(root, f, None, la_code, council_given=la_code is not None))


def as_of(
    root: Path, feed: str, extract: str, la_code: str | None = None, con: duckdb.DuckDBPyConnection | None = None
) -> duckdb.DuckDBPyRelation:
    """The state after extract `extract` was stored: each council as of its newest extract up to it."""
    f = FEEDS[feed]
    return _con(con).sql(state_sql(root, f, extract, la_code, council_given=la_code is not None))


def extracts(root: Path, feed: str, con: duckdb.DuckDBPyConnection | None = None) -> list[tuple]:
    """The zone's load log for a feed: (la_code, extract_id, status, file, inserted, changed, deleted)."""
    logs = sorted((root / LOG / feed).glob("*.parquet"))
    if not logs:
        return []
    listed = ", ".join("'" + str(f).replace("'", "''") + "'" for f in logs)
    return (
        _con(con)
        .execute(
            f"select la_code, extract_id, status, file, inserted, changed, deleted from read_parquet([{listed}]) "
            "order by extract_id, la_code nulls first, stored_at"
        )
        .fetchall()
    )


# --- transactions ------------------------------------------------------------------------------


class _Txn:
    """New files staged under `_txn/<id>/new/`, moved into place only after the COMMITTED marker."""

    def __init__(self, root: Path):
        self.root = root
        self.id = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}"
        self.dir = root / TXN / self.id
        self.dir.mkdir(parents=True)
        self.plan: list[dict] = []  # {"partition": rel dir, "file": name or None, "replace": bool}

    def stage(self, rel_dir: Path, name: str, replace: bool) -> Path:
        staged = self.dir / "new" / rel_dir / name
        staged.parent.mkdir(parents=True, exist_ok=True)
        self.plan.append({"partition": str(rel_dir), "file": name, "replace": replace})
        return staged

    def clear(self, rel_dir: Path) -> None:
        """Empty a partition (a re-sent extract whose change set is now empty)."""
        self.plan.append({"partition": str(rel_dir), "file": None, "replace": True})

    def commit(self) -> None:
        plan = self.dir / "plan.json"
        plan.write_text(json.dumps(self.plan))
        _fsync(plan)
        os.replace(plan, self.dir / "COMMITTED")  # the commit point
        _roll_forward(self.root, self.dir)

    def abort(self) -> None:
        """Discard an uncommitted transaction; a committed one is left for `recover` to finish."""
        if not (self.dir / "COMMITTED").exists():
            shutil.rmtree(self.dir, ignore_errors=True)


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _roll_forward(root: Path, txn: Path) -> None:
    """Apply a committed plan; every step checks what is done, so a plan interrupted anywhere can be
    applied again (by `recover`) with the same result."""
    plan = json.loads((txn / "COMMITTED").read_text())
    for step in plan:
        rel = Path(step["partition"])
        target = root / rel
        staged = txn / "new" / rel / step["file"] if step["file"] else None
        if staged is not None and not staged.exists():
            continue  # moved already
        if step["replace"] and target.is_dir():
            old = txn / "old" / rel
            old.mkdir(parents=True, exist_ok=True)
            for f in target.iterdir():
                os.replace(f, old / f.name)
        if staged is not None:
            target.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target / step["file"])
        elif target.is_dir() and not any(target.iterdir()):
            target.rmdir()
    shutil.rmtree(txn)


def recover(root: Path) -> None:
    """Finish a committed transaction a crash interrupted; discard an uncommitted one."""
    txns = root / TXN
    if not txns.is_dir():
        return
    for txn in sorted(txns.iterdir()):
        if (txn / "COMMITTED").exists():
            _roll_forward(root, txn)
        else:
            shutil.rmtree(txn, ignore_errors=True)


# --- storing one file --------------------------------------------------------------------------


def _stored_extracts(con, root: Path, feed: Feed) -> tuple[set[str], dict[str | None, list[str]]]:
    """(file hashes already stored, each council's stored extract ids, oldest first)."""
    logs = sorted((root / LOG / feed.name).glob("*.parquet"))
    if not logs:
        return set(), {}
    listed = ", ".join("'" + str(f).replace("'", "''") + "'" for f in logs)
    rows = con.execute(
        f"select file_hash, la_code, extract_id, status from read_parquet([{listed}])",
    ).fetchall()
    hashes = {r[0] for r in rows}
    by_council: dict[str | None, set[str]] = {}
    for _, la, eid, status in rows:
        if status == "stored":
            by_council.setdefault(la, set()).add(eid)
    return hashes, {la: sorted(ids) for la, ids in by_council.items()}


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def store(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    feed: Feed,
    source_sql: str,
    path: Path,
    digest: str,
    rejects: list | None = None,
    log_fields: dict | None = None,
) -> list[Stored]:
    """Store one loaded file: `source_sql` selects its accepted rows as they went into raw
    (pseudonymised, contract columns by name). Returns what was written per council; a file whose
    hash the zone has stored already writes nothing (an empty list)."""
    recover(root)
    eid = extract_id(path)
    hashes, stored = _stored_extracts(con, root, feed)
    if digest in hashes:
        return []
    cols = _stored_columns(feed)
    sel = ", ".join(f'"{c}"' for c in cols)
    council = "la_code" if _has_council(feed) else "null::varchar as la_code"
    hashed = f", {row_hash_sql(feed)} as _row_hash" if feed.mode == "full" else ""
    con.execute(f"create or replace temp table _lake_in as select {sel}, {council}{hashed} from ({source_sql}) s")
    councils = [r[0] for r in con.execute("select distinct la_code from _lake_in order by 1 nulls first").fetchall()]
    txn = _Txn(root)
    out: list[Stored] = []
    try:
        for la in councils:
            out.append(_store_council(con, root, txn, feed, la, eid, stored.get(la, []), cols))
        _stage_log(con, txn, feed.name, feed.mode, path, digest, eid, out, log_fields or {})
        if rejects:
            _stage_rejects(con, txn, feed, path, digest, eid, rejects)
        txn.commit()
    except BaseException:
        txn.abort()
        raise
    finally:
        con.execute("drop table if exists _lake_in")
        con.execute("drop table if exists _lake_base")
        con.execute("drop table if exists _lake_cs")
        con.execute("drop table if exists _lake_gone")
    return out


def _store_council(con, root, txn: _Txn, feed: Feed, la, eid: str, ids: list[str], cols: list[str]) -> Stored:
    rel = _partition(feed, la, eid)
    mine = "la_code is not distinct from $la"
    rows_in = con.execute(f"select count(*) from _lake_in where {mine}", {"la": la}).fetchall()[0][0]
    result = Stored(la, eid, "stored", rows_in=rows_in)
    if feed.mode == "full" and ids and eid < ids[-1]:
        result.status = "superseded"  # older than the council's newest extract: the newest stays current
        return result
    replace = eid in ids
    if feed.mode == "full":
        before = [i for i in ids if i < eid]
        keys = [k for k in feed.key if k != "la_code"]
        _base_keys(con, root, feed, la, before[-1] if before else None, keys)
        on = " and ".join(f'n."{k}" is not distinct from b."{k}"' for k in keys)
        sel_n = ", ".join(f'n."{c}"' for c in cols)
        con.execute(
            f"""create or replace temp table _lake_cs as
            select {sel_n}, n._row_hash, case when b._row_hash is null then 'insert' else 'change' end as _op
            from (select * from _lake_in where {mine}) n left join _lake_base b on {on}
            where b._row_hash is null or b._row_hash <> n._row_hash""",
            {"la": la},
        )
        con.execute(
            f"""create or replace temp table _lake_gone as select b.* from _lake_base b
            where not exists (select 1 from _lake_in n where {mine.replace("la_code", "n.la_code")} and {on})""",
            {"la": la},
        )
        if con.execute("select count(*) from _lake_gone").fetchall()[0][0]:
            # a deleted row is written whole (its last version), so a reader of the change set alone
            # knows which councils and months the deletion touches
            files = _files(root, feed, la, before[-1], council_given=True)
            src = _read_sql(feed, files)
            on_old = " and ".join(f'o."{k}" is not distinct from g."{k}"' for k in keys)
            sel_o = ", ".join(f'o."{c}"' for c in cols)
            con.execute(
                f"insert into _lake_cs select {sel_o}, o._row_hash, 'delete' from {src} o "
                f"join _lake_gone g on {on_old} and o.extract = g.extract"
            )
        counts = dict(con.execute("select _op, count(*) from _lake_cs group by 1").fetchall())
        result.inserted, result.changed, result.deleted = (counts.get(op, 0) for op in OPS)
        n = sum(counts.values())
    else:
        sel = ", ".join(f'"{c}"' for c in cols)
        con.execute(f"create or replace temp table _lake_cs as select {sel} from _lake_in where {mine}", {"la": la})
        result.inserted = n = rows_in
    if n == 0:
        if replace:
            txn.clear(rel)
        return result
    staged = txn.stage(rel, f"part-{txn.id}.parquet", replace=replace)
    con.execute(f"copy _lake_cs to {_quote(staged)} (format parquet, compression zstd)")
    result.rows_written = n
    result.bytes_written = staged.stat().st_size
    return result


def _base_keys(con, root: Path, feed: Feed, la, upto: str | None, keys: list[str]) -> None:
    """`_lake_base`: the council's live keys as of extract `upto`, each with its row hash and the
    extract that last wrote it, read from the key and hash columns only (Parquet reads no more)."""
    kcols = ", ".join(f'"{k}"' for k in keys)
    files = _files(root, feed, la, upto, council_given=True) if upto else []
    if not files:
        by_name = {c.name: c for c in feed.columns}
        typed = ", ".join(f'null::{db_type(by_name[k])} as "{k}"' for k in keys)
        con.execute(
            f"create or replace temp table _lake_base as select {typed}, null::ubigint as _row_hash, "
            "null::varchar as extract limit 0"
        )
        return
    listed = ", ".join(_quote(f) for f in files)
    con.execute(
        f"""create or replace temp table _lake_base as
        select {kcols}, _row_hash, extract from (
            select {kcols}, _row_hash, _op, extract,
                row_number() over (partition by {kcols} order by extract desc) as _rn
            from read_parquet([{listed}], hive_partitioning = true, hive_types_autocast = false)
        ) where _rn = 1 and _op <> 'delete'"""
    )


def _stage_log(con, txn: _Txn, name: str, mode: str, path: Path, digest: str, eid: str, out: list[Stored], extra: dict):
    """One row per council: raw._load_log's columns, then what the zone wrote."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = [
        [
            name,
            str(path),
            digest,
            extra.get("extract_date"),
            now,
            extra.get("rows_read"),
            extra.get("rows_accepted"),
            extra.get("rows_rejected"),
            s.status,
            extra.get("message", ""),
            s.la_code,
            s.extract_id,
            mode,
            s.rows_in,
            s.inserted,
            s.changed,
            s.deleted,
            s.rows_written,
            s.bytes_written,
            now,
        ]
        for s in out
    ]
    con.execute(
        "create or replace temp table _lake_log (feed varchar, file varchar, file_hash varchar, extract_date date, "
        "loaded_at timestamp, rows_read bigint, rows_accepted bigint, rows_rejected bigint, status varchar, "
        "message varchar, la_code varchar, extract_id varchar, mode varchar, rows_in bigint, inserted bigint, "
        "changed bigint, deleted bigint, rows_written bigint, bytes_written bigint, stored_at timestamp)"
    )
    if not rows:  # a file with no accepted rows still records that it was seen
        rows = [[name, str(path), digest, extra.get("extract_date"), now, *[None] * 3, "stored", "", None, eid]]
        rows[0] += [mode, 0, 0, 0, 0, 0, 0, now]
    con.executemany("insert into _lake_log values (" + ", ".join("?" * 20) + ")", rows)
    staged = txn.stage(Path(LOG) / name, f"{eid}-{txn.id}.parquet", replace=False)
    con.execute(f"copy _lake_log to {_quote(staged)} (format parquet)")
    con.execute("drop table _lake_log")


def _stage_rejects(con, txn: _Txn, feed: Feed, path: Path, digest: str, eid: str, rejects: list) -> None:
    """raw._rejects' columns for this file's refused rows (person-level values are never kept)."""
    con.execute(
        "create or replace temp table _lake_rej (feed varchar, file varchar, file_hash varchar, row_number bigint, "
        "column_name varchar, rule varchar, value varchar, loaded_at timestamp, extract_id varchar)"
    )
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.executemany(
        "insert into _lake_rej values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [[feed.name, str(path), digest, r.row, r.column, r.rule, r.value, now, eid] for r in rejects],
    )
    staged = txn.stage(Path(REJECTS) / feed.name, f"{eid}-{txn.id}.parquet", replace=False)
    con.execute(f"copy _lake_rej to {_quote(staged)} (format parquet)")
    con.execute("drop table _lake_rej")


# --- submissions (Client Level Data) -----------------------------------------------------------


def store_submission(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    name: str,
    la_code: str,
    source_sql: str,
    path: Path,
    digest: str,
    log_fields: dict | None = None,
) -> Stored | None:
    """Append one submission (CLD: every submission is kept, as in raw) under
    `<name>/la_code=<code>/submission=<YYYYMMDD[_HHMMSS]>/`: `source_sql`'s columns except la_code
    (the folder) and _loaded_at; it is read twice (counted, then written), so it should name staged rows. None
    when the zone holds this file (same name, same bytes) already."""
    recover(root)
    sid = extract_id(path)
    logs = sorted((root / LOG / name).glob("*.parquet"))
    if logs:
        listed = ", ".join(_quote(f) for f in logs)
        seen = con.execute(
            f"select count(*) from read_parquet([{listed}]) where file_hash = ? and suffix(file, ?)",
            [digest, "/" + path.name],
        ).fetchall()[0][0]
        if seen:
            return None
    rel = Path(name) / f"la_code={la_code}" / f"submission={sid}"
    txn = _Txn(root)
    try:
        # written straight from `source_sql` (the loader's staged rows), with no copy of its own
        rows = f"select * exclude (la_code, _loaded_at) from ({source_sql})"
        n = con.execute(f"select count(*) from ({rows})").fetchall()[0][0]
        result = Stored(la_code, sid, "stored", rows_in=n, inserted=n, rows_written=n)
        if n:
            staged = txn.stage(rel, f"part-{txn.id}.parquet", replace=False)
            con.execute(f"copy ({rows}) to {_quote(staged)} (format parquet, compression zstd)")
            result.bytes_written = staged.stat().st_size
        _stage_log(con, txn, name, "submission", path, digest, sid, [result], log_fields or {})
        txn.commit()
    except BaseException:
        txn.abort()
        raise
    return result


def submissions_sql(root: Path, name: str) -> str:
    """Every stored submission's rows, with la_code and `submission` from the folders."""
    files = sorted((root / name).glob("la_code=*/submission=*/*.parquet"))
    if not files:
        return "select null::varchar as la_code, null::varchar as submission limit 0"
    listed = ", ".join(_quote(f) for f in files)
    return f"select * from read_parquet([{listed}], hive_partitioning = true, hive_types_autocast = false)"
