with source as (select * from {{ source('raw', 'targets') }}),

renamed as (
    select
        -- ids
        indicator_code,
        la_code,
        -- dates
        period,
        case when period is not null then last_day(cast(period || '-01' as date)) end as period_end,
        financial_year,
        -- codes
        coalesce(lower(profile), {{ code('profile', 'flat') }}) as profile,
        -- amounts
        target
    from source
)

select * from renamed
