-- ONS mid-year estimates by single year of age. Files give Male/Female rows, a total
-- ('Persons'/'All') row, or both: a total row is used where present so nothing counts twice.
with source as (select * from {{ source('raw', 'population') }}),

renamed as (
    select
        -- ids
        la_code,
        -- dates
        year,
        -- codes
        sex,
        {{ code_set('population_total', transform='lower') }} as is_total,
        age,
        -- amounts
        population
    from source
),

has_total as (
    select la_code, year, bool_or(is_total) as any_total from renamed
    group by 1, 2
)

select r.la_code, r.year, r.age, sum(r.population) as population
from renamed as r
inner join has_total as h using (la_code, year)
where r.is_total = h.any_total
group by 1, 2, 3
