-- ASCOF 2B (18-64) and 2C (65+) numerators (Create_ASCOF_2B2C_2425_Onwards.sql): people whose
-- long-term residential or nursing service STARTS in the year (not ending as self-funded), with
-- no such service starting earlier that ended less than 365 days before (or is open): new
-- admissions. Age at the service start by DHSC's formula; a person with new admissions in both
-- bands counts once, in 18 to 64 (the code takes MIN of the band labels).
with main as (select * from {{ ref('int_cld_unique_events') }}),

people as (select * from {{ ref('int_cld_person_details') }}),

years as (select * from {{ ref('int_cld_financial_years') }}),

build as (
    select
        m.la_code, m.person_key, m.event_start_date, m.der_event_end_date, m.event_outcome_cleaned,
        p.date_of_death,
        {{ cld_age('p.date_of_birth', 'm.event_start_date') }} as age_at_start
    from main as m
    left join people as p using (la_code, person_key)
    where m.event_type_key = 'service'
        and m.client_type_cleaned = 'Service user'
        and m.service_type_cleaned in ('Long term support: Residential care', 'Long term support: Nursing care')
        and p.date_of_birth is not null
        -- DHSC also allows a null component here, but its next condition (NOT LIKE '%Short%') is
        -- unknown for null and drops the row: a null cleaned component never counts
        and (
            m.service_component_cleaned is null or m.service_component_cleaned ilike '%residential%'
            or m.service_component_cleaned ilike '%nursing%'
        )
        and m.service_component_cleaned not ilike '%short%'
),

admissions as (
    select distinct y.la_code, y.financial_year, b.person_key, b.event_start_date, b.age_at_start
    from years as y
    inner join build as b on b.la_code = y.la_code
    where b.event_start_date between y.fy_start and y.fy_end
        and (b.date_of_death >= y.fy_start or b.date_of_death is null)
        and (
            b.event_outcome_cleaned is null
            or b.event_outcome_cleaned <> 'NFA: Self-funded client or under 12wk disregard'
        )
),

new_admissions as (
    select a.* from admissions as a
    where not exists (
            select 1 from build as b
            where b.la_code = a.la_code and b.person_key = a.person_key
                and b.event_start_date < a.event_start_date
                and ({{ day_diff('b.der_event_end_date', 'a.event_start_date') }} < 365 or b.der_event_end_date is null)
        )
),

people_banded as (
    select
        la_code, financial_year, person_key,
        min(case when age_at_start between 18 and 64 then '18 to 64' when age_at_start > 64 then '65 and above' end)
            as age_band
    from new_admissions
    where age_at_start >= 18
    group by all
)

select
    y.la_code, y.financial_year, b.measure, b.age_band,
    count(distinct p.person_key) as numerator
from years as y
cross join (values ('ASCOF 2B', '18 to 64'), ('ASCOF 2C', '65 and above')) as b (measure, age_band)
left join
    people_banded as p
    on p.la_code = y.la_code and p.financial_year = y.financial_year and p.age_band = b.age_band
group by all
