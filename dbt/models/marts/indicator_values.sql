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
            case when k.kind = 'event' and k.unit in ('per 100k', 'count')
                    then
                        {{ window_months('r.period_type', 'r.period_end') }}
                        = {{ window_months('k.dashboard_period_type', 'r.period_end') }}
                else true
            end as applies
        from resolved as r
        inner join catalogue as k using (indicator_code)
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
    inner join catalogue as k using (indicator_code)
),

with_rag as (
    select *, {{ rag('display_value', 'target', 'polarity', 'tolerance') }} as rag
    from rated
),

neighbours as (
    select
        w.*,
        lag(display_value) over w_prev as prev_value,
        lag(period_end) over w_prev as prev_period_end
    from with_rag as w
    window w_prev as (partition by la_code, indicator_code, period_type order by period_end)
),

directions as (
    select
        n.*,
        case when n.prev_value is null or n.display_value is null
                or n.prev_period_end <> last_day(n.period_end - case n.period_type
                    when 'quarter' then interval 3 month when 'financial_year' then interval 12 month
                    else interval 1 month
                end)
                then null
            when n.display_value = n.prev_value then 'No change'
            when (n.polarity = 'bigger') = (n.display_value > n.prev_value) then 'Improving'
            else 'Worsening'
        end as direction_prev,
        case when y.display_value is null or n.display_value is null then null
            when n.display_value = y.display_value then 'No change'
            when (n.polarity = 'bigger') = (n.display_value > y.display_value) then 'Improving'
            else 'Worsening'
        end as direction_yoy
    from neighbours as n
    left join with_rag as y
        on y.la_code = n.la_code and y.indicator_code = n.indicator_code and y.period_type = n.period_type
            and y.period_end = last_day(n.period_end - interval 12 month)
),

runs as (
    select
        *,
        count(*) filter (where direction_prev = 'Worsening') over (
            partition by la_code, indicator_code, period_type
            order by period_end rows between 2 preceding and current row
        ) = 3 as three_deteriorations
    from directions
)

select
    la_code,
    indicator_code,
    period_type,
    period_end,
    financial_year,
    numerator,
    denominator,
    value,
    display_value,
    target,
    target_source,
    rag,
    direction_prev,
    direction_yoy,
    three_deteriorations,
    target is null and three_deteriorations as watch,
    is_override,
    value_source,
    value_note,
    population_note
from runs
