-- The revised ASCOF from CLD (cld.md), one row per council, financial year, measure, part and
-- breakdown, with DHSC's own published figure (reference/benchmarks, area_type LA) beside ours
-- where supplied. Suppression happens at publication.
with figures as (select * from {{ ref('int_cld_ascof') }}),

crosswalk as (select * from {{ ref('cld_indicator_crosswalk') }}),

dhsc as (
    select * from {{ ref('stg_benchmarks') }}
    where area_type = 'LA'
)

select
    f.la_code, f.financial_year, f.measure, f.part, f.breakdown,
    f.numerator, f.denominator, f.value,
    d.value as dhsc_value,
    f.value - d.value as difference,
    false as suppressed,
    x.indicator_code
from figures as f
left join crosswalk as x
    on x.measure = f.measure and coalesce(x.part, '') = f.part and x.breakdown = f.breakdown
left join dhsc as d
    on d.indicator_code = x.indicator_code and d.area_code = f.la_code and d.financial_year = f.financial_year
