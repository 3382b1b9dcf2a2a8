-- ASCOF 2E (Create_ASCOF_2E_2425_Onwards.sql): people in long-term support at any time in the
-- year living in their own home or with family, all clients (parts 18 to 64 and 65 and above)
-- and the learning-disability part (18 to 64 only). Accommodation, sex, primary support reason,
-- birth and death come from the latest person-details table; age is at the end of the person's
-- latest long-term service in the year (capped at the year end). Unknown and invalid
-- accommodation count in the denominator; unknown ages count nowhere.
with main as (select * from {{ ref('int_cld_unique_events') }}),

people as (select * from {{ ref('int_cld_person_details') }}),

years as (select * from {{ ref('int_cld_financial_years') }}),

build as (
    select
        y.la_code, y.financial_year, y.fy_start, y.fy_end, m.person_key,
        least(coalesce(m.der_event_end_date, {{ cld_open_end() }}), y.fy_end) as capped_end
    from years as y
    inner join main as m on m.la_code = y.la_code
    where m.client_type_cleaned = 'Service user'
        and m.event_type_key = 'service'
        and m.service_type_cleaned in (
            'Long term support: Nursing care', 'Long term support: Residential care',
            'Long term support: Community', 'Long term support: Prison'
        )
        and m.event_start_date is not null
        and (m.der_event_end_date >= m.event_start_date or m.der_event_end_date is null)
        and m.event_start_date <= y.fy_end
        and (m.der_event_end_date >= y.fy_start or m.der_event_end_date is null)
),

person_end as (
    -- age is taken at the end of the person's latest long-term service in the year
    select la_code, financial_year, fy_start, person_key, max(capped_end) as person_capped_end
    from build
    group by all
),

people_in_year as (
    select
        b.la_code, b.financial_year, b.person_key,
        p.accommodation_status, p.accommodation_group, p.gender, p.primary_support_reason,
        {{ cld_age('p.date_of_birth', 'b.person_capped_end') }} as age
    from person_end as b
    left join people as p using (la_code, person_key)
    where p.date_of_death >= b.fy_start or p.date_of_death is null
),

banded as (
    select
        *,
        case when age between 1 and 17 then 'Under 18' when age between 18 and 64 then '18 to 64'
            when age >= 65 then '65 and above' else 'Unknown'
        end as age_band
    from people_in_year
    where age >= 18 or age is null
),

cohorts as (
    select 'ASCOF 2E' as measure, * from banded
    union all
    -- 'Learning Disability Support' in DHSC's code; its collation matches the R2 spelling
    select 'ASCOF 2E LD', * from banded
    where lower(primary_support_reason) = 'learning disability support' and age_band = '18 to 64'
),

grid as (
    select y.la_code, y.financial_year, p.measure, p.part, g.breakdown
    from years as y
    cross join
        (values ('ASCOF 2E', '18 to 64'), ('ASCOF 2E', '65 and above'), ('ASCOF 2E LD', '18 to 64'))
            as p (measure, part)
    cross join (values ('Male'), ('Female'), ('Total')) as g (breakdown)
)

select
    g.la_code, g.financial_year, g.measure, g.part, g.breakdown,
    count(distinct c.person_key) filter (where c.accommodation_group = 1) as numerator,
    count(distinct c.person_key) as denominator
from grid as g
left join cohorts as c
    on c.la_code = g.la_code and c.financial_year = g.financial_year and c.measure = g.measure
        and c.age_band = g.part and (g.breakdown = 'Total' or c.gender = g.breakdown)
group by all
