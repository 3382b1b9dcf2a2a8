"""Errors people can act on (issue 12, "Errors people can act on"): one line naming what
happened and what to do, the right row, no traceback unless --verbose."""

from __future__ import annotations

import errno
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest

from dagster_project.ingest import loader
from dagster_project.ingest.loader import LoadFailed, load_feed

from .conftest import DTOC_HEADER, LA, PEOPLE_HEADER, dtoc_rows, people, raw_snapshot, write

VS = [sys.executable, "-m", "dagster_project.cli"]


def test_duplicated_csv_column_is_named(env):
    settings, con = env
    write(
        settings.landing, "dtoc", "dtoc_20170401.csv", [DTOC_HEADER + ",Delayed_Days", *[r + ",1" for r in dtoc_rows()]]
    )
    with pytest.raises(LoadFailed) as err:
        load_feed(con, settings, "dtoc")
    assert (
        "dtoc_20170401.csv:1:delayed_days: column 'Delayed_Days' appears twice in the header "
        "(columns 7 and 8): remove or rename one"
    ) in str(err.value)
    assert "Binder Error" not in str(err.value)


def test_duplicated_xlsx_column_is_named(env):
    settings, con = env
    wb = openpyxl.Workbook()
    wb.active.append(["risk_id", "risk_name", "current_likelihood", "current_impact", "Risk Name"])
    wb.active.append(["RM1", "A", 3, 3, "B"])
    path = settings.landing / "risk_register" / "risk_register_20170331.xlsx"
    path.parent.mkdir(parents=True)
    wb.save(path)
    with pytest.raises(LoadFailed, match=r":1:risk_name: column 'Risk Name' appears twice in the header"):
        load_feed(con, settings, "risk_register")


def _register_with_formula(path: Path, cached: str | None) -> Path:
    wb = openpyxl.Workbook()
    wb.active.append(["la_code", "risk_id", "risk_name", "current_likelihood", "current_impact", "prospects"])
    wb.active.append([LA, "RM1", "Fine", 3, 3, "Amber"])
    wb.active.append([LA, "RM2", "Computed", "=2+1", 4, "Amber"])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    if cached is not None:  # what Excel writes: the formula with the value it last computed
        tmp = path.with_suffix(".tmp")
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                data = src.read(info)
                if info.filename == "xl/worksheets/sheet1.xml":
                    data = data.replace(b"<f>2+1</f><v />", f"<f>2+1</f><v>{cached}</v>".encode())
                dst.writestr(info, data)
        tmp.replace(path)
    return path


def test_formula_cell_without_a_value_is_called_a_formula_not_missing(env):
    settings, con = env
    path = _register_with_formula(settings.landing / "risk_register" / "risk_register_20170331.xlsx", None)
    with pytest.raises(LoadFailed) as err:
        load_feed(con, settings, "risk_register")
    message = str(err.value)
    assert ":3:current_likelihood: the cell holds a formula (=2+1) with no saved value" in message
    assert "missing" not in message
    assert raw_snapshot(con, "risk_register") == []
    # the same formula saved by Excel with its value: the value is used
    _register_with_formula(path, "3")
    (outcome,) = load_feed(con, settings, "risk_register")
    assert outcome.rows_accepted == 2
    assert con.execute("select current_likelihood from raw.risk_register where risk_id = 'RM2'").fetchall() == [(3,)]


@pytest.mark.parametrize("bad_line", [2, 4])
def test_encoding_error_names_its_row_not_the_header(env, bad_line):
    settings, con = env
    rows = people(5)
    rows[bad_line - 2] = rows[bad_line - 2].replace("White", "Wh\xefte")
    path = settings.landing / "liquidlogic" / "people_20170401.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(
        "\n".join([PEOPLE_HEADER, *rows]).encode("utf-8").replace("Wh\xefte".encode(), b"Wh\xefte") + b"\n"
    )
    with pytest.raises(LoadFailed) as err:
        load_feed(con, settings, "people")
    assert f"people_20170401.csv:{bad_line}:0: row {bad_line} is not UTF-8 text" in str(err.value)
    assert "save the file as UTF-8" in str(err.value)


def test_a_failed_write_is_reported_as_itself_not_as_a_failed_rollback(env, monkeypatch):
    """A full disk made DuckDB abort the transaction; the loader's own rollback then failed with
    "cannot rollback - no transaction is active", hiding the real error."""
    settings, con = env
    write(settings.landing, "dtoc", "dtoc_20170401.csv", [DTOC_HEADER, *dtoc_rows()])

    def full_disk(con, *a, **kw):
        con.execute("rollback")  # DuckDB ends the transaction itself on an I/O error
        raise duckdb.IOException(
            'IO Error: Could not write file "/home/x/warehouse/vitalsigns.duckdb.wal": No space left on device'
        )

    monkeypatch.setattr(loader, "_write", full_disk)
    with pytest.raises(duckdb.IOException, match="No space left on device"):
        load_feed(con, settings, "dtoc")
    assert raw_snapshot(con, "dtoc") == []


@pytest.mark.parametrize(
    "error,expected",
    [
        (
            OSError(errno.ENOSPC, "No space left on device", "/srv/vs/warehouse/x.duckdb"),
            "the disk is full (writing /srv/vs/warehouse/x.duckdb)",
        ),
        ('IO Error: Could not write file "/srv/vs/published/.v.tmp": No space left on device', "the disk is full"),
        (OSError(errno.EROFS, "Read-only file system", "/srv/vs/dagster"), "cannot write /srv/vs/dagster: the home"),
        (PermissionError(errno.EACCES, "Permission denied", "/srv/vs"), "is read-only or belongs to someone else"),
        (
            'IO Error: The file "/srv/vs/warehouse/vitalsigns.duckdb" exists, '
            "but it is not a valid DuckDB database file!",
            "mv /srv/vs/warehouse/vitalsigns.duckdb /srv/vs/warehouse/vitalsigns.duckdb.damaged",
        ),
    ],
)
def test_known_faults_get_one_actionable_line(error, expected):
    from dagster_project.errors import explain

    line = explain(error)
    assert expected in line and "\n" not in line


def _corrupt(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute("create table t as select 1 as a")
    con.close()
    data = bytearray(path.read_bytes())
    data[:4096] = b"\x13" * 4096
    path.write_bytes(bytes(data))


REPO = Path(__file__).resolve().parents[2]


def _run(args, tmp_path):
    return subprocess.run(
        VS + args,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "VITALSIGNS_SAMPLE": "1", "HOME": str(tmp_path)},
    )


@pytest.mark.parametrize("which", ["warehouse", "published"])
def test_a_damaged_database_file_stops_the_build_in_one_line(tmp_path, which):
    landing = tmp_path / "landing"
    write(landing, "dtoc", "dtoc_20170401.csv", [DTOC_HEADER, *dtoc_rows()])
    home = tmp_path / "home"
    damaged = home / which / "vitalsigns.duckdb"
    _corrupt(damaged)
    other = home / ("published" if which == "warehouse" else "warehouse") / "vitalsigns.duckdb"
    other.parent.mkdir(parents=True, exist_ok=True)
    duckdb.connect(str(other)).execute("create table last_good as select 42 as answer").close()
    before = damaged.read_bytes(), other.read_bytes()
    proc = _run(["build", "--landing", str(landing), "--home", str(home)], tmp_path)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert f"error: the database file {damaged} is damaged: move it aside (mv {damaged} {damaged}.damaged)" in last
    assert (damaged.read_bytes(), other.read_bytes()) == before  # the last good file of the other is untouched
    verbose = _run(["build", "--landing", str(landing), "--home", str(home), "--verbose"], tmp_path)
    assert verbose.returncode == 1 and "Traceback" in verbose.stderr


def test_a_home_that_cannot_be_written_stops_the_build_in_one_line(tmp_path):
    landing = tmp_path / "landing"
    write(landing, "dtoc", "dtoc_20170401.csv", [DTOC_HEADER, *dtoc_rows()])
    home = Path("/sys/vitalsigns-home")  # not writable even by root, unlike a chmod'ed folder
    proc = _run(["build", "--landing", str(landing), "--home", str(home)], tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "cannot write" in proc.stderr.strip().splitlines()[-1] or "read-only" in proc.stderr.strip().splitlines()[-1]


def test_period_must_be_a_month(tmp_path):
    proc = _run(
        ["build", "--landing", str(tmp_path), "--home", str(tmp_path / "h"), "--period", "2017-03/../../x"], tmp_path
    )
    assert proc.returncode == 2 and "is not a month written YYYY-MM" in proc.stderr
    assert not (tmp_path / "x").exists() and not (tmp_path / "h").exists()
