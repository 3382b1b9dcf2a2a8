with source as (select * from {{ source('raw', 'family_groups') }}),

renamed as (
    select
        -- ids
        la_code,
        family_group
    from source
)

select * from renamed
