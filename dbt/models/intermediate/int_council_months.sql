-- Every month a council has activity in, from its first to its last: the periods that
-- indicator_values is computed for. Every dated event a measure counts contributes (requests,
-- assessments completed, reablement episodes ended, DToC months, reviews, holding-list
-- snapshots, service starts and ends), so a council whose extracts hold only people and
-- services still gets its admissions and long-term-support measures.
-- Services carry open packages that began long before the case-management system went live
-- (start dates decades back) and planned end dates after the extract: they contribute the span
-- from their first recorded closure to their last start, the span the system has recorded.
with services as (
    select
        la_code, start_date, end_date,
        min(end_date) over (partition by la_code) as first_end,
        max(start_date) over (partition by la_code) as last_start
    from {{ ref('stg_services') }}
),

activity as (
    select la_code, request_date as d from {{ ref('stg_requests') }}
    union all
    select la_code, end_date from {{ ref('stg_reablement') }}
    where end_date is not null
    union all
    select la_code, period_end from {{ ref('stg_dtoc') }}
    union all
    select la_code, completion_date from {{ ref('stg_assessments') }}
    where completion_date is not null
    union all
    select la_code, review_date from {{ ref('stg_reviews') }}
    union all
    select la_code, snapshot_date from {{ ref('stg_holding_list') }}
    union all
    select la_code, start_date from services
    where first_end is null or start_date >= first_end
    union all
    select la_code, end_date from services
    where end_date <= last_start
),

bounds as (
    select
        la_code,
        date_trunc('month', min(d))::date as first_month,
        date_trunc('month', max(d))::date as last_month
    from activity
    where d is not null and la_code is not null
    group by 1
)

select
    b.la_code,
    m.month_start::date as month_start,
    last_day(m.month_start)::date as month_end,
    b.first_month as data_start
from bounds as b,
    {{ series('b.first_month', 'b.last_month', 'month_start', step='1 month') }} as m
