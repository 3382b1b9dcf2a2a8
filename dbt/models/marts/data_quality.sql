-- One row per load attempt: what was read, accepted and rejected, and why a file failed.
select
    l.feed,
    l.file,
    l.loaded_at,
    l.extract_date,
    l.rows_read,
    l.rows_accepted,
    l.rows_rejected,
    l.status,
    l.message,
    (
        select {{ string_agg_ordered('r.rule', "'; '", 'r.rule', distinct=true) }}
        from {{ source('raw', '_rejects') }} as r
        where r.file_hash = l.file_hash and r.feed = l.feed
    ) as rejected_rules
from {{ source('raw', '_load_log') }} as l
