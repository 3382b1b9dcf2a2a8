with source as (select * from {{ source('raw', 'assessments') }}),

renamed as (
    select
        -- ids
        assessment_id,
        person_id,
        la_code,
        request_id,
        -- dates
        start_date,
        completion_date,
        -- codes
        assessment_type,
        assessment_outcome
    from source
)

select * from renamed
