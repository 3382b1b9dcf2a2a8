-- Risks in each council's latest register snapshot, scored and banded; reported by
-- exception when the current score is 12 or more and prospects are Amber or Red.
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
    coalesce(review_date < snapshot_date, false) as overdue,
    current_score >= 12 and prospects in ('Amber', 'Red') as reported_by_exception,
    nullif(score_disagreement, '') as score_disagreement
from {{ ref('int_risk_scores') }}
where snapshot_rank = 1
