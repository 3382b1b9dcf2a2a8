{{ config(meta={'dagster': {'ref': {'name': 'ascof'}}}) }}
-- No ASCOF direction compares two years a series break separates: the direction of travel and
-- the England ranking's direction are both empty there (reference/series_breaks, crosses_break).
select la_code, financial_year, ascof_code, direction_of_travel, england_rank_direction
from {{ ref('ascof') }} as a
inner join (
    select *, last_day(period_end - interval 12 month) as previous_end
    from {{ ref('indicator_values') }}
) as v
    using (la_code, indicator_code, financial_year)
where
    v.period_type = 'financial_year'
    and (a.direction_of_travel is not null or a.england_rank_direction is not null)
    and {{ crosses_break('a.la_code', 'a.indicator_code', 'v.previous_end', 'v.period_end') }}
