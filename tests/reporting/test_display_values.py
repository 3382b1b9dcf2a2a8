"""Reports show the marts' display_value (rounded once, in dbt, where RAG is judged) and never round
`value` again: Python's decimal rounding and DuckDB's float rounding can disagree at a half."""

from __future__ import annotations

from types import SimpleNamespace

from dagster_project.reporting.data import ReasonNotes, fmt, fmt_display, value_cell


def row(value, display_value, **kw):
    return SimpleNamespace(
        value=value, display_value=display_value, suppressed=False, is_override=False, value_note=None, **kw
    )


def test_a_cell_shows_the_display_value_the_rating_was_judged_on():
    import duckdb

    # 1.005 is 1.00499999... as a double: dbt's round_half_away (DuckDB float arithmetic) gives 1.00,
    # and RAG is judged on that; rounding `value` again in Python (decimal, from its repr) gives 1.01
    with duckdb.connect() as con:
        dbt_display = con.execute(
            "select sign(1.005::double) * floor(abs(1.005::double) * power(10, 2) + 0.5) / power(10, 2)"
        ).fetchall()[0][0]
    assert dbt_display == 1.0 and fmt(1.005, "%", 2) == "1.01%"
    assert value_cell(row(1.005, dbt_display), "%", 2, ReasonNotes()) == "1.00%"


def test_display_values_are_formatted_not_rounded_again():
    assert fmt_display(618.0, "per 100k", 1) == "618.0"
    assert fmt_display(1234.0, "count", 0) == "1,234"
    assert fmt_display(None, "%", 1) == ""
    assert fmt_display(3.4, "%", 1, suppressed=True) == "*"


def test_override_and_no_data_cells_keep_their_marks():
    notes = ReasonNotes()
    assert (
        value_cell(
            row(
                90.04,
                90.0,
            ),
            "%",
            1,
            notes,
        )
        == "90.0%"
    )
    over = SimpleNamespace(value=90.04, display_value=90.0, suppressed=False, is_override=True, value_note=None)
    assert value_cell(over, "%", 1, notes) == "90.0%†"
    empty = SimpleNamespace(
        value=None, display_value=None, suppressed=False, is_override=False, value_note="no services file yet"
    )
    assert value_cell(empty, "%", 1, notes) == "no data [1]"
