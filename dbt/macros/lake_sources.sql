{# The Parquet landing zone as dbt's Liquid Logic sources (docs/lake.md, "dbt sources from the zone").
   With var('lake_sources') set (VITALSIGNS_LAKE_SOURCES=1; settings.lake_sources_var), source('raw', <feed>)
   for a feed it names is the zone's current state instead of the raw table; every other source, and
   every build without the var, is dbt's own. The dependency is still recorded on the raw source, so
   lineage and `--select source:raw.<feed>+` are the same either way. #}
{% macro source(source_name, table_name) -%}
    {%- set relation = builtins.source(source_name, table_name) -%}
    {%- set spec = var('lake_sources', none) -%}
    {%- if spec and source_name == 'raw' and table_name in spec['feeds'] -%}
        {{ return(lake_current(spec['root'], table_name, spec['feeds'][table_name], relation)) }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}

{# A feed's current state from its change sets: the newest version of each key (business key, council
   included) over every extract, unless that version is a delete; contract columns, then `_extract`,
   the extract that last wrote the row. The same rule as lake.zone.state_sql (Python readers);
   tests/lake/test_lake_sources.py checks a build from it equals a build from raw. A feed the zone holds
   no file of yet reads as the raw table's columns with no rows. #}
{% macro lake_current(root, table_name, feed, raw_relation) -%}
    {%- set null_partition = '__HIVE_DEFAULT_PARTITION__' -%}
    {%- set columns -%}
        {%- for c in feed['columns'] -%}
            {%- if c == 'la_code' -%}nullif(la_code, '{{ null_partition }}') as la_code
            {%- else -%}{{ c }}{%- endif -%},
        {% endfor -%}
    {%- endset -%}
    {%- if not feed['stored'] -%}
        (select {{ columns }}cast(null as {{ dbt.type_string() }}) as _extract from {{ raw_relation }} where 1 = 0)
    {%- else -%}
        (
            select {{ columns }}extract as _extract
            from (
                select
                    *,
                    row_number() over (partition by {{ feed['key'] | join(', ') }} order by extract desc) as _lake_rn
                from {{ lake_scan(root ~ '/' ~ table_name) }}
            ) as versions
            where _lake_rn = 1 and _op != 'delete'
        )
    {%- endif -%}
{%- endmacro %}

{# Every change set of a feed, with the Hive partition columns la_code and extract as text. #}
{% macro lake_scan(path) -%}
    {{ return(adapter.dispatch('lake_scan', 'vitalsigns')(path)) }}
{%- endmacro %}

{% macro default__lake_scan(path) -%}
    read_parquet(
        '{{ path }}/*/*/*.parquet', hive_partitioning = true, hive_types_autocast = false, union_by_name = true
    )
{%- endmacro %}

{# Spark finds la_code=/extract= itself (a null council's __HIVE_DEFAULT_PARTITION__ is read as null);
   partition type inference is turned off so extract stays text, as on DuckDB. #}
{% macro spark__lake_scan(path) -%}
    {%- if execute -%}{%- do run_query("set spark.sql.sources.partitionColumnTypeInference.enabled = false") -%}{%- endif -%}
    parquet.`{{ path }}`
{%- endmacro %}
