-- Reporting windows for every council and month end: month, quarter (financial, at quarter
-- ends), year to date, rolling 12 months and financial year (at March). is_complete says
-- whether the council's data covers the whole window.
with months as (select * from {{ ref('int_council_months') }}),

windows as (
    select la_code, 'month' as period_type, month_start as period_start, month_end as period_end, data_start from months
    union all
    select la_code, 'quarter', (month_start - interval 2 month)::date, month_end, data_start
    from months
    where month(month_end) in (3, 6, 9, 12)
    union all
    select la_code, 'ytd', make_date({{ fy_start_year('month_end') }}, 4, 1), month_end, data_start from months
    union all
    select la_code, 'rolling_12m', (month_start - interval 11 month)::date, month_end, data_start from months
    union all
    select la_code, 'financial_year', make_date(year(month_end) - 1, 4, 1), month_end, data_start
    from months
    where month(month_end) = 3
)

select
    la_code,
    period_type,
    period_start,
    period_end,
    {{ financial_year_of('period_end') }} as financial_year,
    period_start >= data_start as is_complete
from windows
