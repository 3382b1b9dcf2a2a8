-- ASCOF 3D (Create_ASCOF_3D_2425_Onwards.sql).
-- Clients (1a, 2a): service users in long-term support on the last day of the year, each placed
-- in ONE setting by DHSC's hierarchy (nursing > residential > community DP > community PB >
-- community commissioned > community unknown > prison ...), so someone also in residential care
-- at year end is not a community client; 1a = direct payment or CASSR-managed personal budget,
-- 2a = direct payment (a 'Direct payment' component counts as one).
-- Carers (1b, 2b): carers with an event in the year, each placed in their highest support
-- category; the denominator is carers whose best support is a direct payment, a managed
-- personal budget or commissioned support.
-- Ages are at the year end (DHSC's formula); Unknown ages count only in Total.
with main as (select * from {{ ref('int_cld_unique_events') }}),

people as (select * from {{ ref('int_cld_person_details') }}),

years as (select * from {{ ref('int_cld_financial_years') }}),

build as (
    select
        y.la_code, y.financial_year, y.fy_start, y.fy_end, {{ star_except('m', ['la_code']) }},
        p.date_of_death as date_of_death_latest,
        case when p.date_of_birth is not null then {{ cld_age('p.date_of_birth', 'y.fy_end') }} end as age_end
    from years as y
    inner join main as m on m.la_code = y.la_code
    left join people as p on p.la_code = m.la_code and p.person_key = m.person_key
),

setting as (
    select * from (
        values
        ('Long term support: Nursing care', '', 1), ('Long term support: Residential care', '', 2),
        ('Long term support: Community', 'Direct payment', 3),
        ('Long term support: Community', 'CASSR managed personal budget', 4),
        ('Long term support: Community', 'CASSR commissioned support', 5), ('Long term support: Community', '', 6),
        ('Long term support: Prison', 'CASSR managed personal budget', 7),
        ('Long term support: Prison', 'CASSR commissioned support', 8),
        ('Long term support: Prison', '', 9)
    ) as t (service_type, delivery_mechanism, hierarchy)
),

clients_build as (
    select
        b.la_code, b.financial_year, b.person_key, b.age_end,
        b.service_type_cleaned as service_type, b.service_component_cleaned as service_component,
        case
            when b.service_component_cleaned = 'Direct payment' then 'Direct payment' else b.delivery_mechanism_cleaned
        end as dm0
    from build as b
    where b.service_type_cleaned in (
            'Long term support: Nursing care', 'Long term support: Residential care',
            'Long term support: Community', 'Long term support: Prison'
        )
        and b.client_type_cleaned = 'Service user'
        and b.event_start_date <= b.fy_end
        and b.event_start_date is not null
        and (b.der_event_end_date >= b.event_start_date or b.der_event_end_date is null)
        and (b.der_event_end_date >= b.fy_end or b.der_event_end_date is null)
        and (b.date_of_death_latest >= b.fy_end or b.date_of_death_latest is null)
),

clients_dm as (
    -- a mechanism that is not valid for the setting becomes '' (unknown)
    select
        c.*,
        case when s.delivery_mechanism is not null
                and c.service_type in ('Long term support: Community', 'Long term support: Prison')
                then c.dm0
            else ''
        end as delivery_mechanism
    from clients_build as c
    left join setting as s on s.service_type = trim(c.service_type) and s.delivery_mechanism = trim(c.dm0)
),

clients_ranked as (
    select
        c.*,
        case when c.service_type = 'Long term support: Community' and c.service_component = 'Direct payment' then 3
            else s.hierarchy
        end as hierarchy
    from clients_dm as c
    left join
        setting as s
        on s.service_type = trim(c.service_type) and s.delivery_mechanism = trim(c.delivery_mechanism)
),

clients_final as (
    select
        c.*,
        case when age_end < 18 then 'Under 18' when age_end between 18 and 64 then '18 to 64'
            when age_end >= 65 then '65 and above' else 'Unknown'
        end as age_band
    from clients_ranked as c
    where c.hierarchy = (
            select min(hierarchy) from clients_ranked as r
            where r.la_code = c.la_code and r.financial_year = c.financial_year and r.person_key = c.person_key
        )
),

clients as (
    select
        la_code, financial_year, person_key, age_band,
        bool_or(
            delivery_mechanism = 'Direct payment' or service_component = 'Direct payment'
            or delivery_mechanism = 'CASSR managed personal budget'
        ) as sds,
        bool_or(delivery_mechanism = 'Direct payment' or service_component = 'Direct payment') as dp
    from clients_final
    where age_band in ('18 to 64', '65 and above', 'Unknown') and service_type = 'Long term support: Community'
    group by all
),

carers_build as (
    select
        b.la_code, b.financial_year, b.person_key, b.age_end, b.event_type_key,
        b.service_type_cleaned as service_type, b.delivery_mechanism_cleaned as dm,
        b.service_component_cleaned as service_component,
        coalesce(b.event_outcome_cleaned, 'Invalid and not mapped') as event_outcome
    from build as b
    where b.client_type_cleaned in ('Unpaid carer', 'Unpaid carer known by association')
        and b.event_start_date <= b.fy_end
        and b.event_start_date is not null
        and (b.der_event_end_date >= b.fy_start or b.der_event_end_date is null)
        and (b.der_event_end_date >= b.event_start_date or b.der_event_end_date is null)
        and (b.date_of_death_latest >= b.fy_start or b.date_of_death_latest is null)
        and (
            (b.service_type_cleaned is null and b.event_outcome_cleaned = 'NFA: Information and advice or signposting')
            or b.service_type_cleaned in (
                'Unpaid carer support: Direct to unpaid carer',
                'Unpaid carer support: Support involving the person cared-for'
            )
            or (b.event_type_key in ('assessment', 'review') and b.service_type_cleaned is null)
        )
),

carers_case as (
    -- DHSC's CASE, with SQL's three-valued logic kept: a null component fails NOT LIKE, so a
    -- direct-to-carer service with a null component and a non-DP mechanism gets no category
    select
        *,
        case
            when service_type = 'Unpaid carer support: Direct to unpaid carer'
                and (dm = 'Direct payment' or service_component = 'Direct payment')
                then 'Direct Payment only'
            when service_type = 'Unpaid carer support: Direct to unpaid carer'
                and (dm = 'CASSR managed personal budget' and service_component not like 'Direct payment')
                then 'CASSR Managed Personal Budget'
            when service_type = 'Unpaid carer support: Direct to unpaid carer'
                and (dm = 'CASSR commissioned support' and service_component not like 'Direct payment')
                then 'CASSR Commissioned Support only'
            when service_type = 'Unpaid carer support: Direct to unpaid carer'
                and (
                    dm not in ('Direct payment', 'CASSR managed personal budget', 'CASSR commissioned support')
                    and service_component not like 'Direct payment'
                )
                then 'Support Direct to Carer: Unknown Delivery Mech'
            when service_type = 'Unpaid carer support: Direct to unpaid carer'
                and (dm is null and service_component not like 'Direct payment')
                then 'Support Direct to Carer: Unknown Delivery Mech'
            when
                service_type = 'Unpaid carer support: Support involving the person cared-for'
                then 'No Direct Support Provided to Carer'
            when event_type_key in ('assessment', 'review')
                and event_outcome not like 'NFA: Information and advice or signposting'
                then 'No Direct Support Provided to Carer'
            when event_type_key in ('assessment', 'review')
                and event_outcome = 'NFA: Information and advice or signposting'
                then 'Information, Advice and Other Universal Services / Signposting'
            when event_type_key = 'request' then 'Information, Advice and Other Universal Services / Signposting'
        end as support_provided
    from carers_build
),

carers_ranked as (
    select c.*, h.hierarchy
    from carers_case as c
    left join (
        values ('Direct Payment only', 1), ('CASSR Managed Personal Budget', 2), ('CASSR Commissioned Support only', 3),
        ('Support Direct to Carer: Unknown Delivery Mech', 4),
        ('Information, Advice and Other Universal Services / Signposting', 5),
        ('No Direct Support Provided to Carer', 6)
    ) as h (support_provided, hierarchy)
        on h.support_provided = c.support_provided
),

carers_min as (
    select
        la_code, financial_year, person_key, min(hierarchy) as best,
        case when min(age_end) < 18 then 'Under 18' when min(age_end) between 18 and 64 then '18 to 64'
            when min(age_end) >= 65 then '65 and above' else 'Unknown'
        end as age_band
    from carers_ranked
    group by all
),

carers as (
    select
        m.la_code, m.financial_year, m.person_key, m.age_band,
        bool_or(c.support_provided in ('Direct Payment only', 'CASSR Managed Personal Budget')) as sds,
        bool_or(c.support_provided = 'Direct Payment only') as dp
    from carers_min as m
    inner join
        carers_ranked
            as c
        on c.la_code = m.la_code and c.financial_year = m.financial_year
            and c.person_key = m.person_key and c.hierarchy = m.best
    where m.best is not null and m.age_band in ('18 to 64', '65 and above', 'Unknown')
        and c.support_provided in (
            'Direct Payment only', 'CASSR Managed Personal Budget', 'CASSR Commissioned Support only'
        )
    group by all
),

counted as (
    select
        'ASCOF 3D (Clients)' as measure,
        '1a' as part,
        la_code,
        financial_year,
        person_key,
        age_band,
        sds as in_numerator
    from clients
    union all
    select 'ASCOF 3D (Clients)', '2a', la_code, financial_year, person_key, age_band, dp from clients
    union all
    select 'ASCOF 3D (Carers)', '1b', la_code, financial_year, person_key, age_band, sds from carers
    union all
    select 'ASCOF 3D (Carers)', '2b', la_code, financial_year, person_key, age_band, dp from carers
),

grid as (
    select y.la_code, y.financial_year, p.measure, p.part, g.breakdown
    from years as y
    cross join (
        values ('ASCOF 3D (Clients)', '1a'), ('ASCOF 3D (Clients)', '2a'),
        ('ASCOF 3D (Carers)', '1b'), ('ASCOF 3D (Carers)', '2b')
    ) as p (measure, part)
    cross join (values ('18 to 64'), ('65 and above'), ('Total')) as g (breakdown)
)

select
    g.la_code, g.financial_year, g.measure, g.part, g.breakdown,
    count(distinct c.person_key) filter (where c.in_numerator) as numerator,
    count(distinct c.person_key) as denominator
from grid as g
left join counted as c
    on c.la_code = g.la_code and c.financial_year = g.financial_year and c.measure = g.measure and c.part = g.part
        and (g.breakdown = 'Total' or c.age_band = g.breakdown)
group by all
