-- The XmR chart of each report card: for each council, indicator and report month (as_of), the
-- monthly points of the chart window (spc_window_months) with the mean, process limits and
-- special causes as they stood at that month (int_spc). Values come from indicator_values.
select
    s.la_code,
    s.indicator_code,
    s.as_of,
    s.period_end,
    nullif(s.segment_start, date '0001-01-01') as segment_start,
    (
        select {{ string_agg_ordered('b.description', "'; '", 'b.description') }}
        from {{ ref('stg_series_breaks') }} as b
        where b.la_code = s.la_code and (b.indicator_code is null or b.indicator_code = s.indicator_code)
            and b.break_date = s.segment_start
    ) as series_break,
    mean,
    lower_limit,
    upper_limit,
    special_cause,
    special_cause_rule,
    variation
from {{ ref('int_spc') }} as s
where period_end > last_day(as_of - interval '{{ var('spc_window_months') }}' month)
