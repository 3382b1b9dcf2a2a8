-- The year-end outturn of every monthly indicator forecast at each month end from April to
-- February: this year to date and last year's seasonal profile (docs/decisions.md "Year-end
-- forecast"), with the actual outturn once known, so the same rows are the forecast and its backtest.
with catalogue as (select * from {{ ref('indicator_catalogue') }}),

vals as (
    select la_code, indicator_code, period_type, period_end, value
    from {{ ref('int_indicator_values_rated') }}
    where period_type in ('ytd', 'financial_year')
),

annual_targets as (
    select la_code, indicator_code, month_end as year_end, target
    from {{ ref('int_indicator_targets') }}
    where for_financial_year
),

as_of as (
    -- every month end with a year-to-date value, except March (the year is then over)
    select
        v.la_code, v.indicator_code, v.period_end as as_of, v.value as ytd_value,
        {{ fy_start_year('v.period_end') }} as fy_start,
        {{ window_months("'ytd'", 'v.period_end') }} as months_elapsed,
        k.polarity, k.decimals, k.unit,
        -- an annual target of an accumulating measure holds only if its targets are set for 12
        -- months (int_indicator_values_rated: a monthly count target never rates a year)
        not {{ grows_with_window('k.kind', 'k.unit') }}
        or {{ window_months('k.dashboard_period_type', 'v.period_end') }} = 12 as annual_target_applies,
        {{ rag_tolerance('k.tolerance') }} as tolerance,
        case when {{ grows_with_window('k.kind', 'k.unit') }} then 'seasonal share' else 'seasonal change' end
            as method
    from vals as v
    inner join catalogue as k using (indicator_code)
    where v.period_type = 'ytd' and month(v.period_end) <> 3 and k.frequency = 'monthly' and k.kind <> 'cld'
),

inputs as (
    select
        a.*,
        ly.value as last_year_ytd_value,
        lo.value as last_year_outturn,
        o.value as outturn,
        -- last year's profile is from another series when a break falls after last April
        {{ crosses_break('a.la_code', 'a.indicator_code', 'make_date(a.fy_start - 1, 4, 30)', 'a.as_of') }}
            as profile_crosses_break
    from as_of as a
    left join vals as ly
        on ly.la_code = a.la_code and ly.indicator_code = a.indicator_code and ly.period_type = 'ytd'
            and ly.period_end = last_day(a.as_of - interval 12 month)
    left join vals as lo
        on lo.la_code = a.la_code and lo.indicator_code = a.indicator_code and lo.period_type = 'financial_year'
            and lo.period_end = make_date(a.fy_start, 3, 31)
    left join vals as o
        on o.la_code = a.la_code and o.indicator_code = a.indicator_code and o.period_type = 'financial_year'
            and o.period_end = make_date(a.fy_start + 1, 3, 31)
),

forecast as (
    select
        i.*,
        case
            when i.ytd_value is null then 'no value for this year to date'
            when i.profile_crosses_break then 'a series break since last April: last year is another series'
            when i.last_year_ytd_value is null then 'no value for last year to the same month'
            when i.last_year_outturn is null then 'no outturn for last year'
            when i.method = 'seasonal share' and i.last_year_ytd_value = 0
                then 'last year had none to the same month: no seasonal share'
        end as forecast_note
    from inputs as i
),

point as (
    select
        f.*,
        case when f.forecast_note is not null then null
            when f.method = 'seasonal share' then f.ytd_value * f.last_year_outturn / f.last_year_ytd_value
            -- a change can carry a value past what the measure can take: held at 0 (and 100%)
            else {{ forecast_clamp('f.ytd_value + (f.last_year_outturn - f.last_year_ytd_value)', 'f.unit') }}
        end as forecast
    from forecast as f
),

errors as (
    -- the backtest: each forecast whose year has ended; a share of the forecast for the share
    -- method (a rate's level differs between councils), the measure's own units for the change
    select
        indicator_code, months_elapsed, fy_start,
        case when method = 'seasonal share' then outturn / forecast - 1 else outturn - forecast end as error
    from point
    where forecast is not null and outturn is not null and (method = 'seasonal change' or forecast <> 0)
),

intervals as (
    -- the same measure's errors at the same month in earlier years, every council's (never this
    -- year's or a later one: the interval a past pack would have shown), sorted
    select
        p.la_code, p.indicator_code, p.as_of,
        count(e.error) as interval_errors,
        array_sort(array_agg(e.error)) as sorted_errors,
        -- distribution-free: the k-th smallest and k-th largest of n exchangeable errors cover a
        -- new one with probability (n + 1 - 2k) / (n + 1); k is the largest giving the coverage
        floor((count(e.error) + 1) * (1 - {{ var('forecast_interval_coverage') }}) / 2)::int as k
    from point as p
    inner join errors as e
        on e.indicator_code = p.indicator_code and e.months_elapsed = p.months_elapsed and e.fy_start < p.fy_start
    where p.forecast is not null
    group by p.la_code, p.indicator_code, p.as_of
),

bounded as (
    select
        p.*,
        coalesce(i.interval_errors, 0) as interval_errors,
        case when coalesce(i.k, 0) < 1 then null
            when p.method = 'seasonal share' then p.forecast * (1 + {{ array_at('i.sorted_errors', 'i.k') }})
            else {{ forecast_clamp('p.forecast + ' ~ array_at('i.sorted_errors', 'i.k'), 'p.unit') }}
        end as forecast_lower,
        case when coalesce(i.k, 0) < 1 then null
            when p.method = 'seasonal share'
                then p.forecast * (1 + {{ array_at('i.sorted_errors', 'i.interval_errors + 1 - i.k') }})
            else {{ forecast_clamp(
                'p.forecast + ' ~ array_at('i.sorted_errors', 'i.interval_errors + 1 - i.k'), 'p.unit'
            ) }}
        end as forecast_upper,
        case when p.annual_target_applies then t.target end as annual_target,
        {{ round_half_away('p.forecast', 'p.decimals') }} as forecast_display
    from point as p
    left join intervals as i using (la_code, indicator_code, as_of)
    left join annual_targets as t
        on t.la_code = p.la_code and t.indicator_code = p.indicator_code
            and t.year_end = make_date(p.fy_start + 1, 3, 31)
)

select
    la_code,
    indicator_code,
    as_of,
    {{ fy_label('fy_start') }} as financial_year,
    months_elapsed,
    12 - months_elapsed as months_remaining,
    method,
    ytd_value,
    last_year_ytd_value,
    last_year_outturn,
    forecast,
    forecast_lower,
    forecast_upper,
    case when forecast_lower is not null then {{ var('forecast_interval_coverage') }} end as interval_coverage,
    interval_errors,
    case when forecast is not null and forecast_lower is null
            then 'too few earlier years at this month to size an interval'
    end as interval_note,
    annual_target,
    {{ rag('forecast_display', 'annual_target', 'polarity', 'tolerance') }} as forecast_rag,
    forecast_note,
    outturn
from bounded
