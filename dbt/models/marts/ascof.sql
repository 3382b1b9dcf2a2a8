-- ASCOF measures per council and financial year with comparators: family-group rank
-- (1 = best, polarity-aware) and average, region and England values from benchmarks,
-- England quartile (1 = best), the England ranking from benchmarks with its direction of travel,
-- and direction of travel against the previous year. A series break between the two years
-- compared nulls both directions (crosses_break, as in indicator_values).
with catalogue as (
    select * from {{ ref('indicator_catalogue') }}
    where ascof_ref is not null
),

values as (
    select v.*, k.ascof_ref, k.polarity, last_day(v.period_end - interval 12 month) as prev_end
    from {{ ref('indicator_values') }} as v
    inner join catalogue as k using (indicator_code)
    where v.period_type = 'financial_year'
),

-- supplied benchmarks, or the pooled figures where the warehouse holds the whole pool
benchmarks as (select * from {{ ref('int_benchmarks_resolved') }}),

family as (select * from {{ ref('stg_family_groups') }}),

family_values as (
    -- each family member's value: our computed value for the council itself, benchmarks for the others
    select
        v.la_code as for_la, v.indicator_code, v.financial_year, v.polarity, m.la_code as member,
        case when m.la_code = v.la_code then v.value else b.value end as member_value
    from values as v
    inner join family as f on f.la_code = v.la_code
    inner join family as m on m.family_group = f.family_group
    left join benchmarks as b
        on b.area_code = m.la_code and b.area_type = 'LA'
            and b.indicator_code = v.indicator_code and b.financial_year = v.financial_year
),

family_stats as (
    select
        fv.for_la, fv.indicator_code, fv.financial_year,
        count(fv.member_value) as family_size,
        avg(fv.member_value) as family_mean,
        1 + count(*) filter (where fv.member <> fv.for_la and (
            (fv.polarity = 'bigger' and fv.member_value > own.member_value)
            or (fv.polarity = 'smaller' and fv.member_value < own.member_value)
        )) as family_rank
    from family_values as fv
    inner join family_values as own
        on own.for_la = fv.for_la and own.member = own.for_la
            and own.indicator_code = fv.indicator_code and own.financial_year = fv.financial_year
    group by all
),

area_values as (
    select
        indicator_code, financial_year,
        any_value(value) filter (where area_type = 'Family group') as family_group_published,
        any_value(value) filter (where area_type = 'England') as england_value,
        any_value(comparator_source) filter (where area_type = 'Family group') as family_group_source,
        any_value(comparator_source) filter (where area_type = 'England') as england_source,
        count(*) filter (where area_type = 'Region') as region_rows
    from benchmarks
    group by all
),

regions as (
    select indicator_code, financial_year, area_code as region_code, area_name as region_name, value, comparator_source
    from benchmarks
    where area_type = 'Region'
),

council_regions as (select la_code, region_code from {{ ref('councils') }}),

england_ranks as (
    -- the council's own England ranking as the benchmarks feed publishes it (1 = best): always the
    -- supplied row, as a pooled LA row's rank is its rank in the family group, not in England
    select area_code as la_code, indicator_code, financial_year, rank, rank_of
    from {{ ref('stg_benchmarks') }}
    where area_type = 'LA' and rank is not null
),

england as (
    select
        v.la_code, v.indicator_code, v.financial_year,
        count(*) filter (where b.value is not null) as england_n,
        count(*) filter (where b.area_code <> v.la_code and (
            (v.polarity = 'bigger' and b.value > v.value) or (v.polarity = 'smaller' and b.value < v.value)
        )) as better_than_us
    from values as v
    inner join
        benchmarks as b
        on b.indicator_code = v.indicator_code and b.financial_year = v.financial_year and b.area_type = 'LA'
    where v.value is not null
    group by all
)

select
    v.la_code,
    v.financial_year,
    v.ascof_ref as ascof_code,
    v.indicator_code,
    v.numerator,
    v.denominator,
    v.value,
    v.display_value,
    v.target,
    v.rag,
    v.direction_yoy as direction_of_travel,
    prev.value as previous_year_value,
    case when v.value is null then null else fs.family_rank end as family_group_rank,
    fs.family_size as family_group_size,
    coalesce(a.family_group_published, fs.family_mean) as family_group_avg,
    r.region_name,
    r.value as region_value,
    a.england_value,
    case when e.england_n >= 4 then 1 + floor(4.0 * e.better_than_us / e.england_n)::integer end as england_quartile,
    er.rank as england_rank,
    er.rank_of as england_rank_of,
    prev_er.rank as previous_england_rank,
    prev_er.rank_of as previous_england_rank_of,
    case when er.rank is null or prev_er.rank is null
            or {{ crosses_break('v.la_code', 'v.indicator_code', 'v.prev_end', 'v.period_end') }}
            then null
        when er.rank = prev_er.rank then 'Unchanged'
        when er.rank < prev_er.rank then 'Improved'
        else 'Declined'
    end as england_rank_direction,
    nullif(concat_ws(
        '; ',
        'family group ' || coalesce(a.family_group_source, case when fs.family_size > 1 then 'supplied' end),
        'region ' || r.comparator_source,
        'England ' || a.england_source
    ), '') as comparator_source,
    v.is_override,
    v.value_note
from values as v
left join values as prev
    on prev.la_code = v.la_code and prev.indicator_code = v.indicator_code
        and prev.period_end = last_day(v.period_end - interval 12 month)
left join family_stats as fs
    on fs.for_la = v.la_code and fs.indicator_code = v.indicator_code and fs.financial_year = v.financial_year
left join area_values as a on a.indicator_code = v.indicator_code and a.financial_year = v.financial_year
-- the council's own region (councils seed); a council the seed does not know takes the one Region
-- row when the file has only one, as a single council's benchmarks file does
left join council_regions as cr on cr.la_code = v.la_code
left join regions as r
    on r.indicator_code = v.indicator_code and r.financial_year = v.financial_year
        and (r.region_code = cr.region_code or (cr.region_code is null and a.region_rows = 1))
left join england_ranks as er
    on er.la_code = v.la_code and er.indicator_code = v.indicator_code and er.financial_year = v.financial_year
left join england_ranks as prev_er
    on prev_er.la_code = v.la_code and prev_er.indicator_code = v.indicator_code
        and prev_er.financial_year = {{ financial_year_of('v.prev_end') }}
left join
    england as e
    on e.la_code = v.la_code and e.indicator_code = v.indicator_code and e.financial_year = v.financial_year
