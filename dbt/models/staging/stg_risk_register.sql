-- A register may leave la_code empty when the landing folder serves one council (extracts.md):
-- the council is then the one council the council-level feeds (people, family groups,
-- population) serve. With none or several, la_code stays empty and the not_null test on it
-- fails the build, naming the file's problem (the load itself only loads the file).
with source as (select * from {{ source('raw', 'risk_register') }}),

councils as (
    select la_code from {{ source('raw', 'people') }}
    union
    select la_code from {{ source('raw', 'family_groups') }}
    union
    select la_code from {{ source('raw', 'population') }}
),

only_council as (
    select case when count(distinct la_code) = 1 then {{ any_non_null('la_code') }} end as la_code
    from councils
    where la_code is not null
),

renamed as (
    select
        -- ids
        coalesce(source.la_code, only_council.la_code) as la_code,
        source.la_code is null as la_code_inferred,
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
    cross join only_council
)

select * from renamed
