-- Risks in each council's latest register snapshot, scored and banded; reported by
-- exception when the current score is exception_risk_score (12) or more and prospects are Amber or Red.
-- Overdue: the review date has passed at report time, the day the build runs (the reports are
-- made in the same build); var report_date (YYYY-MM-DD, from VITALSIGNS_REPORT_DATE) sets it to
-- re-make an old pack.
{%- set report_date = var('report_date') or '' %}
{%- if report_date and not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', report_date) %}
    {{ exceptions.raise_compiler_error("var report_date must be YYYY-MM-DD, got '" ~ report_date ~ "'") }}
{%- endif %}
select
    la_code,
    snapshot_date,
    risk_id,
    risk_name,
    risk_description,
    area,
    date_entered,
    original_likelihood, original_impact, original_score, original_band,
    current_likelihood, current_impact, current_score, band,
    target_likelihood, target_impact, target_score, target_band,
    target_date,
    prospects,
    risk_owner as owner,
    reviewed_by,
    review_date,
    tasks,
    progress_update,
    coalesce(review_date < {{ "date '" ~ report_date ~ "'" if report_date else 'current_date' }}, false) as overdue,
    {{ exception_risk('current_score') }} and prospects in ('Amber', 'Red') as reported_by_exception,
    nullif(score_disagreement, '') as score_disagreement
from {{ ref('int_risk_scores') }}
where snapshot_rank = 1
