-- CLD data quality per submission, field and value, with AGEM's per-field codes:
--   1 valid; 0 blank, field optional for this row; -1 blank, field mandatory for this row;
--   -2 invalid: a known invalid value (mapped to 'Invalid and not mapped');
--   -3 invalid: a value in no mapping table (DHSC's "NEW INVALID ... FOUND": extend the table).
-- Identifiers and dates are checked for presence only (shown as '(given)'). Every submission
-- counts, selected or not. Mandatory-ness is this project's reading of the CLD
-- specification (docs/decisions.md): AGEM's validator is not published.
with cld as (select * from {{ ref('stg_cld') }}),

vmap as (select * from {{ ref('stg_cld_value_map') }}),

rows as (
    select
        c.*,
        coalesce(ct.cleaned_value, '') = 'Service user' as is_service_user
    from cld as c
    left join vmap as ct on ct.field = 'client_type' and ct.match_key = {{ cld_key('c.client_type') }}
),

{% set fields = [
    ('gender', 'true'), ('ethnicity', 'true'), ('client_type', 'true'),
    ('primary_support_reason', 'is_service_user'), ('accommodation_status', 'is_service_user'),
    ('employment_status', 'is_service_user'), ('has_unpaid_carer', 'is_service_user'),
    ('client_funding_status', 'is_service_user'), ('event_outcome', 'event_end_date is not null'),
    ('service_type', 'is_service'), ('service_component', 'is_service'), ('delivery_mechanism', 'is_service'),
] %}
values_long as (
    {% for f, mandatory in fields %}
        select
            la_code, submitted_at, source_file, '{{ f }}' as field, {{ f }} as raw_value, ({{ mandatory }}) as mandatory
        from rows
        union all
    {% endfor %}
    select la_code, submitted_at, source_file, 'event_type', event_type, true from rows
    {% for f, expr, mandatory in [
        ('person_id', 'coalesce(nhs_number, la_person_id)', 'true'),
        ('date_of_birth', 'date_of_birth', 'true'),
        ('event_start_date', 'event_start_date', 'true'),
        ('event_end_date', 'event_end_date', 'not coalesce(is_service, false)')] %}
    -- identifiers and dates: presence only, the value itself is never shown
        union all
        select
            la_code,
            submitted_at,
            source_file,
            '{{ f }}',
            case when {{ expr }} is not null then '(given)' end,
            {{ mandatory }}
        from rows
    {% endfor %}
),

-- counted before the mapping is looked up: the long form is 17 rows per submitted row, its
-- distinct values per submission and field are few (this halved the model's time)
counted as (
    select la_code, submitted_at, source_file, field, raw_value, mandatory, count(*) as n
    from values_long
    group by all
),

coded as (
    select
        v.*, m.cleaned_value,
        case
            when nullif(trim(v.raw_value), '') is null then case when v.mandatory then -1 else 0 end
            when
                v.raw_value = '(given)'
                and v.field in ('person_id', 'date_of_birth', 'event_start_date', 'event_end_date')
                then 1
            when
                v.field = 'event_type'
                then case
                        when {{ cld_key('v.raw_value') }} in ('request', 'assessment', 'service', 'review') then 1 else
                            -3
                    end
            when m.cleaned_value is null then -3
            when m.cleaned_value = 'Invalid and not mapped' then -2
            else 1
        end as dq_code
    from counted as v
    left join vmap as m on m.field = v.field and m.match_key = {{ cld_key('v.raw_value') }}
)

select
    la_code, submitted_at, source_file, field, raw_value, cleaned_value, dq_code,
    dq_code = -3 as is_new_value,
    cast(sum(n) as bigint) as row_count
from coded
group by all
