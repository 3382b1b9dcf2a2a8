-- Every revised ASCOF figure from CLD, as DHSC's dashboard lays them out: council, financial
-- year, measure, part, breakdown, numerator, denominator, value at full precision (DHSC rounds
-- to one decimal for display). 2B/2C divide by the population of their age band for the year
-- set by cld_population_fixed_year / cld_population_year_offset.
{%- if var('cld_population_fixed_year') %}
    {%- set population_year = var('cld_population_fixed_year') %}
{%- else %}
    {%- set population_year = 'year(y.fy_start) + ' ~ var('cld_population_year_offset') %}
{%- endif %}
with years as (select * from {{ ref('int_cld_financial_years') }}),

episodes as (select * from {{ ref('int_cld_ascof_2a_episodes') }}),

pop as (select * from {{ ref('int_population_bands') }}),

a2 as (
    select
        y.la_code, y.financial_year, 'ASCOF 2A' as measure, '' as part, g.breakdown,
        count(*) filter (where e.in_numerator) as numerator,
        count(*) filter (where e.in_denominator) as denominator
    from years as y
    cross join (values ('18 to 64'), ('65 and above'), ('Total')) as g (breakdown)
    left join
        episodes
            as e
        on e.la_code = y.la_code and e.financial_year = y.financial_year
            and (g.breakdown = 'Total' or e.age_band = g.breakdown)
    group by all
),

bc as (
    select
        a.la_code, a.financial_year, a.measure, '' as part, a.age_band as breakdown, a.numerator,
        p.population as denominator
    from {{ ref('int_cld_ascof_2bc') }} as a
    inner join years as y using (la_code, financial_year)
    left join pop as p
        on p.la_code = a.la_code
            and p.age_band = case a.age_band when '18 to 64' then '18-64' else '65+' end
            and p.year = {{ population_year }}
),

unioned as (
    select * from a2
    union all
    select * from bc
    union all
    select la_code, financial_year, measure, part, breakdown, numerator, denominator
    from {{ ref('int_cld_ascof_2e') }}
    union all
    select la_code, financial_year, measure, part, breakdown, numerator, denominator
    from {{ ref('int_cld_ascof_3d') }}
)

select
    la_code, financial_year, measure, part, breakdown,
    numerator::double as numerator, denominator::double as denominator,
    case when measure in ('ASCOF 2B', 'ASCOF 2C') then {{ safe_ratio('numerator', 'denominator', 100000) }}
        else {{ safe_ratio('numerator', 'denominator', 100) }}
    end as value
from unioned
