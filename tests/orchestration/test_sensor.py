"""The landing sensor: new or changed content triggers, identical re-copies and half-copied files do not."""

from __future__ import annotations

import os
import shutil
import time

from dagster_project.sensors import scan


def _age(path, seconds):
    t = time.time() - seconds
    os.utime(path, (t, t))


def test_a_new_file_triggers_once_settled(tmp_path):
    landing = tmp_path / "landing"
    (landing / "dtoc").mkdir(parents=True)
    f = landing / "dtoc" / "dtoc_20170401.csv"
    f.write_text("period,la_code\n")
    cursor, changed, unsettled = scan(landing, {}, settle_seconds=60)
    assert changed == [] and unsettled  # still being written (modified moments ago)
    _age(f, 120)
    cursor, changed, unsettled = scan(landing, cursor, settle_seconds=60)
    assert changed == ["dtoc/dtoc_20170401.csv"] and not unsettled
    cursor2, changed, _ = scan(landing, cursor, settle_seconds=60)
    assert changed == [] and cursor2 == cursor


def test_an_identical_recopy_does_not_trigger_but_changed_content_does(tmp_path):
    landing = tmp_path / "landing"
    (landing / "dtoc").mkdir(parents=True)
    f = landing / "dtoc" / "dtoc_20170401.csv"
    f.write_text("period,la_code\n2017-01,E10000020\n")
    _age(f, 120)
    cursor, changed, _ = scan(landing, {}, settle_seconds=60)
    assert changed
    copy = tmp_path / "copy.csv"
    shutil.copy(f, copy)
    f.unlink()
    shutil.copy(copy, f)  # re-copied: new mtime, same bytes
    _age(f, 90)
    cursor, changed, _ = scan(landing, cursor, settle_seconds=60)
    assert changed == []
    f.write_text("period,la_code\n2017-02,E10000020\n")
    _age(f, 90)
    cursor, changed, _ = scan(landing, cursor, settle_seconds=60)
    assert changed == ["dtoc/dtoc_20170401.csv"]


def test_files_outside_the_naming_contract_are_ignored(tmp_path):
    landing = tmp_path / "landing"
    (landing / "dtoc").mkdir(parents=True)
    (landing / "dtoc" / "notes.txt").write_text("hello")
    _age(landing / "dtoc" / "notes.txt", 120)
    assert scan(landing, {}, settle_seconds=60)[1] == []
