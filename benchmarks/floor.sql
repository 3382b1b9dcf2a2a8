-- The floor: one hand-written DuckDB script from the landing CSVs straight to the marts that plain
-- SQL reasonably computes: ascof (the Liquid Logic and DToC measures), admissions_rolling_12m,
-- dtoc_monthly, indicator_values (the figures of every event, snapshot and DToC indicator: the vital
-- signs, the request/assessment/review counts, 2A, 2C, 2D, 1C(1A)/(2A), at every period type) and the
-- dashboard's figures (those indicators at their dashboard period type). An independent second
-- implementation of the definitions in measures.md and the indicator catalogue (read from the seed,
-- the one place the units, population bands and dashboard period types are stated): the benchmark
-- compares its results with the pipeline's, mart by mart (benchmarks/run.py COMPARED).
-- Not in the floor, because they are not a query over the extracts but rules over the pipeline's
-- own judgements: the dashboard's targets, RAG and directions (targets file profiles, tolerances,
-- series breaks, supplied values laid over computed ones), SPC, the forecast, exceptions (built on
-- RAG, directions and the risk register's scores), the pooled comparators, data_quality (rows the
-- ingestion rejected) and the CLD marts (benchmarks/cld_floor.sql, their own floor).
-- The annual cohort indicators (1C(1B)/(2B), 1E, 1G, 2B) are compared through ascof, whose floor
-- computes them. One extract per full feed, as the first night's landing holds: the floor does not
-- pick the newest of several. {landing} is replaced by the landing folder, {seeds} by dbt/seeds.

create or replace temp macro age(dob, d) as
    year(d) - year(dob) - case when strftime(d, '%m%d') < strftime(dob, '%m%d') then 1 else 0 end;

create or replace temp table people as
    select * from read_csv('{landing}/liquidlogic/people_*.csv', header = true, all_varchar = false,
                           types = {'date_of_birth': 'DATE', 'date_of_death': 'DATE', 'person_id': 'VARCHAR'});
create or replace temp table services as
    select *, funding_source in ('Council', 'Joint (council and NHS)') as council
    from read_csv('{landing}/liquidlogic/services_*.csv', header = true,
                  types = {'start_date': 'DATE', 'end_date': 'DATE', 'person_id': 'VARCHAR', 'service_id': 'VARCHAR'});
create or replace temp table reablement as
    select * from read_csv('{landing}/liquidlogic/reablement_*.csv', header = true,
                           types = {'start_date': 'DATE', 'end_date': 'DATE', 'hospital_discharge': 'BOOLEAN',
                                    'person_id': 'VARCHAR', 'episode_id': 'VARCHAR'});
create or replace temp table client_status as
    select * from read_csv('{landing}/liquidlogic/client_status_*.csv', header = true,
                           types = {'as_at_date': 'DATE', 'person_id': 'VARCHAR'});
create or replace temp table activity as
    select la_code, request_date::date as d from read_csv('{landing}/liquidlogic/requests_*.csv', header = true,
                                                           types = {'request_date': 'DATE'})
    union all select la_code, end_date from reablement where end_date is not null
    union all select la_code, last_day(strptime(period || '-01', '%Y-%m-%d')::date)
              from read_csv('{landing}/dtoc/dtoc_*.csv', header = true, types = {'period': 'VARCHAR'})
    union all select la_code, completion_date::date from read_csv('{landing}/liquidlogic/assessments_*.csv',
              header = true, types = {'completion_date': 'DATE'}) where completion_date is not null;
create or replace temp table pop as
    select la_code, year,
           sum(population) filter (where age between 18 and 64) as p1864,
           sum(population) filter (where age >= 65) as p65,
           sum(population) filter (where age >= 18) as p18
    from read_csv('{landing}/population/population_*.csv', header = true)
    group by all;
create or replace temp table dtoc as
    select la_code, period, responsible_org, sum(delayed_days) as delayed_days
    from read_csv('{landing}/dtoc/dtoc_*.csv', header = true, types = {'period': 'VARCHAR'})
    group by all;

-- financial years fully covered by each council's data
create or replace temp table years as
    with b as (select la_code, date_trunc('month', min(d)) as lo, last_day(max(d)) as hi from activity group by 1)
    select la_code, make_date(y, 4, 1) as fy_start, make_date(y + 1, 3, 31) as fy_end,
           y::varchar || '/' || lpad(((y + 1) % 100)::varchar, 2, '0') as financial_year, y
    from b, (select unnest(range(2000, 2040)) as y) ys
    where make_date(y, 4, 1) >= lo and make_date(y + 1, 3, 31) <= hi;

create or replace temp table year_pop as
    select y.la_code, y.financial_year, y.y,
           arg_max(p.p1864, p.year) as p1864, arg_max(p.p65, p.year) as p65, arg_max(p.p18, p.year) as p18
    from years y join pop p on p.la_code = y.la_code and p.year <= y.y
    group by all;

create or replace temp table admissions as
    with perm as (
        select s.*, p.date_of_birth,
               max(coalesce(s.end_date, date '9999-12-31')) over (partition by s.la_code, s.person_id
                   order by s.start_date, s.service_id rows between unbounded preceding and 1 preceding) as prev_end
        from services s left join people p using (la_code, person_id)
        where s.service_type in ('Long Term Support: Nursing Care', 'Long Term Support: Residential Care')
          and s.client_type = 'Service User')
    select la_code, start_date, age(date_of_birth, start_date) as age
    from perm
    where council and (prev_end is null or start_date > prev_end + interval 7 day)
      and age(date_of_birth, start_date) >= 18;

create or replace temp table episodes as
    select r.*, age(p.date_of_birth, r.start_date) as age,
           not exists (select 1 from services s where s.la_code = r.la_code and s.person_id = r.person_id
                       and s.service_type like 'Long Term Support:%' and s.client_type = 'Service User' and s.council
                       and s.start_date <= r.start_date and coalesce(s.end_date, date '9999-12-31') >= r.start_date) as new_client
    from reablement r left join people p using (la_code, person_id);

create or replace temp table ascof as
with
community as (
    select y.la_code, y.financial_year, s.person_id,
           bool_or(s.delivery_mechanism in ('Direct Payment', 'Part Direct Payment', 'CASSR Managed Personal Budget')) as sds,
           bool_or(s.delivery_mechanism in ('Direct Payment', 'Part Direct Payment')) as dp
    from years y
    join services s on s.la_code = y.la_code and s.service_type = 'Long Term Support: Community'
     and s.client_type = 'Service User' and s.council and s.start_date <= y.fy_end
     and coalesce(s.end_date, date '9999-12-31') >= y.fy_end
    join people p on p.la_code = s.la_code and p.person_id = s.person_id
    where age(p.date_of_birth, y.fy_end) >= 18 and (p.date_of_death is null or p.date_of_death >= y.fy_end)
    group by all
),
carers as (
    select y.la_code, y.financial_year, s.person_id,
           bool_or(s.service_type = 'Carer Support: Direct Payment' or s.delivery_mechanism in
                   ('Direct Payment', 'Part Direct Payment', 'CASSR Managed Personal Budget')) as sds,
           bool_or(s.service_type = 'Carer Support: Direct Payment' or s.delivery_mechanism in
                   ('Direct Payment', 'Part Direct Payment')) as dp
    from years y
    join services s on s.la_code = y.la_code and s.client_type = 'Carer'
     and s.service_type in ('Carer Support: Direct Payment', 'Carer Support: Council Commissioned Support')
     and s.start_date <= y.fy_end and coalesce(s.end_date, date '9999-12-31') >= y.fy_start
    left join people p on p.la_code = s.la_code and p.person_id = s.person_id
    where p.date_of_birth is null or age(p.date_of_birth, y.fy_end) >= 18
    group by all
),
ld as (
    select distinct y.la_code, y.financial_year, y.fy_end, s.person_id
    from years y
    join services s on s.la_code = y.la_code and s.service_type like 'Long Term Support:%'
     and s.client_type = 'Service User' and s.council
     and s.start_date <= y.fy_end and coalesce(s.end_date, date '9999-12-31') >= y.fy_start
    join people p on p.la_code = s.la_code and p.person_id = s.person_id
    where p.primary_support_reason = 'Learning Disability Support' and age(p.date_of_birth, y.fy_end) between 18 and 64
),
ld_status as (
    select ld.*,
        (select arg_max(employment_status, as_at_date) from client_status c where c.la_code = ld.la_code
           and c.person_id = ld.person_id and c.as_at_date <= ld.fy_end and employment_status is not null) as emp,
        (select arg_max(accommodation_status, as_at_date) from client_status c where c.la_code = ld.la_code
           and c.person_id = ld.person_id and c.as_at_date <= ld.fy_end and accommodation_status is not null) as acc
    from ld
),
adm as (
    select y.la_code, y.financial_year,
           count(*) filter (where a.age between 18 and 64) as a1864, count(*) filter (where a.age >= 65) as a65
    from years y left join admissions a on a.la_code = y.la_code and a.start_date between y.fy_start and y.fy_end
    group by all
),
b1 as (
    select y.la_code, y.financial_year, count(e.episode_id) as den,
           count(*) filter (where e.status_at_91_days = 'At home') as num
    from years y left join episodes e on e.la_code = y.la_code and e.hospital_discharge and e.age >= 65
     and e.start_date between make_date(y.y, 10, 1) and make_date(y.y, 12, 31)
    group by all
),
d2 as (
    select y.la_code, y.financial_year,
           count(*) filter (where e.sequel in ('Ongoing Low Level Support', 'Short Term Support (Other)',
               'No Services Provided - Universal Services/Signposted to Other Services',
               'No Services Provided - No identified needs')) as num,
           count(e.episode_id) as den
    from years y left join episodes e on e.la_code = y.la_code and e.end_date between y.fy_start and y.fy_end
     and e.new_client and e.age >= 18 and e.sequel in ('Long Term Support (any level)', 'Ongoing Low Level Support',
         'Short Term Support (Other)', 'No Services Provided - Universal Services/Signposted to Other Services',
         'No Services Provided - No identified needs')
    group by all
)
select la_code, financial_year, '1C(1A)' as ascof_code, count(*) filter (where sds)::double as numerator,
       count(*)::double as denominator from community group by all
union all select la_code, financial_year, '1C(2A)', count(*) filter (where dp), count(*) from community group by all
union all select la_code, financial_year, '1C(1B)', count(*) filter (where sds), count(*) from carers group by all
union all select la_code, financial_year, '1C(2B)', count(*) filter (where dp), count(*) from carers group by all
union all select la_code, financial_year, '1E', count(*) filter (where emp like 'Paid:%'), count(*) from ld_status group by all
union all select la_code, financial_year, '1G', count(*) filter (where acc in ('Owner occupier or shared ownership',
    'Tenant', 'Settled mainstream housing with family/friends', 'Supported accommodation', 'Shared Lives scheme',
    'Approved premises', 'Sheltered housing', 'Mobile accommodation')), count(*) from ld_status group by all
union all select a.la_code, a.financial_year, '2A(1)', a.a1864, p.p1864 from adm a join year_pop p using (la_code, financial_year)
union all select a.la_code, a.financial_year, '2A(2)', a.a65, p.p65 from adm a join year_pop p using (la_code, financial_year)
union all select la_code, financial_year, '2B(1)', num, den from b1
union all select la_code, financial_year, '2D', num, den from d2;

create or replace temp table dtoc_year as

    select y.la_code, y.financial_year, code,
           sum(d.delayed_days) as num, avg(d.delayed_days / day(last_day(strptime(d.period || '-01', '%Y-%m-%d')))
                                         / yp.p18 * 100000) as value, any_value(yp.p18) as den, count(*) as months
    from years y
    join year_pop yp using (la_code, financial_year)
    join (select la_code, period, '2C(1)' as code, sum(delayed_days) as delayed_days from dtoc group by all
          union all
          select la_code, period, '2C(2)', sum(delayed_days) from dtoc
          where responsible_org in ('Social Care', 'Both') group by all) d
      on d.la_code = y.la_code and strptime(d.period || '-01', '%Y-%m-%d')::date between y.fy_start and y.fy_end
    group by all
;

create or replace temp table floor_ascof as
    select la_code, financial_year, ascof_code, numerator, denominator,
           case when ascof_code like '2A%' then numerator / nullif(denominator, 0) * 100000
                else numerator / nullif(denominator, 0) * 100 end as value
    from ascof
    union all
    select la_code, financial_year, code, num, den, case when months = 12 then value end from dtoc_year;

create or replace temp table floor_dtoc_monthly as
    select d.la_code, d.period, d.responsible_org, d.delayed_days,
           day(last_day(strptime(d.period || '-01', '%Y-%m-%d'))) as days_in_month,
           yp.p18 as population_18_plus,
           d.delayed_days / day(last_day(strptime(d.period || '-01', '%Y-%m-%d'))) / yp.p18 * 100000 as rate_per_100k
    from dtoc d
    left join lateral (
        select arg_max(p.p18, p.year) as p18 from pop p where p.la_code = d.la_code and p.year <= (
            case when month(strptime(d.period || '-01', '%Y-%m-%d')) >= 4 then year(strptime(d.period || '-01', '%Y-%m-%d'))
                 else year(strptime(d.period || '-01', '%Y-%m-%d')) - 1 end)
    ) yp on true;

create or replace temp table floor_admissions_rolling_12m as
    with bounds as (
        select la_code, date_trunc('month', min(d))::date as lo, date_trunc('month', max(d))::date as hi
        from activity group by la_code
    ),
    months as (
        select la_code, unnest(generate_series(lo, hi, interval 1 month))::date as m, lo from bounds
    ),
    ends as (select la_code, last_day(m) as period_end, (m - interval 11 month)::date as window_start,
                    case when month(m) >= 4 then year(m) else year(m) - 1 end as fy from months where (m - interval 11 month) >= lo)
    select e.la_code, e.period_end, band as age_band,
           count(a.start_date)::bigint as admissions_12m,
           any_value(case band when '18-64' then p.p1864 else p.p65 end) as population,
           count(a.start_date) / any_value(case band when '18-64' then p.p1864 else p.p65 end) * 100000 as rate_per_100k
    from ends e
    cross join (values ('18-64'), ('65+')) b(band)
    left join admissions a on a.la_code = e.la_code and a.start_date between e.window_start and e.period_end
     and ((band = '18-64' and a.age between 18 and 64) or (band = '65+' and a.age >= 65))
    left join lateral (select arg_max(p18, year) as p18, arg_max(p1864, year) as p1864, arg_max(p65, year) as p65
                       from pop where pop.la_code = e.la_code and pop.year <= e.fy) p on true
    group by all;


-- indicator_values: event and snapshot indicators ------------------------------------------------
create or replace temp table catalogue as
    select indicator_code, unit, kind, coalesce(population_band, '18+') as population_band, dashboard_period_type
    from read_csv('{seeds}/indicator_catalogue.csv', header = true, all_varchar = true);
create or replace temp table requests as
    select * from read_csv('{landing}/liquidlogic/requests_*.csv', header = true,
                           types = {'request_date': 'DATE', 'person_id': 'VARCHAR', 'request_id': 'VARCHAR'});
create or replace temp table assessments as
    select * from read_csv('{landing}/liquidlogic/assessments_*.csv', header = true,
                           types = {'completion_date': 'DATE', 'person_id': 'VARCHAR', 'assessment_id': 'VARCHAR'});
create or replace temp table reviews as
    select * from read_csv('{landing}/liquidlogic/reviews_*.csv', header = true,
                           types = {'review_date': 'DATE', 'person_id': 'VARCHAR', 'review_id': 'VARCHAR'});
create or replace temp table holding as
    select * from read_csv('{landing}/liquidlogic/holding_list_*.csv', header = true,
                           types = {'snapshot_date': 'DATE', 'person_id': 'VARCHAR'});

-- the months a council has activity in, first to last: every dated event a measure counts; services
-- only from their first recorded end to their last start (older starts and planned ends are not)
create or replace temp table council_months as
    with s as (
        select la_code, start_date, end_date, min(end_date) over (partition by la_code) as first_end,
               max(start_date) over (partition by la_code) as last_start
        from services
    ),
    act as (
        select la_code, request_date as d from requests
        union all select la_code, end_date from reablement where end_date is not null
        union all select la_code, last_day(strptime(period || '-01', '%Y-%m-%d')::date)
                  from read_csv('{landing}/dtoc/dtoc_*.csv', header = true, types = {'period': 'VARCHAR'})
        union all select la_code, completion_date from assessments where completion_date is not null
        union all select la_code, review_date from reviews
        union all select la_code, snapshot_date from holding
        union all select la_code, start_date from s where first_end is null or start_date >= first_end
        union all select la_code, end_date from s where end_date <= last_start
    ),
    b as (select la_code, date_trunc('month', min(d))::date as lo, date_trunc('month', max(d))::date as hi
          from act where d is not null and la_code is not null group by 1)
    select la_code, m::date as month_start, last_day(m::date) as month_end, lo as data_start
    from b, unnest(generate_series(lo, hi, interval 1 month)) as t(m);

create or replace temp table periods as
    with w as (
        select la_code, 'month' as period_type, month_start as period_start, month_end as period_end, data_start
        from council_months
        union all select la_code, 'quarter', (month_start - interval 2 month)::date, month_end, data_start
                  from council_months where month(month_end) in (3, 6, 9, 12)
        union all select la_code, 'ytd', make_date(case when month(month_end) >= 4 then year(month_end)
                  else year(month_end) - 1 end, 4, 1), month_end, data_start from council_months
        union all select la_code, 'rolling_12m', (month_start - interval 11 month)::date, month_end, data_start
                  from council_months
        union all select la_code, 'financial_year', make_date(year(month_end) - 1, 4, 1), month_end, data_start
                  from council_months where month(month_end) = 3
    )
    select la_code, period_type, period_start, period_end, period_start >= data_start as is_complete from w;

-- the population a window divides by: the financial year's mid-year estimate, else the latest
-- earlier one, else the earliest
create or replace temp table period_pop as
    with bands as (
        select la_code, year, '18-64' as band, p1864 as population from pop
        union all select la_code, year, '65+', p65 from pop
        union all select la_code, year, '18+', p18 from pop
    ),
    ends as (select distinct la_code, period_end,
                    case when month(period_end) >= 4 then year(period_end) else year(period_end) - 1 end as wanted
             from periods)
    select e.la_code, e.period_end, b.band,
           coalesce(max_by(b.population, b.year) filter (where b.year <= e.wanted),
                    min_by(b.population, b.year)) as population
    from ends e join bands b on b.la_code = e.la_code
    group by all;

create or replace temp table events as
    select la_code, case when age between 18 and 64 then '2A1' else '2A2' end as indicator_code,
           start_date as d, 1 as num, null::int as den from admissions where age >= 18
    union all select la_code, case when age between 18 and 64 then 'VS_ADMISSIONS_18_64' else 'VS_ADMISSIONS_65_PLUS' end,
           start_date, 1, null from admissions where age >= 18
    union all select la_code, '2D', end_date, (sequel in ('Ongoing Low Level Support', 'Short Term Support (Other)',
               'No Services Provided - Universal Services/Signposted to Other Services',
               'No Services Provided - No identified needs'))::int, 1
        from episodes where end_date is not null and new_client and age >= 18 and sequel in ('Long Term Support (any level)',
               'Ongoing Low Level Support', 'Short Term Support (Other)',
               'No Services Provided - Universal Services/Signposted to Other Services',
               'No Services Provided - No identified needs')
    union all select la_code, 'VS_REABLEMENT_NO_ONGOING', end_date, (sequel in ('Ongoing Low Level Support',
               'Short Term Support (Other)', 'No Services Provided - Universal Services/Signposted to Other Services',
               'No Services Provided - No identified needs'))::int, 1
        from episodes where end_date is not null and age >= 18 and sequel in ('Long Term Support (any level)',
               'Ongoing Low Level Support', 'Short Term Support (Other)',
               'No Services Provided - Universal Services/Signposted to Other Services',
               'No Services Provided - No identified needs')
    union all select la_code, 'VS_HOME_91_DAYS', end_date, (status_at_91_days = 'At home')::int, 1
        from episodes where end_date is not null and hospital_discharge and age >= 65 and status_at_91_days is not null
    union all select la_code, 'VS_ENQUIRIES_RESOLVED', request_date,
               (request_outcome = 'Universal Services/Signposted to Other Services')::int, 1
        from requests where request_outcome is not null
    union all select la_code, 'RC_REQUESTS_TO_ASSESSMENT', request_date, (request_outcome = 'Assessment')::int, 1
        from requests where request_outcome is not null
    union all select la_code, 'VS_ASSESSMENT_INFO_ONLY', completion_date,
               (assessment_outcome = 'Information and guidance only')::int, 1
        from assessments where completion_date is not null
    union all select la_code, 'RC_ASSESSMENTS_TO_SERVICES', completion_date,
               (assessment_outcome = 'Eligible needs - services provided')::int, 1
        from assessments where completion_date is not null
    union all select la_code, 'RC_REVIEWS_COMPLETED', review_date, 1, null from reviews;

-- people in council-supported long-term support at each month end
create or replace temp table lts as
    with svc as (
        select s.la_code, s.person_id, s.start_date, s.end_date, s.service_type, s.delivery_mechanism,
               p.date_of_birth, p.date_of_death, p.primary_support_reason
        from services s left join people p using (la_code, person_id)
        where s.service_type like 'Long Term Support:%' and s.client_type = 'Service User' and s.council
    ),
    ppl as (
        select m.la_code, m.month_end as as_at, s.person_id,
               any_value(s.primary_support_reason) as primary_support_reason,
               age(any_value(s.date_of_birth), m.month_end) as age,
               bool_or(s.service_type in ('Long Term Support: Nursing Care', 'Long Term Support: Residential Care')) as resi,
               bool_or(s.service_type = 'Long Term Support: Community') as community,
               bool_or(s.service_type = 'Long Term Support: Community' and s.delivery_mechanism in
                       ('Direct Payment', 'Part Direct Payment', 'CASSR Managed Personal Budget')) as sds,
               bool_or(s.service_type = 'Long Term Support: Community' and s.delivery_mechanism in
                       ('Direct Payment', 'Part Direct Payment')) as dp
        from council_months m
        join svc s on s.la_code = m.la_code and s.start_date <= m.month_end
         and coalesce(s.end_date, date '9999-12-31') >= m.month_end
         and (s.date_of_death is null or s.date_of_death >= m.month_end)
        group by m.la_code, m.month_end, s.person_id
    )
    select p.*, case when p.age between 18 and 64 then '18-64' when p.age >= 65 then '65+' end as band,
           e.employment_status like 'Paid:%' as paid
    from ppl p
    asof left join (select la_code, person_id, as_at_date, employment_status from client_status
                    where employment_status is not null) e
      on e.la_code = p.la_code and e.person_id = p.person_id and p.as_at >= e.as_at_date
    where p.age >= 18;

create or replace temp table snapshots as
    select la_code, '1C1A' as indicator_code, as_at, count(*) filter (where sds) as num,
           count(*) filter (where community) as den from lts group by all
    union all select la_code, '1C2A', as_at, count(*) filter (where dp), count(*) filter (where community)
              from lts group by all
    union all select la_code, 'VS_RESIDENTIAL_RATE', as_at, count(*) filter (where resi), null from lts group by all
    union all select la_code, 'VS_COMMUNITY_CARE_PCT', as_at, count(*) filter (where community and not resi), count(*)
              from lts group by all
    union all select la_code, 'VS_SERVICE_USERS_18_64', as_at, count(*) filter (where band = '18-64'), null
              from lts group by all
    union all select la_code, 'VS_SERVICE_USERS_65_PLUS', as_at, count(*) filter (where band = '65+'), null
              from lts group by all
    union all select la_code, 'VS_LD_EMPLOYMENT', as_at, count(*) filter (where paid), count(*) from lts
              where primary_support_reason = 'Learning Disability Support' and band = '18-64' group by all
    union all select la_code, 'VS_MH_EMPLOYMENT', as_at, count(*) filter (where paid), count(*) from lts
              where primary_support_reason = 'Mental Health Support' and band = '18-64' group by all
    union all select m.la_code, 'VS_CARERS_RATE', m.month_end, count(distinct s.person_id), null
              from council_months m join services s on s.la_code = m.la_code and s.client_type = 'Carer'
               and s.service_type like 'Carer Support:%' and s.start_date <= m.month_end
               and coalesce(s.end_date, date '9999-12-31') >= m.month_end
              group by all
    union all select la_code, 'RC_HOLDING_LIST', last_day(snapshot_date), max_by(n, snapshot_date), null from (
                  select la_code, snapshot_date, count(distinct person_id) as n from holding group by all
              ) h group by la_code, last_day(snapshot_date);

create or replace temp table floor_indicator_values as
    with figures as (
        select p.la_code, c.indicator_code, p.period_type, p.period_end,
               coalesce(sum(e.num), 0) as num, sum(e.den) as den
        from periods p
        cross join (values ('2A1'), ('2A2'), ('VS_ADMISSIONS_18_64'), ('VS_ADMISSIONS_65_PLUS'), ('2D'),
                           ('VS_REABLEMENT_NO_ONGOING'), ('VS_HOME_91_DAYS'), ('VS_ENQUIRIES_RESOLVED'),
                           ('RC_REQUESTS_TO_ASSESSMENT'), ('VS_ASSESSMENT_INFO_ONLY'), ('RC_ASSESSMENTS_TO_SERVICES'),
                           ('RC_REVIEWS_COMPLETED')) c(indicator_code)
        left join events e on e.la_code = p.la_code and e.indicator_code = c.indicator_code
         and e.d between p.period_start and p.period_end
        where p.is_complete
        group by all
        union all
        select p.la_code, s.indicator_code, p.period_type, p.period_end, s.num, s.den
        from periods p join snapshots s on s.la_code = p.la_code and s.as_at = p.period_end
    )
    select f.la_code, f.indicator_code, f.period_type, f.period_end,
           f.num::double as numerator,
           (case when k.unit = 'per 100k' then pp.population else f.den end)::double as denominator,
           case k.unit when '%' then case when f.den is null or f.den = 0 then null else 100 * f.num::double / f.den end
                       when 'per 100k' then case when pp.population is null or pp.population = 0 then null
                                                 else 100000 * f.num::double / pp.population end
                       when 'count' then f.num end as value
    from figures f
    join catalogue k using (indicator_code)
    left join period_pop pp on pp.la_code = f.la_code and pp.period_end = f.period_end and pp.band = k.population_band;

-- DToC indicators: a window's figure is the mean of its monthly rates, given only when every month is there
insert into floor_indicator_values
    with m as (
        select d.la_code, last_day(strptime(d.period || '-01', '%Y-%m-%d')::date) as month_end, c.code as indicator_code,
               sum(d.delayed_days) as days
        from dtoc d, (values ('2C1', false), ('2C2', true), ('VS_DTOC_SOCIAL_CARE', true)) c(code, social_care)
        where not c.social_care or d.responsible_org in ('Social Care', 'Both')
        group by all
    ),
    r as (
        select m.*, pp.population,
               case when pp.population is null or pp.population = 0 then null
                    else 100000 * (m.days / day(m.month_end)) / pp.population end as rate
        from m left join period_pop pp on pp.la_code = m.la_code and pp.period_end = m.month_end and pp.band = '18+'
    )
    select p.la_code, r.indicator_code, p.period_type, p.period_end, sum(r.days)::double,
           (any_value(r.population) filter (where r.month_end = p.period_end))::double,
           case when p.period_type = 'month' or count(*) = (year(p.period_end) - year(p.period_start)) * 12
                     + month(p.period_end) - month(p.period_start) + 1 then avg(r.rate) end
    from periods p join r on r.la_code = p.la_code and r.month_end between p.period_start and p.period_end
    group by p.la_code, r.indicator_code, p.period_type, p.period_start, p.period_end;

-- the dashboard: each indicator at its dashboard period type where the council has a value there, else monthly
create or replace temp table floor_dashboard as
    with chosen as (
        select v.la_code, v.indicator_code,
               case when bool_or(v.period_type = k.dashboard_period_type and v.value is not null)
                    then k.dashboard_period_type else 'month' end as period_type
        from floor_indicator_values v join catalogue k using (indicator_code)
        group by v.la_code, v.indicator_code, k.dashboard_period_type
    )
    select v.* from floor_indicator_values v join chosen using (la_code, indicator_code, period_type);
