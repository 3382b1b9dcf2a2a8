{{ config(materialized="view") }}
-- The selected submissions' rows, each filtered to its file's reference period
-- (FilterToEventsInPeriod). The end date is first replaced by the date of death when death
-- falls between start and end, or after the start of an event with no end. Requests,
-- assessments and reviews must end inside the period; services may run on or be open; nothing
-- may start after it; a person who died before the period or before the event start is dropped.
with cld as (select * from {{ ref('stg_cld') }}),

chosen as (select * from {{ ref('int_cld_joined_submissions') }}),

joined as (
    select
        c.*, s.ref_period_start, s.ref_period_end,
        case when (c.date_of_death between c.event_start_date and c.event_end_date)
                or (c.date_of_death > c.event_start_date and c.event_end_date is null)
                then c.date_of_death
            else c.event_end_date
        end as der_event_end_date
    from cld as c
    inner join chosen as s using (la_code, submitted_at)
)

select *
from joined
where ((
    not is_service
    and der_event_end_date between ref_period_start and ref_period_end
    and event_start_date <= ref_period_end
)
or (
    is_service
    and (der_event_end_date >= ref_period_start or der_event_end_date is null)
    and event_start_date <= ref_period_end
))
and (
    date_of_death is null
    or (date_of_death >= ref_period_start and date_of_death >= event_start_date)
)
