-- ASCOF 2A step 0 (Create_ASCOF_2A_2425_Onwards.sql): DHSC's event outcome hierarchy, with the
-- outcomes that cannot be a sequel pushed down it (+100), so a usable outcome always ranks first.
select
    case when event_outcome_spec in (
                'Continuation of support or services', 'Progress to support planning or services',
                'Progress to assessment, review or reassessment', 'Progress to reablement/ST-Max',
                'Release 1 specification only: Not mapped', 'Invalid and not mapped'
            )
            then event_outcome_hierarchy + 100
        else event_outcome_hierarchy
    end as hierarchy,
    event_outcome_spec as outcome
from {{ ref('event_outcome_hierarchy') }}
