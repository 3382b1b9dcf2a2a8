{#- Year-end forecast (docs/decisions.md "Year-end forecast"). -#}

{# A measure that accumulates over its window (a count or per-100k rate of events): its value grows
   with the window, so a target holds only for windows as long as the one it was set for, and its
   year-end outturn is projected by last year's seasonal share rather than last year's change. #}
{% macro grows_with_window(kind, unit) -%}
    ({{ kind }} = 'event' and {{ unit }} in ('per 100k', 'count'))
{%- endmacro %}

{# A forecast held to what the measure can take: never below 0, a percentage never above 100. #}
{% macro forecast_clamp(x, unit) -%}
    (case when {{ unit }} = '%' then least(greatest({{ x }}, 0), 100) else greatest({{ x }}, 0) end)
{%- endmacro %}
