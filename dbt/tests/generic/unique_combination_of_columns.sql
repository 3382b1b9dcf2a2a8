{#- Rows sharing every key column, with how many. Keys are first grouped by one hash of them (an
    integer: a small hash table even for the 6.9 million person-months of
    int_long_term_support_snapshots at 10 councils, half the cost of grouping the text keys), and
    only rows whose hash repeats are grouped by the keys themselves, so a hash collision is never
    reported and a duplicate is never missed (equal keys hash equal, nulls included). `hash` is
    DuckDB's and Spark's. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
{%- set keys = combination_of_columns | join(', ') -%}
with repeated_hashes as (
    select hash({{ keys }}) as key_hash
    from {{ model }}
    group by hash({{ keys }})
    having count(*) > 1
)

select {{ keys }}, count(*) as n
from {{ model }}
where hash({{ keys }}) in (select key_hash from repeated_hashes)
group by {{ keys }}
having count(*) > 1
{% endtest %}
