"""The Dagster UI for real: serve the code location, load the asset graph in headless Chromium,
check the groups and the schedule are there, and launch one materialisation through GraphQL."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
GROUPS = {"ingestion", "staging", "intermediate", "marts", "publishing", "reports"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gql(port: int, query: str, variables: dict | None = None) -> dict:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        body = json.loads(resp.read())
    assert "errors" not in body, body["errors"]
    return body["data"]


@pytest.fixture(scope="module")
def ui(tmp_path_factory):
    root = tmp_path_factory.mktemp("ui")
    landing = root / "landing"
    (landing / "reference").mkdir(parents=True)
    (landing / "reference" / "family_groups_20170401.csv").write_text("la_code,family_group\nE10000020,CIPFA-Norfolk\n")
    (landing / ".vitalsigns-sample").write_text("synthetic\n")
    port = _free_port()
    env = {**os.environ, "VITALSIGNS_LANDING": str(landing), "VITALSIGNS_HOME": str(root / "home")}
    env.pop("DAGSTER_HOME", None)
    log = open(root / "ui.log", "w")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "vitalsigns"), "ui", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            data = gql(
                port, "{ repositoriesOrError { ... on RepositoryConnection { nodes { name location { name } } } } }"
            )
            if data["repositoriesOrError"]["nodes"]:
                break
        except Exception:
            pass
        if proc.poll() is not None:
            break
        time.sleep(2)
    else:
        pass
    if proc.poll() is not None:
        raise AssertionError("UI exited:\n" + (root / "ui.log").read_text()[-3000:])
    yield port, root
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    log.close()


def test_asset_groups_and_schedule_are_served(ui):
    port, _ = ui
    data = gql(port, "{ assetNodes { groupName assetKey { path } description } }")
    groups = {n["groupName"] for n in data["assetNodes"]}
    assert GROUPS <= groups
    described = [n for n in data["assetNodes"] if n["groupName"] in {"ingestion", "publishing", "reports"}]
    assert all(n["description"] for n in described)
    repos = gql(
        port,
        "{ repositoriesOrError { ... on RepositoryConnection { nodes { name location { name } "
        "schedules { name cronSchedule executionTimezone } sensors { name } } } } }",
    )
    repo = repos["repositoriesOrError"]["nodes"][0]
    assert {"name": "nightly_build", "cronSchedule": "0 2 * * *", "executionTimezone": "Europe/London"} in repo[
        "schedules"
    ]
    assert {"name": "landing_sensor"} in repo["sensors"]


def test_one_materialisation_launched_through_graphql_succeeds(ui):
    port, _ = ui
    repo = gql(port, "{ repositoriesOrError { ... on RepositoryConnection { nodes { name location { name } } } } }")
    node = repo["repositoriesOrError"]["nodes"][0]
    result = gql(
        port,
        """
        mutation Launch($params: ExecutionParams!) {
          launchRun(executionParams: $params) {
            __typename
            ... on LaunchRunSuccess { run { runId } }
            ... on PythonError { message }
            ... on InvalidSubsetError { message }
            ... on RunConfigValidationInvalid { errors { message } }
          }
        }""",
        {
            "params": {
                "selector": {
                    "repositoryLocationName": node["location"]["name"],
                    "repositoryName": node["name"],
                    "jobName": "__ASSET_JOB",
                    "assetSelection": [{"path": ["raw", "family_groups"]}],
                },
                "runConfigData": {},
            }
        },
    )
    launched = result["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]
    status = None
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        status = gql(port, "query R($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }", {"id": run_id})[
            "runOrError"
        ]["status"]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            break
        time.sleep(2)
    assert status == "SUCCESS"


@pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("chromium-browser")), reason="no Chromium")
def test_asset_graph_renders_in_headless_chromium(ui):
    port, root = ui
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    shot = Path(os.environ.get("VITALSIGNS_SCREENSHOT_DIR", root)) / "asset_graph.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={root / 'chrome'}",
        "--window-size=1600,1000",
        "--virtual-time-budget=20000",
    ]
    gql(port, "mutation { setNuxSeen }")  # the first-visit community pop-up would cover the graph
    url = f"http://127.0.0.1:{port}/asset-groups"
    dom = subprocess.run([chromium, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=120)
    assert "ingestion" in dom.stdout and "marts" in dom.stdout, dom.stdout[-2000:]
    subprocess.run([chromium, *flags, f"--screenshot={shot}", url], capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 10_000
