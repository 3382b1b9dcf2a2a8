-- Snapshot measures at each month end: numerator and denominator (per-100k measures leave
-- the denominator to the population).
with ltc as (select * from {{ ref('int_long_term_support_snapshots') }}),

carers as (
    select d.la_code, d.month_end as as_at, count(distinct s.person_id) as carers
    from {{ ref('int_council_months') }} as d
    inner join {{ ref('stg_services') }} as s
        on s.la_code = d.la_code and s.client_type = {{ code('client_type', 'Carer') }} and s.is_carer_support
            and s.start_date <= d.month_end and (s.end_date is null or s.end_date >= d.month_end)
    group by d.la_code, d.month_end
),

holding as (
    select
        la_code, last_day(snapshot_date) as as_at, snapshot_date, count(distinct person_id) as waiting,
        row_number() over (partition by la_code, last_day(snapshot_date) order by snapshot_date desc) as latest
    from {{ ref('stg_holding_list') }}
    group by la_code, snapshot_date
)

select
    la_code, '1C1A' as indicator_code, as_at,
    count(*) filter (where community_self_directed) as numerator, count(*) filter (where in_community) as denominator
from ltc
group by all
union all
select
    la_code, '1C2A', as_at,
    count(*) filter (where community_direct_payment), count(*) filter (where in_community)
from ltc
group by all
union all
select la_code, 'VS_RESIDENTIAL_RATE', as_at, count(*) filter (where in_residential_or_nursing), null
from ltc
group by all
union all
select
    la_code, 'VS_COMMUNITY_CARE_PCT', as_at,
    count(*) filter (where in_community and not in_residential_or_nursing), count(*)
from ltc
group by all
union all
select la_code, 'VS_SERVICE_USERS_18_64', as_at, count(*) filter (where age_band = '18-64'), null
from ltc
group by all
union all
select la_code, 'VS_SERVICE_USERS_65_PLUS', as_at, count(*) filter (where age_band = '65+'), null
from ltc
group by all
union all
select
    la_code, 'VS_LD_EMPLOYMENT', as_at,
    count(*) filter (where {{ code_set('paid_employment') }}), count(*)
from ltc
where primary_support_reason = {{ code('primary_support_reason', 'Learning Disability Support') }}
    and age_band = '18-64'
group by all
union all
select
    la_code, 'VS_MH_EMPLOYMENT', as_at,
    count(*) filter (where {{ code_set('paid_employment') }}), count(*)
from ltc
where primary_support_reason = {{ code('primary_support_reason', 'Mental Health Support') }} and age_band = '18-64'
group by all
union all
select la_code, 'VS_CARERS_RATE', as_at, carers, null from carers
union all
select la_code, 'RC_HOLDING_LIST', as_at, waiting, null from holding
where latest = 1
