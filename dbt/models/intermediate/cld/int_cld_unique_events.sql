-- DHSC's main table for joined submissions (GetUniqueEvents, 'Joined'): one original record per
-- unique event: latest reference period, then open (null end) first, then latest end, then
-- highest event outcome in the hierarchy (unmapped last), then the most recently submitted
-- record. DHSC's conversation flag (AGEM-derived, unpublished) is not reproduced.
-- The choice is ranked on the record id and the ordering columns alone, then the chosen records
-- are read whole: ranking the 58-column rows cost 2.5 times as much. (The model is named twice,
-- not through a CTE: DuckDB materialises a CTE read twice, every column.)
with chosen as (
    select record_id
    from (
        select
            record_id,
            row_number() over (
                partition by unique_event_ref
                order by
                    ref_period_end desc,
                    coalesce(der_event_end_date, {{ cld_open_end() }}) desc,
                    coalesce(event_outcome_hierarchy, 999),
                    record_id desc
            ) as rk
        from {{ ref('int_cld_derived_events') }}
    )
    where rk = 1
)

select d.*
from {{ ref('int_cld_derived_events') }} as d
where d.record_id in (select c.record_id from chosen as c)
