-- Annual ASCOF measures over a cohort of the financial year: carers (1C(1B), 1C(2B)),
-- adults with a learning disability (1E, 1G), reablement after discharge (2B(1), 2B(2)).
with years as (
    select distinct la_code, period_start as fy_start, period_end as fy_end
    from {{ ref('int_periods') }}
    where period_type = 'financial_year'
),

carer_services as (
    select
        y.la_code, y.fy_end, s.person_id,
        bool_or(s.is_self_directed) as self_directed,
        bool_or(s.is_direct_payment) as direct_payment
    from years as y
    inner join {{ ref('stg_services') }} as s
        on s.la_code = y.la_code and s.client_type = {{ code('client_type', 'Carer') }} and s.is_carer_specific
            and s.start_date <= y.fy_end and (s.end_date is null or s.end_date >= y.fy_start)
    left join {{ ref('int_people_ages') }} as p on p.la_code = s.la_code and p.person_id = s.person_id
    where p.date_of_birth is null or {{ age_at('p.date_of_birth', 'y.fy_end') }} >= 18
    group by 1, 2, 3
),

ld_cohort as (
    select distinct y.la_code, y.fy_end, s.person_id
    from years as y
    inner join {{ ref('stg_services') }} as s
        on s.la_code = y.la_code
            and s.is_long_term
            and s.client_type = {{ code('client_type', 'Service User') }}
            and s.is_council_supported
            and s.start_date <= y.fy_end and (s.end_date is null or s.end_date >= y.fy_start)
    inner join {{ ref('int_people_ages') }} as p on p.la_code = s.la_code and p.person_id = s.person_id
    where p.primary_support_reason = {{ code('primary_support_reason', 'Learning Disability Support') }}
        and {{ age_at('p.date_of_birth', 'y.fy_end') }} between 18 and 64
),

latest_status as (
    -- the latest non-empty status of each kind recorded on or before the year end
    select
        c.la_code, c.fy_end, c.person_id,
        max_by(cs.is_paid_employment, cs.as_at_date) filter (where cs.employment_status is not null)
            as is_paid_employment,
        max_by(cs.is_settled_accommodation, cs.as_at_date) filter (where cs.accommodation_status is not null)
            as is_settled_accommodation
    from ld_cohort as c
    inner join {{ ref('stg_client_status') }} as cs
        on cs.la_code = c.la_code and cs.person_id = c.person_id and cs.as_at_date <= c.fy_end
    group by all
),

ld as (
    select c.*, s.is_paid_employment, s.is_settled_accommodation
    from ld_cohort as c
    left join latest_status as s using (la_code, fy_end, person_id)
),

discharges as (
    select
        y.la_code, y.fy_end,
        count(*) as discharged,
        count(*) filter (where r.status_at_91_days = {{ code('status_at_91_days', 'At home') }}) as at_home
    from years as y
    inner join {{ ref('int_reablement_episodes') }} as r
        on r.la_code = y.la_code and r.hospital_discharge and r.age_at_start >= 65
            and r.start_date between make_date(year(y.fy_start), 10, 1) and make_date(year(y.fy_start), 12, 31)
    group by 1, 2
),

nhs_discharges as (
    select la_code, period_end as fy_end, denominator
    from {{ ref('stg_indicator_values') }}
    where indicator_code = '2B2' and period_type = 'financial_year'
)

select
    la_code, '1C1B' as indicator_code, fy_end as as_at,
    count(*) filter (where self_directed) as numerator, count(*) as denominator
from carer_services
group by all
union all
select la_code, '1C2B', fy_end, count(*) filter (where direct_payment), count(*) from carer_services
group by all
union all
select la_code, '1E', fy_end, count(*) filter (where is_paid_employment), count(*) from ld
group by all
union all
select
    la_code, '1G', fy_end,
    count(*) filter (where is_settled_accommodation),
    count(*)
from ld
group by all
union all
select la_code, '2B1', fy_end, at_home, discharged from discharges
union all
select d.la_code, '2B2', d.fy_end, d.discharged, n.denominator
from discharges as d left join nhs_discharges as n using (la_code, fy_end)
