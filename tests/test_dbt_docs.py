"""The dbt documentation site (`vitalsigns docs`): every published mart and column described,
the measure definitions as doc blocks, and lineage through to the exposures (the published
database and each report), as one static page."""

from __future__ import annotations

import json
import os
import subprocess

import duckdb
import pytest

from dagster_project.cli import main
from dagster_project.dbt_runtime import dbt_executable
from dagster_project.ingest.loader import ensure_raw_schema
from dagster_project.publish.exposures import REPORT_EXPOSURES, exposure_tables, published_tables
from dagster_project.settings import DBT_PROJECT_DIR


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The docs of an (empty) built warehouse: the catalog then lists every column of every model."""
    home = tmp_path_factory.mktemp("docs_home")
    warehouse = home / "warehouse" / "vitalsigns.duckdb"
    warehouse.parent.mkdir(parents=True)
    with duckdb.connect(str(warehouse)) as con:
        ensure_raw_schema(con)
    env = {**os.environ, "VITALSIGNS_WAREHOUSE": str(warehouse)}
    proc = subprocess.run(
        [
            dbt_executable(),
            "build",
            "--exclude-resource-type",
            "unit_test",
            "--exclude",
            "test_type:data",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(home / "build_target"),
            "--log-path",
            str(home / "logs"),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert main(["docs", "--home", str(home)]) == 0
    docs = home / "docs"
    return (docs, json.loads((docs / "manifest.json").read_text()), json.loads((docs / "catalog.json").read_text()))


def test_the_site_is_one_static_page_with_the_exposures(site):
    docs, manifest, _ = site
    page = (docs / "static_index.html").read_text(encoding="utf-8")
    for name in ("analysts_database", *REPORT_EXPOSURES):
        assert name in page
    assert {e["name"] for e in manifest["exposures"].values()} == {"analysts_database", *REPORT_EXPOSURES}


def test_every_published_table_and_its_columns_are_described(site):
    _, manifest, catalog = site
    nodes = {n["name"]: (uid, n) for uid, n in manifest["nodes"].items() if n["resource_type"] in ("model", "seed")}
    undescribed = []
    for table in published_tables():
        uid, node = nodes[table]
        if not node["description"].strip():
            undescribed.append(table)
        for col in catalog["nodes"][uid]["columns"]:
            if not (node["columns"].get(col, {}).get("description") or "").strip():
                undescribed.append(f"{table}.{col}")
    assert not undescribed


def test_the_measure_definitions_are_doc_blocks_from_docs_measures_md(site):
    _, manifest, _ = site
    blocks = {d["name"]: d for d in manifest["docs"].values() if d["package_name"] == "vitalsigns"}
    for name in ("measures_ascof", "measures_vital_signs", "measures_periods", "rag", "exception_rule"):
        assert blocks[name]["original_file_path"].endswith("docs/measures.md"), name
    assert "2A(1)" in blocks["measures_ascof"]["block_contents"]


def test_each_report_reads_only_published_tables():
    published = set(published_tables())
    for report in REPORT_EXPOSURES:
        assert set(exposure_tables(report)) <= published, report


def test_the_docs_folder_holds_no_stray_jinja():
    """dbt reads docs/*.md for doc blocks (docs-paths), as Jinja: any other brace pair fails every build."""
    import re
    from pathlib import Path

    docs = Path(__file__).resolve().parent.parent / "docs"
    tag = re.compile(r"^\{% (docs [a-z_]+|enddocs) %\}$")
    stray = [
        f"{p.name}:{i}"
        for p in sorted(docs.glob("*.md"))
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\{[{%#]", line) and not tag.match(line.strip())
    ]
    assert not stray


def test_docs_wait_for_no_build_they_say_one_is_running(tmp_path, capsys):
    """The catalog reads the warehouse: never mid-build (the build's lock), and a clear message."""
    from dagster_project.resources.warehouse import exclusive_lock

    with exclusive_lock(tmp_path / ".build.lock", 0, "a vitalsigns build"):
        assert main(["docs", "--home", str(tmp_path)]) == 3
    assert "when the build has finished" in capsys.readouterr().err
