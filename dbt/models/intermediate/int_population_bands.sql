-- Population by council, year and the age bands the measures divide by.
with pop as (select * from {{ ref('stg_population') }})

select la_code, year, '18-64' as age_band, sum(population) as population
from pop
where age between 18 and 64
group by 1, 2
union all
select la_code, year, '65+', sum(population) from pop
where age >= 65
group by 1, 2
union all
select la_code, year, '18+', sum(population) from pop
where age >= 18
group by 1, 2
