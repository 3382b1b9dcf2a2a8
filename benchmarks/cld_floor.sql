-- The CLD floor: one hand-written DuckDB script from the landing CLD CSVs (and population) to the
-- revised ASCOF numerators and denominators, ported the way an analyst would port DHSC's T-SQL
-- (DataS-DHSC/ASC-CLD-LA-Dashboard @ 9bee728) with no validation, pseudonymisation, data quality,
-- person-details columns the measures do not use, or tests. A second implementation of the same
-- rules: the benchmark and tests/cld_measures/test_cld_floor_agrees.py require its
-- floor_ascof_cld to equal marts.ascof_cld. It reads the raw files (clear identifiers, full dates
-- of birth, DD/MM/YYYY dates, headers with spaces), so ingestion is checked too.
-- {landing} is the landing folder, {seeds} the folder of DHSC's mapping tables.

create or replace temp macro d(x) as
    coalesce(try_strptime(left(trim(x), 10), '%Y-%m-%d'), try_strptime(left(trim(x), 10), '%d/%m/%Y'))::date;
create or replace temp macro v(x) as nullif(trim(x), '');
create or replace temp macro k(x) as lower(rtrim(x));             -- SQL Server's case-insensitive collation
create or replace temp macro age(b, d) as floor(datediff('day', b, d) / 365.25);  -- DHSC's age formula
create or replace temp macro open_end() as date '9999-01-01';

-- 1. every row of every submission; the submission is (council, date-time in the file name)
-- (a table keeps the files' order: its rowid is the row's place in the glob's file-name order)
create or replace temp table files as
    select filename, nhs_number, la_person_unique_identifier, adult_1_linked_person_id, adult_2_linked_person_id,
           adult_3_linked_person_id, date_of_birth, date_of_death, event_start_date, event_end_date, event_type, gender,
           client_type, primary_support_reason, accommodation_status, event_outcome, request_route_of_access,
           assessment_type, service_type, service_component, delivery_mechanism
    from read_csv('{landing}/cld/cld_*.csv', header = true, all_varchar = true, union_by_name = true,
                  normalize_names = true, filename = true);

create or replace temp table cld as
    with f as (
        select *, regexp_extract(filename, 'cld_([A-Za-z0-9]+)_(\d{8})(_(\d{6}))?\.csv$', ['la', 'day', 'x', 'hms']) as n
        from (select rowid as file_order, * from files)
    )
    select row_number() over (order by sub_at, filename, file_order) as record_id, *
    from (
        select n.la as la_code, strptime(n.day || coalesce(nullif(n.hms, ''), '000000'), '%Y%m%d%H%M%S') as sub_at,
               filename, file_order,
               nullif(replace(trim(nhs_number), ' ', ''), '') as nhs, v(la_person_unique_identifier) as la_id,
               v(adult_1_linked_person_id) as link1, v(adult_2_linked_person_id) as link2,
               v(adult_3_linked_person_id) as link3,
               date_trunc('month', d(date_of_birth))::date as dob, d(date_of_death) as dod,
               d(event_start_date) as ev_start, d(event_end_date) as ev_end,
               v(event_type) as event_type, k(v(event_type)) as et, k(v(event_type)) like '%service%' as is_service,
               v(gender) as gender, v(client_type) as client_type, v(primary_support_reason) as psr,
               v(accommodation_status) as accommodation, v(event_outcome) as outcome,
               v(request_route_of_access) as route, v(assessment_type) as assessment_type,
               v(service_type) as service_type, v(service_component) as component,
               v(delivery_mechanism) as mechanism
        from f
    );

drop table files;

-- 2. DHSC's derived reporting period of each submission (REF_Submission_Reporting_Periods)
create or replace temp table periods as
    with by_month as (
        select la_code, sub_at, date_trunc('month', ev_end)::date as month,
               count(distinct et) as types, count(*) as n
        from cld where ev_end < date_trunc('month', sub_at)::date group by all
    ),
    per_file as (select la_code, sub_at, max(types) as types, sum(n) as n from by_month group by all),
    kept as (
        select m.* from by_month m join per_file f using (la_code, sub_at)
        where f.n < 100 or (100.0 * m.n / f.n >= 2 and m.types >= f.types - 1)
    )
    select la_code, sub_at, min(month) as p_start, last_day(max(month)) as p_end from kept group by all;

-- 3. joined submissions: per quarter from April 2023, the latest submission covering it, made after
--    it ended and by the as-of date (the latest submission); a file gets one span of quarters
create or replace temp table chosen as
    with as_of as (select max(sub_at)::date as as_of from cld),
    quarters as (
        select q::date as q_start, (q + interval 3 month - interval 1 day)::date as q_end
        from as_of, range(date '2023-04-01', as_of, interval 3 month) t(q)
        where (q + interval 3 month - interval 1 day)::date < as_of
    ),
    pick as (
        select q.*, p.la_code, arg_max(p.sub_at, p.sub_at) as sub_at
        from quarters q, as_of a, periods p
        where p.p_start <= q.q_start and p.p_end >= q.q_end and p.sub_at > q.q_end and p.sub_at::date <= a.as_of
        group by all
    )
    select la_code, sub_at, min(q_start) as ref_start, max(q_end) as ref_end from pick group by all;

-- 4. events in their file's period, end dates corrected by death (FilterToEventsInPeriod)
create or replace temp table in_period as
    select c.* replace (case when (c.dod between c.ev_start and c.ev_end) or (c.dod > c.ev_start and c.ev_end is null)
                             then c.dod else c.ev_end end as ev_end),
           s.ref_start, s.ref_end
    from cld c join chosen s using (la_code, sub_at);
delete from in_period
where not (((not is_service and ev_end between ref_start and ref_end) or (is_service and (ev_end >= ref_start or ev_end is null)))
           and ev_start <= ref_end and (dod is null or (dod >= ref_start and dod >= ev_start)));

-- 5. Release 2 values from DHSC's mapping tables (a value in no table stays null)
create or replace temp table vmap as
    select 'accommodation_status' as field, k(Accommodation_Status_Raw) as key, Accommodation_Status_Cleaned_R2 as clean from read_csv('{seeds}/accommodation_status.csv', header = true, all_varchar = true)
    union all select 'client_type' as field, k(Client_Type_Raw) as key, Client_Type_Cleaned_R2 as clean from read_csv('{seeds}/client_type.csv', header = true, all_varchar = true)
    union all select 'delivery_mechanism' as field, k(Delivery_Mechanism_Raw) as key, Delivery_Mechanism_Cleaned_R2 as clean from read_csv('{seeds}/delivery_mechanism.csv', header = true, all_varchar = true)
    union all select 'event_outcome' as field, k(Event_Outcome_Raw) as key, Event_Outcome_Cleaned_R2 as clean from read_csv('{seeds}/event_outcome.csv', header = true, all_varchar = true)
    union all select 'gender' as field, k(Gender_Raw) as key, Gender_Cleaned as clean from read_csv('{seeds}/gender.csv', header = true, all_varchar = true)
    union all select 'primary_support_reason' as field, k(Primary_Support_Reason_Raw) as key, Primary_Support_Reason_Cleaned_R2 as clean from read_csv('{seeds}/primary_support_reason.csv', header = true, all_varchar = true)
    union all select 'service_component' as field, k(Service_Component_Raw) as key, Service_Component_Cleaned_R2 as clean from read_csv('{seeds}/service_component.csv', header = true, all_varchar = true)
    union all select 'service_type' as field, k(Service_Type_Raw) as key, Service_Type_Cleaned_R2 as clean from read_csv('{seeds}/service_type.csv', header = true, all_varchar = true);
create or replace temp table hierarchy as
    select Event_Outcome_Hierarchy::int as h, Event_Outcome_Spec as outcome
    from read_csv('{seeds}/event_outcome_hierarchy.csv', header = true, all_varchar = true);

create or replace temp table mapped as
    select e.*, coalesce(e.nhs, e.la_code || '_' || e.la_id) as person,
           m1.clean as client_type_c, m2.clean as gender_c, m3.clean as psr_c, m4.clean as accommodation_c,
           m5.clean as outcome_c, m6.clean as service_type_c, m7.clean as component_c, m8.clean as mechanism_c,
           h.h as outcome_h
    from in_period e
    left join vmap m1 on m1.field = 'client_type' and m1.key = k(e.client_type)
    left join vmap m2 on m2.field = 'gender' and m2.key = k(e.gender)
    left join vmap m3 on m3.field = 'primary_support_reason' and m3.key = k(e.psr)
    left join vmap m4 on m4.field = 'accommodation_status' and m4.key = k(e.accommodation)
    left join vmap m5 on m5.field = 'event_outcome' and m5.key = k(e.outcome)
    left join vmap m6 on m6.field = 'service_type' and m6.key = k(e.service_type)
    left join vmap m7 on m7.field = 'service_component' and m7.key = k(e.component)
    left join vmap m8 on m8.field = 'delivery_mechanism' and m8.key = k(e.mechanism)
    left join hierarchy h on h.outcome = m5.clean
    where coalesce(e.nhs, e.la_id) is not null;

-- 6. DHSC's unique event (services: no end date in the key), cropping of services open at the end of
--    a period and missing from the next one, and one record per unique event (GetUniqueEvents)
create or replace temp table keyed as
    select *, la_code || '|' || md5(concat_ws('|', ev_start::varchar, case when not is_service then coalesce(ev_end::varchar, '~') end,
               coalesce(k(client_type), '~'), person, et,
               case when et like '%request%' then coalesce(k(route), '~') end,
               case when et like '%assessment%' then coalesce(k(assessment_type), '~') end,
               case when is_service then coalesce(k(service_type), '~') end,
               case when is_service then coalesce(k(component), '~') end)) as event_key
    from mapped;

update keyed set ev_end = ref_end
where (ev_end is null or ev_end > ref_end)
  and ref_start < (select max(ref_start) from chosen c where c.la_code = keyed.la_code)
  and not exists (select 1 from keyed n where n.la_code = keyed.la_code and n.ref_start = keyed.ref_end + 1
                  and n.event_key = keyed.event_key);

create or replace temp table main as
    select * from keyed
    qualify row_number() over (partition by event_key
                               order by ref_end desc, coalesce(ev_end, open_end()) desc, coalesce(outcome_h, 999), record_id desc) = 1;

-- 7. the person details the measures use (Create_personal_details_table.sql): per attribute, known
--    values first, then latest period, latest end, latest start; a tie that disagrees is Unknown
create or replace temp table people as
    with base as (
        select la_code, person, ref_end, coalesce(ev_end, open_end()) as end_sort, ev_start, et, dob, dod,
               coalesce(accommodation_c, 'Invalid and not mapped') as acc, coalesce(gender_c, 'Invalid and not mapped') as g,
               coalesce(psr_c, 'Invalid and not mapped') as p,
               coalesce(service_type_c, 'Invalid and not mapped') as st, coalesce(component_c, 'Invalid and not mapped') as sc
        from main
    ),
    acc as (
        select la_code, person, case when count(distinct v) > 1 then 'Unknown' else any_value(v) end as acc
        from (select la_code, person, case when acc = 'Invalid and not mapped' then 'Unknown' else acc end as v,
                     rank() over (partition by la_code, person order by acc not in ('Unknown', 'Invalid and not mapped') desc,
                                  ref_end desc, end_sort desc, ev_start desc) as r from base)
        where r = 1 group by all
    ),
    gender as (
        select la_code, person, case when count(distinct v) > 1 then 'Unknown' else any_value(v) end as gender
        from (select la_code, person, case when g in ('Unknown', 'Invalid and not mapped') then 'Unknown' else g end as v,
                     rank() over (partition by la_code, person order by g not in ('Unknown', 'Invalid and not mapped') desc,
                                  ref_end desc, end_sort desc, ev_start desc) as r from base)
        where r = 1 group by all
    ),
    psr as (
        select la_code, person, case when count(distinct v) > 1 then 'Unknown' else any_value(v) end as psr
        from (select la_code, person, case when p = 'Invalid and not mapped' then 'Unknown' else p end as v,
                     rank() over (partition by la_code, person
                                  order by p not in ('Unknown', 'Invalid and not mapped', 'Social support: Support to unpaid carer') desc,
                                  ref_end desc, end_sort desc, ev_start desc) as r from base)
        where r = 1 group by all
    ),
    -- an Unknown accommodation deduced from the person's latest services, where they agree
    latest_services as (
        select * from (
            select a.la_code, a.person, s.st, s.sc, h,
                   s.sc in ('Shared Lives', 'Community supported living', 'Extra care housing', 'Home support or domiciliary care') as useful,
                   rank() over (partition by a.la_code, a.person
                                order by coalesce(s.end_sort, open_end()) desc, h,
                                         s.sc in ('Shared Lives', 'Community supported living', 'Extra care housing',
                                                  'Home support or domiciliary care') desc, s.ev_start desc) as r
            from acc a
            left join base s on s.la_code = a.la_code and s.person = a.person and s.et = 'service',
            lateral (select case s.st when 'Long term support: Nursing care' then 1 when 'Long term support: Residential care' then 2
                         when 'Long term support: Community' then 3 when 'Long term support: Prison' then 4
                         when 'Short term support: ST-Max' then 5 when 'Short term support: Ongoing low level' then 6
                         when 'Short term support: Other short term' then 7 else 99 end as h)
            where a.acc = 'Unknown')
        where r = 1
    ),
    deduced as (
        select la_code, person,
               case when count(distinct st) filter (where h <> 99) = 1 then any_value(st) filter (where h <> 99) end as st,
               case when count(distinct sc) filter (where useful) = 1 then any_value(sc) filter (where useful) end as sc
        from latest_services group by all
    ),
    accommodation as (
        select la_code, person, acc from acc where acc <> 'Unknown'
        union all
        select la_code, person,
               case when st = 'Long term support: Nursing care' then 'Registered nursing home'
                    when st = 'Long term support: Residential care' then 'Registered care home'
                    when sc = 'Shared Lives' then 'Shared Lives scheme'
                    when sc = 'Extra care housing' then 'Sheltered housing, extra care housing or other sheltered housing'
                    when sc = 'Community supported living' then 'Supported accommodation, supported lodgings or supported group home'
                    when st = 'Long term support: Community' and sc = 'Home support or domiciliary care' then 'Unknown: Presumed at home'
                    when st = 'Long term support: Community' and sc is null then 'Unknown: Presumed in community'
                    when st = 'Long term support: Prison' then 'Prison, young offenders institution or detention centre'
                    else 'Unknown' end
        from deduced
    ),
    birth as (
        select distinct la_code, person, dob from base
        qualify rank() over (partition by la_code, person order by dob is not null desc, ref_end desc, dob) = 1
    ),
    death as (
        select distinct la_code, person, dod from base
        qualify rank() over (partition by la_code, person order by dod is not null desc, ref_end desc, dod desc) = 1
    )
    select a.la_code, a.person, a.acc,
           -- own home or with family (DHSC's accommodation group 1)
           lower(a.acc) in ('owner occupier or shared ownership scheme', 'tenant: local authority or other social housing provider',
               'tenant: private landlord', 'settled mainstream housing with family or friends',
               'supported accommodation, supported lodgings or supported group home', 'shared lives scheme',
               'approved premises for offenders released from prison or under probation supervision',
               'sheltered housing, extra care housing or other sheltered housing',
               'mobile accommodation for gypsy, roma and traveller communities', 'unknown: presumed at home') as at_home,
           g.gender, p.psr, b.dob, x.dod
    from accommodation a
    left join gender g using (la_code, person)
    left join psr p using (la_code, person)
    left join birth b using (la_code, person)
    left join death x using (la_code, person);

-- 8. the financial years each council's joined data covers from start to end
create or replace temp table years as
    select la_code, fy::date as fy_start, (fy + interval 1 year - interval 1 day)::date as fy_end,
           year(fy)::varchar || '/' || lpad(((year(fy) + 1) % 100)::varchar, 2, '0') as financial_year
    from (select la_code, min(ref_start) as lo, max(ref_end) as hi from main group by all) m,
         range(date '2023-04-01', m.hi, interval 1 year) t(fy)
    where (fy + interval 1 year - interval 1 day)::date <= m.hi and fy::date >= m.lo;

create or replace temp table pop as
    with p as (select la_code, year::int as year, lower(sex) in ('persons', 'all', 'p', 't', 'total', 'all persons') as total,
                      age::int as age, population::double as population
               from read_csv('{landing}/population/population_*.csv', header = true, all_varchar = true)),
    t as (select la_code, year, bool_or(total) as any_total from p group by all)
    select la_code, year, sum(population) filter (where age between 18 and 64) as p1864,
           sum(population) filter (where age >= 65) as p65
    from p join t using (la_code, year) where total = any_total group by all;

create or replace temp table lt_any as  -- service users' long-term support rows with a valid span
    select * from main
    where client_type_c = 'Service user' and ev_start is not null and (ev_end >= ev_start or ev_end is null)
      and service_type_c in ('Long term support: Nursing care', 'Long term support: Residential care',
                             'Long term support: Community', 'Long term support: Prison');

create or replace temp table lt as select * from lt_any where is_service;

-- 9. ASCOF 2B (18-64) and 2C (65+): new permanent admissions to residential or nursing care
create or replace temp table m_2bc as
    with care as (
        select m.la_code, m.person, m.ev_start, m.ev_end, m.outcome_c, p.dod, age(p.dob, m.ev_start) as age
        from main m join people p using (la_code, person)
        where m.is_service and m.client_type_c = 'Service user' and p.dob is not null
          and m.service_type_c in ('Long term support: Residential care', 'Long term support: Nursing care')
          and (m.component_c ilike '%residential%' or m.component_c ilike '%nursing%') and m.component_c not ilike '%short%'
    ),
    new as (
        select y.la_code, y.financial_year, a.person,
               min(case when a.age between 18 and 64 then '18 to 64' when a.age > 64 then '65 and above' end) as band
        from years y join care a on a.la_code = y.la_code and a.ev_start between y.fy_start and y.fy_end
        where (a.dod >= y.fy_start or a.dod is null) and a.age >= 18
          and (a.outcome_c is null or a.outcome_c <> 'NFA: Self-funded client or under 12wk disregard')
          and not exists (select 1 from care b where b.la_code = a.la_code and b.person = a.person and b.ev_start < a.ev_start
                          and (datediff('day', b.ev_end, a.ev_start) < 365 or b.ev_end is null))
        group by all
    )
    select y.la_code, y.financial_year, b.measure, '' as part, b.band as breakdown,
           count(distinct n.person) as numerator,
           any_value(case b.band when '18 to 64' then p.p1864 else p.p65 end) as denominator
    from years y
    cross join (values ('ASCOF 2B', '18 to 64'), ('ASCOF 2C', '65 and above')) b(measure, band)
    left join new n on n.la_code = y.la_code and n.financial_year = y.financial_year and n.band = b.band
    left join pop p on p.la_code = y.la_code and p.year = year(y.fy_start)
    group by all;

-- 10. ASCOF 2E: people in long-term support in the year living in their own home or with family
create or replace temp table m_2e as
    with people_in_year as (
        select y.la_code, y.financial_year, l.person, max(least(coalesce(l.ev_end, open_end()), y.fy_end)) as capped_end
        from years y join lt l on l.la_code = y.la_code and l.ev_start <= y.fy_end and (l.ev_end >= y.fy_start or l.ev_end is null)
        group by all
    ),
    banded as (
        select i.*, p.at_home, p.gender, p.psr,
               case when age(p.dob, i.capped_end) between 18 and 64 then '18 to 64'
                    when age(p.dob, i.capped_end) >= 65 then '65 and above' end as band
        from people_in_year i join years y using (la_code, financial_year)
        left join people p using (la_code, person)
        where p.dod >= y.fy_start or p.dod is null
    ),
    cohorts as (
        select 'ASCOF 2E' as measure, * from banded
        union all select 'ASCOF 2E LD', * from banded where lower(psr) = 'learning disability support' and band = '18 to 64'
    )
    select y.la_code, y.financial_year, g.measure, g.part, s.breakdown,
           count(distinct c.person) filter (where c.at_home) as numerator, count(distinct c.person) as denominator
    from years y
    cross join (values ('ASCOF 2E', '18 to 64'), ('ASCOF 2E', '65 and above'), ('ASCOF 2E LD', '18 to 64')) g(measure, part)
    cross join (values ('Male'), ('Female'), ('Total')) s(breakdown)
    left join cohorts c on c.la_code = y.la_code and c.financial_year = y.financial_year and c.measure = g.measure
     and c.band = g.part and (s.breakdown = 'Total' or c.gender = s.breakdown)
    group by all;

-- 11. ASCOF 3D: clients in community long-term support at year end (each in one setting by DHSC's
--     hierarchy) and carers in their best support category, receiving direct payments / budgets
create or replace temp table m_3d as
    with at_end as (
        select y.la_code, y.financial_year, l.person, l.service_type_c as st, l.component_c as sc,
               case when l.component_c = 'Direct payment' then 'Direct payment' else l.mechanism_c end as dm,
               age(p.dob, y.fy_end) as age
        from years y join lt_any l on l.la_code = y.la_code and l.ev_start <= y.fy_end and (l.ev_end >= y.fy_end or l.ev_end is null)
        left join people p on p.la_code = l.la_code and p.person = l.person
        where p.dod >= y.fy_end or p.dod is null
    ),
    ranked as (
        select *,
               case when st = 'Long term support: Nursing care' then 1
                    when st = 'Long term support: Residential care' then 2
                    when st = 'Long term support: Community' and dm = 'Direct payment' then 3
                    when st = 'Long term support: Community' and dm = 'CASSR managed personal budget' then 4
                    when st = 'Long term support: Community' and dm = 'CASSR commissioned support' then 5
                    when st = 'Long term support: Community' then 6
                    when st = 'Long term support: Prison' and dm = 'CASSR managed personal budget' then 7
                    when st = 'Long term support: Prison' and dm = 'CASSR commissioned support' then 8
                    when st = 'Long term support: Prison' then 9 end as h
        from at_end
    ),
    clients as (
        select la_code, financial_year, person,
               case when any_value(age) < 18 then 'Under 18' when any_value(age) between 18 and 64 then '18 to 64'
                    when any_value(age) >= 65 then '65 and above' else 'Unknown' end as band,
               bool_or(dm in ('Direct payment', 'CASSR managed personal budget')) as sds, bool_or(dm = 'Direct payment') as dp
        from (select * from ranked qualify h = min(h) over (partition by la_code, financial_year, person))
        where st = 'Long term support: Community'
        group by all
    ),
    carer_events as (
        select y.la_code, y.financial_year, m.person, age(p.dob, y.fy_end) as age,
               case when m.service_type_c = 'Unpaid carer support: Direct to unpaid carer' then
                        case when m.mechanism_c = 'Direct payment' or m.component_c = 'Direct payment' then 1
                             when m.component_c is null then null
                             when m.mechanism_c = 'CASSR managed personal budget' then 2
                             when m.mechanism_c = 'CASSR commissioned support' then 3
                             else 4 end
                    when m.service_type_c = 'Unpaid carer support: Support involving the person cared-for' then 6
                    when m.et in ('assessment', 'review') then
                        case when coalesce(m.outcome_c, 'Invalid and not mapped') = 'NFA: Information and advice or signposting' then 5 else 6 end
                    when m.et = 'request' then 5 end as h
        from years y
        join main m on m.la_code = y.la_code and m.ev_start <= y.fy_end and (m.ev_end >= y.fy_start or m.ev_end is null)
         and (m.ev_end >= m.ev_start or m.ev_end is null)
        left join people p on p.la_code = m.la_code and p.person = m.person
        where m.client_type_c in ('Unpaid carer', 'Unpaid carer known by association') and m.ev_start is not null
          and (p.dod >= y.fy_start or p.dod is null)
          and ((m.service_type_c is null and m.outcome_c = 'NFA: Information and advice or signposting')
               or m.service_type_c in ('Unpaid carer support: Direct to unpaid carer', 'Unpaid carer support: Support involving the person cared-for')
               or (m.et in ('assessment', 'review') and m.service_type_c is null))
    ),
    carers as (
        select la_code, financial_year, person,
               case when min(age) < 18 then 'Under 18' when min(age) between 18 and 64 then '18 to 64'
                    when min(age) >= 65 then '65 and above' else 'Unknown' end as band,
               min(h) as best
        from carer_events group by all
        having min(h) in (1, 2, 3)
    ),
    counted as (
        select 'ASCOF 3D (Clients)' as measure, '1a' as part, la_code, financial_year, person, band, sds as num
        from clients where band <> 'Under 18'
        union all select 'ASCOF 3D (Clients)', '2a', la_code, financial_year, person, band, dp from clients where band <> 'Under 18'
        union all select 'ASCOF 3D (Carers)', '1b', la_code, financial_year, person, band, best in (1, 2) from carers where band <> 'Under 18'
        union all select 'ASCOF 3D (Carers)', '2b', la_code, financial_year, person, band, best = 1 from carers where band <> 'Under 18'
    )
    select y.la_code, y.financial_year, g.measure, g.part, b.breakdown,
           count(distinct c.person) filter (where c.num) as numerator, count(distinct c.person) as denominator
    from years y
    cross join (values ('ASCOF 3D (Clients)', '1a'), ('ASCOF 3D (Clients)', '2a'),
                       ('ASCOF 3D (Carers)', '1b'), ('ASCOF 3D (Carers)', '2b')) g(measure, part)
    cross join (values ('18 to 64'), ('65 and above'), ('Total')) b(breakdown)
    left join counted c on c.la_code = y.la_code and c.financial_year = y.financial_year and c.measure = g.measure
     and c.part = g.part and (b.breakdown = 'Total' or c.band = b.breakdown)
    group by all;

-- 12. ASCOF 2A: reablement (ST-Max) clusters of new clients ending in the year, and their sequel
create or replace temp table a2_events as
    select m.la_code, m.person, m.et, m.ev_start, coalesce(m.ev_end, open_end()) as end_date,
           m.service_type_c as st, m.component_c as sc, coalesce(m.outcome_c, 'Invalid and not mapped') as outcome,
           coalesce(h.h + case when h.outcome in ('Continuation of support or services', 'Progress to support planning or services',
                    'Progress to assessment, review or reassessment', 'Progress to reablement/ST-Max',
                    'Release 1 specification only: Not mapped', 'Invalid and not mapped') then 100 else 0 end, 999) as h,
           m.record_id
    from main m left join hierarchy h on h.outcome = m.outcome_c
    where m.client_type_c = 'Service user' and m.ev_start is not null and (m.ev_end >= m.ev_start or m.ev_end is null);

create or replace temp table a2_clusters as
    with s as (
        select *, max(end_date) over w_prev as prev_end
        from a2_events where et = 'service' and st = 'Short term support: ST-Max'
        window w_prev as (partition by la_code, person order by ev_start, end_date, h, record_id desc
                          rows between unbounded preceding and 1 preceding)
    ),
    c as (
        select *, sum(case when datediff('day', prev_end, ev_start) <= 7 then 0 else 1 end)
                      over (partition by la_code, person order by ev_start, end_date, h, record_id desc
                            rows between unbounded preceding and current row) as cluster_no
        from s
    ),
    g as (
        select la_code, person, cluster_no, min(ev_start) as c_start, max(end_date) as c_end,
               arg_max(h, [epoch(end_date), -h, record_id]) as c_h, arg_max(outcome, [epoch(end_date), -h, record_id]) as c_outcome
        from c group by all
    )
    select y.financial_year, g.*, p.dod,
           case when age(p.dob, g.c_end) between 18 and 64 then '18 to 64' when age(p.dob, g.c_end) >= 65 then '65 and above'
                else 'Unknown' end as band
    from g join years y on y.la_code = g.la_code and g.c_end between y.fy_start and y.fy_end
    left join people p on p.la_code = g.la_code and p.person = g.person
    where (age(p.dob, g.c_end) >= 18 or p.dob is null) and (p.dod >= g.c_start or p.dod is null)
      -- new clients: no long-term service ending less than 91 days before the cluster (or open)
      and not exists (select 1 from a2_events e where e.la_code = g.la_code and e.person = g.person
                      and e.st in ('Long term support: Nursing care', 'Long term support: Residential care',
                                   'Long term support: Community', 'Long term support: Prison')
                      and e.ev_start < g.c_start and datediff('day', e.end_date, g.c_start) < 91);

-- the person's other events beside each cluster (its own ST-Max services left out)
create or replace temp table a2_other as
    select c.financial_year, c.la_code, c.person, c.cluster_no, c.c_start, c.c_end, c.c_h, e.* exclude (la_code, person)
    from a2_clusters c join a2_events e using (la_code, person)
    where not (e.et = 'service' and e.st = 'Short term support: ST-Max' and e.ev_start between c.c_start and c.c_end);

create or replace temp table a2_sequel as
    with k1 as (  -- 1 died within 7 days; 2 admitted to hospital
        select *, case when datediff('day', c_end, dod) <= 7 then 'NFA: Deceased'
                       when c_outcome = 'Admitted to hospital' then c_outcome end as s12
        from a2_clusters
    ),
    win as (  -- events starting in the cluster, running past its end, starting <= 7 days after it
        select o.*, dense_rank() over (partition by financial_year, la_code, person, cluster_no order by ev_start) as rn
        from a2_other o semi join (select * from k1 where s12 is null) k using (financial_year, la_code, person, cluster_no)
        where o.ev_start >= o.c_start and o.end_date > o.c_end and datediff('day', o.c_end, o.ev_start) <= 7
    ),
    fut as (
        select *, coalesce(case st when 'Long term support: Nursing care' then 1 when 'Long term support: Residential care' then 2
                    when 'Long term support: Community' then 3 when 'Long term support: Prison' then 4
                    when 'Short term support: ST-Max' then 5 when 'Short term support: Ongoing low level' then 6
                    when 'Short term support: Other short term' then 7 end, 99) as srank
        from win
        qualify rn < coalesce(min(case when st = 'Short term support: ST-Max' then rn end)
                              over (partition by financial_year, la_code, person, cluster_no), 1e9)
    ),
    s3 as (  -- 3 the highest service in that window
        select financial_year, la_code, person, cluster_no,
               arg_min(case when st = 'Short term support: Other short term'
                             and sc in ('Short term residential care', 'Short term nursing care')
                            then 'Short term support: Residential or Nursing care' else st end,
                       [srank, case when sc in ('Short term residential care', 'Short term nursing care') then 1 else 2 end]) as s3
        from fut group by all having min(srank) <> 99
    ),
    rest as (
        select k.* from k1 k anti join s3 using (financial_year, la_code, person, cluster_no) where k.s12 is null
    ),
    nested as (  -- events inside the cluster
        select o.* from a2_other o semi join rest r using (financial_year, la_code, person, cluster_no)
        where o.ev_start >= o.c_start and o.end_date > o.c_start and o.end_date <= o.c_end
    ),
    fut_ns as (
        select f.* from fut f semi join rest r using (financial_year, la_code, person, cluster_no)
        where (f.c_h < 100 or f.h < 100) and f.outcome <> 'NFA: Support ended as planned' and f.et <> 'service'
    ),
    cand as (  -- 4 the best usable outcome
        select financial_year, la_code, person, cluster_no, c_h as h from fut_ns
        union all select financial_year, la_code, person, cluster_no, h from fut_ns where h < 100
        union all select financial_year, la_code, person, cluster_no, arg_max(h, [epoch(end_date), -h, record_id])
                  from nested where et in ('assessment', 'review') and datediff('day', end_date, c_end) < 14 and h < 100 group by all
        union all select financial_year, la_code, person, cluster_no, c_h from rest r
                  where c_h < 100 and not exists (select 1 from fut f where f.financial_year = r.financial_year
                        and f.la_code = r.la_code and f.person = r.person and f.cluster_no = r.cluster_no)
    ),
    s4 as (
        select m.*, case when m.min_h = 999 then 'Invalid and not mapped' else u.outcome end as s4
        from (select financial_year, la_code, person, cluster_no, min(h) as min_h from cand group by all) m
        left join (select outcome, h + case when outcome in ('Continuation of support or services',
                        'Progress to support planning or services', 'Progress to assessment, review or reassessment',
                        'Progress to reablement/ST-Max', 'Release 1 specification only: Not mapped', 'Invalid and not mapped')
                        then 100 else 0 end as hh from hierarchy) u on u.hh = m.min_h
    ),
    s5 as (  -- 5 equipment during the cluster
        select distinct financial_year, la_code, person, cluster_no, 'Short term support: Ongoing low level' as s5
        from nested where et = 'service' and sc = 'Equipment'
    )
    select k.financial_year, k.la_code, k.person, k.cluster_no, k.band,
           coalesce(k.s12, s3.s3, s4.s4, s5.s5, k.c_outcome) as sequel
    from k1 k
    left join s3 using (financial_year, la_code, person, cluster_no)
    left join s4 using (financial_year, la_code, person, cluster_no)
    left join s5 using (financial_year, la_code, person, cluster_no);

create or replace temp table m_2a as
    with e as (
        select *, sequel in ('Short term support: Ongoing low level', 'Short term support: Other short term',
                    'NFA: Information and advice or signposting', 'NFA: Support ended as planned',
                    'NFA: Responsibility moved to another local authority', 'NFA: Other',
                    'NFA: No services offered for other reason', 'NFA: Support ended for other reason',
                    'NFA: Referral to other service within the local authority') as num,
               sequel in ('Long term support: Community', 'Long term support: Nursing care', 'Long term support: Residential care',
                    'Long term support: Prison', 'Short term support: Residential or Nursing care', 'Short term support: Ongoing low level',
                    'Short term support: Other short term', 'NFA: Information and advice or signposting',
                    'NFA: Support ended as planned', 'NFA: Responsibility moved to another local authority', 'NFA: Other',
                    'NFA: No services offered for other reason', 'NFA: Support ended for other reason',
                    'NFA: Referral to other service within the local authority') as den
        from a2_sequel
    )
    select y.la_code, y.financial_year, 'ASCOF 2A' as measure, '' as part, b.breakdown,
           count(e.person) filter (where e.num) as numerator, count(e.person) filter (where e.den) as denominator
    from years y cross join (values ('18 to 64'), ('65 and above'), ('Total')) b(breakdown)
    left join e on e.la_code = y.la_code and e.financial_year = y.financial_year and (b.breakdown = 'Total' or e.band = b.breakdown)
    group by all;

create or replace temp table floor_ascof_cld as
    select la_code, financial_year, measure, part, breakdown, numerator::double as numerator, denominator::double as denominator
    from (select * from m_2a union all select * from m_2bc union all select * from m_2e union all select * from m_3d);
