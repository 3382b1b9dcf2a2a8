-- Every CLD row of every submission (resubmissions included), with DHSC's bookkeeping:
-- the submission key (council + ImportDate), a record id that grows with submission order
-- (DHSC's Der_Unique_Record_ID: "largest record ID" = most recently submitted) and the event
-- type compared as DHSC's collation does (case-insensitive, trailing blanks ignored).
-- A table, not a view: the record id is a sort of every row, done once here rather than by each
-- reader and test; and it is numbered on the four sort columns alone, then joined back (sorting the
-- rows' 35 columns with it cost three times as much). The four identify a row (one load of a file).
{{ config(materialized='table') }}
-- (raw is named twice, not through a CTE: DuckDB would materialise a CTE read twice, every column.)
with record_ids as (
    select
        _submitted_at, _loaded_at, _source_file, _row_number,
        row_number() over (order by _submitted_at, _loaded_at, _source_file, _row_number) as record_id
    from {{ source('raw', 'cld') }}
)

select
    -- ids
    r.record_id,
    la_code,
    s._submitted_at as submitted_at,
    s._source_file as source_file,
    s._row_number as source_row,
    nullif(trim(nhs_number), '') as nhs_number,
    nullif(trim(la_person_unique_identifier), '') as la_person_id,
    nullif(trim(adult_1_linked_person_id), '') as adult_1_linked_person_id,
    nullif(trim(adult_2_linked_person_id), '') as adult_2_linked_person_id,
    nullif(trim(adult_3_linked_person_id), '') as adult_3_linked_person_id,
    -- dates
    reporting_period_start_date,
    reporting_period_end_date,
    date_of_birth,
    date_of_death,
    event_start_date,
    event_end_date,
    -- codes (raw, as sent)
    event_type,
    {{ cld_key('event_type') }} as event_type_key,
    {{ cld_key('event_type') }} like '%service%' as is_service,
    gender,
    ethnicity,
    client_type,
    primary_support_reason,
    accommodation_status,
    employment_status,
    has_unpaid_carer,
    client_funding_status,
    event_outcome,
    request_route_of_access,
    assessment_type,
    service_type,
    service_component,
    delivery_mechanism,
    review_reason
from {{ source('raw', 'cld') }} as s
inner join record_ids as r
    on
        s._submitted_at = r._submitted_at
        and s._loaded_at = r._loaded_at
        and s._source_file = r._source_file
        and s._row_number = r._row_number
