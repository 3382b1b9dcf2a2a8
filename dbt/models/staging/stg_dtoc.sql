with source as (select * from {{ source('raw', 'dtoc') }}),

renamed as (
    select
        -- ids
        la_code,
        provider_code,
        -- dates
        period,
        last_day(cast(period || '-01' as date)) as period_end,
        -- codes
        acute_or_non_acute,
        responsible_org,
        reason_code,
        -- amounts
        delayed_days
    from source
)

select * from renamed
