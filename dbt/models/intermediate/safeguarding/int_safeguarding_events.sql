-- The safeguarding measures (SG_*) as dated events, in the shape of int_indicator_events (which
-- unions them in): each concern or enquiry adds to a numerator and a denominator on the day that
-- places it in a period. Who is counted and on which date: docs/measures.md, docs/decisions.md.
with concerns as (select * from {{ ref('int_safeguarding_concerns') }})

-- concerns received
select
    la_code, 'SG_CONCERNS' as indicator_code, concern_date as event_date, 1 as numerator, null::integer as denominator
from concerns
union all
-- concerns received and decided: threshold met (a Section 42 enquiry) or not; undecided ones wait
select la_code, 'SG_S42_CONVERSION', concern_date, threshold_met::integer, 1
from concerns
where threshold_met is not null
union all
-- threshold met, on the day of the decision: made safe within 24 hours of it
select la_code, 'SG_MAKE_SAFE_24H', threshold_decision_date, made_safe_within_24h::integer, 1
from concerns
where threshold_met and threshold_decision_date is not null
union all
-- Section 42 enquiries concluded, on the day they concluded: within 28 days of the start
select la_code, 'SG_S42_28DAYS', enquiry_end_date, concluded_within_28_days::integer, 1
from concerns
where is_concluded
union all
select
    la_code,
    code,
    enquiry_end_date,
    case code
        when 'SG_MSP_ACHIEVED'
            then msp_outcomes_achieved in (
                    {{ code('msp_outcomes_achieved', 'Fully achieved') }},
                    {{ code('msp_outcomes_achieved', 'Partially achieved') }}
                )
        when 'SG_MSP_FULLY' then msp_outcomes_achieved = {{ code('msp_outcomes_achieved', 'Fully achieved') }}
        else msp_outcomes_achieved = {{ code('msp_outcomes_achieved', 'Partially achieved') }}
    end::integer,
    1
from concerns, (values ('SG_MSP_ACHIEVED'), ('SG_MSP_FULLY'), ('SG_MSP_PARTIALLY')) as t (code)
where in_msp_denominator
