-- Who the Section 42 enquiries were about, and what the concluded ones found (measures.md,
-- "Safeguarding"; Leicester's integrated report, seed 003, 3.2.2-3.2.4). People with a Section 42
-- enquiry started in the period, each once, by age band (at their first enquiry start in the
-- period), sex, ethnic group and primary support reason; Section 42 enquiries concluded in the
-- period by abuse type (an enquiry under each of its types) and location of risk. Each breakdown
-- has an `All` row (the total, also when it is zero); a category with no one has no row.
-- Complete quarters only: the integrated report reads quarters, and months and years to date multiplied
-- the cells the disclosure control must protect (docs/decisions.md, "Safeguarding publication").
with periods as (
    select la_code, period_type, period_start, period_end
    from {{ ref('int_periods') }}
    where period_type = 'quarter' and is_complete
),

concerns as (
    -- empty details get a category of their own, so every breakdown adds up to its total
    select
        la_code,
        concern_id,
        person_id,
        is_section_42,
        is_concluded,
        enquiry_start_date,
        enquiry_end_date,
        abuse_types,
        age_band,
        coalesce(location_of_risk, 'Not recorded') as location_of_risk,
        coalesce(sex, 'Unknown') as sex,
        coalesce(ethnic_group, 'No data') as ethnic_group,
        coalesce(primary_support_reason, 'Not recorded') as primary_support_reason
    from {{ ref('int_safeguarding_concerns') }}
),

started_enquiries as (
    select
        p.la_code,
        p.period_type,
        p.period_end,
        c.person_id,
        c.age_band,
        c.sex,
        c.ethnic_group,
        c.primary_support_reason,
        row_number() over (
            partition by p.la_code, p.period_type, p.period_end, c.person_id
            order by c.enquiry_start_date, c.concern_id
        ) as nth_enquiry
    from periods as p
    inner join concerns as c
        on
            c.la_code = p.la_code
            and c.is_section_42
            and c.enquiry_start_date between p.period_start and p.period_end
),

started as (
    -- each person once per period, with their details at the first enquiry started in it
    select la_code, period_type, period_end, person_id, age_band, sex, ethnic_group, primary_support_reason
    from started_enquiries
    where nth_enquiry = 1
),

concluded as (
    select p.la_code, p.period_type, p.period_end, c.concern_id, c.abuse_types, c.location_of_risk
    from periods as p
    inner join concerns as c
        on
            c.la_code = p.la_code
            and c.is_concluded
            and c.enquiry_end_date between p.period_start and p.period_end
),

abuse as (
    -- an enquiry counts once under each of its abuse types
    select distinct la_code, period_type, period_end, concern_id, trim(abuse_type) as category
    from (
        select
            la_code, period_type, period_end, concern_id,
            {{ split_to_rows("coalesce(abuse_types, 'Not recorded')", "';'") }} as abuse_type
        from concluded
    ) as types
),

categorised as (
    select la_code, period_type, period_end, 'age_band' as breakdown, age_band as category from started
    union all
    select la_code, period_type, period_end, 'sex', sex from started
    union all
    select la_code, period_type, period_end, 'ethnic_group', ethnic_group from started
    union all
    select la_code, period_type, period_end, 'primary_support_reason', primary_support_reason from started
    union all
    select la_code, period_type, period_end, 'abuse_type', category from abuse
    union all
    select la_code, period_type, period_end, 'location_of_risk', location_of_risk from concluded
),

by_category as (
    select la_code, period_type, period_end, breakdown, category, count(*) as people
    from categorised
    group by all
),

totals as (
    -- the All row of every breakdown in every period, zero included
    select
        p.la_code,
        p.period_type,
        p.period_end,
        b.breakdown,
        'All' as category,
        coalesce(
            case when b.breakdown in ('abuse_type', 'location_of_risk') then n.concluded else n.started end, 0
        ) as people
    from periods as p
    cross join (
        values ('age_band'), ('sex'), ('ethnic_group'), ('primary_support_reason'), ('abuse_type'), ('location_of_risk')
    ) as b (breakdown)
    left join (
        select
            la_code,
            period_type,
            period_end,
            sum(case when breakdown = 'age_band' then 1 else 0 end) as started,
            sum(case when breakdown = 'location_of_risk' then 1 else 0 end) as concluded
        from categorised
        group by all
    ) as n on n.la_code = p.la_code and n.period_type = p.period_type and n.period_end = p.period_end
    where p.la_code in (select la_code from concerns)
)

select
    la_code,
    period_type,
    period_end,
    breakdown,
    category,
    people::bigint as people,
    false as suppressed
from (
    select * from totals
    union all
    select * from by_category
) as counted
order by la_code asc, period_type asc, period_end asc, breakdown asc, category = 'All' desc, category asc
