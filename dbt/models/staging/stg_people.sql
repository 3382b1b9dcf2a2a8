with source as (select * from {{ source('raw', 'people') }}),

renamed as (
    select
        -- ids
        person_id,
        la_code,
        -- dates
        date_of_birth,
        date_of_death,
        -- codes
        gender,
        ethnicity,
        primary_support_reason
    from source
)

select * from renamed
