"""Validate a text table against the contract: whole-file errors first, then row rules.

Whole-file problems (a required column missing, a value of the wrong type) raise
UnreadableFile naming file, row and column; rows that parse but break a rule are returned
as rejects with the rule broken. Everything runs as DuckDB SQL over the whole file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from ..contracts import Column, Feed, canonical_code
from ..settings import Limits
from .reading import UnreadableFile, _sql_str, parse_error

CANON_SQL = "trim(regexp_replace(lower(replace(replace({v}, '\u2013', '-'), '\u2014', '-')), '\\s+', ' ', 'g'))"

TRUE_WORDS = ("true", "y", "yes", "1", "t")
FALSE_WORDS = ("false", "n", "no", "0", "f")


def _typed_expr(col: Column, v: str) -> str:
    if col.type == "date":
        # ISO dates take DuckDB's fast cast; the slower formats are tried only for what is left
        return (
            f"coalesce(try_cast({v} as date), try_strptime({v}, '%d/%m/%Y')::date, "
            f"try_strptime({v}, '%Y-%m-%dT%H:%M:%S')::date, try_strptime({v}, '%Y-%m-%d %H:%M:%S')::date)"
        )
    if col.type == "bool":
        t = ", ".join(f"'{w}'" for w in TRUE_WORDS)
        f = ", ".join(f"'{w}'" for w in FALSE_WORDS)
        return f"case when lower({v}) in ({t}) then true when lower({v}) in ({f}) then false end"
    if col.type == "int":
        return f"try_cast(try_cast({v} as double) as bigint)"
    if col.type == "number":
        return f"try_cast(replace({v}, ',', '') as double)"
    if col.type == "period":
        return f"case when regexp_full_match({v}, '\\d{{4}}-(0[1-9]|1[0-2])') then {v} end"
    if col.type == "fyear":
        return f"case when regexp_full_match({v}, '\\d{{4}}/\\d{{2}}') then {v} end"
    if col.codes and col.separator:
        # several codes in one cell: every part must be a code (else the cell is bad, the row rejected);
        # the parts are written back in the contract's spelling, joined by the separator
        codes = "[" + ", ".join(f"'{_sql_str(c)}'" for c in col.codes) + "]"
        canon = "[" + ", ".join(f"'{_sql_str(canonical_code(c))}'" for c in col.codes) + "]"
        parts = f"string_split({v}, '{_sql_str(col.separator)}')"
        pos = f"list_position({canon}, {CANON_SQL.format(v='_p')})"
        return (
            f"case when list_bool_and(list_transform({parts}, lambda _p: {pos} is not null)) then "
            f"array_to_string(list_transform({parts}, lambda _p: {codes}[{pos}]), '{_sql_str(col.separator)}') end"
        )
    if col.codes:
        # exact spellings first; case, spacing and dash variants go through the slower canonical form
        codes = "[" + ", ".join(f"'{_sql_str(c)}'" for c in col.codes) + "]"
        canon = "[" + ", ".join(f"'{_sql_str(canonical_code(c))}'" for c in col.codes) + "]"
        return (
            f"case when list_contains({codes}, {v}) then {v} "
            f"else {codes}[list_position({canon}, {CANON_SQL.format(v=v)})] end"
        )
    return v


TYPE_WORDS = {
    "date": "a date (YYYY-MM-DD or DD/MM/YYYY)",
    "bool": "true/false",
    "int": "a whole number",
    "number": "a number",
    "period": "a month (YYYY-MM)",
    "fyear": "a financial year (YYYY/YY)",
}

DB_TYPES = {"date": "date", "bool": "boolean", "int": "bigint", "number": "double"}


def db_type(col: Column) -> str:
    return DB_TYPES.get(col.type, "varchar")


@dataclass
class Reject:
    row: int
    column: str
    rule: str
    value: str | None

    def line(self, path: Path) -> str:
        return f"{path}:{self.row}:{self.column}: {self.rule}"


def load_verdict(path: Path, rows_read: int, rejects: list[Reject], threshold: float) -> str | None:
    """Why the load fails a file for its rejected rows (None when it loads): one rule for the
    load and for `vitalsigns check`."""
    rejected = len({r.row for r in rejects})
    if not rows_read or rejected / rows_read <= threshold:
        return None
    return (
        f"{path}: {rejected} of {rows_read} rows rejected ({rejected / rows_read:.1%}, above the "
        f"{threshold:.0%} threshold, VITALSIGNS_REJECT_THRESHOLD); first: {rejects[0].line(path)}"
    )


def plausibility_rules(feed: Feed, limits: Limits) -> list[tuple[str, str]]:
    """The feed's setting-bound rules with the settings filled in: (predicate, rule text)."""
    values = asdict(limits)
    return [(p.format(**values), r.format(**values)) for p, r in feed.plausibility]


def free_text_columns(feed: Feed) -> list[Column]:
    return [c for c in feed.columns if c.type == "text" and not c.codes]


def first_bad_cells(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> dict[str, tuple]:
    """(row, value) of the first cell that failed its type in each column that has one, in column
    order: `table` holds `_row` and, per column, `_bad_<column>` (the raw text where typing failed)."""
    if not columns:
        return {}
    firsts = con.execute(
        "select "
        + ", ".join(f'min(_row) filter (where "_bad_{c}" is not null), arg_min("_bad_{c}", _row)' for c in columns)
        + f" from {table}"
    ).fetchall()[0]
    return {c: (firsts[2 * i], firsts[2 * i + 1]) for i, c in enumerate(columns) if firsts[2 * i] is not None}


def validate(
    con: duckdb.DuckDBPyConnection, feed: Feed, path: Path, table: str, columns: list[str], limits: Limits = Limits()
) -> list[Reject]:
    """Turn `table` (text) into `table`_typed with contract columns; return row rejects.

    The file is read and typed in one pass. A cell that does not convert keeps its text in
    `_bad_<column>` (null everywhere else), which is all the type and code checks need.
    A file over the row or cell-length cap is refused whole (UnreadableFile).
    """
    missing = [c.name for c in feed.columns if c.required and c.name not in columns]
    if missing:
        raise UnreadableFile(
            f"{path}:1:{missing[0]}: required column '{missing[0]}' is missing (header has: {', '.join(columns)})"
        )
    present = [c for c in feed.columns if c.name in columns]
    converted = [c for c in present if c.type in TYPE_WORDS or c.codes]

    inner = ["_row"]
    outer = ["_row"]
    for col in feed.columns:
        q = f'"{col.name}"'
        if col.name in columns:
            inner.append(f"({_typed_expr(col, q)})::{db_type(col)} as {q}")
        else:
            inner.append(f"null::{db_type(col)} as {q}")
        outer.append(q)
    for col in converted:
        inner.append(f'"{col.name}" as "_text_{col.name}"')
        outer.append(f'case when "{col.name}" is null then "_text_{col.name}" end as "_bad_{col.name}"')
    try:
        con.execute(
            f"create or replace temp table {table}_typed as select {', '.join(outer)} "
            f"from (select {', '.join(inner)} from {table})"
        )
    except duckdb.Error as exc:
        raise parse_error(path, exc) from exc

    rows_read = con.execute(f"select count(*) from {table}_typed").fetchall()[0][0]
    if rows_read > limits.rows(feed.name):
        raise UnreadableFile(
            f"{path}:0:0: {rows_read:,} rows, more than the {limits.rows(feed.name):,} allowed for {feed.name} "
            f"(VITALSIGNS_MAX_ROWS_{feed.name.upper()} or VITALSIGNS_MAX_ROWS): refused; raise the limit if genuine"
        )
    texts = [c for c in free_text_columns(feed) if c.name in columns]
    if texts:
        longest = con.execute(
            "select "
            + ", ".join(f'max(length("{c.name}")), arg_max(_row, length("{c.name}"))' for c in texts)
            + f" from {table}_typed"
        ).fetchall()[0]
        for i, col in enumerate(texts):
            if (longest[2 * i] or 0) > limits.max_cell_chars:
                raise UnreadableFile(
                    f"{path}:{longest[2 * i + 1]}:{col.name}: a cell of {longest[2 * i]:,} characters, more than "
                    f"the {limits.max_cell_chars:,} allowed (VITALSIGNS_MAX_CELL_CHARS): shorten it and resend"
                )

    # Wrong types are whole-file errors: report the first offending cell of the first such column.
    typed_cols = [c for c in converted if c.type in TYPE_WORDS]
    if typed_cols:
        by_name = {c.name: c for c in typed_cols}
        for name, (row, value) in first_bad_cells(con, f"{table}_typed", list(by_name)).items():
            col = by_name[name]
            shown = "value (hidden: person-level feed)" if feed.person_level else repr(value)
            raise UnreadableFile(f"{path}:{row}:{col.name}: {shown} is not {TYPE_WORDS[col.type]}")

    checks: list[str] = []
    for col in present:
        q = f'"{col.name}"'
        if not col.nullable:
            blank = f'{q} is null and "_bad_{col.name}" is null' if col in converted else f"{q} is null"
            checks.append(
                f"select _row, '{col.name}' as col, 'missing {col.name}' as rule, null as val "
                f"from {table}_typed where {blank}"
            )
        if col.codes:
            checks.append(
                f"select _row, '{col.name}', 'unknown code in {col.name}', \"_bad_{col.name}\" "
                f'from {table}_typed where "_bad_{col.name}" is not null'
            )
    for predicate, rule in feed.rules:
        col = _first_column(predicate, feed)
        if col and col not in columns:
            continue
        checks.append(
            f"select _row, '{col or ''}', '{_sql_str(rule)}', {_shown(feed, col)} from {table}_typed "
            f"where coalesce(({predicate}), false)"
        )
    for predicate, rule in plausibility_rules(feed, limits):
        col = _first_column(predicate, feed)
        if col and col not in columns:
            continue
        checks.append(
            f"select _row, '{col or ''}', '{_sql_str(rule)}', {_shown(feed, col)} from "
            f"(select *, coalesce(({predicate}), false) as _bad from {table}_typed) where _bad"
        )
    key_cols = [k for k in feed.key if k in columns]
    if key_cols:
        part = ", ".join(f'"{k}"' for k in key_cols)
        checks.append(
            f"select _row, '{key_cols[-1]}', 'duplicate key ({', '.join(key_cols)})', null from ("
            f"select _row, row_number() over (partition by {part} order by _row) as n from {table}_typed) where n > 1"
        )
    if not checks:
        return []
    rows = con.execute(f"select * from ({' union all '.join(checks)}) order by 1, 2").fetchall()
    return [Reject(int(r[0]), r[1], r[2], None if r[3] is None else str(r[3])) for r in rows]


def _shown(feed: Feed, column: str | None) -> str:
    """The value a row rule is about, kept with the reject (and shown by `check`) for aggregate and
    reference feeds; for a person-level feed it stays out: a date of birth is personal."""
    if feed.person_level or not column:
        return "null"
    return f'"{column}"::varchar'


def _first_column(predicate: str, feed: Feed) -> str | None:
    import re

    words = re.findall(r"[a-z_]+", predicate)
    for w in words:
        if w in feed.column_names:
            return w
    return None
