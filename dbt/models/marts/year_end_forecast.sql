-- The year-end forecast of each targeted indicator (int_year_end_forecast), at each month end from
-- April to February, rated against the year's annual target.
select
    la_code,
    indicator_code,
    as_of,
    financial_year,
    months_elapsed,
    months_remaining,
    method,
    ytd_value,
    last_year_ytd_value,
    last_year_outturn,
    forecast,
    forecast_lower,
    forecast_upper,
    interval_coverage,
    interval_errors,
    interval_note,
    annual_target,
    forecast_rag,
    forecast_note,
    outturn
from {{ ref('int_year_end_forecast') }}
where annual_target is not null
