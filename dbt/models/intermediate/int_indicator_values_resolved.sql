-- Computed values with the supplied ones laid over them: a value supplied in
-- indicator_values for a code, council and period overrides the computed one and is flagged.
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
                then s.numerator
            else c.numerator
        end as numerator,
        coalesce(s.denominator, c.denominator) as denominator,
        case
            when s.value is not null then s.value
            when
                s.numerator is not null and k.unit = '%'
                then {{ safe_ratio('s.numerator', 'coalesce(s.denominator, c.denominator)', 100) }}
            when
                s.numerator is not null and k.unit = 'per 100k'
                then {{ safe_ratio('s.numerator', 'coalesce(s.denominator, c.denominator)', 100000) }}
            when s.numerator is not null and k.unit = 'count' then s.numerator
            when
                s.denominator is not null and c.numerator is not null and k.unit = '%'
                then {{ safe_ratio('c.numerator', 's.denominator', 100) }}
            else c.value
        end as value,
        s.indicator_code is not null and (s.value is not null or s.numerator is not null) as is_override,
        case when s.indicator_code is null then 'computed'
            when c.indicator_code is null then 'supplied'
            else 'override'
        end as value_source,
        -- the reason a computed value is missing does not apply to a value the council supplied
        case when s.value is not null or s.numerator is not null then null else c.value_note end as value_note,
        c.population_note
    from computed as c
    full outer join supplied as s
        on s.la_code = c.la_code and s.indicator_code = c.indicator_code
            and s.period_type = c.period_type and s.period_end = c.period_end
    left join catalogue as k on k.indicator_code = coalesce(s.indicator_code, c.indicator_code)
)

select * from resolved
