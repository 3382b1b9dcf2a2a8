with source as (select * from {{ source('raw', 'reviews') }}),

renamed as (
    select
        -- ids
        review_id,
        person_id,
        la_code,
        -- dates
        review_date,
        -- codes
        review_type,
        review_outcome
    from source
)

select * from renamed
