-- Delayed days per council, month and responsible organisation, as beds delayed per day
-- per 100,000 people aged 18+ (ASCOF 2C).
with dtoc as (
    select la_code, period, period_end, responsible_org, sum(delayed_days) as delayed_days
    from {{ ref('stg_dtoc') }}
    group by all
),

pop as (
    select * from {{ ref('int_period_population') }}
    where age_band = '18+'
)

select
    d.la_code,
    d.period,
    d.period_end,
    d.responsible_org,
    d.delayed_days,
    day(d.period_end) as days_in_month,
    p.population as population_18_plus,
    p.population_note,
    {{ safe_ratio('d.delayed_days / day(d.period_end)', 'p.population', 100000) }} as rate_per_100k
from dtoc as d
left join pop as p on p.la_code = d.la_code and p.period_end = d.period_end
