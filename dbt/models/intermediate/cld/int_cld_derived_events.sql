-- Cleaned and derived fields (GetDerivedFields): Release 2 values from the mapping seeds
-- (a value in no table stays null: DHSC's "NEW INVALID" case), the combined person id (NHS
-- number, else la_code + '_' + LA person id; rows with neither dropped), DHSC's unique event
-- reference, services cropped when open at the end of a reference period and absent from the
-- next one, and ages by DHSC's formula at the (derived) event end.
with events as (select * from {{ ref('int_cld_events_in_period') }}),

vmap as (select * from {{ ref('stg_cld_value_map') }}),

hierarchy as (select * from {{ ref('event_outcome_hierarchy') }}),

{% set mapped = ['gender', 'ethnicity', 'client_type', 'primary_support_reason', 'accommodation_status',
                 'employment_status', 'has_unpaid_carer', 'client_funding_status', 'event_outcome',
                 'service_type', 'service_component', 'delivery_mechanism'] %}
mapped as (
    select
        e.*,
        {% for f in mapped %}
            m_{{ f }}.cleaned_value as {{ f }}_cleaned,
        {% endfor %}
        m_ethnicity.grouped_value as ethnicity_grouped,
        m_event_outcome.grouped_value as event_outcome_grouped,
        m_service_type.grouped_value as service_type_grouped,
        -- the alias lower-cases the seed's Event_Outcome_Hierarchy in this model's columns
        h.event_outcome_hierarchy as event_outcome_hierarchy,  -- noqa: AL09
        coalesce(e.nhs_number, e.la_code || '_' || e.la_person_id) as person_key
    from events as e
    {% for f in mapped %}
        left join vmap as m_{{ f }} on m_{{ f }}.field = '{{ f }}' and m_{{ f }}.match_key = {{ cld_key('e.' ~ f) }}
    {% endfor %}
    left join hierarchy as h on h.event_outcome_spec = m_event_outcome.cleaned_value
    where coalesce(e.nhs_number, e.la_person_id) is not null
),

event_keys as (
    -- one DHSC "unique event": council, person, start, end (not services), client type, event
    -- type and, by type, route of access / assessment type / service type and component, RAW
    -- values compared as the collation does. The keys alone, so the ranking sorts them and the
    -- record id, not every column of every event (a third of the cost)
    select
        record_id,
        la_code,
        event_start_date as key_start,
        case when not is_service then der_event_end_date end as key_end,
        {{ cld_key('client_type') }} as key_client_type,
        person_key as key_person,
        event_type_key as key_event_type,
        case when event_type_key like '%request%' then {{ cld_key('request_route_of_access') }} end as key_route,
        case when event_type_key like '%assessment%' then {{ cld_key('assessment_type') }} end as key_assessment,
        case when is_service then {{ cld_key('service_type') }} end as key_service_type,
        case when is_service then {{ cld_key('service_component') }} end as key_service_component
    from mapped
),

event_refs as (
    select
        record_id,
        la_code || '_' || dense_rank() over (
            partition by la_code
            -- nulls last stated: Spark sorts them first by default, DuckDB last
            order by
                key_start nulls last, key_end nulls last, key_client_type nulls last, key_person nulls last,
                key_event_type nulls last, key_route nulls last, key_assessment nulls last,
                key_service_type nulls last, key_service_component nulls last
        ) as unique_event_ref
    from event_keys
),

referenced as (
    select m.*, r.unique_event_ref
    from mapped as m
    inner join event_refs as r using (record_id)
),

ref_periods as (select distinct la_code, ref_period_start, ref_period_end from referenced),

prior_ref_periods as (
    select r.* from ref_periods as r
    where r.ref_period_start < (
            select max(ref_period_start) from ref_periods as l
            where l.la_code = r.la_code
        )
),

events_by_period as (select distinct la_code, ref_period_start, unique_event_ref from referenced),

to_crop as (
    -- open at the end of a reference period that another follows, and absent from the next one
    select e.record_id
    from referenced as e
    semi join prior_ref_periods using (la_code, ref_period_start, ref_period_end)
    anti join events_by_period as n
        on n.la_code = e.la_code
            and n.ref_period_start = e.ref_period_end + 1
            and n.unique_event_ref = e.unique_event_ref
    where e.der_event_end_date is null or e.der_event_end_date > e.ref_period_end
),

cropped as (
    select
        {{ star_except('r', ['der_event_end_date']) }},
        case when c.record_id is not null then r.ref_period_end else r.der_event_end_date end as der_event_end_date,
        c.record_id is not null as was_cropped
    from referenced as r
    left join to_crop as c using (record_id)
),

aged as (
    select
        *,
        case when date_of_birth is not null
                then {{ cld_age('date_of_birth', 'coalesce(der_event_end_date, ref_period_end)') }}
        end as latest_age
    from cropped
)

select
    *,
    case when latest_age < 18 then 'Under 18'
        when latest_age between 18 and 64 then '18 to 64'
        when latest_age >= 65 then '65 and above'
        else 'Unknown'
    end as working_age_band
from aged
