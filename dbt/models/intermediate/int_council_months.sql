-- Every month a council has activity in, from its first request, reablement episode or DToC
-- month to its last: the periods that indicator_values is computed for.
with activity as (
    select la_code, request_date as d from {{ ref('stg_requests') }}
    union all select la_code, end_date from {{ ref('stg_reablement') }} where end_date is not null
    union all select la_code, period_end from {{ ref('stg_dtoc') }}
    union all select la_code, completion_date from {{ ref('stg_assessments') }} where completion_date is not null
),

bounds as (
    select la_code,
           date_trunc('month', min(d))::date as first_month,
           date_trunc('month', max(d))::date as last_month
    from activity
    where d is not null
    group by 1
)

select
    b.la_code,
    m.month_start::date as month_start,
    last_day(m.month_start)::date as month_end,
    b.first_month as data_start
from bounds b,
     lateral (select unnest(generate_series(b.first_month, b.last_month, interval 1 month)) as month_start) m
