-- ASCOF 2A step 5, the first sequels of each new client's episode, first match wins: 1 death
-- within 7 days of its end; 2 its outcome 'Admitted to hospital'; 3 the highest-ranked service
-- starting in the 7 days after it and open past its end (int_cld_ascof_2a_window_events). One row
-- per episode so settled; int_cld_ascof_2a_episodes takes the rest through sequels 4-6.
with new_clients as (select * from {{ ref('int_cld_ascof_2a_clusters') }}),

future as (select * from {{ ref('int_cld_ascof_2a_window_events') }}),

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
    from future semi join open_clusters using (financial_year, la_code, person_key, cluster_no)
    group by all
    having min(service_rank) <> 99
)

select * from step1
union all
select * from step2
union all
select * from step3
