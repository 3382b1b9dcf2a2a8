-- ASCOF 2A, the sequel of each new client's reablement episode (Create_ASCOF_2A_2425_Onwards.sql),
-- one row per episode (int_cld_ascof_2a_clusters), first match wins:
-- 1 death within 7 days of the end; 2 cluster outcome 'Admitted to hospital'; 3 the highest
-- service starting in the cluster and open past its end, starting <= 7 days after it; 4 the
-- best usable outcome of the cluster, of non-service events in that window, or of an assessment
-- or review ending inside the cluster less than 14 days before its end; 5 equipment during the
-- cluster ('Short term support: Ongoing low level'); 6 the cluster outcome.
-- The earlier steps, sequels 1-3 among them, are models of their own (outcomes, events, clusters,
-- cluster_events, window_events, sequels_1_3), materialised as tables: as one query, Spark's
-- analyser ran out of memory on it (docs/spark.md).
with new_clients as (select * from {{ ref('int_cld_ascof_2a_clusters') }}),

ev as (select * from {{ ref('int_cld_ascof_2a_cluster_events') }}),

future as (select * from {{ ref('int_cld_ascof_2a_window_events') }}),

early as (select * from {{ ref('int_cld_ascof_2a_sequels_1_3') }}),

utc as (select * from {{ ref('int_cld_ascof_2a_outcomes') }}),

after3 as (
    select n.* from new_clients as n anti join early using (financial_year, la_code, person_key, cluster_no)
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
    select * from early
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
