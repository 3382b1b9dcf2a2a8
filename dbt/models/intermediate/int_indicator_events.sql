-- Flow measures as dated events (numerator and denominator contributions), summed over
-- any window by int_indicator_computed. Per-100k measures leave the denominator null.
with admissions as (select * from {{ ref('int_permanent_admissions') }}),

episodes as (select * from {{ ref('int_reablement_episodes') }}),

-- a request still open at the extract (no outcome yet) is in neither the numerator nor the
-- denominator: counting it would understate the latest month, whose requests are the least decided
requests as (
    select * from {{ ref('stg_requests') }}
    where request_outcome is not null
),

assessments as (
    select * from {{ ref('stg_assessments') }}
    where completion_date is not null
)

select
    la_code, case age_band when '18-64' then '2A1' else '2A2' end as indicator_code,
    admission_date as event_date, 1 as numerator, null::integer as denominator
from admissions
where age_band is not null
union all
select
    la_code, case age_band when '18-64' then 'VS_ADMISSIONS_18_64' else 'VS_ADMISSIONS_65_PLUS' end,
    admission_date, 1, null
from admissions
where age_band is not null
union all
select la_code, '2D', end_date, no_ongoing_support::integer, 1
from episodes
where end_date is not null and is_new_client and in_2d_denominator and age_at_start >= 18
union all
select la_code, 'VS_REABLEMENT_NO_ONGOING', end_date, no_ongoing_support::integer, 1
from episodes
where end_date is not null and in_2d_denominator and age_at_start >= 18
union all
select
    la_code, 'VS_HOME_91_DAYS', end_date, (status_at_91_days = {{ code('status_at_91_days', 'At home') }})::integer, 1
from episodes
where end_date is not null and hospital_discharge and age_at_start >= 65 and status_at_91_days is not null
union all
select
    la_code, 'VS_ENQUIRIES_RESOLVED', request_date,
    (request_outcome = {{ code('request_outcome', 'Universal Services/Signposted to Other Services') }})::integer, 1
from requests
union all
select
    la_code,
    'RC_REQUESTS_TO_ASSESSMENT',
    request_date,
    (request_outcome = {{ code('request_outcome', 'Assessment') }})::integer,
    1
from requests
union all
select
    la_code, 'VS_ASSESSMENT_INFO_ONLY', completion_date,
    (assessment_outcome = {{ code('assessment_outcome', 'Information and guidance only') }})::integer, 1
from assessments
union all
select
    la_code, 'RC_ASSESSMENTS_TO_SERVICES', completion_date,
    (assessment_outcome = {{ code('assessment_outcome', 'Eligible needs - services provided') }})::integer, 1
from assessments
union all
select la_code, 'RC_REVIEWS_COMPLETED', review_date, 1, null
from {{ ref('stg_reviews') }}
union all
select la_code, indicator_code, event_date, numerator, denominator
from {{ ref('int_safeguarding_events') }}
