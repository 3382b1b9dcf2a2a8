{# CLD value match key: DHSC's SQL Server collation compares case-insensitively and ignores
   trailing blanks, so 'Service User ' matches 'Service user'. #}
{% macro cld_key(x) -%}
    lower(rtrim({{ x }}))
{%- endmacro %}

{# DHSC's age: whole 365.25-day years from the first day of the birth month
   (FLOOR(DATEDIFF(DAY, birth, on) / 365.25)), not the birthday-exact age used elsewhere. #}
{% macro cld_age(birth_month_start, on_date) -%}
    {#- a double on both engines (Spark's floor gives a bigint, DuckDB's of a double a double) -#}
    cast(floor({{ day_diff(birth_month_start, on_date) }} / 365.25) as double)
{%- endmacro %}

{# DHSC's open-ended date stand-in (ASCOF scripts set null end dates to 9999-01-01). #}
{% macro cld_open_end() -%}
    date '9999-01-01'
{%- endmacro %}

{# The first and last day of financial year YYYY/YY from its first calendar year. #}
{% macro cld_fy_label(fy_start) -%}
    {{ fy_label('year(' ~ fy_start ~ ')') }}
{%- endmacro %}

{# DHSC's person-details pattern: per council and person, the top-ranked rows (known values
   first, then latest reference period, latest end, latest start); disagreement -> conflict value.
   Emits two CTEs (<name>_ranked, <name>) reading from a CTE called cld. #}
{% macro cld_latest_known(name, value_expr, known_expr, conflict_value) %}
{{ name }}_ranked as (
    select la_code, person_key, {{ value_expr }} as v,
           dense_rank() over (partition by la_code, person_key
                              order by ({{ known_expr }}) desc, ref_period_end desc, end_sort desc, event_start_date desc) as rk
    from cld
),
{{ name }} as (
    select la_code, person_key,
           case when count(distinct v) > 1 then '{{ conflict_value }}' else {{ any_non_null('v') }} end as {{ name }}
    from {{ name }}_ranked where rk = 1 group by all
),
{% endmacro %}
