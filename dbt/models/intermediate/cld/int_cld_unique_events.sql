-- DHSC's main table for joined submissions (GetUniqueEvents, 'Joined'): one original record per
-- unique event: latest reference period, then open (null end) first, then latest end, then
-- highest event outcome in the hierarchy (unmapped last), then the most recently submitted
-- record. DHSC's conversation flag (AGEM-derived, unpublished) is not reproduced.
with derived as (select * from {{ ref('int_cld_derived_events') }})

select {{ star_except(none, ['rk']) }}
from (
    select
        *,
        row_number() over (
            partition by unique_event_ref
            order by
                ref_period_end desc,
                coalesce(der_event_end_date, {{ cld_open_end() }}) desc,
                coalesce(event_outcome_hierarchy, 999),
                record_id desc
        ) as rk
    from derived
)
where rk = 1
