with source as (select * from {{ source('raw', 'services') }}),

renamed as (
    select
        -- ids
        service_id,
        person_id,
        la_code,
        -- dates
        start_date,
        end_date,
        -- codes
        client_type,
        service_type,
        support_setting,
        delivery_mechanism,
        funding_source,
        -- derived flags (extracts.md code lists)
        service_type like 'Long Term Support:%' as is_long_term,
        service_type in ('Long Term Support: Nursing Care', 'Long Term Support: Residential Care') as is_permanent_placement,
        service_type = 'Long Term Support: Community' as is_community,
        service_type in ('Carer Support: Direct Payment', 'Carer Support: Council Commissioned Support') as is_carer_specific,
        coalesce(funding_source in ('Council', 'Joint (council and NHS)'), false) as is_council_supported
    from source
)

select * from renamed
