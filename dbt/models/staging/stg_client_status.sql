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
        accommodation_status,
        -- flags from the contract's code sets (contracts.py CODE_SETS), set here once
        {{ code_set('paid_employment') }} as is_paid_employment,
        {{ code_set('settled_accommodation') }} as is_settled_accommodation
    from source
)

select * from renamed
