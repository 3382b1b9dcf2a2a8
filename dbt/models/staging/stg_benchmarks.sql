with source as (select * from {{ source('raw', 'benchmarks') }}),

renamed as (
    select
        -- ids
        indicator_code,
        area_code,
        area_name,
        -- dates
        financial_year,
        -- codes
        area_type,
        -- amounts
        value,
        rank,
        rank_of
    from source
)

select * from renamed
