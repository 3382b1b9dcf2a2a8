{#- Statistical process control, NHS England's "Making Data Count" (XmR), as NHS-R's
    NHSRplotthedots computes it (decisions: docs/decisions.md, "SPC and series breaks"). The one
    place the rules live: int_spc applies them to every monthly series, the tests to hand-made ones.

    spc_points(relation): relation has series_key, as_of, segment_start, period_end, value, polarity.
    One row per point: the segment's mean and limits from the points up to as_of, and the point's
    special cause (the first rule that holds: beyond a limit, trend, two of three near a limit, run). -#}

{% macro spc_points(relation) -%}
{%- set run_n = var('spc_run_points') | int -%}
{%- set trend_n = var('spc_trend_points') | int -%}
{#- a frame on a named window (over (w rows ...)) is DuckDB's; Spark needs the window spelled out -#}
{%- set w = 'partition by series_key, as_of, segment_start order by period_end' -%}
with prev as (
    -- the point before, once: the moving range and the step (trend) both read it
    select *, lag(value) over (partition by series_key, as_of, segment_start order by period_end) as prev_value
    from {{ relation }}
),
pts as (
    select *, abs(value - prev_value) as moving_range
    from prev
),
first_pass as (
    select *,
        count(*) over seg as n_points,
        avg(value) over seg as mean,
        avg(moving_range) over seg as amr_all
    from pts
    window seg as (partition by series_key, as_of, segment_start)
),
screened as (
    -- moving ranges above 3.267 x their mean are screened out and the mean taken again
    select *,
        avg(case when moving_range <= 3.267 * amr_all then moving_range end)
            over (partition by series_key, as_of, segment_start) as amr
    from first_pass
),
limits as (
    select *,
        case when n_points >= {{ var('spc_min_points') }} then mean end as centre,
        case when n_points >= {{ var('spc_min_points') }} then mean - 2.66 * amr end as lower_limit,
        case when n_points >= {{ var('spc_min_points') }} then mean + 2.66 * amr end as upper_limit,
        case when n_points >= {{ var('spc_min_points') }} then mean - 2 * 2.66 / 3 * amr end as near_lower,
        case when n_points >= {{ var('spc_min_points') }} then mean + 2 * 2.66 / 3 * amr end as near_upper
    from screened
),
marked as (
    select *,
        value > upper_limit or value < lower_limit as beyond,
        {{ sign_int('value - centre') }} as side,
        not (value > upper_limit or value < lower_limit) and (value > near_upper or value < near_lower) as near,
        {{ sign_int('value - prev_value') }} as step
    from limits
),
window_ends as (
    select *,
        -- the last point of a run of {{ run_n }} on one side of the mean (a point on the mean breaks it)
        count(*) over ({{ w }} rows between {{ run_n - 1 }} preceding and current row) = {{ run_n }}
            and min(side) over ({{ w }} rows between {{ run_n - 1 }} preceding and current row)
                = max(side) over ({{ w }} rows between {{ run_n - 1 }} preceding and current row)
            and side <> 0 as run_end,
        -- the last point of {{ trend_n }} points each above (below) the one before ({{ trend_n - 1 }} steps)
        count(step) over ({{ w }} rows between {{ trend_n - 2 }} preceding and current row) = {{ trend_n - 1 }}
            and min(step) over ({{ w }} rows between {{ trend_n - 2 }} preceding and current row)
                = max(step) over ({{ w }} rows between {{ trend_n - 2 }} preceding and current row)
            and step <> 0 as trend_end,
        -- three points on one side of the mean, two or more of them near a limit
        count(*) over ({{ w }} rows between 2 preceding and current row) = 3
            and abs(sum(side) over ({{ w }} rows between 2 preceding and current row)) = 3
            and count(case when near then 1 end) over ({{ w }} rows between 2 preceding and current row) >= 2 as two_of_three_end
    from marked
    window w as (partition by series_key, as_of, segment_start order by period_end)
),
parts as (
    select *,
        coalesce(bool_or(run_end) over ({{ w }} rows between current row and {{ run_n - 1 }} following), false) as in_run,
        coalesce(bool_or(trend_end) over ({{ w }} rows between current row and {{ trend_n - 1 }} following), false) as in_trend,
        near and coalesce(bool_or(two_of_three_end) over ({{ w }} rows between current row and 2 following), false) as in_two_of_three,
        lead(step) over w as next_step
    from window_ends
    window w as (partition by series_key, as_of, segment_start order by period_end)
),
parts2 as (
    select *, coalesce(lead(in_trend) over w, false) as next_in_trend
    from parts
    window w as (partition by series_key, as_of, segment_start order by period_end)
),
typed as (
    select *,
        case when centre is null then null
             when beyond then 'beyond a limit'
             when in_trend then 'trend'
             when in_two_of_three then 'two of three near a limit'
             when in_run then 'run'
             else 'common cause' end as special_cause_rule,
        case when centre is null then null
             when beyond then side
             -- a point in a trend takes the trend's direction: the step after it when that step
             -- is part of a trend too (the turning point of two trends), else the step before
             when in_trend then case when next_in_trend and next_step is not null then next_step else step end
             when in_two_of_three or in_run then side
             else 0 end as special_cause_direction
    from parts2
)
select *,
    special_cause_rule <> 'common cause' as special_cause,
    {{ spc_variation('special_cause_direction', 'polarity') }} as variation
from typed
{%- endmacro %}

{% macro spc_variation(direction, polarity) -%}
case when {{ direction }} is null then null
     when {{ direction }} = 0 then 'common_cause'
     when {{ polarity }} is null then 'special_cause_neither'
     when ({{ direction }} > 0) = ({{ polarity }} = 'bigger') then 'special_cause_improving'
     else 'special_cause_concerning' end
{%- endmacro %}

{#- Assurance: where the target lies against the latest limits (no target, no polarity: null). -#}
{% macro spc_assurance(target, lower_limit, upper_limit, polarity) -%}
case when {{ target }} is null or {{ polarity }} is null or {{ lower_limit }} is null then null
     when {{ target }} > {{ upper_limit }} then case when {{ polarity }} = 'bigger' then 'consistently_fail' else 'consistently_pass' end
     when {{ target }} < {{ lower_limit }} then case when {{ polarity }} = 'bigger' then 'consistently_pass' else 'consistently_fail' end
     else 'hit_and_miss' end
{%- endmacro %}
