"""The optional failure hook: a command and a webhook get a short summary of what failed."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from dagster_project import alerts
from dagster_project.build_runner import BuildOutcome


def test_command_hook_receives_the_summary(tmp_path, monkeypatch):
    out = tmp_path / "summary.txt"
    monkeypatch.setenv("VITALSIGNS_FAILURE_COMMAND", f"cat > {out}")
    monkeypatch.delenv("VITALSIGNS_FAILURE_WEBHOOK", raising=False)
    assert alerts.notify_failure("asset raw/people: quarantined") == ["command"]
    assert out.read_text() == "asset raw/people: quarantined"


def test_webhook_hook_posts_json_to_a_local_server(monkeypatch):
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.handle_request)
    thread.start()
    monkeypatch.delenv("VITALSIGNS_FAILURE_COMMAND", raising=False)
    monkeypatch.setenv("VITALSIGNS_FAILURE_WEBHOOK", f"http://127.0.0.1:{server.server_port}/hook")
    assert alerts.notify_failure("dbt test failed") == ["webhook"]
    thread.join(10)
    server.server_close()
    assert received == [{"text": "dbt test failed"}]


def test_a_broken_hook_never_hides_the_failure(monkeypatch):
    monkeypatch.setenv("VITALSIGNS_FAILURE_COMMAND", "exit 3")
    monkeypatch.setenv("VITALSIGNS_FAILURE_WEBHOOK", "http://127.0.0.1:9/nothing-listens")
    assert alerts.notify_failure("x") == []


def test_a_failed_cli_build_calls_the_hook_and_exits_1(tmp_path, monkeypatch, capsys):
    from dagster_project import build_runner, cli

    out = tmp_path / "summary.txt"
    monkeypatch.setenv("VITALSIGNS_FAILURE_COMMAND", f"cat > {out}")
    monkeypatch.setattr(
        build_runner,
        "run_everything",
        lambda settings, instance=None, **kw: BuildOutcome(False, ["asset raw/dtoc: bad file"]),
    )
    (tmp_path / "landing").mkdir()
    code = cli.main(["build", "--landing", str(tmp_path / "landing"), "--home", str(tmp_path / "home")])
    assert code == 1
    assert "asset raw/dtoc: bad file" in capsys.readouterr().err
    assert "asset raw/dtoc: bad file" in out.read_text()


@pytest.mark.parametrize("flag,expected", [([], False), (["--full-refresh"], True)])
def test_cli_build_passes_full_refresh_through(tmp_path, monkeypatch, flag, expected):
    from dagster_project import build_runner, cli

    seen = {}
    monkeypatch.setattr(
        build_runner, "run_everything", lambda settings, instance=None, **kw: seen.update(kw) or BuildOutcome(True)
    )
    (tmp_path / "landing").mkdir()
    assert cli.main(["build", "--landing", str(tmp_path / "landing"), "--home", str(tmp_path / "home"), *flag]) == 0
    assert seen["full_refresh"] is expected


def test_a_second_build_on_the_same_home_fails_clearly(tmp_path, monkeypatch, capsys):
    from dagster_project import cli
    from dagster_project.resources.warehouse import exclusive_lock

    (tmp_path / "landing").mkdir()
    with exclusive_lock(tmp_path / "home" / ".build.lock", 1, "another vitalsigns build"):
        code = cli.main(["build", "--landing", str(tmp_path / "landing"), "--home", str(tmp_path / "home")])
    assert code == 3
    assert "another vitalsigns build is locked by pid" in capsys.readouterr().err
