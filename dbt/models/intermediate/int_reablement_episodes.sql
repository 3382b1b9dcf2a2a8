-- ST-Max episodes with the person's age at the start and whether they were a new client
-- (not in council-supported long-term support on the day the episode started).
with episodes as (
    select r.*, p.date_of_birth
    from {{ ref('stg_reablement') }} as r
    left join {{ ref('int_people_ages') }} as p using (la_code, person_id)
),

in_long_term_support as (
    select distinct e.la_code, e.episode_id
    from episodes as e
    inner join {{ ref('stg_services') }} as s
        on s.la_code = e.la_code and s.person_id = e.person_id
            and s.is_long_term and s.client_type = {{ code('client_type', 'Service User') }} and s.is_council_supported
            and s.start_date <= e.start_date and (s.end_date is null or s.end_date >= e.start_date)
)

select
    e.la_code, e.episode_id, e.person_id, e.start_date, e.end_date, e.hospital_discharge,
    e.sequel, e.status_at_91_days,
    {{ age_at('e.date_of_birth', 'e.start_date') }} as age_at_start,
    l.episode_id is null as is_new_client,
    e.is_sequel_2d_denominator as in_2d_denominator,
    e.is_sequel_no_ongoing_support as no_ongoing_support
from episodes as e
left join in_long_term_support as l using (la_code, episode_id)
