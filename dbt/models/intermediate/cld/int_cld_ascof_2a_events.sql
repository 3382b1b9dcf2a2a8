-- ASCOF 2A step 1: the service users' events DHSC's 2A script considers (a start date, and an end
-- on or after it or none, an open end standing in as 9999-01-01), each with its outcome's place
-- in the hierarchy (999 when the outcome is not in it).
with main as (select * from {{ ref('int_cld_unique_events') }}),

outcomes as (select * from {{ ref('int_cld_ascof_2a_outcomes') }})

select
    m.la_code, m.person_key, m.event_type_key, m.event_start_date,
    coalesce(m.der_event_end_date, {{ cld_open_end() }}) as end_date,
    m.service_type_cleaned as service_type, m.service_component_cleaned as service_component,
    coalesce(m.event_outcome_cleaned, 'Invalid and not mapped') as event_outcome,
    coalesce(o.hierarchy, 999) as hierarchy, m.record_id
from main as m
left join outcomes as o on o.outcome = m.event_outcome_cleaned
where m.client_type_cleaned = 'Service user'
    and m.event_start_date is not null
    and (m.der_event_end_date >= m.event_start_date or m.der_event_end_date is null)
