-- The forecast's backtest (docs/decisions.md "Year-end forecast"): every forecast of a year whose
-- outturn is known, summarised by method and months remaining. Intervals are those the pack would
-- have shown (sized from earlier years only), so their coverage is measured out of sample.
select
    method,
    months_remaining,
    count(*) as forecasts,
    avg(abs(outturn - forecast) / nullif(abs(outturn), 0)) * 100 as mape,
    median(abs(outturn - forecast) / nullif(abs(outturn), 0)) * 100 as median_ape,
    count(forecast_lower) as with_interval,
    avg(case when forecast_lower is not null then (outturn between forecast_lower and forecast_upper)::int end)
        as interval_coverage,
    avg(case when forecast_lower is not null then (forecast_upper - forecast_lower) / nullif(abs(forecast), 0) end)
    * 100 as interval_width_pct
from {{ ref('int_year_end_forecast') }}
where forecast is not null and outturn is not null
group by method, months_remaining
