-- Delayed transfers of care per council, month and responsible organisation.
select la_code, period, responsible_org, delayed_days, days_in_month, population_18_plus, rate_per_100k, population_note
from {{ ref('int_dtoc_monthly') }}
