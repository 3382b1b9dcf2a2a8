-- Risk-register snapshots with scores computed from likelihood x impact (never trusted from
-- the file), bands, and whether a typed score disagreed.
with risks as (select * from {{ ref('stg_risk_register') }}),

scored as (
    select
        *,
        original_likelihood * original_impact as original_score,
        current_likelihood * current_impact as current_score,
        target_likelihood * target_impact as target_score
    from risks
)

select
    *,
    case when current_score between 1 and 5 then 'Low' when current_score between 6 and 15 then 'Medium'
        when current_score between 16 and 25 then 'High'
    end as band,
    case when original_score between 1 and 5 then 'Low' when original_score between 6 and 15 then 'Medium'
        when original_score between 16 and 25 then 'High'
    end as original_band,
    case when target_score between 1 and 5 then 'Low' when target_score between 6 and 15 then 'Medium'
        when target_score between 16 and 25 then 'High'
    end as target_band,
    concat_ws(
        '; ',
        case when stated_original_score is not null and stated_original_score <> original_score
                then 'original score typed as ' || stated_original_score || ', computed ' || original_score
        end,
        case when stated_current_score is not null and stated_current_score <> current_score
                then 'current score typed as ' || stated_current_score || ', computed ' || current_score
        end,
        case when stated_target_score is not null and stated_target_score <> target_score
                then 'target score typed as ' || stated_target_score || ', computed ' || target_score
        end
    ) as score_disagreement,
    dense_rank() over (partition by la_code order by snapshot_date desc) as snapshot_rank
from scored
