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
        -- flags from the contract's code sets (contracts.py CODE_SETS), set here once
        {{ code_set('long_term') }} as is_long_term,
        {{ code_set('permanent_placement') }} as is_permanent_placement,
        {{ code_set('community') }} as is_community,
        {{ code_set('carer_specific') }} as is_carer_specific,
        {{ code_set('carer_support') }} as is_carer_support,
        coalesce({{ code_set('council_supported') }}, false) as is_council_supported,
        {{ code_set('self_directed') }} as is_self_directed,
        {{ code_set('direct_payment') }} as is_direct_payment
    from source
)

select * from renamed
