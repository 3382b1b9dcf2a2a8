-- ASCOF 2A step 4: for each new client's episode, the events starting in the 7 days after its end
-- (on or after its start, ending after its end), up to the first ST-Max among them, each with its
-- service's rank for sequel 3. A table of its own so Spark's analyser sees one step at a time.
with ev as (select * from {{ ref('int_cld_ascof_2a_cluster_events') }}),

window_events as (
    select
        e.*,
        dense_rank() over (partition by financial_year, la_code, person_key, cluster_no order by event_start_date) as rn
    from ev as e
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
)

select * from future
