{{ config(meta={'dagster': {'ref': {'name': 'ascof'}}}) }}
-- Where a family group is pooled, the rank int_benchmarks_pooled gives each member and the rank
-- ascof computes for it (from the resolved rows) are the same competition rank: two computations
-- of one rule, held together at every build.
select p.indicator_code, p.financial_year, p.area_code, p.rank as pooled_rank, a.family_group_rank
from {{ ref('int_benchmarks_pooled') }} as p
inner join {{ ref('ascof') }} as a
    on a.la_code = p.area_code and a.indicator_code = p.indicator_code and a.financial_year = p.financial_year
where p.area_type = 'LA' and p.rank is not null and a.family_group_rank is distinct from p.rank
