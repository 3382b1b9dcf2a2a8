with source as (select * from {{ source('raw', 'reablement') }}),

renamed as (
    select
        -- ids
        episode_id,
        person_id,
        la_code,
        -- dates
        start_date,
        end_date,
        -- codes
        coalesce(hospital_discharge, false) as hospital_discharge,
        sequel,
        status_at_91_days,
        -- flags from the contract's code sets (contracts.py CODE_SETS), set here once
        {{ code_set('sequel_2d_denominator') }} as is_sequel_2d_denominator,
        {{ code_set('sequel_no_ongoing_support') }} as is_sequel_no_ongoing_support
    from source
)

select * from renamed
