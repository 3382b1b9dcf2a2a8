-- For every council and every feed a measure needs (seed indicator_feeds): whether the council
-- has rows in it and, when it has none, why, in words a committee can read. The feed-level
-- state is the feed's latest load attempt in the load log: no file yet, a file quarantined or
-- failed on load (and no good data kept from an earlier one), or files that arrived header-only.
-- A header-only feed is valid ("nothing happened") but is not a count of zero: extracts.md says
-- the measures that need it are null with a reason, and so are those of a missing feed.
with feeds as (select distinct feed from {{ ref('indicator_feeds') }}),

council_rows as (
    select la_code, 'people' as feed, count(*) as n from {{ ref('stg_people') }}
    group by all
    union all
    select la_code, 'requests', count(*) from {{ ref('stg_requests') }}
    group by all
    union all
    select la_code, 'assessments', count(*) from {{ ref('stg_assessments') }}
    group by all
    union all
    select la_code, 'services', count(*) from {{ ref('stg_services') }}
    group by all
    union all
    select la_code, 'reablement', count(*) from {{ ref('stg_reablement') }}
    group by all
    union all
    select la_code, 'reviews', count(*) from {{ ref('stg_reviews') }}
    group by all
    union all
    select la_code, 'client_status', count(*) from {{ ref('stg_client_status') }}
    group by all
    union all
    select la_code, 'holding_list', count(*) from {{ ref('stg_holding_list') }}
    group by all
    union all
    select la_code, 'dtoc', count(*) from {{ ref('stg_dtoc') }}
    group by all
    union all
    select la_code, 'safeguarding', count(*) from {{ ref('stg_safeguarding') }}
    group by all
),

councils as (
    select distinct la_code from council_rows
    where la_code is not null
),

latest_load as (
    select feed, status, regexp_extract(replace(file, chr(92), '/'), '[^/]+$', 0) as file_name
    from {{ source('raw', '_load_log') }}
    qualify row_number() over (partition by feed order by loaded_at desc, file desc) = 1
),

feed_rows as (
    select feed, sum(n) as n from council_rows
    group by all
)

select
    c.la_code,
    f.feed,
    coalesce(r.n, 0) > 0 as has_rows,
    case
        when coalesce(r.n, 0) > 0 then null
        when coalesce(t.n, 0) > 0 then 'no ' || f.feed || ' rows for this council in the extract'
        when l.status in ('quarantined', 'failed')
            then
                'no '
                || f.feed
                || ' data: '
                || l.file_name
                || ' was '
                || l.status
                || ' on load (see the data-quality annex)'
        when l.status = 'empty' then 'no ' || f.feed || ' data: the feed arrived header-only (no rows)'
        else 'no ' || f.feed || ' file received yet'
    end as reason
from councils as c
cross join feeds as f
left join council_rows as r on r.la_code = c.la_code and r.feed = f.feed
left join feed_rows as t on t.feed = f.feed
left join latest_load as l on l.feed = f.feed
