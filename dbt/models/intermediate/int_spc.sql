-- SPC (macros/spc.sql) over every council's monthly series, as it stood at each month (as_of):
-- one row per point up to as_of, so a past month's pack shows the chart it would have shown then.
-- Limits restart at each series break (segment_start); a segment with fewer than spc_min_points
-- points has no limits.
with monthly as (
    -- qualified: unqualified names inside the macro's subquery would bind to the breaks' own
    -- columns, and every council would restart at every council's breaks
    -- the series key an integer: the SPC windows partition and sort 2.4 million rows by it (at 10
    -- councils x 10 years), a third cheaper than on the text of the council and the indicator
    select
        dense_rank() over (order by v.la_code, v.indicator_code) as series_key,
        v.la_code, v.indicator_code, v.period_end, v.value, v.target, v.polarity,
        {{ segment_start('v.la_code', 'v.indicator_code', 'v.period_end') }} as segment_start
    from {{ ref('int_indicator_values_rated') }} as v
    where v.period_type = 'month' and v.value is not null
),

series as (
    select
        p.series_key, p.la_code, p.indicator_code,
        a.period_end as as_of, p.segment_start, p.period_end, p.value, p.target, p.polarity
    from monthly as a
    inner join monthly as p
        on p.la_code = a.la_code and p.indicator_code = a.indicator_code and p.period_end <= a.period_end
),

points as (
    {{ spc_points('series') }}
)

select
    la_code,
    indicator_code,
    as_of,
    period_end,
    segment_start,
    value,
    target,
    polarity,
    n_points,
    centre as mean,
    lower_limit,
    upper_limit,
    special_cause,
    special_cause_rule,
    variation
from points
