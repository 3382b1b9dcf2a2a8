-- The dashboard shows each council's indicator at one period type (decided once, in marts.dashboard).
select la_code, indicator_code, count(distinct period_type) as period_types
from {{ ref('dashboard') }}
group by la_code, indicator_code
having count(distinct period_type) > 1
