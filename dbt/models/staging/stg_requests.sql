with source as (select * from {{ source('raw', 'requests') }}),

renamed as (
    select
        -- ids
        request_id,
        person_id,
        la_code,
        -- dates
        request_date,
        outcome_date,
        -- codes
        route_of_access,
        request_outcome
    from source
)

select * from renamed
