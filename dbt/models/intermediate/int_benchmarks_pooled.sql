-- Comparators computed from the councils' own ASCOF values in this warehouse (financial years,
-- the period ASCOF comparators are published for), in the shape of the benchmarks feed, each
-- with whether its pool is complete: every member of the family group (family_groups feed),
-- every council of the region (councils seed for the region, regions seed for how many councils
-- it has that year), every council of England. int_benchmarks_resolved uses a pooled comparator
-- only when complete; otherwise the supplied benchmark stays.
with catalogue as (
    select indicator_code, polarity, unit from {{ ref('indicator_catalogue') }}
    where ascof_ref is not null
),

council_values as (
    select
        v.la_code,
        v.indicator_code,
        {{ financial_year_of('v.period_end') }} as financial_year,
        k.polarity,
        v.value,
        -- a value that is its numerator over its denominator can be pooled as a ratio (DHSC's
        -- England and region figures); DToC's mean of monthly rates, or a supplied value without
        -- its parts, cannot
        coalesce(
            v.denominator > 0
            and abs(v.value - {{ unit_scale('k.unit') }} * v.numerator / v.denominator)
            <= 1e-9 * greatest(1, abs(v.value)),
            false
        ) as poolable,
        case when v.denominator > 0 then v.numerator end as numerator,
        case when v.denominator > 0 then v.denominator end as denominator,
        {{ unit_scale('k.unit') }} as scale
    from {{ ref('int_indicator_values_resolved') }} as v
    inner join catalogue as k using (indicator_code)
    where v.period_type = 'financial_year' and v.value is not null
),

family as (select la_code, family_group from {{ ref('stg_family_groups') }}),

councils as (select la_code, council_name, region_code from {{ ref('councils') }}),

regions as (select * from {{ ref('regions') }}),

indicator_years as (select distinct indicator_code, financial_year, polarity, scale from council_values),

family_members as (
    -- every member of every family group, for every indicator and year held, with its value if any
    select iy.indicator_code, iy.financial_year, iy.polarity, f.family_group, f.la_code, cv.value
    from indicator_years as iy
    cross join family as f
    left join council_values as cv
        on cv.la_code = f.la_code and cv.indicator_code = iy.indicator_code and cv.financial_year = iy.financial_year
),

family_pool as (
    select
        indicator_code, financial_year, family_group,
        count(*) as members_expected,
        count(value) as members,
        -- a group of one is a council compared with itself, not a family group
        count(value) = count(*) and count(*) >= 2 as is_complete,
        avg(value) as value
    from family_members
    group by all
),

region_sizes as (
    select iy.indicator_code, iy.financial_year, r.region_code, r.region_name, r.councils
    from indicator_years as iy
    inner join regions as r
        on
            iy.financial_year >= r.first_financial_year
            and (r.last_financial_year is null or iy.financial_year <= r.last_financial_year)
),

region_pool as (
    select
        rs.indicator_code, rs.financial_year, rs.region_code, rs.region_name,
        rs.councils as members_expected,
        count(cv.la_code) as members,
        count(cv.la_code) = {{ any_non_null('rs.councils') }} as is_complete,
        {{ any_non_null('cv.scale') }} * sum(cv.numerator) / sum(cv.denominator) as value
    from region_sizes as rs
    left join councils as c on c.region_code = rs.region_code
    left join council_values as cv
        on
            cv.la_code = c.la_code and cv.indicator_code = rs.indicator_code
            and cv.financial_year = rs.financial_year and cv.poolable
    group by all
),

england_pool as (
    select
        es.indicator_code, es.financial_year, es.members_expected,
        count(cv.la_code) as members,
        {{ any_non_null('cv.scale') }} * sum(cv.numerator) / sum(cv.denominator) as value
    from (
        select indicator_code, financial_year, sum(councils) as members_expected
        from region_sizes
        group by all
    ) as es
    left join council_values as cv
        on cv.indicator_code = es.indicator_code and cv.financial_year = es.financial_year and cv.poolable
    group by all
),

family_ranked as (
    -- rank within the family group, among the members with a value
    select
        fm.*,
        {{ competition_rank('fm.value', 'fm.polarity', 'fm.indicator_code, fm.financial_year, fm.family_group') }}
            as family_rank
    from family_members as fm
)

select
    cv.indicator_code, cv.financial_year, cv.la_code as area_code, coalesce(c.council_name, cv.la_code) as area_name,
    {{ code('area_type', 'LA') }} as area_type, cv.value,
    case when fp.is_complete then fr.family_rank end as rank,
    case when fp.is_complete then fp.members end as rank_of,
    -- the council's own value stands in for its supplied one where a ranking it is part of (its
    -- family group, England's quartiles) is computed from the pool
    coalesce(fp.is_complete, false) or coalesce(ep.members = ep.members_expected, false) as is_complete,
    null as members, null as members_expected
from council_values as cv
left join councils as c on c.la_code = cv.la_code
left join family_ranked as fr
    on fr.la_code = cv.la_code and fr.indicator_code = cv.indicator_code and fr.financial_year = cv.financial_year
left join family as f on f.la_code = cv.la_code
left join family_pool as fp
    on
        fp.family_group = f.family_group and fp.indicator_code = cv.indicator_code
        and fp.financial_year = cv.financial_year
left join england_pool as ep on ep.indicator_code = cv.indicator_code and ep.financial_year = cv.financial_year
union all
select
    indicator_code,
    financial_year,
    family_group as area_code,
    family_group as area_name,
    {{ code('area_type', 'Family group') }} as area_type,
    value, null as rank, null as rank_of, is_complete, members, members_expected
from family_pool
union all
select
    indicator_code,
    financial_year,
    region_code as area_code,
    region_name as area_name,
    {{ code('area_type', 'Region') }} as area_type,
    value, null as rank, null as rank_of, is_complete, members, members_expected
from region_pool
union all
select
    indicator_code,
    financial_year,
    'E92000001' as area_code,
    {{ code('area_type', 'England') }} as area_name,
    {{ code('area_type', 'England') }} as area_type,
    value, null as rank, null as rank_of, members = members_expected as is_complete, members, members_expected
from england_pool
