with source as (select * from {{ source('raw', 'client_status') }}),

renamed as (
    select
        -- ids
        person_id,
        la_code,
        -- dates
        as_at_date,
        -- codes
        employment_status,
        accommodation_status
    from source
)

select * from renamed
