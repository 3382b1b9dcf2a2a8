-- ASCOF 2A step 3: for each new client's episode, every other event of the person (the episode's
-- own ST-Max services left out), with the episode beside it: what the sequel steps look through.
with clusters as (select * from {{ ref('int_cld_ascof_2a_clusters') }}),

events as (select * from {{ ref('int_cld_ascof_2a_events') }})

select
    c.financial_year, c.la_code, c.person_key, c.cluster_no, c.cluster_start, c.cluster_end,
    c.cluster_hierarchy, c.cluster_outcome, c.age_band, c.date_of_death,
    e.event_type_key, e.event_start_date, e.end_date, e.service_type, e.service_component,
    e.event_outcome, e.hierarchy, e.record_id
from clusters as c
inner join events as e on e.la_code = c.la_code and e.person_key = c.person_key
where not (
        e.event_start_date between c.cluster_start and c.cluster_end
        and e.event_type_key = 'service' and e.service_type = 'Short term support: ST-Max'
    )
