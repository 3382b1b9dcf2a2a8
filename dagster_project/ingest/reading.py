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

from ..settings import Limits

FILE_NAME = re.compile(r"^(?P<feed>[a-z_]+)_(?P<date>\d{8})\.(?P<ext>csv|xlsx)$", re.IGNORECASE)
# the extract date every feed's name ends with: `_<YYYYMMDD>` and optionally `_<HHMMSS>`
DATE_SUFFIX = re.compile(r"_(?P<date>\d{8})(?:_(?P<time>\d{6}))?\.[A-Za-z]+$")
MB = 1024 * 1024


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
    """The date in the name, None when there is none or it is not a real date (31 February)."""
    m = DATE_SUFFIX.search(path.name)
    if not m:
        return None
    try:
        if m.group("time"):
            dt.datetime.strptime(m.group("time"), "%H%M%S")
        return dt.datetime.strptime(m.group("date"), "%Y%m%d").date()
    except ValueError:
        return None


def check_size(path: Path, limits: Limits, feed: str) -> None:
    """Refuse a file over the feed's size cap before a byte of it is parsed."""
    size = path.stat().st_size
    cap = limits.file_bytes(feed)
    if size > cap:
        raise UnreadableFile(
            f"{path}:0:0: file is {size / MB:,.1f} MB, more than the {cap / MB:,.0f} MB allowed for {feed or 'a'} "
            f"file (VITALSIGNS_MAX_FILE_MB{'_' + feed.upper() if feed else ''}): refused unread; split it or raise "
            "the limit if it is genuine"
        )


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


def read_as_text(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    mapping: dict[str, str],
    limits: Limits = Limits(),
    feed: str = "",
) -> list[str]:
    """Define `table` with `_row` (line number in the file) and every column as text.

    For a CSV `table` is a view over DuckDB's reader, so the file is parsed once, when validate()
    types it; a parse error surfaces there as UnreadableFile (see `parse_error`). Returns the column
    names after the mapping; raises UnreadableFile when the header cannot be read or the file is
    over a limit (checked first, so nothing over a limit is ever expanded).
    """
    check_size(path, limits, feed)
    if path.suffix.lower() == ".xlsx":
        frame = _read_xlsx(path, limits)
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
        select = ", ".join(f'nullif(trim("{old}"), \'\') as "{new}"' for old, new in zip(names, renamed))
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
    line = _line_of(exc)
    if "unicode" in str(exc).lower() or "utf-8" in str(exc).lower():
        return UnreadableFile(
            f"{path}:{line}:0: row {line} is not UTF-8 text (a byte that UTF-8 does not allow): "
            "save the file as UTF-8 (in Excel: CSV UTF-8) and resend"
        )
    return UnreadableFile(f"{path}:{line}:0: cannot be parsed as CSV: {_first_line(exc)}")


def _csv_columns(path: Path) -> str:
    """Header names, read by Python, so every column is declared text and nothing is guessed.

    Only the header is decoded here (undecodable bytes further down are DuckDB's to report,
    with their true row), and a name that appears twice is named before DuckDB sees it.
    """
    import csv

    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        try:
            header = next(csv.reader(fh))
        except StopIteration as exc:
            raise UnreadableFile(f"{path}:1:0: the file is empty (no header row)") from exc
        except csv.Error as exc:
            raise UnreadableFile(f"{path}:1:0: header cannot be read: {exc}") from exc
    if any(re.search(r"[\udc80-\udcff]", h) for h in header):
        raise UnreadableFile(
            f"{path}:1:0: the header row is not UTF-8 text: save the file as UTF-8 (in Excel: CSV UTF-8) and resend"
        )
    if not header or all(not h.strip() for h in header):
        raise UnreadableFile(f"{path}:1:0: the header row is empty")
    seen: dict[str, int] = {}
    for i, h in enumerate(header, 1):
        key = _norm(h)
        if not h.strip():
            continue
        if key in seen:  # caught here: DuckDB's own error would be cryptic
            raise UnreadableFile(
                f"{path}:1:{key}: column '{h.strip()}' appears twice in the header (columns "
                f"{seen[key]} and {i}): remove or rename one and resend"
            )
        seen[key] = i
    # an empty header cell (a trailing comma) gets a name of its own: an unknown column, ignored
    cols = ", ".join(
        f"'{_sql_str(h if h.strip() else f'unnamed_column_{i + 1}')}': 'VARCHAR'" for i, h in enumerate(header)
    )
    return "{" + cols + "}"


def _check_xlsx_expansion(path: Path, limits: Limits) -> None:
    """Refuse a workbook that would expand past the cap, before openpyxl expands anything.

    An XLSX is a zip: the declared sizes are summed first, then every member is decompressed in
    1 MB chunks (nothing kept) and counted, so a member whose header understates its size is
    caught too. Memory stays at one chunk; a bomb is stopped as soon as the cap is passed.
    """
    import zipfile

    cap = limits.xlsx_uncompressed_bytes
    advice = (
        f"more than the {cap / MB:,.0f} MB allowed (VITALSIGNS_XLSX_MAX_UNCOMPRESSED_MB): refused "
        "without opening it; a risk register is normally well under 1 MB, so check the file"
    )
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            declared = sum(i.file_size for i in infos)
            if declared > cap:
                raise UnreadableFile(f"{path}:0:0: the workbook would expand to {declared / MB:,.0f} MB, {advice}")
            total = 0
            for info in infos:
                with zf.open(info) as fh:
                    while chunk := fh.read(MB):
                        total += len(chunk)
                        if total > cap:
                            raise UnreadableFile(
                                f"{path}:0:0: the workbook expands to over {cap / MB:,.0f} MB, {advice}"
                            )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, ValueError) as exc:
        raise UnreadableFile(
            f"{path}:1:0: cannot be opened as XLSX (damaged or not a workbook: {exc}); "
            "save it again from Excel and resend"
        ) from exc


def _read_xlsx(path: Path, limits: Limits = Limits()) -> pd.DataFrame:
    import openpyxl

    _check_xlsx_expansion(path, limits)
    try:
        wb = openpyxl.load_workbook(path, data_only=False)
        ws = wb.worksheets[0]
        formulas = {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.data_type == "f"}
        if formulas:
            # a formula's value is the one Excel saved with it; without one there is no value at all
            wb = openpyxl.load_workbook(path, data_only=True)
    except UnreadableFile:
        raise
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise UnreadableFile(f"{path}:1:0: cannot be opened as XLSX: {exc}") from exc
    ws = wb.worksheets[0]
    header_row = [c.value for c in next(ws.iter_rows(max_row=1), [])]
    for (r, c), formula in sorted(formulas.items()):
        if ws.cell(r, c).value is None:
            name = header_row[c - 1] if r > 1 and c <= len(header_row) and header_row[c - 1] else f"column {c}"
            raise UnreadableFile(
                f"{path}:{r}:{_norm(str(name))}: the cell holds a formula ({str(formula)[:60]}) with no saved "
                "value, not a value: open the workbook in Excel, save it (or paste the column as values) and resend"
            )
    for rng in list(ws.merged_cells.ranges):
        value = ws.cell(rng.min_row, rng.min_col).value
        ws.unmerge_cells(str(rng))
        for row in ws.iter_rows(min_row=rng.min_row, max_row=rng.max_row, min_col=rng.min_col, max_col=rng.max_col):
            for cell in row:
                cell.value = value
    rows = [[_cell_text(v) for v in r] for r in ws.iter_rows(values_only=True)]
    cap = limits.max_cell_chars
    for i, r in enumerate(rows, 1):
        for j, v in enumerate(r):
            if v is not None and len(v) > cap:
                name = rows[0][j] if i > 1 and j < len(rows[0]) and rows[0][j] else f"column {j + 1}"
                raise UnreadableFile(
                    f"{path}:{i}:{_norm(str(name))}: a cell of {len(v):,} characters, more than the "
                    f"{cap:,} allowed (VITALSIGNS_MAX_CELL_CHARS): shorten it and resend"
                )
    if not rows:
        raise UnreadableFile(f"{path}:1:0: the workbook's first sheet is empty")
    header = [h or "" for h in rows[0]]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise UnreadableFile(f"{path}:1:0: the header row is empty")
    seen: dict[str, int] = {}
    for i, h in enumerate(header, 1):
        if _norm(h) in seen and _norm(h):
            raise UnreadableFile(
                f"{path}:1:{_norm(h)}: column '{h.strip()}' appears twice in the header (columns "
                f"{seen[_norm(h)]} and {i}): remove or rename one and resend"
            )
        seen[_norm(h)] = i
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
