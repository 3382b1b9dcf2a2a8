-- Permanent admissions in the 12 months ending each month, per age band, per 100,000.
select
    la_code,
    period_end,
    case indicator_code when 'VS_ADMISSIONS_18_64' then '18-64' else '65+' end as age_band,
    numerator::bigint as admissions_12m,
    denominator as population,
    value as rate_per_100k,
    population_note
from {{ ref('int_indicator_computed') }}
where period_type = 'rolling_12m' and indicator_code in ('VS_ADMISSIONS_18_64', 'VS_ADMISSIONS_65_PLUS')
