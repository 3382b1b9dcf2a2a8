-- ASCOF 2A, the sequel of each new client's reablement episode (Create_ASCOF_2A_2425_Onwards.sql),
-- one row per episode (int_cld_ascof_2a_clusters), first match wins:
-- 1 death within 7 days of the end; 2 cluster outcome 'Admitted to hospital'; 3 the highest
-- service starting in the cluster and open past its end, starting <= 7 days after it; 4 the
-- best usable outcome of the cluster, of non-service events in that window, or of an assessment
-- or review ending inside the cluster less than 14 days before its end; 5 equipment during the
-- cluster ('Short term support: Ongoing low level'); 6 the cluster outcome.
-- The earlier steps are models of their own (events, clusters, cluster_events), materialised as
-- tables: as one query, Spark's analyser ran out of memory on it (docs/spark.md).
with new_clients as (select * from {{ ref('int_cld_ascof_2a_clusters') }}),

ev as (select * from {{ ref('int_cld_ascof_2a_cluster_events') }}),

utc as (select * from {{ ref('int_cld_ascof_2a_outcomes') }}),

step1 as (
    select financial_year, la_code, person_key, cluster_no, 'NFA: Deceased' as final_outcome, '1' as sequel_type
    from new_clients
    where {{ day_diff('cluster_end', 'date_of_death') }} <= 7
),

step2 as (
    select financial_year, la_code, person_key, cluster_no, cluster_outcome, '2'
    from new_clients as n
    where cluster_outcome = 'Admitted to hospital'
        and not exists (
            select 1 from step1 as s
            where s.financial_year = n.financial_year and s.la_code = n.la_code
                and s.person_key = n.person_key and s.cluster_no = n.cluster_no
        )
),

open_clusters as (
    select n.* from new_clients as n
    anti join
        (
            select * from step1
            union all
            select * from step2
        ) as s
        using (financial_year, la_code, person_key, cluster_no)
),

window_events as (
    select
        e.*,
        dense_rank() over (partition by financial_year, la_code, person_key, cluster_no order by event_start_date) as rn
    from ev as e semi join open_clusters using (financial_year, la_code, person_key, cluster_no)
    where e.event_start_date >= e.cluster_start and e.end_date > e.cluster_end
        and {{ day_diff('e.cluster_end', 'e.event_start_date') }} <= 7
),

future as (
    -- events after the first ST-Max in the window are ignored (cannot occur with 7-day clustering)
    select
        w.*,
        coalesce(
            case w.service_type when 'Long term support: Nursing care' then 1 when
                    'Long term support: Residential care'
                    then 2
                when 'Long term support: Community' then 3 when 'Long term support: Prison' then 4 when
                    'Short term support: ST-Max'
                    then 5
                when 'Short term support: Ongoing low level' then 6 when 'Short term support: Other short term' then 7
            end, 99
        ) as service_rank
    from window_events as w
    where w.rn < coalesce((
            select min(x.rn) from window_events as x
            where x.financial_year = w.financial_year and x.la_code = w.la_code and x.person_key = w.person_key
                and x.cluster_no = w.cluster_no and x.service_type = 'Short term support: ST-Max'
        ), 1e9)
),

step3 as (
    select
        financial_year, la_code, person_key, cluster_no,
        min_by(
            case when service_type = 'Short term support: Other short term'
                    and service_component in ('Short term residential care', 'Short term nursing care')
                    then 'Short term support: Residential or Nursing care'
                else service_type
            end,
            {{ sort_key([
                'service_rank',
                "case when service_component in ('Short term residential care', 'Short term nursing care')"
                ~ " then 1 else 2 end"
            ]) }}
        ) as final_outcome,
        '3' as sequel_type
    from future
    group by all
    having min(service_rank) <> 99
),

after3 as (
    select o.* from open_clusters as o anti join step3 using (financial_year, la_code, person_key, cluster_no)
),

nested as (
    select e.* from ev as e semi join after3 using (financial_year, la_code, person_key, cluster_no)
    where e.event_start_date >= e.cluster_start and e.end_date > e.cluster_start and e.end_date <= e.cluster_end
),

nested_ar as (
    select
        financial_year, la_code, person_key, cluster_no,
        max_by(hierarchy, {{ sort_key([day_number('end_date'), '-hierarchy', 'record_id']) }}) as hierarchy
    from nested
    where
        event_type_key in ('assessment', 'review') and {{ day_diff('end_date', 'cluster_end') }} < 14
        and hierarchy < 100
    group by all
),

future_nonservice as (
    select f.* from future as f semi join after3 using (financial_year, la_code, person_key, cluster_no)
    where (f.cluster_hierarchy < 100 or f.hierarchy < 100)
        and f.event_outcome <> 'NFA: Support ended as planned'
        and f.event_type_key <> 'service'
),

candidates as (
    select distinct financial_year, la_code, person_key, cluster_no, cluster_hierarchy as hierarchy, 1 as source
    from future_nonservice
    union all
    select financial_year, la_code, person_key, cluster_no, hierarchy, 2 from future_nonservice
    where hierarchy < 100
    union all
    select financial_year, la_code, person_key, cluster_no, hierarchy, 3 from nested_ar
    union all
    select a.financial_year, a.la_code, a.person_key, a.cluster_no, a.cluster_hierarchy, 1
    from after3 as a
    where a.cluster_hierarchy < 100
        and not exists (
            select 1 from future as f
            where f.financial_year = a.financial_year and f.la_code = a.la_code
                and f.person_key = a.person_key and f.cluster_no = a.cluster_no
        )
),

step4 as (
    select
        c.financial_year, c.la_code, c.person_key, c.cluster_no,
        case
            when min(c.hierarchy) = 999 then 'Invalid and not mapped' else {{ any_non_null('u.outcome') }}
        end as final_outcome,
        '4'
        || case min(c.source) filter (where c.hierarchy = m.min_h) when 1 then 'a' when 2 then 'b' when 3 then 'c' end
            as sequel_type
    from candidates as c
    inner join
        (
            select financial_year, la_code, person_key, cluster_no, min(hierarchy) as min_h from candidates
            group by all
        ) as m
        using (financial_year, la_code, person_key, cluster_no)
    left join utc as u on u.hierarchy = m.min_h
    group by all
),

after4 as (
    select a.* from after3 as a anti join step4 using (financial_year, la_code, person_key, cluster_no)
),

step5 as (
    select distinct
        a.financial_year, a.la_code, a.person_key, a.cluster_no,
        'Short term support: Ongoing low level' as final_outcome, '5' as sequel_type
    from after4 as a
    semi join (
        select * from nested
        where event_type_key = 'service' and service_component = 'Equipment'
    ) as n
        using (financial_year, la_code, person_key, cluster_no)
),

step6 as (
    select a.financial_year, a.la_code, a.person_key, a.cluster_no, a.cluster_outcome, '6'
    from after4 as a anti join step5 using (financial_year, la_code, person_key, cluster_no)
),

sequels as (
    select * from step1
    union all
    select * from step2
    union all
    select * from step3
    union all
    select * from step4
    union all
    select * from step5
    union all
    select * from step6
)

select
    s.financial_year, s.la_code, s.person_key, s.cluster_no, n.cluster_start, n.cluster_end, n.age_band,
    s.final_outcome, s.sequel_type,
    s.final_outcome in (
        'Long term support: Community', 'Long term support: Nursing care', 'Long term support: Residential care',
        'Long term support: Prison', 'Short term support: Ongoing low level', 'Short term support: Other short term',
        'Short term support: Residential or Nursing care', 'NFA: Information and advice or signposting',
        'NFA: Support ended as planned', 'NFA: Responsibility moved to another local authority', 'NFA: Other',
        'NFA: No services offered for other reason', 'NFA: Support ended for other reason',
        'NFA: Referral to other service within the local authority'
    ) as in_denominator,
    s.final_outcome in (
        'Short term support: Ongoing low level', 'Short term support: Other short term',
        'NFA: Information and advice or signposting', 'NFA: Support ended as planned',
        'NFA: Responsibility moved to another local authority', 'NFA: Other',
        'NFA: No services offered for other reason', 'NFA: Support ended for other reason',
        'NFA: Referral to other service within the local authority'
    ) as in_numerator
from sequels as s
inner join new_clients as n using (financial_year, la_code, person_key, cluster_no)
