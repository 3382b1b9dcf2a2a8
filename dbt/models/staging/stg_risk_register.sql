with source as (select * from {{ source('raw', 'risk_register') }}),

renamed as (
    select
        -- ids
        la_code,
        risk_id,
        -- dates
        snapshot_date,
        date_entered,
        target_date,
        review_date,
        -- descriptions
        risk_name,
        risk_description,
        area,
        tasks,
        progress_update,
        risk_owner,
        reviewed_by,
        -- codes
        prospects,
        -- scores
        original_likelihood,
        original_impact,
        current_likelihood,
        current_impact,
        target_likelihood,
        target_impact,
        original_score as stated_original_score,
        current_score as stated_current_score,
        target_score as stated_target_score
    from source
)

select * from renamed
