"""The published database: atomic swap, readers never blocked or shown half a build,
a failed build leaves yesterday's file byte-identical, nothing person-level gets out."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time

import duckdb
import pandas as pd
import pytest

from dagster_project.publish import database
from dagster_project.sample import generate
from tests.conftest import build

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("published")
    generate(root / "landing", councils=1, years=2, scale=0.05, seed=11)
    outcome, settings = build(root / "landing", root / "home")
    assert outcome.success, outcome.failures
    return settings


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_failed_build_leaves_the_previous_file_byte_identical(site, monkeypatch):
    before = digest(site.published_path)

    def broken(*args, **kwargs):
        raise RuntimeError("simulated failure while building the published tables")

    monkeypatch.setattr(database, "build_tables", broken)
    (site.landing / "dtoc" / "dtoc_20170501.csv").write_text(
        "period,la_code,provider_code,acute_or_non_acute,responsible_org,reason_code,delayed_days\n"
        "2017-04,E10000020,R00A,Acute,Social Care,A,37\n"
    )
    outcome, _ = build(site.landing, site.home)
    assert not outcome.success
    assert any("published/vitalsigns" in f and "simulated failure" in f for f in outcome.failures), outcome.failures
    assert digest(site.published_path) == before
    assert not list(site.published_path.parent.glob(".*.tmp")), "no half-written file left behind"


def test_person_level_data_is_refused_and_nothing_is_swapped(site, monkeypatch):
    before = digest(site.published_path)
    real = database.build_tables

    def leaky(con, threshold, *args, **kwargs):
        tables, protection = real(con, threshold, *args, **kwargs)
        tables.append(database.PublishedTable("leak", pd.DataFrame({"person_id": ["abc"], "n": [1]})))
        return tables, protection

    monkeypatch.setattr(database, "build_tables", leaky)
    with pytest.raises(database.PersonLevelDataFound, match="leak.person_id"):
        database.publish(site.warehouse_path, site.published_path, 4)
    assert digest(site.published_path) == before


def test_a_publication_that_fails_the_disclosure_audit_is_refused_and_nothing_is_swapped(site, monkeypatch):
    from dagster_project.publish import suppression

    before = digest(site.published_path)
    # suppression that forgets secondary cells (primary only): hidden counts become recoverable
    monkeypatch.setattr(suppression, "choose_hidden", _primary_only)
    with pytest.raises(database.DisclosureAuditFailed, match="narrowed below the protection interval"):
        database.publish(site.warehouse_path, site.published_path, 4, 3)
    assert digest(site.published_path) == before


def _primary_only(model, threshold, interval, **kw):
    from dagster_project.publish.suppression import Protection

    small = {a.form for a in model.appearances if a.value is not None and 1 <= a.value <= threshold}
    return Protection(small, len(small), 0, [])


def test_the_disclosure_audit_check_fails_the_run_on_a_recoverable_file(site):
    """The blocking asset check audits the file on disk, whatever wrote it."""
    import dagster as dg

    from dagster_project.assets.publishing import disclosure_audit
    from dagster_project.resources.warehouse import WarehouseResource

    resource = WarehouseResource(landing=str(site.landing), home=str(site.home))
    assert disclosure_audit(resource).passed
    bad = site.home / "bad_home"
    (bad / "published").mkdir(parents=True, exist_ok=True)
    target = bad / "published" / "vitalsigns.duckdb"
    target.write_bytes(site.published_path.read_bytes())
    with duckdb.connect(str(target)) as con:  # a direction beside hidden values, as the old rule left them
        con.execute("""update marts.indicator_values set direction_prev = 'No change'
                       where suppressed and period_type = 'month' and period_end > date '2015-06-01'""")
    result = disclosure_audit(WarehouseResource(landing=str(site.landing), home=str(bad)))
    assert isinstance(result, dg.AssetCheckResult) and not result.passed
    assert "direction_prev" in result.description


def test_pseudonymised_ids_in_any_column_are_caught():
    frame = pd.DataFrame({"code": ["a1b2c3d4e5f6a7b8c9d0e1f2"]})
    assert database.person_level_problems([database.PublishedTable("t", frame)]) == [
        "t.code: holds pseudonymised person ids"
    ]


def _reader(path, stop, results, errors, latencies):
    while not stop.is_set():
        started = time.perf_counter()
        try:
            with duckdb.connect(str(path), read_only=True) as con:
                n, total = con.execute(
                    "select count(*), sum(coalesce(numerator, 0)) from marts.indicator_values"
                ).fetchall()[0]
                tables = con.execute(
                    "select count(*) from information_schema.tables where table_schema = 'marts'"
                ).fetchall()[0][0]
            results.append((n, total, tables))
        except Exception as exc:  # any error at all is a failure of the swap
            errors.append(repr(exc))
        latencies.append(time.perf_counter() - started)


def test_readers_in_a_loop_during_a_build_get_only_complete_answers(site, capsys):
    stop, results, errors, idle = threading.Event(), [], [], []
    t = threading.Thread(target=_reader, args=(site.published_path, stop, [], errors, idle))
    t.start()
    time.sleep(2)
    stop.set()
    t.join()

    (site.landing / "dtoc" / "dtoc_20170601.csv").write_text(
        "period,la_code,provider_code,acute_or_non_acute,responsible_org,reason_code,delayed_days\n"
        "2017-05,E10000020,R00A,Acute,Social Care,A,41\n"
    )
    stop, busy = threading.Event(), []
    t = threading.Thread(target=_reader, args=(site.published_path, stop, results, errors, busy))
    t.start()
    outcome, _ = build(site.landing, site.home)
    stop.set()
    t.join()
    assert outcome.success, outcome.failures
    assert errors == []
    assert len(results) > 10
    from dagster_project.publish.exposures import published_tables

    tables = len(published_tables()) + 1
    assert {r[2] for r in results} == {tables}, f"every answer saw all {tables} tables (the marts and disclosure_audit)"
    assert len({(r[0], r[1]) for r in results}) <= 2, "only the old or the new database, never a mixture"

    def pct(xs, p):
        return sorted(xs)[int(p * (len(xs) - 1))] * 1000

    with capsys.disabled():
        print(
            f"\nreader latency idle p50 {pct(idle, 0.5):.1f} ms p95 {pct(idle, 0.95):.1f} ms; "
            f"during build p50 {pct(busy, 0.5):.1f} ms p95 {pct(busy, 0.95):.1f} ms ({len(busy)} queries)"
        )


# --- what is published, and with which types ----------------------------------------------------


def test_the_published_tables_are_the_dbt_exposure(site):
    from dagster_project.publish.exposures import published_tables

    with duckdb.connect(str(site.published_path), read_only=True) as con:
        tables = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
    assert tables == set(published_tables()) | {database.AUDIT_TABLE}
    assert "dashboard" in tables


def test_no_published_column_is_typed_null_and_types_are_the_warehouse_ones(site):
    """ODBC clients mishandle DuckDB's NULL type (a pandas column with no value gets it)."""
    with duckdb.connect(str(site.published_path), read_only=True) as con:
        published = con.execute(
            "select table_name, column_name, data_type from information_schema.columns where table_schema = 'marts'"
        ).fetchall()
    assert not [(t, c) for t, c, typ in published if "NULL" in typ.upper()]
    with duckdb.connect(str(site.warehouse_path), read_only=True) as wh:
        for t, c, typ in published:
            if t == database.AUDIT_TABLE or c == "suppressed":
                continue
            wanted = database.column_types(wh, database.read_sql(database.COPIES.get(t, t))).get(c)
            if wanted and not database._numeric(wanted):  # numbers: DOUBLE where a count can be hidden
                assert wanted == typ, (t, c, typ, wanted)


def test_an_all_null_column_is_published_with_a_type(tmp_path):
    frame = pd.DataFrame({"note": [None, None], "day": [None, None], "n": [1, 2]}, dtype=object)
    table = database.PublishedTable("t", frame, {"day": "DATE", "n": "BIGINT"})  # n: a number stays as given
    with duckdb.connect(str(tmp_path / "x.duckdb")) as con:
        con.register("_frame", frame)
        con.execute(f"create table t as select {database.typed_columns(con, table)} from _frame")
        types = dict(con.execute("select column_name, data_type from information_schema.columns").fetchall())
    assert types["note"] == "VARCHAR" and types["day"] == "DATE" and "NULL" not in types["n"]


def test_a_mart_the_disclosure_control_does_not_know_is_refused(site):
    with duckdb.connect(str(site.warehouse_path), read_only=True) as wh:
        with pytest.raises(database.UndeclaredTable, match="int_people_ages"):
            database.build_tables(wh, 4, 3, names=["indicator_catalogue", "indicator_values", "int_people_ages"])


def test_the_published_dashboard_is_the_suppressed_indicator_values_at_its_keys(site):
    with duckdb.connect(str(site.published_path), read_only=True) as con:
        dash = con.execute("select * from marts.dashboard").df()
        iv = con.execute("select * from marts.indicator_values").df()
        one = con.execute(
            "select count(*) from (select la_code, indicator_code from marts.dashboard "
            "group by all having count(distinct period_type) > 1)"
        ).fetchone()[0]
    assert len(dash) and one == 0
    keys = ["la_code", "indicator_code", "period_type", "period_end"]
    joined = dash.merge(iv, on=keys, suffixes=("", "_iv"), validate="one_to_one")
    assert len(joined) == len(dash)
    for col in ("value", "display_value", "rag", "suppressed", "numerator"):
        a, b = joined[col].astype(object), joined[f"{col}_iv"].astype(object)
        assert ((a == b) | (a.isna() & b.isna())).all(), col


def test_the_next_publication_hides_again_what_the_last_one_hid(site, tmp_path):
    """The build remembered its hidden cells beside the warehouse; each later publication hides every
    one of them again, its secondary ones carried (disclosure_audit says so). It may hide a few more:
    the cuts by graph run after the carried cells are hidden, and protect them too."""
    assert site.suppression_memory_path.exists()
    memory = tmp_path / "suppression_memory.json"
    memory.write_bytes(site.suppression_memory_path.read_bytes())
    figures, remembered = [], []
    for night in ("one", "two"):
        remembered.append({json.dumps(r) for r in json.loads(memory.read_text())["hidden"]})
        database.publish(site.warehouse_path, tmp_path / f"{night}.duckdb", 4, 3, memory=memory)
        with duckdb.connect(str(tmp_path / f"{night}.duckdb"), read_only=True) as con:
            figures.append(dict(con.execute("select figure, value from marts.disclosure_audit").fetchall()))
    one, two = figures
    assert one["passed"] == two["passed"] == 1
    assert two["carried_cells"] == one["hidden_cells"] - one["primary_cells"] > 0
    after = {json.dumps(r) for r in json.loads(memory.read_text())["hidden"]}
    assert remembered[0] <= remembered[1] <= after


def test_components_protected_in_forked_workers_give_the_one_process_answer(site, monkeypatch):
    """Components share no cell or relation, so protecting and auditing them in forked workers
    (disclosure.each_component) publishes exactly what one process does."""
    import multiprocessing

    from dagster_project.publish import disclosure

    forks, real = [], multiprocessing.get_context

    def get_context(method):
        forks.append(method)
        return real(method)

    monkeypatch.setattr(disclosure, "PARALLEL_FROM", 1)  # the sample has too few components to fork for
    published = {}
    for workers in (1, 2):
        monkeypatch.setattr(disclosure, "workers_available", lambda workers=workers: workers)
        monkeypatch.setattr(disclosure.multiprocessing, "get_context", get_context)
        with duckdb.connect(str(site.warehouse_path), read_only=True) as wh:
            published[workers] = database.build_tables(wh, 4, 3)
        assert len(forks) == (0 if workers == 1 else 2), "suppression and the audit each fork their workers"
    (one, one_protection), (two, two_protection) = published[1], published[2]
    assert one_protection.hidden == two_protection.hidden and one_protection.rounds == two_protection.rounds
    for a, b in zip(one, two, strict=True):
        frame_a, frame_b = a.frame, b.frame
        if a.name == database.AUDIT_TABLE:  # the same figures, in their own time
            frame_a, frame_b = (f[~f["figure"].str.endswith("_seconds")] for f in (frame_a, frame_b))
        pd.testing.assert_frame_equal(frame_a, frame_b, obj=a.name)


def test_each_component_keeps_the_order_and_raises_what_a_worker_raised(monkeypatch):
    from dagster_project.publish import disclosure

    def work(i):
        if i == 70:
            raise RuntimeError("component 70 is inconsistent")
        return os.getpid(), i * i

    sizes = [i % 7 for i in range(69)]
    got = disclosure.each_component(work, sizes, workers=2)
    assert [r[1] for r in got] == [i * i for i in range(69)]
    assert os.getpid() not in {pid for pid, _ in got}, "the work ran in forked workers"
    assert [r[0] for r in disclosure.each_component(work, sizes, workers=1)] == [os.getpid()] * 69
    with pytest.raises(RuntimeError, match="component 70"):
        disclosure.each_component(work, [1] * 80, workers=2)


# --- one disclosure audit per publication, of the file, reused by the asset check -----------------

FIGURES = [
    "method",
    "suppression_threshold",
    "protection_interval",
    "hidden_cells",
    "primary_cells",
    "carried_cells",
    "bounded",
    "narrowed_below_interval",
    "pinned_exactly",
    "smallest_interval",
    "flag_leaks",
    "small_counts_published",
    "audit_seconds",
    "suppression_seconds",
    "passed",
]


class Reaudited(Exception):
    """Raised by a stand-in for the linear-programming audit: the check did not reuse the record."""


def _no_audit(*args, **kwargs):
    raise Reaudited("the linear-programming audit ran")


def _copied_home(site, tmp_path):
    """A home holding a copy of the site's published file and publication record."""
    home = tmp_path / "home"
    for path in (site.published_path, site.disclosure_audit_record_path):
        target = home / path.relative_to(site.home)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    return home


def _check(site, home):
    from dagster_project.assets.publishing import disclosure_audit
    from dagster_project.resources.warehouse import WarehouseResource

    return disclosure_audit(WarehouseResource(landing=str(site.landing), home=str(home)))


def test_the_check_reuses_the_publications_audit_of_the_unchanged_file(site, monkeypatch):
    from dagster_project.publish import disclosure

    monkeypatch.setattr(database, "audit_published", _no_audit)
    monkeypatch.setattr(database, "audit", _no_audit)
    monkeypatch.setattr(disclosure, "audit", _no_audit)
    result = _check(site, site.home)
    assert result.passed and result.description is None
    meta = {k: v.value for k, v in result.metadata.items()}
    assert digest(site.published_path) in meta.pop("audit_of")
    with duckdb.connect(str(site.published_path), read_only=True) as con:
        table = dict(con.execute("select figure, value from marts.disclosure_audit").fetchall())
    assert table["bounded"] and table["smallest_interval"] is not None, "the sample hides cells"
    assert set(meta) == {
        "hidden_cells",
        "bounded",
        "narrowed_below_interval",
        "pinned_exactly",
        "smallest_interval",
        "flag_leaks",
        "small_counts_published",
        "infeasible_components",
        "protection_interval",
        "seconds",
    }, "today's keys (the summary of the audit), plus audit_of"
    for k in ("hidden_cells", "bounded", "narrowed_below_interval", "pinned_exactly", "flag_leaks"):
        assert meta[k] == table[k], k
    assert meta["seconds"] == table["audit_seconds"]


def test_the_check_re_audits_the_file_once_a_row_of_it_changed(site, tmp_path, monkeypatch):
    home = _copied_home(site, tmp_path)
    published = home / "published" / "vitalsigns.duckdb"
    calls = []
    real = database.audit_published

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(database, "audit_published", counted)
    assert _check(site, home).passed and calls == []
    with duckdb.connect(str(published)) as con:  # one harmless edit: the file is no longer the one audited
        con.execute("update marts.data_quality set message = 'edited by hand' where rowid = 0")
    result = _check(site, home)
    assert len(calls) == 1 and result.passed
    assert "sha256 differs" in result.metadata["audit_of"].value
    with duckdb.connect(str(published)) as con:  # and a leak beside the record is caught, not excused by it
        con.execute("""update marts.indicator_values set direction_prev = 'No change'
                       where suppressed and period_type = 'month' and period_end > date '2015-06-01'""")
    result = _check(site, home)
    assert len(calls) == 2 and not result.passed and "direction_prev" in result.description


@pytest.mark.parametrize("case", ["no record", "unreadable", "other digest", "other threshold", "wal"])
def test_the_check_re_audits_whenever_the_record_is_not_for_this_file(site, tmp_path, monkeypatch, case):
    home = _copied_home(site, tmp_path)
    record = home / "warehouse" / "disclosure_audit.json"
    published = home / "published" / "vitalsigns.duckdb"
    body = json.loads(record.read_text())
    if case == "no record":
        record.unlink()
    elif case == "unreadable":
        record.write_text(record.read_text()[:40])
    elif case == "other digest":
        record.write_text(json.dumps(body | {"sha256": "0" * 64}))
    elif case == "other threshold":
        record.write_text(json.dumps(body | {"suppression_threshold": body["suppression_threshold"] + 1}))
    else:  # a write-ahead log DuckDB would replay over the file's bytes
        published.with_name(published.name + ".wal").write_bytes(b"")
    monkeypatch.setattr(database, "audit_published", _no_audit)
    with pytest.raises(Reaudited):
        _check(site, home)


def test_publish_audits_the_file_it_wrote_and_refuses_it_if_the_file_leaks(site, monkeypatch):
    """The audit is of what analysts get: a flag beside hidden values that appears only in the file
    (here put there after the tables were written) is caught, and nothing is swapped or recorded."""
    before, recorded = digest(site.published_path), site.disclosure_audit_record_path.read_bytes()
    real = database.write_tables

    def tampered(path, tables):
        real(path, tables)
        with duckdb.connect(str(path)) as con:
            con.execute("""update marts.indicator_values set direction_prev = 'No change'
                           where suppressed and period_type = 'month' and period_end > date '2015-06-01'""")

    monkeypatch.setattr(database, "write_tables", tampered)
    with pytest.raises(database.DisclosureAuditFailed, match=r"[1-9]\d* flags compare with hidden values"):
        database.publish(site.warehouse_path, site.published_path, 4, 3, record=site.disclosure_audit_record_path)
    assert digest(site.published_path) == before
    assert site.disclosure_audit_record_path.read_bytes() == recorded
    assert not list(site.published_path.parent.glob(".*.tmp"))


def test_the_audit_table_holds_every_figure_and_the_record_is_of_the_file(site, tmp_path):
    published, record = tmp_path / "p.duckdb", tmp_path / "record.json"
    rows = database.publish(site.warehouse_path, published, 4, 3, record=record)
    assert rows[database.AUDIT_TABLE] == len(FIGURES)
    with duckdb.connect(str(published), read_only=True) as con:
        table = dict(con.execute("select figure, value from marts.disclosure_audit").fetchall())
    assert list(table) == FIGURES
    assert table["passed"] == 1 and table["suppression_threshold"] == 4 and table["protection_interval"] == 3
    assert table["suppression_seconds"] is not None and table["audit_seconds"] is not None
    kept = json.loads(record.read_text())
    assert kept["sha256"] == digest(published) and kept["passed"] is True and kept["problems"] == ""
    assert (kept["suppression_threshold"], kept["protection_interval"]) == (4, 3)
    for k in ("hidden_cells", "bounded", "narrowed_below_interval", "pinned_exactly", "flag_leaks"):
        assert kept["figures"][k] == table[k], k
    assert oct(record.stat().st_mode & 0o777) == "0o600"
    # the frames' audit (build_tables' default, for other callers) finds the same as the file's
    with duckdb.connect(str(site.warehouse_path), read_only=True) as wh:
        tables, _ = database.build_tables(wh, 4, 3)
    frames = next(t.frame for t in tables if t.name == database.AUDIT_TABLE).set_index("figure")["value"]
    assert list(frames.index) == FIGURES
    for k in FIGURES[1:-3] + ["passed"]:
        assert (frames[k] == table[k]) or (pd.isna(frames[k]) and table[k] is None), k


def test_a_held_build_records_no_audit(site, tmp_path):
    record = tmp_path / "record.json"
    database.publish(site.warehouse_path, tmp_path / "held.duckdb", 4, 3, remember=False, record=record)
    assert (tmp_path / "held.duckdb").exists() and not record.exists()


def test_forked_workers_do_not_run_the_parents_signal_handlers():
    """Dagster's step handler raises on SIGTERM; workers inherited it, and the pool stopping them printed
    a traceback per worker into the build's log. Workers now die quietly on SIGTERM and leave Ctrl-C to
    the parent, which stops the pool."""
    import signal

    from dagster_project.publish import disclosure

    def interrupted(*_):
        raise RuntimeError("interrupted")

    def handlers(_):
        return signal.getsignal(signal.SIGTERM) is signal.SIG_DFL, signal.getsignal(signal.SIGINT) is signal.SIG_IGN

    before = signal.signal(signal.SIGTERM, interrupted)
    try:
        got = disclosure.each_component(handlers, [1] * 80, workers=2)
    finally:
        signal.signal(signal.SIGTERM, before)
    assert set(got) == {(True, True)}
