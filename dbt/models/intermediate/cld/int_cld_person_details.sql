-- DHSC's latest person-details table (Create_personal_details_table.sql), one row per council
-- and person over the whole main table. For each attribute: prefer known values, then the
-- latest reference period, then the latest end (open first), then the latest start; if the
-- top-ranked rows disagree the attribute becomes Unknown. An unknown accommodation status is
-- deduced from the person's latest services where possible. Birth month: known first, latest
-- period, EARLIEST birth; death: known first, latest period, latest death. The carer link uses
-- the latest 12 months (DHSC runs the table once, for the latest reporting year).
with main as (select * from {{ ref('int_cld_unique_events') }}),

cld as (
    select
        la_code, person_key, la_person_id, event_start_date,
        coalesce(der_event_end_date, {{ cld_open_end() }}) as end_sort,
        der_event_end_date, ref_period_end, date_of_birth, date_of_death, event_type_key,
        adult_1_linked_person_id, adult_2_linked_person_id, adult_3_linked_person_id,
        coalesce(client_type_cleaned, 'Invalid and not mapped') as client_type_cleaned,
        coalesce(primary_support_reason_cleaned, 'Invalid and not mapped') as psr_cleaned,
        coalesce(ethnicity_cleaned, 'Invalid and not mapped') as ethnicity_cleaned,
        coalesce(client_funding_status_cleaned, 'Invalid and not mapped') as funding_cleaned,
        coalesce(employment_status_cleaned, 'Invalid and not mapped') as employment_cleaned,
        coalesce(accommodation_status_cleaned, 'Invalid and not mapped') as accommodation_cleaned,
        coalesce(has_unpaid_carer_cleaned, 'Invalid and not mapped') as has_unpaid_carer_cleaned,
        coalesce(gender_cleaned, 'Invalid and not mapped') as gender_cleaned,
        coalesce(service_type_cleaned, 'Invalid and not mapped') as service_type_cleaned,
        coalesce(service_component_cleaned, 'Invalid and not mapped') as service_component_cleaned
    from main
),


{{ cld_latest_known('accommodation_latest',
    "case when accommodation_cleaned = 'Invalid and not mapped' then 'Unknown' else accommodation_cleaned end",
    "case when accommodation_cleaned in ('Unknown', 'Invalid and not mapped') then 0 else 1 end", 'Unknown') }}
{{ cld_latest_known('employment_status',
    "employment_cleaned",
    "case when employment_cleaned in ('Unknown', 'Invalid and not mapped') then 0 else 1 end", 'Unknown') }}
{{ cld_latest_known('gender',
    "case when gender_cleaned in ('Unknown', 'Invalid and not mapped') then 'Unknown' else gender_cleaned end",
    "case when gender_cleaned in ('Unknown', 'Invalid and not mapped') then 0 else 1 end", 'Unknown') }}
{{ cld_latest_known('ethnicity',
    "case when ethnicity_cleaned = 'Invalid and not mapped' then 'No data: Undeclared or not known' else ethnicity_cleaned end",
    "case when ethnicity_cleaned in ('No data: Undeclared or not known', 'Invalid and not mapped') then 0 when ethnicity_cleaned = 'No data: Refused' then 1 else 2 end",
    'No data: Undeclared or not known') }}
{{ cld_latest_known('client_funding_status',
    "case when funding_cleaned in ('Fully social care funded', 'Joint client and social care funded', 'Fully client funded') then funding_cleaned else 'Unknown' end",
    "case when funding_cleaned in ('Fully social care funded', 'Joint client and social care funded', 'Fully client funded') then 1 else 0 end", 'Unknown') }}
{{ cld_latest_known('primary_support_reason',
    "case when psr_cleaned = 'Invalid and not mapped' then 'Unknown' else psr_cleaned end",
    "case when psr_cleaned in ('Unknown', 'Invalid and not mapped', 'Social support: Support to unpaid carer') then 0 else 1 end", 'Unknown') }}
{{ cld_latest_known('has_unpaid_carer_stated',
    "case when has_unpaid_carer_cleaned in ('Unknown', 'Invalid and not mapped') then 'Unknown' else has_unpaid_carer_cleaned end",
    "case when has_unpaid_carer_cleaned in ('Unknown', 'Invalid and not mapped') then 0 else 1 end", 'Unknown') }}

service_hierarchy as (
    select * from (
        values
        ('Long term support: Nursing care', 1), ('Long term support: Residential care', 2),
        ('Long term support: Community', 3), ('Long term support: Prison', 4),
        ('Short term support: ST-Max', 5), ('Short term support: Ongoing low level', 6),
        ('Short term support: Other short term', 7)
    ) as t (service_type, hierarchy)
),

unknown_services as (
    -- people whose latest accommodation is Unknown, with their latest services
    select
        a.la_code, a.person_key, s.service_type_cleaned, s.service_component_cleaned,
        coalesce(h.hierarchy, 99) as hierarchy,
        s.service_component_cleaned in (
            'Shared Lives', 'Community supported living', 'Extra care housing',
            'Home support or domiciliary care'
        ) as useful_component,
        dense_rank() over (
            partition by a.la_code, a.person_key
            order by
                coalesce(s.end_sort, {{ cld_open_end() }}) desc, coalesce(h.hierarchy, 99),
                case when s.service_component_cleaned in (
                            'Shared Lives', 'Community supported living',
                            'Extra care housing', 'Home support or domiciliary care'
                        ) then 1
                    else 0
                end desc,
                s.event_start_date desc
        ) as rk
    from accommodation_latest as a
    left join cld as s on s.la_code = a.la_code and s.person_key = a.person_key and s.event_type_key = 'service'
    left join service_hierarchy as h on h.service_type = s.service_type_cleaned
    where a.accommodation_latest = 'Unknown'
),

unknown_deduced as (
    select
        la_code, person_key,
        case when count(distinct service_type_cleaned) filter (where hierarchy <> 99) = 1
                then {{ any_non_null('service_type_cleaned') }} filter (where hierarchy <> 99)
        end as service_type,
        case when count(distinct service_component_cleaned) filter (where useful_component) = 1
                then {{ any_non_null('service_component_cleaned') }} filter (where useful_component)
        end as service_component
    from unknown_services
    where rk = 1
    group by all
),

accommodation_group as (
    select * from (
        values
        ('Owner occupier or shared ownership scheme', 1),
        ('Tenant: Local authority or other social housing provider', 1),
        ('Tenant: Private landlord', 1), ('Settled mainstream housing with family or friends', 1),
        ('Supported accommodation, supported lodgings or supported group home', 1), ('Shared Lives scheme', 1),
        ('Approved premises for offenders released from prison or under probation supervision', 1),
        ('Sheltered housing, extra care housing or other sheltered housing', 1),
        ('Mobile accommodation for Gypsy, Roma and Traveller communities', 1),
        ('Rough sleeper or squatting', 0),
        ('Night shelter, emergency hostel or direct access hostel', 0),
        ('Refuge', 0),
        ('Placed in temporary accommodation by the council (inc. homelessness resettlement)', 0),
        ('Staying with family or friends as a short term guest', 0),
        ('Acute hospital or long term healthcare residential facility', 0), ('Registered care home', 0),
        ('Registered nursing home', 0), ('Prison, young offenders institution or detention centre', 0),
        ('Other temporary accommodation', 0), ('Unknown', 0), ('Unknown: Presumed at home', 1),
        ('Unknown: Presumed in community', 0)
    ) as t (accommodation_status, accommodation_group)
),

accommodation as (
    select a.la_code, a.person_key, a.accommodation_latest as accommodation_status
    from accommodation_latest as a
    where a.accommodation_latest <> 'Unknown'
    union all
    select
        la_code, person_key,
        case when service_type = 'Long term support: Nursing care' then 'Registered nursing home'
            when service_type = 'Long term support: Residential care' then 'Registered care home'
            when service_component = 'Shared Lives' then 'Shared Lives scheme'
            when
                service_component = 'Extra care housing'
                then 'Sheltered housing, extra care housing or other sheltered housing'
            when
                service_component = 'Community supported living'
                then 'Supported accommodation, supported lodgings or supported group home'
            when
                service_type = 'Long term support: Community' and service_component = 'Home support or domiciliary care'
                then 'Unknown: Presumed at home'
            when
                service_type = 'Long term support: Community' and service_component is null
                then 'Unknown: Presumed in community'
            when
                service_type = 'Long term support: Prison'
                then 'Prison, young offenders institution or detention centre'
            else 'Unknown'
        end
    from unknown_deduced
),

birth as (
    select distinct la_code, person_key, date_of_birth
    from (
        select
            la_code, person_key, date_of_birth,
            dense_rank() over (
                partition by la_code, person_key
                order by
                    case when date_of_birth is null then 1 else 2 end desc,
                    ref_period_end desc, date_of_birth asc
            ) as rk
        from cld
    ) as ranked
    where rk = 1
),

death as (
    select distinct la_code, person_key, date_of_death
    from (
        select
            la_code, person_key, date_of_death,
            dense_rank() over (
                partition by la_code, person_key
                order by
                    case when date_of_death is null then 1 else 2 end desc,
                    ref_period_end desc, date_of_death desc
            ) as rk
        from cld
    ) as ranked
    where rk = 1
),

latest_year as (
    select
        la_code,
        max(ref_period_end) as period_end,
        (max(ref_period_end) - interval 1 year + interval 1 day)::date as period_start
    from cld
    group by all
),

carer_links as (
    -- each carer's event once per linked adult (one row per linked-person column)
    select la_code, client_type_cleaned, end_sort, event_start_date, adult_1_linked_person_id as linked from cld
    union all
    select la_code, client_type_cleaned, end_sort, event_start_date, adult_2_linked_person_id from cld
    union all
    select la_code, client_type_cleaned, end_sort, event_start_date, adult_3_linked_person_id from cld
),

cared_for as (
    -- people named as the cared-for adult by a carer's event in the latest 12 months
    select distinct p.la_code, p.person_key
    from carer_links as c
    inner join latest_year as y using (la_code)
    inner join cld as p on p.la_code = c.la_code and p.la_person_id = c.linked
    where c.client_type_cleaned in ('Unpaid carer', 'Unpaid carer known by association')
        and c.linked is not null
        and c.end_sort >= y.period_start and c.event_start_date <= y.period_end
)

select
    a.la_code,
    a.person_key,
    a.accommodation_status,
    g.accommodation_group,
    e.employment_status,
    s.gender,
    t.ethnicity,
    b.date_of_birth,
    {{ cld_age('b.date_of_birth', 'y.period_end') }} as age_end_of_period,
    y.period_end as details_period_end,
    d.date_of_death,
    case when cf.person_key is not null then 'Yes' else h.has_unpaid_carer_stated end as has_unpaid_carer,
    p.primary_support_reason,
    f.client_funding_status
from accommodation as a
left join accommodation_group as g on lower(g.accommodation_status) = lower(a.accommodation_status)
left join employment_status as e using (la_code, person_key)
left join gender as s using (la_code, person_key)
left join ethnicity as t using (la_code, person_key)
left join birth as b using (la_code, person_key)
left join death as d using (la_code, person_key)
left join has_unpaid_carer_stated as h using (la_code, person_key)
left join cared_for as cf using (la_code, person_key)
left join primary_support_reason as p using (la_code, person_key)
left join client_funding_status as f using (la_code, person_key)
left join latest_year as y using (la_code)
