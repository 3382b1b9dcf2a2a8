"""`vitalsigns cld-return`: what it prints, and one clear line for a wrong council, period or landing."""

from __future__ import annotations

from dagster_project import cli

from .conftest import LA, PERIOD, write_landing


def _landing(tmp_path):
    return write_landing(
        tmp_path / "landing",
        {
            "people": [dict(person_id="P1", gender="Female", date_of_birth="1950-01-01")],
            "reviews": [
                dict(
                    review_id="V1",
                    person_id="P1",
                    review_date="2025-01-15",
                    review_type="Planned",
                    review_outcome="No change in support",
                )
            ],
        },
    )


def test_prints_the_files_and_the_findings(tmp_path, capsys):
    landing = _landing(tmp_path)
    code = cli.main(
        [
            "cld-return",
            "--la",
            LA,
            "--period",
            PERIOD,
            "--landing",
            str(landing),
            "--home",
            str(tmp_path / "home"),
            "--no-ascof",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert f"exports/{LA}/cld_return_{LA}_{PERIOD}.csv (1 rows)" in out
    assert "0 structural error(s)" in out and "invalid values: 0" in out


def test_wrong_arguments_are_one_line_errors(tmp_path, capsys):
    landing = _landing(tmp_path)
    home = ["--landing", str(landing), "--home", str(tmp_path / "home"), "--no-ascof"]
    assert cli.main(["cld-return", "--la", "NORFOLK", "--period", PERIOD, *home]) == 1
    assert "is not an ONS council code" in capsys.readouterr().err
    assert cli.main(["cld-return", "--la", LA, "--period", "2024-12", *home]) == 1
    assert "give a financial-year quarter as YYYY-Qn" in capsys.readouterr().err
    assert cli.main(["cld-return", "--la", "E10000024", "--period", PERIOD, *home]) == 1
    assert "no Liquid Logic events for E10000024" in capsys.readouterr().err
    assert not (tmp_path / "home" / "exports" / "E10000024").exists()
