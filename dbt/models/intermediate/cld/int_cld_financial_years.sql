-- The financial years (from 2023/24) each council's joined CLD covers from start to end: the
-- ASCOF reporting years. A year still in progress, or starting before the council's first
-- reference period, is not reported.
with main as (
    select la_code, min(ref_period_start) as covered_from, max(ref_period_end) as covered_to
    from {{ ref('int_cld_unique_events') }}
    group by all
)

select
    m.la_code, fy::date as fy_start, (fy + interval 1 year - interval 1 day)::date as fy_end,
    {{ cld_fy_label('fy') }} as financial_year
-- the series runs to covered_to inclusive; the first condition keeps only years that end by then
from main as m, {{ series("date '2023-04-01'", 'm.covered_to', 'fy', step='1 year') }} as t
where (fy + interval 1 year - interval 1 day)::date <= m.covered_to
    and fy::date >= m.covered_from
