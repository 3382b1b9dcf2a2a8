-- Changes between each council's two latest register snapshots (seed 002, Appendix C):
-- new and closed risks, score changes and title changes.
with latest as (
    select * from {{ ref('int_risk_scores') }}
    where snapshot_rank = 1
),

previous as (
    select * from {{ ref('int_risk_scores') }}
    where snapshot_rank = 2
),

councils as (select distinct la_code from previous)

select
    l.la_code, l.risk_id, 'new' as change_type, null as before, l.risk_name as after,
    null::date as before_snapshot, l.snapshot_date as after_snapshot
from latest as l
inner join councils using (la_code)
left join previous as p using (la_code, risk_id)
where p.risk_id is null
union all
select
    p.la_code, p.risk_id, 'closed', p.risk_name, null, p.snapshot_date,
    (
        select max(snapshot_date) from latest as x
        where x.la_code = p.la_code
    )
from previous as p left join latest as l using (la_code, risk_id)
where l.risk_id is null
union all
select
    l.la_code, l.risk_id, 'score', p.current_score::string, l.current_score::string,
    p.snapshot_date as before_snapshot, l.snapshot_date as after_snapshot
from latest as l inner join previous as p using (la_code, risk_id)
where l.current_score is distinct from p.current_score
union all
select
    l.la_code, l.risk_id, 'title', p.risk_name as before, l.risk_name as after,
    p.snapshot_date as before_snapshot, l.snapshot_date as after_snapshot
from latest as l inner join previous as p using (la_code, risk_id)
where l.risk_name is distinct from p.risk_name
