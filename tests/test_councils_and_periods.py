"""One list of councils (the seed) and one financial-year rule, shared by Python and dbt."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import jinja2

from dagster_project.councils import SEED, council, council_name, councils
from dagster_project.periods import financial_year, fy_end, fy_label, fy_start_year
from dagster_project.sample.generator import COUNCILS

ROOT = Path(__file__).resolve().parent.parent


def test_the_seed_is_the_only_list_of_council_names():
    codes = [c.la_code for c in councils()]
    assert len(codes) == len(set(codes)) and all(re.fullmatch(r"E(06|07|08|09|10)\d{6}", c) for c in codes)
    assert council_name("E10000020") == "Norfolk County Council"
    assert council_name("E99999999") == "E99999999"  # unknown: the code, never a blank
    # the sample's councils are the seed's, in the seed's order (Norfolk first)
    assert [c.la_code for c in COUNCILS] == codes[: len(COUNCILS)]
    assert all(c.name == council(c.la_code).short_name for c in COUNCILS)
    # no second table of names anywhere in the package
    names = {c.council_name for c in councils()} | {c.short_name for c in councils()}
    for path in (ROOT / "dagster_project").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "County Council" not in text and "City Council" not in text, path
    assert SEED.parent.name == "seeds" and "Norfolk County Council" in names


def test_financial_year_labels():
    assert fy_label(2016) == "2016/17" and fy_label(1999) == "1999/00"
    assert fy_start_year(dt.date(2017, 3, 31)) == 2016 and fy_start_year(dt.date(2017, 4, 1)) == 2017
    assert financial_year(dt.date(2017, 3, 31)) == "2016/17"
    assert financial_year(dt.date(2017, 4, 1)) == "2017/18"
    assert fy_end("2016/17") == dt.date(2017, 3, 31) and fy_end("1999/00") == dt.date(2000, 3, 31)


def test_python_and_the_dbt_macro_agree_on_every_month():
    """The dbt macro (macros/dates.sql) and periods.py give the same label for every month end."""
    macros = jinja2.Environment().from_string((ROOT / "dbt/macros/dates.sql").read_text()).module
    sql = (
        f"select d, {macros.financial_year_of('d')} "
        "from range(date '1998-01-31', date '2031-01-01', interval 1 month) t(d)"
    )
    rows = duckdb.sql(
        sql.replace("range(", "(select unnest(range(").replace("interval 1 month) t(d)", "interval 1 month))) t(d)")
    ).fetchall()
    assert len(rows) > 300
    for d, label in rows:
        assert label == financial_year(d.date() if isinstance(d, dt.datetime) else d), d
    rows = duckdb.sql(f"select {macros.fy_label_start(repr('2016/17'))}").fetchall()
    assert rows == [(2016,)]
