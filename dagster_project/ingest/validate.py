"""Validate a text table against the contract: whole-file errors first, then row rules.

Whole-file problems (a required column missing, a value of the wrong type) raise
UnreadableFile naming file, row and column; rows that parse but break a rule are returned
as rejects with the rule broken. Everything runs as DuckDB SQL over the whole file.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from ..contracts import Column, Feed, canonical_code
from .reading import UnreadableFile, _sql_str

CANON_SQL = "trim(regexp_replace(lower(replace(replace({v}, '\u2013', '-'), '\u2014', '-')), '\\s+', ' ', 'g'))"

TRUE_WORDS = ("true", "y", "yes", "1", "t")
FALSE_WORDS = ("false", "n", "no", "0", "f")


def _typed_expr(col: Column, v: str) -> str:
    if col.type == "date":
        return (
            f"coalesce(try_strptime({v}, '%Y-%m-%d'), try_strptime({v}, '%d/%m/%Y'), "
            f"try_strptime({v}, '%Y-%m-%dT%H:%M:%S'), try_strptime({v}, '%Y-%m-%d %H:%M:%S'))::date"
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
    if col.codes:
        cases = " ".join(f"when '{_sql_str(canonical_code(c))}' then '{_sql_str(c)}'" for c in col.codes)
        return f"case {CANON_SQL.format(v=v)} {cases} end"
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


def validate(con: duckdb.DuckDBPyConnection, feed: Feed, path: Path, table: str, columns: list[str]) -> list[Reject]:
    """Turn `table` (text) into `table`_typed with contract columns; return row rejects."""
    missing = [c.name for c in feed.columns if c.required and c.name not in columns]
    if missing:
        raise UnreadableFile(f"{path}:1:{missing[0]}: required column '{missing[0]}' is missing "
                             f"(header has: {', '.join(columns)})")
    present = [c for c in feed.columns if c.name in columns]

    # Wrong types are whole-file errors: report the first offending cell.
    for col in present:
        if col.type in TYPE_WORDS:
            bad = con.execute(
                f'select _row, "{col.name}" from {table} where "{col.name}" is not null '
                f'and ({_typed_expr(col, chr(34) + col.name + chr(34))}) is null order by _row limit 1'
            ).fetchall()
            bad = bad[0] if bad else None
            if bad:
                shown = "value (hidden: person-level feed)" if feed.person_level else repr(bad[1])
                raise UnreadableFile(f"{path}:{bad[0]}:{col.name}: {shown} is not {TYPE_WORDS[col.type]}")

    select = ["_row"]
    for col in feed.columns:
        if col.name in columns:
            select.append(f'({_typed_expr(col, chr(34) + col.name + chr(34))})::{db_type(col)} as "{col.name}"')
        else:
            select.append(f'null::{db_type(col)} as "{col.name}"')
    # the text of code columns rides along, so unknown codes are found without a join
    code_cols = [c for c in present if c.codes]
    select += [f'"{c.name}" as "_text_{c.name}"' for c in code_cols]
    con.execute(f"create or replace temp table {table}_typed as select {', '.join(select)} from {table}")

    checks: list[str] = []
    for col in present:
        q = f'"{col.name}"'
        if not col.nullable:
            checks.append(f"select _row, '{col.name}' as col, 'missing {col.name}' as rule, null as val "
                          f"from {table} where {q} is null")
        if col.codes:
            checks.append(
                f"select _row, '{col.name}', 'unknown code in {col.name}', \"_text_{col.name}\" "
                f"from {table}_typed where \"_text_{col.name}\" is not null and {q} is null"
            )
    for predicate, rule in feed.rules:
        col = _first_column(predicate, feed)
        if col and col not in columns:
            continue
        checks.append(
            f"select _row, '{col or ''}', '{_sql_str(rule)}', null from {table}_typed where coalesce(({predicate}), false)"
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
    rows = con.execute(
        f"select * from ({' union all '.join(checks)}) order by 1, 2"
    ).fetchall()
    return [Reject(int(r[0]), r[1], r[2], None if r[3] is None else str(r[3])) for r in rows]


def _first_column(predicate: str, feed: Feed) -> str | None:
    import re

    words = re.findall(r"[a-z_]+", predicate)
    for w in words:
        if w in feed.column_names:
            return w
    return None
