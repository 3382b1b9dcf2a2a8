-- Every indicator value with its target, display value and RAG: what marts.indicator_values
-- adds its comparisons to, and what SPC (int_spc) reads; one place for the rating.
with catalogue as (select * from {{ ref('indicator_catalogue') }}),

resolved as (select * from {{ ref('int_indicator_values_resolved') }}),

targets as (select * from {{ ref('int_indicator_targets') }}),

targeted as (
    -- A count or per-100k rate of events grows with the window, so its target holds only for
    -- windows as long as the one it was set for (the dashboard's period type: a 12-month target
    -- for rolling admissions, a monthly one for reviews): no rating of a month against a year.
    -- Percentages, stocks at month end and DToC (a mean per day) do not depend on the window.
    select
        r.*, {{ fy_label(fy_start_year('r.period_end')) }} as financial_year,
        case when applies then t.target end as target, case when applies then t.target_source end as target_source
    from (
        select
            r.*,
            case when {{ grows_with_window('k.kind', 'k.unit') }}
                    then
                        {{ window_months('r.period_type', 'r.period_end') }}
                        = {{ window_months('k.dashboard_period_type', 'r.period_end') }}
                else true
            end as applies
        from resolved as r
        -- on, not using: Spark's r.* puts a using column first
        inner join catalogue as k on k.indicator_code = r.indicator_code
    ) as r
    left join targets as t
        on t.la_code = r.la_code and t.indicator_code = r.indicator_code and t.month_end = last_day(r.period_end)
            and t.for_financial_year = (r.period_type = 'financial_year')
),

rated as (
    select
        t.*,
        k.polarity,
        k.decimals,
        {{ rag_tolerance('k.tolerance') }} as tolerance,
        {{ round_half_away('t.value', 'k.decimals') }} as display_value
    from targeted as t
    inner join catalogue as k on k.indicator_code = t.indicator_code
),

with_rag as (
    select *, {{ rag('display_value', 'target', 'polarity', 'tolerance') }} as rag
    from rated
)

select * from with_rag
