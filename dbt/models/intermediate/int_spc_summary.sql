-- The two Making Data Count icons of each council's monthly series at each month end: variation
-- from that month's point, assurance from its target against that month's limits (int_spc).
select
    la_code,
    indicator_code,
    period_end,
    variation as spc_variation,
    {{ spc_assurance('target', 'lower_limit', 'upper_limit', 'polarity') }} as spc_assurance
from {{ ref('int_spc') }}
where period_end = as_of
