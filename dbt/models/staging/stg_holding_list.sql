with source as (select * from {{ source('raw', 'holding_list') }}),

renamed as (
    select
        -- ids
        person_id,
        la_code,
        -- dates
        snapshot_date,
        waiting_since,
        -- codes
        team
    from source
)

select * from renamed
