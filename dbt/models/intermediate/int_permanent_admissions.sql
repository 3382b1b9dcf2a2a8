-- Council-supported permanent admissions to residential and nursing care (ASCOF 2A).
-- A placement that starts within var('move_between_homes_days') days of the end of the same
-- person's previous permanent placement (of any funding), or while it is still open, is a
-- move between homes, not an admission. Age is taken on the start date.
with placements as (
    select
        s.la_code, s.person_id, s.service_id, s.start_date, s.end_date, s.funding_source,
        s.is_council_supported, p.date_of_birth
    from {{ ref('stg_services') }} as s
    left join {{ ref('int_people_ages') }} as p using (la_code, person_id)
    where s.is_permanent_placement and s.client_type = {{ code('client_type', 'Service User') }}
),

with_previous as (
    select
        *,
        max(coalesce(end_date, date '9999-12-31')) over (
            partition by la_code, person_id order by start_date, service_id
            rows between unbounded preceding and 1 preceding
        ) as previous_placement_end
    from placements
),

admissions as (
    select *, {{ age_at('date_of_birth', 'start_date') }} as age
    from with_previous
    where is_council_supported
        and (
            previous_placement_end is null
            or start_date > previous_placement_end + interval '{{ var('move_between_homes_days') }}' day
        )
)

select
    la_code,
    person_id,
    service_id,
    start_date as admission_date,
    age,
    {{ age_band('age') }} as age_band,
    funding_source
from admissions
where age >= 18
