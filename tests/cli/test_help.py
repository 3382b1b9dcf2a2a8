"""`--help` gives every option with its default, the exit codes, examples and the environment."""

from __future__ import annotations

import pytest

from dagster_project.cli import main


def help_text(capsys, *command: str) -> str:
    with pytest.raises(SystemExit) as exit_:
        main([*command, "--help"])
    assert exit_.value.code == 0
    return " ".join(capsys.readouterr().out.split())  # argparse wraps lines


@pytest.mark.parametrize(
    "command,expected",
    [
        (
            "sample",
            [
                "--councils N number of councils (default: 1)",
                "--years N years of history (default: 2)",
                "(default: 1.0)",
                "(default: 42)",
                "--dirty add data-quality noise (bad codes, duplicates, ...) (default: off)",
                "--end-month is the old spelling (default: 2017-03)",
                "(default 2023-06)",
                "(default 2025-03",
            ],
        ),
        (
            "build",
            [
                "(default: $VITALSIGNS_LANDING, else data/landing)",
                "(default: $VITALSIGNS_HOME, else data)",
                "(default: VITALSIGNS_PERIOD, else each council's latest month with data)",
                "default: only each council's last 24 month ends)",
                "exit codes:",
                "VITALSIGNS_SALT",
                "examples:",
            ],
        ),
        ("ui", ["--port N port (default: 3000)", "(default: $VITALSIGNS_LANDING, else data/landing)"]),
        (
            "check",
            [
                "(default: $VITALSIGNS_LANDING, else data/landing)",
                "(default: none)",
                "exit codes:",
                "2 nothing to check",
                "VITALSIGNS_SALT",
                "example:",
            ],
        ),
    ],
)
def test_every_option_of_every_command_shows_its_default(capsys, command, expected):
    text = help_text(capsys, command)
    for phrase in expected:
        assert phrase in text, phrase
    assert "(default: None)" not in text and "(default: False)" not in text
    assert "full tracebacks (all) (default: off)" in text  # --verbose, after the command too


def test_every_option_has_a_default_or_says_it_is_required():
    import argparse

    from dagster_project.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, command in sub.choices.items():
        formatter = command._get_formatter()
        for action in command._actions:
            if not action.option_strings or action.dest == "help":
                continue
            shown = formatter._get_help_string(action) or ""
            assert "default" in shown or action.required, f"{name} {action.option_strings}: {shown!r}"


def test_the_main_help_names_the_environment_and_the_guide(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    for phrase in ("VITALSIGNS_SALT", "VITALSIGNS_LANDING", "VITALSIGNS_HOME", "docs/own-extracts.md", "examples:"):
        assert phrase in text
