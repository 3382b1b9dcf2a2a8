-- ASCOF 2A step 2: the reablement (ST-Max) episodes of new clients. A person's ST-Max services
-- are clustered when one starts within 7 days of the latest end so far; the cluster's outcome is
-- that of its latest-ending service. Kept: clusters ending in a financial year, of people aged
-- 18+ at the end (or of unknown age), alive at the start, and new clients: no long-term service
-- starting before the cluster and ending less than 91 days before it (or still open).
with events as (select * from {{ ref('int_cld_ascof_2a_events') }}),

people as (select * from {{ ref('int_cld_person_details') }}),

years as (select * from {{ ref('int_cld_financial_years') }}),

stmax as (
    select
        *,
        max(end_date) over (
            partition by la_code, person_key
            order by event_start_date asc, end_date asc, hierarchy asc, record_id desc
            rows between unbounded preceding and 1 preceding
        ) as previous_end
    from events
    where event_type_key = 'service' and service_type = 'Short term support: ST-Max'
),

clustered as (
    select
        *,
        sum(case when {{ day_diff('previous_end', 'event_start_date') }} <= 7 then 0 else 1 end)
            over (
                partition by la_code, person_key
                order by event_start_date asc, end_date asc, hierarchy asc, record_id desc
                rows between unbounded preceding and current row
            ) as cluster_no
    from stmax
),

clusters as (
    select
        la_code, person_key, cluster_no,
        min(event_start_date) as cluster_start,
        max(end_date) as cluster_end,
        max_by(hierarchy, {{ sort_key([day_number('end_date'), '-hierarchy', 'record_id']) }}) as cluster_hierarchy,
        max_by(event_outcome, {{ sort_key([day_number('end_date'), '-hierarchy', 'record_id']) }}) as cluster_outcome
    from clustered
    group by all
),

in_year as (
    select
        y.financial_year, c.*, p.date_of_death,
        {{ cld_age('p.date_of_birth', 'c.cluster_end') }} as age,
        case when {{ cld_age('p.date_of_birth', 'c.cluster_end') }} < 18 then 'Under 18'
            when {{ cld_age('p.date_of_birth', 'c.cluster_end') }} between 18 and 64 then '18 to 64'
            when {{ cld_age('p.date_of_birth', 'c.cluster_end') }} >= 65 then '65 and above'
            else 'Unknown'
        end as age_band
    from clusters as c
    inner join years as y on y.la_code = c.la_code and c.cluster_end between y.fy_start and y.fy_end
    left join people as p on p.la_code = c.la_code and p.person_key = c.person_key
    where ({{ cld_age('p.date_of_birth', 'c.cluster_end') }} >= 18 or p.date_of_birth is null)
        and (p.date_of_death >= c.cluster_start or p.date_of_death is null)
)

select c.* from in_year as c
where not exists (
        select 1 from events as e
        where e.la_code = c.la_code and e.person_key = c.person_key
            and e.service_type in (
                'Long term support: Nursing care', 'Long term support: Residential care',
                'Long term support: Community', 'Long term support: Prison'
            )
            and e.event_start_date < c.cluster_start
            and {{ day_diff('e.end_date', 'c.cluster_start') }} < 91
    )
