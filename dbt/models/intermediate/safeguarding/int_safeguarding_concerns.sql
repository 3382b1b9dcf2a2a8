-- One row per safeguarding concern with what every safeguarding measure needs, decided once:
-- the person's details at the enquiry start (from people), and each measure's flags. The
-- choices behind each flag are in docs/decisions.md ("Safeguarding").
with concerns as (select * from {{ ref('stg_safeguarding') }}),

people as (select * from {{ ref('stg_people') }}),

-- people.ethnicity as recorded -> the CLD value the CLD return writes -> DHSC's grouped value
ethnic_groups as (
    select r.liquidlogic_value, any_value(m.ethnicity_grouped_r2) as ethnic_group
    from {{ ref('cld_return_ethnicity') }} as r
    inner join {{ ref('ethnicity') }} as m on lower(trim(m.ethnicity_raw)) = lower(trim(r.cld_value))
    group by all
),

joined as (
    select
        c.*,
        p.date_of_birth,
        p.gender,
        p.ethnicity,
        p.primary_support_reason,
        {{ age_at('p.date_of_birth', 'c.enquiry_start_date') }} as age_at_enquiry
    from concerns as c
    left join people as p on p.la_code = c.la_code and p.person_id = c.person_id
)

select
    j.concern_id,
    j.person_id,
    j.la_code,
    j.concern_date,
    j.threshold_decision_date,
    j.enquiry_start_date,
    j.action_to_make_safe_date,
    j.enquiry_end_date,
    j.threshold_met,
    j.is_section_42,
    j.is_concluded,
    j.abuse_types,
    j.location_of_risk,
    -- 24 hours on dates: the action on the day of the decision or the day after (inclusive)
    coalesce(j.action_to_make_safe_date <= j.threshold_decision_date + 1, false) as made_safe_within_24h,
    -- 28 days: concluded on or before the 28th day after the start (inclusive)
    coalesce(j.is_concluded and j.enquiry_end_date <= j.enquiry_start_date + 28, false) as concluded_within_28_days,
    -- Making Safeguarding Personal: concluded, asked, outcomes expressed, and the result recorded
    coalesce(
        j.is_concluded
        and j.msp_asked = {{ code('msp_asked', 'Yes') }}
        and j.msp_outcomes_expressed = {{ code('msp_outcomes_expressed', 'Yes') }}
        and j.msp_outcomes_achieved is not null,
        false
    ) as in_msp_denominator,
    j.msp_outcomes_achieved,
    j.age_at_enquiry,
    {{ safeguarding_age_band('j.age_at_enquiry') }} as age_band,
    j.gender as sex,
    e.ethnic_group,
    j.primary_support_reason
from joined as j
left join ethnic_groups as e on lower(trim(e.liquidlogic_value)) = lower(trim(j.ethnicity))
