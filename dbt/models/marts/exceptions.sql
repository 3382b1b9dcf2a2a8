-- Indicators reported by exception (seed 000, 3.3) for each council and report month:
-- (a) off target: Red, or 5% or more the wrong side of target; (b) worse than the previous
-- period in each of the last three comparisons; (c) flagged as affecting the budget;
-- (d) linked to a corporate risk whose current score is 12 or more. Only indicators with a
-- target can be exceptions; every reason is listed.
with catalogue as (select * from {{ ref('indicator_catalogue') }}),

values_on_dashboard as (
    select v.* from {{ ref('indicator_values') }} v
    join catalogue k on k.indicator_code = v.indicator_code and k.dashboard_period_type = v.period_type
),

report_months as (
    select distinct la_code, period_end as report_period from {{ ref('indicator_values') }} where period_type = 'month'
),

current_values as (
    -- the current value is the latest period with data (feeds lag), within the 13-month dashboard
    select r.report_period, v.*,
           row_number() over (partition by r.la_code, r.report_period, v.indicator_code order by v.period_end desc) as pick
    from report_months r
    join values_on_dashboard v
      on v.la_code = r.la_code and v.period_end <= r.report_period
     and v.period_end > r.report_period - interval 13 month and v.value is not null
),

risks as (
    select l.indicator_code, s.la_code, s.snapshot_date, s.risk_id, s.current_score
    from {{ ref('indicator_risk_links') }} l
    join {{ ref('int_risk_scores') }} s on s.risk_id = l.risk_id
),

linked_risk as (
    -- the register snapshot in force at the report period
    select c.la_code, c.report_period, c.indicator_code,
           string_agg(r.risk_id || ' (score ' || r.current_score || ')', ', ' order by r.risk_id) as risks
    from current_values c
    join risks r on r.la_code = c.la_code and r.indicator_code = c.indicator_code
    where c.pick = 1 and r.current_score >= 12
      and r.snapshot_date = (select max(snapshot_date) from risks x
                             where x.la_code = c.la_code and x.snapshot_date <= c.report_period + interval 3 month)
    group by all
),

assessed as (
    select
        c.la_code,
        c.report_period as period_end,
        c.indicator_code,
        c.period_end as value_period_end,
        c.value,
        c.display_value,
        c.target,
        c.rag,
        coalesce(c.rag = 'R' or (case when k.polarity = 'bigger' then (c.target - c.display_value)
                                      else (c.display_value - c.target) end) / nullif(abs(c.target), 0) >= 0.05,
                 false) as off_target,
        c.three_deteriorations as deteriorating,
        coalesce(k.affects_budget, false) as affects_budget,
        lr.risks as linked_risks
    from current_values c
    join catalogue k using (indicator_code)
    left join linked_risk lr
      on lr.la_code = c.la_code and lr.report_period = c.report_period and lr.indicator_code = c.indicator_code
    where c.pick = 1 and c.target is not null
)

select
    la_code,
    period_end,
    indicator_code,
    value_period_end,
    value,
    target,
    rag,
    concat_ws('; ',
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
