with source as (select * from {{ source('raw', 'series_breaks') }}),

renamed as (
    select
        -- ids
        la_code,
        nullif(trim(indicator_code), '') as indicator_code,
        -- dates
        cast(break_date as date) as break_date,
        -- text
        description
    from source
)

select * from renamed
