-- DHSC's joined submissions: for each quarter ("reference period") from 1 April 2023 that ended
-- before the as-of date, each council's latest submission whose DERIVED period covers the quarter,
-- submitted after the quarter ended and on or before the as-of date (GetSubmissions). A file
-- chosen for several quarters gets ONE reference period, from the first to the last of them
-- (create_main_table_for_period.sql groups by file with MIN start and MAX end).
{% set as_of = var('cld_as_of') %}
with periods as (select * from {{ ref('int_cld_submission_periods') }}),

as_of as (
    select {% if as_of %}date '{{ as_of }}'{% else %}max(submitted_at)::date{% endif %} as as_of_date
    from {{ ref('stg_cld') }}
),

quarters as (
    select q::date as quarter_start, (q + interval 3 month - interval 1 day)::date as quarter_end
    -- the series runs to the as-of date inclusive; the condition keeps quarters that ended before it
    from as_of, {{ series("date '2023-04-01'", "coalesce(as_of_date, date '2023-04-01')", 'q', step='3 month') }} as t
    where (q + interval 3 month - interval 1 day)::date < as_of_date
),

eligible as (
    select
        q.quarter_start, q.quarter_end, p.la_code, p.submitted_at,
        row_number() over (partition by q.quarter_start, p.la_code order by p.submitted_at desc) as rn
    from quarters as q
    cross join as_of as a
    inner join periods as p
        on p.derived_start <= q.quarter_start and p.derived_end >= q.quarter_end
            and p.submitted_at > q.quarter_end::timestamp
            and p.submitted_at::date <= a.as_of_date
),

chosen as (
    select * from eligible
    where rn = 1
)

select
    la_code, submitted_at,
    min(quarter_start) as ref_period_start,
    max(quarter_end) as ref_period_end,
    count(*) as quarters_covered
from chosen
group by all
