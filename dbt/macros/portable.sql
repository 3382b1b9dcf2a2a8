{# The SQL that differs between DuckDB and Spark, one macro per concept (docs/spark.md). Models
   call these (or dbt's own cross-database macros) so that no model is written twice; each has a
   duckdb__ (the reference), a spark__ and a default__ implementation. #}

{# A series start..stop (inclusive) as rows of one column `name`, for a lateral join: integers
   when step is none, else dates every `step` (an interval such as '1 month'). Empty when
   start > stop (Spark's sequence would fail, so it is guarded). #}
{% macro series(start, stop, name, step=none) -%}
    {{ return(adapter.dispatch('series', 'vitalsigns')(start, stop, name, step)) }}
{%- endmacro %}

{% macro default__series(start, stop, name, step) -%}
    lateral (select unnest(generate_series({{ start }}, {{ stop }}{% if step %}, interval {{ step }}{% endif %})) as {{ name }})
{%- endmacro %}

{% macro spark__series(start, stop, name, step) -%}
    lateral (select explode(case when {{ start }} <= {{ stop }} then
        sequence({{ start }}, {{ stop }}{% if step %}, interval {{ step }}{% endif %}) end) as {{ name }})
{%- endmacro %}

{# A string aggregate in a stated order (and optionally of distinct values): row-for-row equal
   output on both engines needs the order fixed. dbt.listagg ignores the order on Spark. #}
{% macro string_agg_ordered(expr, sep, order_by, distinct=false) -%}
    {{ return(adapter.dispatch('string_agg_ordered', 'vitalsigns')(expr, sep, order_by, distinct)) }}
{%- endmacro %}

{% macro default__string_agg_ordered(expr, sep, order_by, distinct) -%}
    string_agg({% if distinct %}distinct {% endif %}{{ expr }}, {{ sep }} order by {{ order_by }})
{%- endmacro %}

{% macro spark__string_agg_ordered(expr, sep, order_by, distinct) -%}
    listagg({% if distinct %}distinct {% endif %}{{ expr }}, {{ sep }}) within group (order by {{ order_by }})
{%- endmacro %}

{# Every column of a relation but some: `select {{ star_except('m', ['la_code']) }}`. #}
{% macro star_except(alias, columns) -%}
    {{ return(adapter.dispatch('star_except', 'vitalsigns')(alias, columns)) }}
{%- endmacro %}

{% macro default__star_except(alias, columns) -%}
    {% if alias %}{{ alias }}.{% endif %}* exclude ({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__star_except(alias, columns) -%}
    {% if alias %}{{ alias }}.{% endif %}* except ({{ columns | join(', ') }})
{%- endmacro %}

{# A composite sort key for max_by/min_by: numbers compared left to right (a list on DuckDB,
   an array on Spark). A date goes in as day_number(d). #}
{% macro sort_key(parts) -%}
    {{ return(adapter.dispatch('sort_key', 'vitalsigns')(parts)) }}
{%- endmacro %}

{% macro default__sort_key(parts) -%}
    [{{ parts | join(', ') }}]
{%- endmacro %}

{% macro spark__sort_key(parts) -%}
    array({{ parts | join(', ') }})
{%- endmacro %}

{# Days since 1970-01-01: a date as a number that sorts as the date does. #}
{% macro day_number(d) -%}
    {{ day_diff("date '1970-01-01'", d) }}
{%- endmacro %}

{# Day boundaries from one date to another (negative when `to` is earlier). dbt.datediff's Spark
   version writes date(...) calls that Spark 4's parser rejects, hence this one. #}
{% macro day_diff(from_date, to_date) -%}
    {{ return(adapter.dispatch('day_diff', 'vitalsigns')(from_date, to_date)) }}
{%- endmacro %}

{% macro default__day_diff(from_date, to_date) -%}
    datediff('day', {{ from_date }}, {{ to_date }})
{%- endmacro %}

{% macro spark__day_diff(from_date, to_date) -%}
    datediff(cast({{ to_date }} as date), cast({{ from_date }} as date))
{%- endmacro %}

{# Element `index` (counted from 1) of an array: DuckDB's list[i] counts from 1, Spark's arr[i] from 0. #}
{% macro array_at(arr, index) -%}
    {{ return(adapter.dispatch('array_at', 'vitalsigns')(arr, index)) }}
{%- endmacro %}

{% macro default__array_at(arr, index) -%}
    ({{ arr }})[{{ index }}]
{%- endmacro %}

{% macro spark__array_at(arr, index) -%}
    element_at({{ arr }}, cast({{ index }} as int))
{%- endmacro %}

{# The sign of a number as a small integer (-1, 0, 1): Spark's sign() is a double. #}
{% macro sign_int(x) -%}
    {{ return(adapter.dispatch('sign_int', 'vitalsigns')(x)) }}
{%- endmacro %}

{% macro default__sign_int(x) -%}
    sign({{ x }})
{%- endmacro %}

{% macro spark__sign_int(x) -%}
    cast(sign({{ x }}) as tinyint)
{%- endmacro %}

{# Any one non-null value of a group: DuckDB's any_value skips nulls, Spark's returns the first row's
   value, null or not, unless told to ignore nulls. #}
{% macro any_non_null(x) -%}
    {{ return(adapter.dispatch('any_non_null', 'vitalsigns')(x)) }}
{%- endmacro %}

{% macro default__any_non_null(x) -%}
    any_value({{ x }})
{%- endmacro %}

{% macro spark__any_non_null(x) -%}
    any_value({{ x }}, true)
{%- endmacro %}

{# The parts of a delimited string as rows, in a select list: `select {{ split_to_rows('x', "';'") }} as part`.
   The separator is a regular expression on Spark: use a character with no meaning there (such as ;). #}
{% macro split_to_rows(expr, sep) -%}
    {{ return(adapter.dispatch('split_to_rows', 'vitalsigns')(expr, sep)) }}
{%- endmacro %}

{% macro default__split_to_rows(expr, sep) -%}
    unnest(string_split({{ expr }}, {{ sep }}))
{%- endmacro %}

{% macro spark__split_to_rows(expr, sep) -%}
    explode(split({{ expr }}, {{ sep }}))
{%- endmacro %}
