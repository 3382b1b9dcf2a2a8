with with_rag as (select * from {{ ref('int_indicator_values_rated') }}),

spc as (select * from {{ ref('int_spc_summary') }}),

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
                or {{ crosses_break('n.la_code', 'n.indicator_code', 'n.prev_period_end', 'n.period_end') }}
                then null
            when n.display_value = n.prev_value then 'No change'
            when (n.polarity = 'bigger') = (n.display_value > n.prev_value) then 'Improving'
            else 'Worsening'
        end as direction_prev,
        case when y.display_value is null or n.display_value is null
                or {{ crosses_break('n.la_code', 'n.indicator_code', 'y.period_end', 'n.period_end') }} then null
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
    population_note,
    s.spc_variation,
    s.spc_assurance
from runs
-- the monthly series' SPC icons as of this period end, on every period type ending then
left join spc as s using (la_code, indicator_code, period_end)
