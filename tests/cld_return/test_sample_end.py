"""`vitalsigns sample --end YYYY-MM` (the documented flag; --end-month still works; default 2017-03)."""

from __future__ import annotations

import pytest

from dagster_project import cli


@pytest.mark.parametrize(
    "args, stamp", [(["--end", "2025-03"], "20250401"), (["--end-month", "2024-06"], "20240701"), ([], "20170401")]
)
def test_end_sets_the_last_month_of_the_liquid_logic_data(tmp_path, args, stamp):
    out = tmp_path / "s"
    assert cli.main(["sample", "--out", str(out), "--years", "1", "--scale", "0.01", *args]) == 0
    assert (out / "liquidlogic" / f"people_{stamp}.csv").exists()


def test_a_bad_end_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit):
        cli.main(["sample", "--out", str(tmp_path / "s"), "--end", "2025"])
