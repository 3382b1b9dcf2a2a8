-- One row per person: the fields measures need from the people extract.
select la_code, person_id, date_of_birth, date_of_death, primary_support_reason
from {{ ref('stg_people') }}
