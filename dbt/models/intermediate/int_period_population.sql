-- The population each window divides by: the mid-year estimate for the financial year of
-- the window's end (mid-YYYY for YYYY/YY, shifted by var population_year_offset). When that
-- year has not arrived, the latest earlier year is used (or the earliest, if none is
-- earlier) and population_note says so.
with periods as (
    select distinct la_code, period_end from {{ ref('int_periods') }}
    union
    select distinct la_code, period_end from {{ ref('stg_indicator_values') }}
),

wanted as (
    select
        la_code, period_end,
        {{ fy_start_year('period_end') }} + {{ var('population_year_offset') }} as wanted_year
    from periods
),

bands as (select * from {{ ref('int_population_bands') }}),

candidates as (
    select
        w.la_code, w.period_end, w.wanted_year, b.age_band, b.year, b.population,
        row_number() over (
            partition by w.la_code, w.period_end, b.age_band
            order by
                case when b.year <= w.wanted_year then 0 else 1 end,
                case when b.year <= w.wanted_year then -b.year else b.year end
        ) as pick
    from wanted as w
    inner join bands as b on b.la_code = w.la_code
)

select
    la_code,
    period_end,
    age_band,
    population,
    year as population_year,
    wanted_year,
    case when year <> wanted_year
            then 'population for mid-' || wanted_year || ' not available; used mid-' || year
    end as population_note
from candidates
where pick = 1
