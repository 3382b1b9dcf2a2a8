-- Every CLD mapping table as one lookup: field, match key (lower-cased, trailing blanks dropped,
-- as DHSC's case-insensitive SQL Server collation compares), Release 2 cleaned value and group.
-- The seeds' mixed-case column names are quoted by the adapter: a double-quoted name is a string on Spark.
{% set maps = [
    ('accommodation_status', 'Accommodation_Status_Raw', 'Accommodation_Status_Cleaned_R2', none),
    ('client_funding_status', 'Client_Funding_Status_Raw', 'Client_Funding_Status_Cleaned_R2', none),
    ('client_type', 'Client_Type_Raw', 'Client_Type_Cleaned_R2', none),
    ('delivery_mechanism', 'Delivery_Mechanism_Raw', 'Delivery_Mechanism_Cleaned_R2', none),
    ('employment_status', 'Employment_Status_Raw', 'Employment_Status_Cleaned_R2', none),
    ('ethnicity', 'Ethnicity_Raw', 'Ethnicity_Cleaned_R2', 'Ethnicity_Grouped_R2'),
    ('event_outcome', 'Event_Outcome_Raw', 'Event_Outcome_Cleaned_R2', 'Event_Outcome_Grouped_R2'),
    ('gender', 'Gender_Raw', 'Gender_Cleaned', none),
    ('has_unpaid_carer', 'Has_Unpaid_Carer_Raw', 'Has_Unpaid_Carer_Cleaned', none),
    ('primary_support_reason', 'Primary_Support_Reason_Raw', 'Primary_Support_Reason_Cleaned_R2', none),
    ('service_component', 'Service_Component_Raw', 'Service_Component_Cleaned_R2', none),
    ('service_type', 'Service_Type_Raw', 'Service_Type_Cleaned_R2', 'Service_Type_Grouped_R2'),
] %}
{% for seed, raw, cleaned, grouped in maps %}
    select
        '{{ seed }}' as field,
        {{ adapter.quote(raw) }} as raw_value,
        {{ cld_key(adapter.quote(raw)) }} as match_key,
        {{ adapter.quote(cleaned) }} as cleaned_value,
        {% if grouped %}{{ adapter.quote(grouped) }}{% else %}null::string{% endif %} as grouped_value
    from {{ ref(seed) }}
    {% if not loop.last %}union all{% endif %}
{% endfor %}
