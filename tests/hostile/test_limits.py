"""Limits on everything read (issue 12, failure 1 and "Limits on everything read")."""

from __future__ import annotations

import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import psutil
import pytest

from dagster_project.ingest.loader import LoadFailed, load_feed
from dagster_project.settings import ConfigError

from .conftest import DTOC_HEADER, LA, RISK_HEADER, dtoc_rows, people, raw_snapshot, tree_digest, with_limits, write

BOMB_MIB = 200
PLACEHOLDER = "BOMB_PLACEHOLDER"


def make_zip_bomb(path: Path) -> Path:
    """A ~200 KB risk register whose one description cell expands to 200 MiB (issue 12, case 1)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(RISK_HEADER.split(","))
    ws.append([LA, "RM1", "Risk", PLACEHOLDER, "", "", "Owner", 3, 3, "Amber"])
    plain = path.with_suffix(".plain.xlsx")
    wb.save(plain)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            data = src.read(info)
            if PLACEHOLDER.encode() not in data:
                dst.writestr(info, data)
                continue
            before, after = data.split(PLACEHOLDER.encode())
            member = zipfile.ZipInfo(info.filename, info.date_time)
            member.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(member, "w", force_zip64=True) as out:
                out.write(before)
                chunk = b"A" * (1 << 20)
                for _ in range(BOMB_MIB):
                    out.write(chunk)
                out.write(after)
    plain.unlink()
    return path


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bomb") / "landing" / "risk_register"
    folder.mkdir(parents=True)
    return make_zip_bomb(folder / "risk_register_20170331.xlsx")


def test_zip_bomb_is_refused_in_under_5s_and_500mb(bomb):
    assert bomb.stat().st_size < 1_000_000
    code = (
        "import sys, duckdb; from pathlib import Path; "
        "from dagster_project.ingest.reading import read_as_text, UnreadableFile\n"
        "try:\n    read_as_text(duckdb.connect(), Path(sys.argv[1]), 't', {}, feed='risk_register')\n"
        "except UnreadableFile as e:\n    print(e); sys.exit(3)\n"
    )
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(bomb)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak, ps = 0, psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            peak = max(peak, ps.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        if peak > 500 * 2**20 or time.monotonic() - started > 30:
            proc.kill()  # the machine is shared: never let the old behaviour run away
            break
        time.sleep(0.02)
    out, err = proc.communicate()
    elapsed = time.monotonic() - started
    print(
        f"zip bomb: refused in {elapsed:.2f}s (interpreter start and imports included), peak RSS {peak / 2**20:.0f} MiB"
    )
    assert proc.returncode == 3, (out, err[-2000:])
    assert "would expand to" in out and "VITALSIGNS_XLSX_MAX_UNCOMPRESSED_MB" in out
    assert elapsed < 5 and peak < 500 * 2**20


def test_zip_bomb_never_reaches_the_warehouse_and_check_refuses_it(env, bomb, capsys):
    settings, con = env
    import shutil

    target = settings.landing / "risk_register" / bomb.name
    target.parent.mkdir(parents=True)
    shutil.copy2(bomb, target)
    write(
        settings.landing,
        "risk_register",
        "risk_register_20161231.csv",
        [RISK_HEADER, f"{LA},RM1,Old risk,d,t,p,o,3,3,Amber"],
    )
    before = tree_digest(settings.landing)
    with pytest.raises(LoadFailed, match="would expand to"):
        load_feed(con, settings, "risk_register")
    assert con.execute("select max(length(risk_description)) from raw.risk_register").fetchall()[0][0] == 1
    assert tree_digest(settings.landing) == before

    from dagster_project.cli import main

    assert main(["check", "--landing", str(settings.landing)]) == 1
    assert "would expand to" in capsys.readouterr().out


def test_a_bomb_already_in_the_warehouse_is_removed_so_later_builds_work(env):
    """An earlier version loaded the bomb: its row stays in raw for ever (no later snapshot has
    its date) and kills every render. The next load removes it, logged, and the rest stays."""
    settings, con = env
    write(
        settings.landing,
        "risk_register",
        "risk_register_20170331.csv",
        [RISK_HEADER, f"{LA},RM1,Good risk,d,t,p,o,3,3,Amber"],
    )
    load_feed(con, settings, "risk_register")
    good = raw_snapshot(con, "risk_register")
    con.execute(
        "insert into raw.risk_register (la_code, risk_id, risk_name, risk_description, current_likelihood, "
        "current_impact, snapshot_date, _source_file, _extract_date) values "
        f"('{LA}', 'RM9', 'Bomb', repeat('A', 40000), 3, 3, DATE '2017-02-28', 'risk_register_20170228.xlsx', "
        "DATE '2017-02-28')"
    )
    load_feed(con, settings, "risk_register")
    assert raw_snapshot(con, "risk_register") == good
    status, message = con.execute("select status, message from raw._load_log where status = 'purged'").fetchall()[0]
    assert "risk_description longer than 32,767 characters" in message


def test_file_over_the_size_cap_is_refused_unread(env):
    settings, con = env
    write(
        settings.landing,
        "liquidlogic",
        "people_20170401.csv",
        ["person_id,la_code,date_of_birth,gender,ethnicity,primary_support_reason,date_of_death", *people(5)],
    )
    load_feed(con, settings, "people")
    good = raw_snapshot(con, "people")
    write(
        settings.landing,
        "liquidlogic",
        "people_20170501.csv",
        ["person_id,la_code,date_of_birth,gender,ethnicity,primary_support_reason,date_of_death", *people(5000)],
    )
    small = with_limits(settings, per_feed=(("people", "max_file_mb", 0.05),))
    with pytest.raises(
        LoadFailed, match=r"more than the 0 MB allowed for people file \(VITALSIGNS_MAX_FILE_MB_PEOPLE\)"
    ):
        load_feed(con, small, "people")
    assert raw_snapshot(con, "people") == good


def test_file_over_the_row_cap_is_refused(env):
    settings, con = env
    write(settings.landing, "dtoc", "dtoc_20170401.csv", [DTOC_HEADER, *dtoc_rows()])
    with pytest.raises(LoadFailed, match=r"20 rows, more than the 10 allowed for dtoc"):
        load_feed(con, with_limits(settings, max_rows=10), "dtoc")
    assert raw_snapshot(con, "dtoc") == []


def test_csv_cell_over_the_length_cap_is_refused_with_its_row(env):
    settings, con = env
    write(
        settings.landing,
        "risk_register",
        "risk_register_20170331.csv",
        [RISK_HEADER, f"{LA},RM1,Fine,d,t,p,o,3,3,Amber", f"{LA},RM2,Long,{'x' * 500},t,p,o,3,3,Amber"],
    )
    with pytest.raises(LoadFailed, match=r"risk_register_20170331.csv:3:risk_description: a cell of 500 characters"):
        load_feed(con, with_limits(settings, max_cell_chars=100), "risk_register")
    assert raw_snapshot(con, "risk_register") == []


def test_limits_are_settings_with_clear_errors(monkeypatch):
    from dagster_project.settings import limits_from_env

    env = {
        "VITALSIGNS_MAX_FILE_MB": "10",
        "VITALSIGNS_MAX_ROWS_DTOC": "99",
        "VITALSIGNS_MAX_CELL_CHARS": "5000",
        "VITALSIGNS_XLSX_MAX_UNCOMPRESSED_MB": "3",
        "VITALSIGNS_MAX_DELAYED_DAYS": "5000",
    }
    limits = limits_from_env(env)
    assert (
        limits.file_bytes("people") == 10 * 2**20 and limits.rows("dtoc") == 99 and limits.rows("people") == 20_000_000
    )
    assert limits.max_cell_chars == 5000 and limits.xlsx_uncompressed_bytes == 3 * 2**20
    with pytest.raises(ConfigError, match="VITALSIGNS_MAX_ROWS='lots'"):
        limits_from_env({"VITALSIGNS_MAX_ROWS": "lots"})


def test_build_and_check_read_the_same_limits(env, monkeypatch, capsys):
    settings, _ = env
    write(settings.landing, "dtoc", "dtoc_20170401.csv", [DTOC_HEADER, *dtoc_rows()])
    monkeypatch.setenv("VITALSIGNS_MAX_ROWS_DTOC", "5")
    from dagster_project.cli import main
    from dagster_project.settings import Settings

    assert Settings.from_env(landing=settings.landing, home=settings.home).limits.rows("dtoc") == 5
    assert main(["check", "--landing", str(settings.landing)]) == 1
    assert "more than the 5 allowed for dtoc" in capsys.readouterr().out
