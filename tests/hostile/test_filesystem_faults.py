"""A full disk and a read-only home on real filesystems (a small tmpfs), where the machine
allows mounting one; test_errors.py covers the same messages without mounting."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from .conftest import DTOC_HEADER, dtoc_rows, write

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def tmpfs(tmp_path):
    mount = tmp_path / f"fs-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _build(landing: Path, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dagster_project.cli", "build", "--landing", str(landing), "--home", str(home)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "VITALSIGNS_SAMPLE": "1", "HOME": str(landing.parent)},
    )


def test_a_full_disk_ends_in_one_line_saying_so(tmp_path, tmpfs):
    landing = tmp_path / "landing"
    write(landing, "dtoc", "dtoc_20170401.csv", [DTOC_HEADER, *dtoc_rows()])
    before = (landing / "dtoc" / "dtoc_20170401.csv").read_bytes()
    proc = _build(landing, tmpfs / "home")
    (last,) = [ln for ln in proc.stderr.splitlines() if ln.startswith("error: ")]
    assert proc.returncode == 1
    assert last.startswith("error: the disk is full") and "free some space" in last, last
    assert "Traceback" not in proc.stderr
    assert (landing / "dtoc" / "dtoc_20170401.csv").read_bytes() == before


def test_a_read_only_home_ends_in_one_line_saying_so(tmp_path, tmpfs):
    landing = tmp_path / "landing"
    write(landing, "dtoc", "dtoc_20170401.csv", [DTOC_HEADER, *dtoc_rows()])
    (tmpfs / "home" / "warehouse").mkdir(parents=True)
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    proc = _build(landing, tmpfs / "home")
    (last,) = [ln for ln in proc.stderr.splitlines() if ln.startswith("error: ")]
    assert proc.returncode == 1
    assert "is read-only or belongs to someone else" in last and "Traceback" not in proc.stderr, last
