-- Every computable indicator for every council, period type and period end: numerator,
-- denominator and value at full precision, with a reason wherever the value is null.
-- A council with no rows in a feed the indicator needs (seed indicator_feeds) gets the
-- indicator null at every period, with the feed's reason: never a zero made of no data.
with periods as (select * from {{ ref('int_periods') }}),

catalogue as (select * from {{ ref('indicator_catalogue') }}),

population as (select * from {{ ref('int_period_population') }}),

event_months as (
    select
        la_code, indicator_code, date_trunc('month', event_date)::date as month_start,
        sum(numerator) as numerator, sum(denominator) as denominator
    from {{ ref('int_indicator_events') }}
    group by all
),

events as (
    select
        p.la_code, c.indicator_code, p.period_type, p.period_start, p.period_end,
        coalesce(sum(e.numerator), 0) as numerator, sum(e.denominator) as denominator
    from periods as p
    cross join (
        select indicator_code from catalogue
        where kind = 'event'
    ) as c
    left join event_months as e
        on e.la_code = p.la_code and e.indicator_code = c.indicator_code
            and e.month_start between p.period_start and p.period_end
    where p.is_complete
    group by all
),

snapshots as (
    select p.la_code, s.indicator_code, p.period_type, p.period_start, p.period_end, s.numerator, s.denominator
    from periods as p
    inner join {{ ref('int_indicator_snapshots') }} as s on s.la_code = p.la_code and s.as_at = p.period_end
),

cohorts as (
    select p.la_code, c.indicator_code, p.period_type, p.period_start, p.period_end, c.numerator, c.denominator
    from periods as p
    inner join {{ ref('int_ascof_cohorts') }} as c
        on c.la_code = p.la_code and c.as_at = p.period_end and p.period_type = 'financial_year'
),

dtoc_all as (
    select
        la_code, period_end, '2C1' as indicator_code, sum(delayed_days) as delayed_days,
        {{ any_non_null('days_in_month') }} as days_in_month, {{ any_non_null('population_18_plus') }} as population
    from {{ ref('int_dtoc_monthly') }}
    group by all
    union all
    select
        la_code, period_end, code, sum(delayed_days), {{ any_non_null('days_in_month') }},
        {{ any_non_null('population_18_plus') }}
    from {{ ref('int_dtoc_monthly') }}, (values ('2C2'), ('VS_DTOC_SOCIAL_CARE')) as t (code)
    where {{ code_set('dtoc_social_care') }}
    group by all
),

dtoc as (
    -- a window's figure is the mean of its monthly figures (ASCOF 2C)
    select
        p.la_code, d.indicator_code, p.period_type, p.period_start, p.period_end,
        sum(d.delayed_days) as numerator,
        {{ any_non_null('d.population') }} filter (where d.period_end = p.period_end) as denominator,
        avg({{ safe_ratio('d.delayed_days / d.days_in_month', 'd.population', 100000) }}) as mean_rate,
        count(*) as months
    from periods as p
    inner join dtoc_all as d on d.la_code = p.la_code and d.period_end between p.period_start and p.period_end
    group by all
),

feed_gaps as (
    select f.la_code, i.indicator_code, {{ string_agg_ordered('f.reason', "'; '", 'f.feed') }} as reason
    from {{ ref('indicator_feeds') }} as i
    inner join {{ ref('int_feed_status') }} as f on f.feed = i.feed
    where not f.has_rows
    group by all
),

gap_rows as (
    -- the periods the indicator would have had: cohorts are annual; flows need a complete window
    select p.la_code, g.indicator_code, p.period_type, p.period_start, p.period_end, g.reason
    from periods as p
    inner join feed_gaps as g on g.la_code = p.la_code
    inner join catalogue as k on k.indicator_code = g.indicator_code
    where (k.kind <> 'cohort' or p.period_type = 'financial_year')
        and (k.kind <> 'event' or p.is_complete)
),

cld as (
    -- revised ASCOF from CLD: the Total row of each measure (cld_indicator_crosswalk), DHSC's method
    select
        a.la_code,
        x.indicator_code,
        'financial_year' as period_type,
        y.fy_start as period_start,
        y.fy_end as period_end,
        a.numerator, a.denominator
    from {{ ref('int_cld_ascof') }} as a
    inner join {{ ref('cld_indicator_crosswalk') }} as x
        on x.measure = a.measure and coalesce(x.part, '') = a.part and x.breakdown = a.breakdown
    inner join {{ ref('int_cld_financial_years') }} as y using (la_code, financial_year)
),

combined as (
    -- the branches' columns listed, in one order (Spark has no union by name)
    {%- set figures = 'la_code, indicator_code, period_type, period_start, period_end, numerator, denominator' %}
    select {{ figures }}, null::double as mean_rate, null::bigint as months from events
    union all
    select {{ figures }}, null::double as mean_rate, null::bigint as months from snapshots
    union all
    select {{ figures }}, null::double as mean_rate, null::bigint as months from cohorts
    union all
    select {{ figures }}, mean_rate, months from dtoc
    union all
    select {{ figures }}, null::double as mean_rate, null::bigint as months from cld
),

computed as (
    select
        c.la_code,
        c.indicator_code,
        c.period_type,
        c.period_start,
        c.period_end,
        c.numerator::double as numerator,
        case
            when k.unit = 'per 100k' and k.kind not in ('dtoc', 'cld') then pop.population else c.denominator
        end::double as denominator,
        case
            when k.kind = 'dtoc'
                then case
                        when c.period_type in ('month')
                            or c.months = {{ month_diff('c.period_start', 'c.period_end') }} + 1
                            then c.mean_rate
                    end
            when k.unit = '%' then {{ safe_ratio('c.numerator', 'c.denominator', 100) }}
            when k.unit = 'per 100k' and k.kind = 'cld' then {{ safe_ratio('c.numerator', 'c.denominator', 100000) }}
            when k.unit = 'per 100k' then {{ safe_ratio('c.numerator', 'pop.population', 100000) }}
            when k.unit = 'count' then c.numerator
        end as value,
        case
            when k.kind = 'dtoc' and c.mean_rate is null then 'no 18+ population for the period'
            when k.kind = 'dtoc'
                and c.period_type <> 'month'
                and c.months < {{ month_diff('c.period_start', 'c.period_end') }} + 1
                then 'DToC months missing in the window ('
                    || c.months
                    || ' of '
                    || ({{ month_diff('c.period_start', 'c.period_end') }} + 1)
                    || ')'
            when
                k.unit = 'per 100k' and k.kind = 'cld' and c.denominator is null
                then 'no population for the CLD age band'
            when
                k.unit = 'per 100k' and k.kind <> 'cld' and pop.population is null
                then 'no population for ' || coalesce(k.population_band, '?')
            when k.unit = '%' and coalesce(c.denominator, 0) = 0 then 'denominator is zero or missing'
        end as value_note,
        pop.population_note
    from combined as c
    inner join catalogue as k using (indicator_code)
    left join population as pop
        on pop.la_code = c.la_code and pop.period_end = c.period_end
            and pop.age_band = coalesce(k.population_band, '18+')
)

select
    la_code, indicator_code, period_type, period_start, period_end, numerator, denominator, value, value_note,
    population_note
from computed as c
where not exists (
        select 1 from feed_gaps as g
        where g.la_code = c.la_code and g.indicator_code = c.indicator_code
    )
union all
select
    la_code, indicator_code, period_type, period_start, period_end,
    null::double as numerator, null::double as denominator, null::double as value,
    reason as value_note, null::string as population_note
from gap_rows
