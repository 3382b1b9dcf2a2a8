with source as (select * from {{ source('raw', 'safeguarding') }}),

renamed as (
    select
        -- ids
        concern_id,
        person_id,
        la_code,
        -- dates
        concern_date,
        threshold_decision_date,
        enquiry_start_date,
        action_to_make_safe_date,
        enquiry_end_date,
        -- decision and codes
        threshold_met,
        enquiry_type,
        abuse_types,
        location_of_risk,
        source_of_risk,
        risk_outcome,
        msp_asked,
        msp_outcomes_expressed,
        msp_outcomes_achieved,
        -- a Section 42 enquiry is one of that type that has started (docs/decisions.md, Safeguarding)
        coalesce(
            enquiry_type = {{ code('enquiry_type', 'Section 42') }} and enquiry_start_date is not null, false
        ) as is_section_42,
        coalesce(
            enquiry_type = {{ code('enquiry_type', 'Section 42') }}
            and enquiry_start_date is not null
            and enquiry_end_date is not null,
            false
        ) as is_concluded
    from source
)

select * from renamed
