"""Read one landing file into DuckDB as text, exactly as written, with its row numbers.

CSV is read by DuckDB itself (no Python row loops); XLSX through openpyxl, with merged
cells filled from their top-left cell and wholly blank rows dropped, as councils' risk
registers arrive with both.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import duckdb
import pandas as pd
import yaml

FILE_NAME = re.compile(r"^(?P<feed>[a-z_]+)_(?P<date>\d{8})\.(?P<ext>csv|xlsx)$", re.IGNORECASE)


ROW_COLUMN = "__vitalsigns_row"


class UnreadableFile(Exception):
    """The file as a whole cannot be used; str() is a one-line `file:row:column: message`."""


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def extract_date(path: Path) -> dt.date | None:
    m = FILE_NAME.match(path.name)
    if not m:
        return None
    try:
        return dt.datetime.strptime(m.group("date"), "%Y%m%d").date()
    except ValueError:
        return None


def load_mapping(folder: Path, feed: str) -> dict[str, str]:
    """`<feed>.mapping.yml` beside the files: source column name -> contract name."""
    path = folder / f"{feed}.mapping.yml"
    if not path.exists():
        return {}
    try:
        mapping = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except yaml.YAMLError as exc:
        raise UnreadableFile(f"{path}:1:0: column mapping is not valid YAML ({exc.__class__.__name__})") from exc
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise UnreadableFile(f"{path}:1:0: column mapping must be a YAML map of source name: contract name")
    return {_norm(k): _norm(v) for k, v in mapping.items()}


def _norm(name: str) -> str:
    return re.sub(r"\s+", "_", str(name).replace("\ufeff", "").strip()).lower()


def read_as_text(con: duckdb.DuckDBPyConnection, path: Path, table: str, mapping: dict[str, str]) -> list[str]:
    """Define `table` with `_row` (line number in the file) and every column as text.

    For a CSV `table` is a view over DuckDB's reader, so the file is parsed once, when validate()
    types it; a parse error surfaces there as UnreadableFile (see `parse_error`). Returns the column
    names after the mapping; raises UnreadableFile when the header cannot be read.
    """
    if path.suffix.lower() == ".xlsx":
        frame = _read_xlsx(path)
        con.register("_xlsx_frame", frame)
        source = "_xlsx_frame"
    else:
        source = (
            f"read_csv('{_sql_str(path)}', all_varchar=true, header=true, delim=',', quote='\"', "
            f"escape='\"', strict_mode=true, null_padding=false, sample_size=-1, auto_detect=false, "
            f"columns={_csv_columns(path)})"
        )
    try:
        names = [r[0] for r in con.execute(f"describe select * from {source}").fetchall()]
        row_expr = "(row_number() over ())::bigint + 1"
        if ROW_COLUMN in names:
            names.remove(ROW_COLUMN)
            row_expr = f"{ROW_COLUMN}::bigint"
        renamed = [mapping.get(_norm(n), _norm(n)) for n in names]
        dupes = sorted({n for n in renamed if renamed.count(n) > 1})
        if dupes:
            raise UnreadableFile(f"{path}:1:{dupes[0]}: column appears more than once in the header")
        select = ", ".join(f"nullif(trim(\"{old}\"), '') as \"{new}\"" for old, new in zip(names, renamed))
        # read, rename, trim and number the rows as the file has them; a workbook is materialised
        # because its frame is unregistered below
        kind = "table" if source == "_xlsx_frame" else "view"
        _drop_temp(con, table)
        con.execute(f"create or replace temp {kind} {table} as select {row_expr} as _row, {select} from {source}")
    except duckdb.Error as exc:
        raise parse_error(path, exc) from exc
    finally:
        if source == "_xlsx_frame":
            con.unregister("_xlsx_frame")
    return renamed


def _drop_temp(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """The previous file of the feed may have been the other kind (a workbook after a CSV)."""
    for kind in ("view", "table"):
        try:
            con.execute(f"drop {kind} if exists {name}")
        except duckdb.Error:
            pass


def parse_error(path: Path, exc: Exception) -> UnreadableFile:
    return UnreadableFile(f"{path}:{_line_of(exc)}:0: cannot be parsed as CSV: {_first_line(exc)}")


def _csv_columns(path: Path) -> str:
    """Header names, read by Python, so every column is declared text and nothing is guessed."""
    with open(path, "r", encoding="utf-8-sig", newline="") as fh:
        import csv

        try:
            header = next(csv.reader(fh))
        except StopIteration as exc:
            raise UnreadableFile(f"{path}:1:0: the file is empty (no header row)") from exc
        except (UnicodeDecodeError, csv.Error) as exc:
            raise UnreadableFile(f"{path}:1:0: header cannot be read: {exc}") from exc
    if not header or all(not h.strip() for h in header):
        raise UnreadableFile(f"{path}:1:0: the header row is empty")
    named = [_norm(h) for h in header if h.strip()]
    dupes = sorted({n for n in named if named.count(n) > 1})
    if dupes:  # caught here: DuckDB's own error would be cryptic
        raise UnreadableFile(f"{path}:1:{dupes[0]}: column appears more than once in the header")
    # an empty header cell (a trailing comma) gets a name of its own: an unknown column, ignored
    cols = ", ".join(f"'{_sql_str(h if h.strip() else f'unnamed_column_{i + 1}')}': 'VARCHAR'"
                     for i, h in enumerate(header))
    return "{" + cols + "}"


def _read_xlsx(path: Path) -> pd.DataFrame:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise UnreadableFile(f"{path}:1:0: cannot be opened as XLSX: {exc}") from exc
    ws = wb.worksheets[0]
    for rng in list(ws.merged_cells.ranges):
        value = ws.cell(rng.min_row, rng.min_col).value
        ws.unmerge_cells(str(rng))
        for row in ws.iter_rows(min_row=rng.min_row, max_row=rng.max_row, min_col=rng.min_col, max_col=rng.max_col):
            for cell in row:
                cell.value = value
    rows = [[_cell_text(v) for v in r] for r in ws.iter_rows(values_only=True)]
    if not rows:
        raise UnreadableFile(f"{path}:1:0: the workbook's first sheet is empty")
    header = [h or "" for h in rows[0]]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise UnreadableFile(f"{path}:1:0: the header row is empty")
    body = [r[: len(header)] + [None] * (len(header) - len(r)) for r in rows[1:]]
    frame = pd.DataFrame(body, columns=header, dtype="string")
    frame.index = range(2, len(body) + 2)
    keep = frame.notna().any(axis=1)  # blank rows: dropped, but row numbers stay true to the sheet
    frame = frame[keep].astype(object)
    frame = frame.where(frame.notna(), None)
    frame.insert(0, ROW_COLUMN, frame.index.astype("int64"))
    return frame


def _cell_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sql_str(value) -> str:
    return str(value).replace("'", "''")


def _line_of(exc: Exception) -> int:
    m = re.search(r"[Ll]ine:?\s*(\d+)", str(exc))
    return int(m.group(1)) if m else 0


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:200]
