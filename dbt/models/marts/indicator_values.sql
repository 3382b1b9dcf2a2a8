-- Every indicator for every council at every period type: value (supplied values override
-- computed ones and are flagged), profiled target, RAG, direction of travel and watch flag.
with catalogue as (select * from {{ ref('indicator_catalogue') }}),
computed as (select * from {{ ref('int_indicator_computed') }}),
supplied as (select * from {{ ref('stg_indicator_values') }}),

resolved as (
    select
        coalesce(s.la_code, c.la_code) as la_code,
        coalesce(s.indicator_code, c.indicator_code) as indicator_code,
        coalesce(s.period_type, c.period_type) as period_type,
        coalesce(s.period_end, c.period_end) as period_end,
        case when s.indicator_code is not null and (s.numerator is not null or s.value is not null)
             then s.numerator else c.numerator end as numerator,
        coalesce(s.denominator, c.denominator) as denominator,
        case
            when s.value is not null then s.value
            when s.numerator is not null and k.unit = '%' then {{ safe_ratio('s.numerator', 'coalesce(s.denominator, c.denominator)', 100) }}
            when s.numerator is not null and k.unit = 'per 100k' then {{ safe_ratio('s.numerator', 'coalesce(s.denominator, c.denominator)', 100000) }}
            when s.numerator is not null and k.unit = 'count' then s.numerator
            when s.denominator is not null and c.numerator is not null and k.unit = '%' then {{ safe_ratio('c.numerator', 's.denominator', 100) }}
            else c.value
        end as value,
        s.indicator_code is not null and (s.value is not null or s.numerator is not null) as is_override,
        case when s.indicator_code is null then 'computed'
             when c.indicator_code is null then 'supplied'
             else 'override' end as value_source,
        c.value_note,
        c.population_note
    from computed c
    full outer join supplied s
      on s.la_code = c.la_code and s.indicator_code = c.indicator_code
     and s.period_type = c.period_type and s.period_end = c.period_end
    left join catalogue k on k.indicator_code = coalesce(s.indicator_code, c.indicator_code)
),

monthly_targets as (
    select indicator_code, la_code, period_end, target from {{ ref('stg_targets') }} where period is not null
),

annual_targets as (
    select indicator_code, la_code, financial_year, target, profile from {{ ref('stg_targets') }}
    where period is null and financial_year is not null
),

outturns as (
    select la_code, indicator_code, period_end, value from resolved where period_type = 'financial_year'
),

targeted as (
    select
        r.*,
        {{ fy_label(fy_start_year('r.period_end')) }} as financial_year,
        coalesce(
            mt.target,
            case
                when ann.target is null then null
                when ann.profile = 'linear' and o.value is not null and r.period_type <> 'financial_year'
                    then o.value + (ann.target - o.value)
                         * (((month(r.period_end) + 8) % 12) + 1) / 12.0
                else ann.target
            end
        ) as target,
        case when mt.target is not null then 'monthly'
             when ann.target is not null then 'annual ' || ann.profile || case when ann.profile = 'linear' and o.value is null
                  then ' (no previous outturn: flat)' else '' end end as target_source
    from resolved r
    left join monthly_targets mt
      on mt.la_code = r.la_code and mt.indicator_code = r.indicator_code and mt.period_end = last_day(r.period_end)
    left join annual_targets ann
      on ann.la_code = r.la_code and ann.indicator_code = r.indicator_code
     and ann.financial_year = {{ fy_label(fy_start_year('r.period_end')) }}
    left join outturns o
      on o.la_code = r.la_code and o.indicator_code = r.indicator_code
     and o.period_end = make_date({{ fy_start_year('r.period_end') }}, 3, 31)
),

rated as (
    select
        t.*,
        k.polarity,
        k.decimals,
        coalesce(k.tolerance, {{ var('default_tolerance') }}) as tolerance,
        {{ round_half_away('t.value', 'k.decimals') }} as display_value,
        case
            when t.value is null or t.target is null then null
            when k.polarity = 'bigger' then (t.target - {{ round_half_away('t.value', 'k.decimals') }}) / nullif(abs(t.target), 0)
            else ({{ round_half_away('t.value', 'k.decimals') }} - t.target) / nullif(abs(t.target), 0)
        end as shortfall
    from targeted t
    join catalogue k using (indicator_code)
),

with_rag as (
    select *,
        case
            when value is null or target is null then null
            when shortfall is null then case when {{ round_half_away('value', 'decimals') }} = target then 'G'
                                             when polarity = 'bigger' and value > target then 'G'
                                             when polarity = 'smaller' and value < target then 'G' else 'R' end
            when shortfall <= 0 then 'G'
            when shortfall < tolerance then 'A'
            else 'R'
        end as rag
    from rated
),

neighbours as (
    select w.*,
        lag(display_value) over w_prev as prev_value,
        lag(period_end) over w_prev as prev_period_end
    from with_rag w
    window w_prev as (partition by la_code, indicator_code, period_type order by period_end)
),

directions as (
    select n.*,
        case when n.prev_value is null or n.display_value is null
                  or n.prev_period_end <> last_day(n.period_end - case n.period_type
                        when 'quarter' then interval 3 month when 'financial_year' then interval 12 month
                        else interval 1 month end)
             then null
             when n.display_value = n.prev_value then 'No change'
             when (n.polarity = 'bigger') = (n.display_value > n.prev_value) then 'Improving'
             else 'Worsening' end as direction_prev,
        case when y.display_value is null or n.display_value is null then null
             when n.display_value = y.display_value then 'No change'
             when (n.polarity = 'bigger') = (n.display_value > y.display_value) then 'Improving'
             else 'Worsening' end as direction_yoy
    from neighbours n
    left join with_rag y
      on y.la_code = n.la_code and y.indicator_code = n.indicator_code and y.period_type = n.period_type
     and y.period_end = last_day(n.period_end - interval 12 month)
),

runs as (
    select *,
        count(*) filter (where direction_prev = 'Worsening') over (
            partition by la_code, indicator_code, period_type order by period_end rows between 2 preceding and current row
        ) = 3 as three_deteriorations
    from directions
)

select
    la_code,
    indicator_code,
    period_type,
    period_end,
    financial_year,
    numerator,
    denominator,
    value,
    display_value,
    target,
    target_source,
    rag,
    direction_prev,
    direction_yoy,
    three_deteriorations,
    target is null and three_deteriorations as watch,
    is_override,
    value_source,
    value_note,
    population_note
from runs
