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
        status_at_91_days
    from source
)

select * from renamed
