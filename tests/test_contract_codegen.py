"""The extract contract is defined once (contracts.py); every file that restates it is generated.

A hand edit of a generated file, or a contract change without `make contract`, fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from dagster_project import contract_codegen as G
from dagster_project import contracts as K

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("path", sorted(G.outputs(), key=str), ids=lambda p: str(p.relative_to(ROOT)))
def test_generated_file_matches_the_contract(path):
    assert path.exists(), f"{path.relative_to(ROOT)} missing: run `make contract`"
    assert path.read_text(encoding="utf-8") == G.outputs()[path], (
        f"{path.relative_to(ROOT)} differs from what dagster_project/contracts.py generates: "
        "run `make contract` and commit (never edit a generated file)"
    )


def test_check_mode_reports_a_hand_edit(tmp_path, monkeypatch, capsys):
    """--check names a stale file and exits 1 (and 0 once it matches)."""
    monkeypatch.setattr(G, "ROOT", tmp_path)
    for rel in ("dbt/models/staging", "dbt/macros", "docs"):
        (tmp_path / rel).mkdir(parents=True)
    assert G.main([]) == 0
    assert G.main(["--check"]) == 0
    target = tmp_path / "dbt/models/staging/stg_services.yml"
    target.write_text(target.read_text().replace("- Carer\n", "- Carers\n"))
    assert G.main(["--check"]) == 1
    assert "stg_services.yml" in capsys.readouterr().err


def test_every_generated_file_says_it_is_generated():
    for path, text in G.outputs().items():
        assert "do not edit" in text.splitlines()[0] + text.splitlines()[2], path


def test_staging_tests_follow_the_contract():
    """Every coded column gets accepted_values with the contract's list; every mandatory one not_null."""
    for feed in K.FEEDS.values():
        spec = G.STAGING[feed.name]
        model = yaml.safe_load(G.staging_yaml(feed))["models"][0]
        cols = {c["name"]: c.get("data_tests", []) for c in model["columns"]}
        for c in feed.columns:
            if c.name in spec.drop:
                continue
            tests = cols[spec.rename.get(c.name, c.name)]
            if c.codes and c.separator:  # several codes in a cell: checked part by part at ingestion
                assert not any("accepted_values" in t for t in tests if isinstance(t, dict)), (feed.name, c.name)
            elif c.codes:  # dbt quotes the values without escaping them: an apostrophe comes doubled
                values = [code.replace("'", "''") for code in c.codes]
                assert {"accepted_values": {"arguments": {"values": values}}} in tests
            assert ("not_null" in tests) == (not c.nullable), (feed.name, c.name)


def test_sources_list_every_contract_column():
    tables = {
        t["name"]: [c["name"] for c in t.get("columns", [])]
        for t in yaml.safe_load(G.sources_yaml())["sources"][0]["tables"]
    }
    for feed in K.FEEDS.values():
        assert tables[feed.name][: len(feed.columns)] == feed.column_names


def test_docs_list_every_feed_column_and_code():
    doc = G.extracts_md()
    for feed in K.FEEDS.values():
        assert f"### `{feed.name}`" in doc
        for c in feed.columns:
            assert f"| `{c.name}` |" in doc
            for code in c.codes or ():
                assert f"`{code}`" in doc.replace("\\|", "|")


def test_code_sets_only_name_contract_codes():
    lists = G.code_lists()
    for s in K.CODE_SETS.values():
        for column, codes in s.members:
            if column in lists:
                assert set(codes) <= set(lists[column]), s.name


def test_a_code_set_that_names_an_unknown_code_is_refused(monkeypatch):
    bad = K.CodeSet("bad", "typo", (("funding_source", ("Councill",)),))
    monkeypatch.setitem(K.CODE_SETS, "bad", bad)
    with pytest.raises(ValueError, match="Councill"):
        G.code_lists()


def test_models_name_codes_only_through_the_contract_macros():
    """No extract code is written as a literal in staging or intermediate SQL (CLD has its own contract).

    Period types are left out: they are the pipeline's own period vocabulary (int_periods), which
    the supplied indicator_values feed adopts.
    """
    codes = {code for name, c in G.code_lists().items() if name != "period_type" for code in c if len(code) > 3}
    offenders = []
    for path in sorted((ROOT / "dbt/models").rglob("*.sql")):
        if "/cld/" in str(path) or "/marts/" in str(path):
            continue
        sql = re.sub(r"\{\{.*?\}\}", "", path.read_text(encoding="utf-8"), flags=re.S)
        sql = re.sub(r"--[^\n]*", "", sql)
        for literal in re.findall(r"'([^']*)'", sql):
            if literal in codes or (
                len(literal) > 4 and literal.endswith("%") and any(c.startswith(literal[:-1]) for c in codes)
            ):
                offenders.append(f"{path.relative_to(ROOT)}: '{literal}'")
    assert not offenders, "use {{ code(...) }} or {{ code_set(...) }}: " + "; ".join(offenders)


def test_staging_flags_are_built_from_their_code_set():
    """Each flag column the generated YAML documents is computed in the staging SQL from its code set."""
    for feed, spec in G.STAGING.items():
        sql = (ROOT / f"dbt/models/staging/stg_{feed}.sql").read_text(encoding="utf-8")
        for column, code_set, _ in spec.flags:
            assert re.search(rf"code_set\('{code_set}'\) \}}\}}\)?(, false\))? as {column}\b", sql), (feed, column)


@pytest.mark.slow
def test_code_macros_refuse_a_code_that_is_not_in_the_contract(tmp_path):
    import os
    import subprocess

    from dagster_project.dbt_runtime import dbt_executable
    from dagster_project.settings import DBT_PROJECT_DIR

    env = {**os.environ, "VITALSIGNS_WAREHOUSE": str(tmp_path / "wh.duckdb")}
    common = [
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(tmp_path / "target"),
        "--log-path",
        str(tmp_path / "logs"),
    ]

    def compile_(sql):
        return subprocess.run(
            [dbt_executable(), "compile", "--inline", sql, *common], env=env, capture_output=True, text=True
        )

    good = compile_("select {{ code('client_type', 'Carer') }} as c, {{ code_set('self_directed', 's') }} as f")
    assert good.returncode == 0, good.stdout[-2000:]
    assert "'Carer'" in good.stdout and "s.delivery_mechanism in ('Direct Payment'" in good.stdout
    bad = compile_("select {{ code('client_type', 'Carers') }}")
    assert bad.returncode != 0 and "'Carers' is not a client_type code" in bad.stdout, bad.stdout[-2000:]
    bad = compile_("select {{ code_set('self_direct') }}")
    assert bad.returncode != 0 and "no code set 'self_direct'" in bad.stdout, bad.stdout[-2000:]
