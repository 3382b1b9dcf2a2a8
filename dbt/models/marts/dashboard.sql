-- The vital-signs dashboard: every indicator, for each council, at the one period type the
-- dashboard shows it at. That is the catalogue's dashboard_period_type (e.g. rolling 12 months
-- for admissions) when the council has a figure at that type, else the monthly values. Decided
-- here once: the exceptions, the committee report and the workbook read this mart.
with catalogue as (select * from {{ ref('indicator_catalogue') }}),

values_ as (select * from {{ ref('indicator_values') }}),

chosen as (
    select
        v.la_code, v.indicator_code,
        case when bool_or(v.period_type = k.dashboard_period_type and v.value is not null)
                then k.dashboard_period_type
            else 'month'
        end as period_type
    from values_ as v
    inner join catalogue as k using (indicator_code)
    group by v.la_code, v.indicator_code, k.dashboard_period_type
)

select
    v.la_code,
    v.indicator_code,
    v.period_type,
    v.period_end,
    v.financial_year,
    v.numerator,
    v.denominator,
    v.value,
    v.display_value,
    v.target,
    v.target_source,
    v.rag,
    v.direction_prev,
    v.direction_yoy,
    v.three_deteriorations,
    v.watch,
    v.is_override,
    v.value_source,
    v.value_note,
    v.population_note,
    v.spc_variation,
    v.spc_assurance
from values_ as v
inner join chosen using (la_code, indicator_code, period_type)
