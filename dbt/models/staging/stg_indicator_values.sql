with source as (select * from {{ source('raw', 'indicator_values') }}),

renamed as (
    select
        -- ids
        indicator_code,
        la_code,
        -- dates
        period_type,
        period_end,
        -- amounts
        numerator,
        denominator,
        value
    from source
)

select * from renamed
