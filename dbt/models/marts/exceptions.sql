-- Indicators reported by exception (seed 000, 3.3) for each council and report month:
-- (a) off target: Red, or exception_shortfall (5%) or more the wrong side of target; (b) worse
-- than the previous period in each of the last three comparisons; (c) flagged as affecting the
-- budget; (d) linked to a corporate risk whose current score is exception_risk_score (12) or more
-- (thresholds: dbt vars; rule: macros/rag.sql). Values are the dashboard's (marts.dashboard). Only indicators with a
-- target can be exceptions; every reason is listed.
with catalogue as (select * from {{ ref('indicator_catalogue') }}),

report_months as (
    select distinct la_code, period_end as report_period from {{ ref('indicator_values') }}
    where period_type = 'month'
),

current_values as (
    -- the current value is the latest period with data (feeds lag), within the 13-month dashboard
    select
        r.report_period, v.*,
        row_number() over (partition by r.la_code, r.report_period, v.indicator_code order by v.period_end desc) as pick
    from report_months as r
    inner join {{ ref('dashboard') }} as v
        on v.la_code = r.la_code and v.period_end <= r.report_period
            and v.period_end > r.report_period - interval 13 month and v.value is not null
),

risks as (
    select l.indicator_code, s.la_code, s.snapshot_date, s.risk_id, s.current_score
    from {{ ref('indicator_risk_links') }} as l
    inner join {{ ref('int_risk_scores') }} as s on s.risk_id = l.risk_id
),

linked_risk as (
    -- the register snapshot in force at the report period
    select
        c.la_code, c.report_period, c.indicator_code,
        {{ string_agg_ordered("r.risk_id || ' (score ' || r.current_score || ')'", "', '", 'r.risk_id') }} as risks
    from current_values as c
    inner join risks as r on r.la_code = c.la_code and r.indicator_code = c.indicator_code
    where c.pick = 1 and {{ exception_risk('r.current_score') }}
        and r.snapshot_date = (
            select max(snapshot_date) from risks as x
            where x.la_code = c.la_code and x.snapshot_date <= c.report_period + interval 3 month
        )
    group by all
),

current_targeted as (
    -- a lagging value is judged against its own period's target, else the report month's
    select c.*, coalesce(c.target, t.target) as current_target
    from current_values as c
    left join {{ ref('int_indicator_targets') }} as t
        on t.la_code = c.la_code and t.indicator_code = c.indicator_code
            and t.month_end = c.report_period and not t.for_financial_year
    where c.pick = 1
),

assessed as (
    select
        c.la_code,
        c.report_period as period_end,
        c.indicator_code,
        c.period_end as value_period_end,
        c.period_type as value_period_type,
        c.value,
        c.display_value,
        c.current_target as target,
        coalesce(c.rag, {{ rag('c.display_value', 'c.current_target', 'k.polarity', rag_tolerance('k.tolerance')) }})
            as rag,
        {{ off_target('c.display_value', 'c.current_target', 'k.polarity', 'c.rag') }} as off_target,
        c.three_deteriorations as deteriorating,
        coalesce(k.affects_budget, false) as affects_budget,
        lr.risks as linked_risks
    from current_targeted as c
    inner join catalogue as k using (indicator_code)
    left join linked_risk as lr
        on lr.la_code = c.la_code and lr.report_period = c.report_period and lr.indicator_code = c.indicator_code
    where c.current_target is not null
)

select
    la_code,
    period_end,
    indicator_code,
    value_period_end,
    value_period_type,
    value,
    display_value,
    target,
    rag,
    concat_ws(
        '; ',
        case when off_target then 'off target' end,
        case when deteriorating then 'worse than the previous period three times running' end,
        case when affects_budget then 'affects the budget' end,
        case when linked_risks is not null then 'linked corporate risk ' || linked_risks end
    ) as reasons,
    off_target,
    deteriorating,
    affects_budget,
    linked_risks
from assessed
where off_target or deteriorating or affects_budget or linked_risks is not null
