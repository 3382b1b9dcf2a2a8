-- People in council-supported long-term support at each month end (and so at 31 March),
-- one row per person: setting, self-directed support flags, age and latest statuses.
--
-- The largest model (a row per person per month over every year held), so it is incremental:
-- a nightly build first deletes each council's last `lts_lookback_months` month ends (every period
-- a committee report shows or compares with), then appends every month end after what is still
-- held. A delete by range, not dbt's delete+insert on (la_code, as_at), which joins every new row
-- to every held row of its month. `vitalsigns build --full-refresh` recomputes every month, for
-- when a council re-sends corrected old history.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}
        delete from {{ this }} t
        using (select la_code, max(month_end) as last_month_end from {{ ref('int_council_months') }} group by 1) m
        where t.la_code = m.la_code and t.as_at > m.last_month_end - interval '{{ var('lts_lookback_months') }}' month
        {% endif %}"
) }}

with dates as (
    select distinct m.la_code, m.month_end as as_at
    from {{ ref('int_council_months') }} as m
    {% if is_incremental() %}
    left join (select la_code, max(as_at) as last_as_at from {{ this }} group by 1) held using (la_code)
    where held.last_as_at is null or m.month_end > held.last_as_at
    {% endif %}
),

-- the person's attributes and each service's flags, with how many services of this kind the person
-- has at all: 95 % have one, so their person-months need no grouping (a hash aggregate over
-- millions of person-months that nearly all hold one row)
services as (
    select
        s.la_code, s.person_id, s.start_date, s.end_date,
        p.date_of_birth, p.date_of_death, p.primary_support_reason,
        s.is_permanent_placement as in_residential_or_nursing,
        s.is_community as in_community,
        s.is_community and s.is_self_directed as community_self_directed,
        s.is_community and s.is_direct_payment as community_direct_payment,
        count(*) over (partition by s.la_code, s.person_id) as n_services
    from {{ ref('stg_services') }} as s
    left join {{ ref('int_people_ages') }} as p using (la_code, person_id)
    where s.is_long_term and s.client_type = {{ code('client_type', 'Service User') }} and s.is_council_supported
),

{% set active_at_as_at %}
    from dates as d
    inner join services as s
        on s.la_code = d.la_code
            and s.start_date <= d.as_at
            and (s.end_date is null or s.end_date >= d.as_at)
            and (s.date_of_death is null or s.date_of_death >= d.as_at)
{% endset %}

people_months as (
    select
        d.la_code, d.as_at, s.person_id, s.primary_support_reason, s.date_of_birth,
        s.in_residential_or_nursing, s.in_community, s.community_self_directed, s.community_direct_payment
    {{ active_at_as_at }}
    where s.n_services = 1
    union all
    select
        d.la_code, d.as_at, s.person_id,
        {{ any_non_null('s.primary_support_reason') }} as primary_support_reason,
        {{ any_non_null('s.date_of_birth') }} as date_of_birth,
        bool_or(s.in_residential_or_nursing) as in_residential_or_nursing,
        bool_or(s.in_community) as in_community,
        bool_or(s.community_self_directed) as community_self_directed,
        bool_or(s.community_direct_payment) as community_direct_payment
    {{ active_at_as_at }}
    where s.n_services > 1
    group by d.la_code, d.as_at, s.person_id
),

people as (
    select
        la_code, as_at, person_id, primary_support_reason,
        {{ age_at('date_of_birth', 'as_at') }} as age,
        in_residential_or_nursing, in_community, community_self_directed, community_direct_payment
    from people_months
),

-- each status holds from its date until the person's next one: a hash join on the person with a
-- date range, which is the asof join's answer at a third less cost on millions of person-months
employment as (
    select
        la_code, person_id, as_at_date as valid_from, employment_status,
        lead(as_at_date) over (partition by la_code, person_id order by as_at_date) as valid_to
    from {{ ref('stg_client_status') }}
    where employment_status is not null
)

select p.*, {{ age_band('p.age') }} as age_band, e.employment_status
from people as p
left join employment as e
    on e.la_code = p.la_code and e.person_id = p.person_id
        and p.as_at >= e.valid_from and (e.valid_to is null or p.as_at < e.valid_to)
where p.age >= 18
