-- The target in force for each council, indicator and month: a monthly profiled target
-- where supplied, else the financial year's annual target profiled flat, or linearly from
-- the previous year's outturn (April = 1/12 of the way, March = the annual target).
-- for_financial_year rows give the annual target itself, for the financial_year period.
with supplied_monthly as (
    select la_code, indicator_code, period_end as month_end, target from {{ ref('stg_targets') }}
    where period is not null
),

annual as (
    select
        la_code, indicator_code, financial_year, target, profile,
        {{ fy_label_start('financial_year') }} as fy_start
    from {{ ref('stg_targets') }}
    where period is null and financial_year is not null
),

annual_months as (
    select a.*, last_day({{ dbt.dateadd('month', 'm.k - 1', 'make_date(a.fy_start, 4, 1)') }}) as month_end, m.k
    from annual as a, {{ series('1', '12', 'k') }} as m
),

outturns as (
    select la_code, indicator_code, period_end, value
    from {{ ref('int_indicator_values_resolved') }}
    where period_type = 'financial_year'
),

profiled as (
    select
        a.la_code, a.indicator_code, a.month_end,
        case when a.profile = {{ code('profile', 'linear') }} and o.value is not null
                then o.value + (a.target - o.value) * a.k / 12.0
            else a.target
        end as target,
        'annual ' || a.profile || case when a.profile = {{ code('profile', 'linear') }} and o.value is null
                then ' (no previous outturn: flat)'
            else ''
        end as target_source
    from annual_months as a
    left join outturns as o
        on o.la_code = a.la_code and o.indicator_code = a.indicator_code
            and o.period_end = make_date(a.fy_start, 3, 31)
),

monthly as (
    select
        coalesce(m.la_code, p.la_code) as la_code,
        coalesce(m.indicator_code, p.indicator_code) as indicator_code,
        coalesce(m.month_end, p.month_end) as month_end,
        coalesce(m.target, p.target) as target,
        case when m.target is not null then 'monthly' else p.target_source end as target_source
    from supplied_monthly as m
    full outer join profiled as p using (la_code, indicator_code, month_end)
)

select la_code, indicator_code, month_end, target, target_source, false as for_financial_year from monthly
union all
-- the financial-year period is rated against the annual target, else March's monthly target
select
    coalesce(a.la_code, m.la_code), coalesce(a.indicator_code, m.indicator_code),
    coalesce(make_date(a.fy_start + 1, 3, 31), m.month_end),
    coalesce(a.target, m.target), case when a.target is not null then 'annual' else m.target_source end, true
from annual as a
full outer join (
    select * from monthly
    where month(month_end) = 3
) as m
    on m.la_code = a.la_code and m.indicator_code = a.indicator_code and m.month_end = make_date(a.fy_start + 1, 3, 31)
