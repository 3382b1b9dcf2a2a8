-- The stated and DERIVED reporting period of every CLD submission (DHSC's
-- REF_Submission_Reporting_Periods): count events ending per month before the import month;
-- keep months with >= 2% of the file's events and >= (file's event types - 1) types; the
-- period runs from the first kept month's start to the last kept month's end. Under 100 events,
-- every month is kept (the code's rule; the prose says the stated dates are used).
with cld as (select * from {{ ref('stg_cld') }}),

by_month as (
    select
        la_code, submitted_at,
        date_trunc('month', event_end_date)::date as month,
        count(distinct event_type) as n_types_in_month,
        count(*) as n_in_month
    from cld
    where event_end_date < date_trunc('month', submitted_at)::date
    group by all
),

per_file as (
    -- DHSC's "types in file" is the most types seen in any one month, not the file's distinct types
    select la_code, submitted_at, max(n_types_in_month) as n_types_in_file, sum(n_in_month) as n_in_file
    from by_month
    group by all
),

derived as (
    select
        m.la_code, m.submitted_at,
        min(case when 100.0 * m.n_in_month / f.n_in_file >= 2
                and m.n_types_in_month >= f.n_types_in_file - 1 and f.n_in_file >= 100 then m.month
            when f.n_in_file < 100 then m.month
        end) as derived_start,
        max(case when 100.0 * m.n_in_month / f.n_in_file >= 2
                and m.n_types_in_month >= f.n_types_in_file - 1 then last_day(m.month)
            when f.n_in_file < 100 then last_day(m.month)
        end) as derived_end
    from by_month as m inner join per_file as f using (la_code, submitted_at)
    group by all
),

stated as (
    select
        la_code, submitted_at,
        count(
            distinct coalesce(reporting_period_start_date::string, '')
            || coalesce(reporting_period_end_date::string, '')
        ) as n_stated_periods,
        min(reporting_period_start_date) as stated_start,
        max(reporting_period_end_date) as stated_end,
        count(*) as n_rows
    from cld
    group by all
)

select
    s.la_code, s.submitted_at, s.n_rows, s.n_stated_periods, s.stated_start, s.stated_end,
    d.derived_start, d.derived_end
from stated as s
left join derived as d using (la_code, submitted_at)
