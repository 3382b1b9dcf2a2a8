{#- Series breaks (reference/series_breaks): the one place a break's reach is decided. A break on
    date D starts a new series with the first period ending on or after D; an empty
    indicator_code breaks every indicator of the council. -#}

{% macro crosses_break(la_code, indicator_code, earlier_end, later_end) -%}
exists (
    select 1 from {{ ref('stg_series_breaks') }} b
    where b.la_code = {{ la_code }}
      and (b.indicator_code is null or b.indicator_code = {{ indicator_code }})
      and b.break_date > {{ earlier_end }} and b.break_date <= {{ later_end }}
)
{%- endmacro %}

{% macro segment_start(la_code, indicator_code, period_end) -%}
coalesce((
    select max(b.break_date) from {{ ref('stg_series_breaks') }} b
    where b.la_code = {{ la_code }}
      and (b.indicator_code is null or b.indicator_code = {{ indicator_code }})
      and b.break_date <= {{ period_end }}
), date '0001-01-01')
{%- endmacro %}
