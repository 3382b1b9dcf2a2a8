-- The benchmarks the comparators are computed from: a pooled row (int_benchmarks_pooled) where its
-- pool is complete, the supplied row (reference/benchmarks) otherwise, each with its source. Same
-- columns as stg_benchmarks plus comparator_source, so ascof reads it in its place; with no
-- complete pool (a one- or two-council landing zone) it is stg_benchmarks row for row.
with supplied as (select * from {{ ref('stg_benchmarks') }}),

pooled as (
    select
        indicator_code, area_code, area_name, financial_year, area_type, value, rank, rank_of,
        'pooled' as comparator_source
    from {{ ref('int_benchmarks_pooled') }}
    where is_complete
)

select * from pooled
union all
select
    s.indicator_code, s.area_code, s.area_name, s.financial_year, s.area_type, s.value, s.rank, s.rank_of,
    'supplied' as comparator_source
from supplied as s
where not exists (
        -- England has one row whatever code a supplier gives it
        select 1 from pooled as p
        where
            p.indicator_code = s.indicator_code and p.financial_year = s.financial_year
            and p.area_type = s.area_type
            and (p.area_code = s.area_code or s.area_type = {{ code('area_type', 'England') }})
    )
