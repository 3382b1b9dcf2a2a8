{# On Spark, the raw tables are Parquet folders the DuckDB ingestion exported
   (dagster_project/spark_engine.py); this on-run-start hook declares each one to the run's own
   metastore. var('raw_parquet') = {'root': folder, 'tables': [names], 'partitioned': [names]}.
   DuckDB reads raw from its own warehouse, so there it does nothing. #}
{% macro register_raw_parquet() -%}
    {{ return(adapter.dispatch('register_raw_parquet', 'vitalsigns')()) }}
{%- endmacro %}

{% macro default__register_raw_parquet() -%}
{%- endmacro %}

{% macro spark__register_raw_parquet() -%}
    {%- set spec = var('raw_parquet', none) -%}
    {%- if execute and spec -%}
        {%- do run_query('create database if not exists raw') -%}
        {%- for table in spec['tables'] -%}
            {%- do run_query('drop table if exists raw.' ~ table) -%}
            {%- do run_query("create table raw." ~ table ~ " using parquet location '" ~ spec['root'] ~ "/" ~ table ~ "'") -%}
            {#- a folder partitioned by column=value subfolders shows no rows until its partitions are found -#}
            {%- if table in spec.get('partitioned', []) -%}
                {%- do run_query('msck repair table raw.' ~ table) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
