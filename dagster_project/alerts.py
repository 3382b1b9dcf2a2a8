"""Tell someone when a build fails: a command and/or a webhook from configuration.

The failure command (VITALSIGNS_FAILURE_COMMAND) is run with the summary on stdin (and in
$VITALSIGNS_FAILURE_SUMMARY, in that command's environment only); the webhook
(VITALSIGNS_FAILURE_WEBHOOK, a secret: an EnvVar) receives a JSON POST {"text": summary}. Both
optional; a broken hook is logged, never allowed to hide the failure it reports.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import urllib.request
from collections.abc import Mapping

import dagster as dg
from pydantic import Field

from .settings import Settings

log = logging.getLogger(__name__)


class AlertsResource(dg.ConfigurableResource):
    """Where failure alerts go; filled once from Settings (definitions.build_resources)."""

    failure_command: str | None = Field(
        None, description="shell command given the summary on stdin (VITALSIGNS_FAILURE_COMMAND)"
    )
    failure_webhook: str | None = Field(
        None, description='URL that gets {"text": summary} (VITALSIGNS_FAILURE_WEBHOOK, an EnvVar)'
    )

    @classmethod
    def from_settings(cls, settings: Settings, env: Mapping[str, str] | None = None) -> AlertsResource:
        env = os.environ if env is None else env
        webhook = settings.failure_webhook
        if webhook and env.get("VITALSIGNS_FAILURE_WEBHOOK") == webhook:
            webhook = dg.EnvVar("VITALSIGNS_FAILURE_WEBHOOK")
        return cls(failure_command=settings.failure_command, failure_webhook=webhook)

    def notify(self, summary: str) -> list[str]:
        return notify_failure(summary, self.failure_command, self.failure_webhook, from_env=False)


def notify_failure(
    summary: str, command: str | None = None, url: str | None = None, from_env: bool | None = None
) -> list[str]:
    """Call the hooks; return what was done (for logs and tests). Without a command or url, the
    configured ones (Settings.from_env) are used."""
    if from_env if from_env is not None else (command is None and url is None):
        settings = Settings.from_env()
        command, url = settings.failure_command, settings.failure_webhook
    done = []
    if command:
        try:
            subprocess.run(
                command,
                shell=True,
                input=summary,
                text=True,
                timeout=60,
                check=True,
                env={**os.environ, "VITALSIGNS_FAILURE_SUMMARY": summary},
            )
            done.append("command")
        except (subprocess.SubprocessError, OSError) as exc:
            log.error("failure command %r failed: %s", command, exc)
    if url:
        try:
            req = urllib.request.Request(
                url, data=json.dumps({"text": summary}).encode(), headers={"Content-Type": "application/json"}
            )
            urllib.request.urlopen(req, timeout=20).close()
            done.append("webhook")
        except OSError as exc:
            log.error("failure webhook %s failed: %s", url, exc)
    return done


def step_failure_message(event) -> str:
    """One line saying why a step failed: a raised dg.Failure's own description, else the innermost
    error's last line (the outer ones are Dagster's wrapping)."""
    data = event.step_failure_data
    if data is None:
        return "failed"
    if data.user_failure_data is not None and data.user_failure_data.description:
        return data.user_failure_data.description.strip().splitlines()[-1]
    err = data.error
    while err is not None and err.cause is not None:
        err = err.cause
    return (err.message.strip().splitlines() or ["unknown error"])[-1] if err else "unknown error"


@dg.run_failure_sensor(
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Calls the configured failure command / webhook with the failing step and message.",
)
def failure_hook(context: dg.RunFailureSensorContext, alerts: AlertsResource):
    steps = context.get_step_failure_events()
    lines = [f"vitalsigns run {context.dagster_run.run_id[:8]} ({context.dagster_run.job_name}) failed"]
    for event in steps:
        lines.append(f"- {event.step_key}: {step_failure_message(event)}")
    if not steps:
        lines.append(f"- {context.failure_event.message}")
    alerts.notify("\n".join(lines))
