{# Competition rank ("1,2,2,4"), 1 = best, of `value` among the rows of `partition`, by the
   indicator's polarity: one more than the members strictly better. The rule ascof applies to the
   council's own value, written once for pooled rows. #}
{% macro competition_rank(value, polarity, partition) -%}
    (case when {{ value }} is null then null
        when {{ polarity }} = 'smaller' then rank() over (partition by {{ partition }} order by {{ value }} asc)
        else rank() over (partition by {{ partition }} order by {{ value }} desc)
    end)
{%- endmacro %}

{# What a ratio is multiplied by for a unit: the published value of a pooled numerator over a
   pooled denominator. Count measures are not ratios (1). #}
{% macro unit_scale(unit) -%}
    (case {{ unit }} when '%' then 100 when 'per 100k' then 100000 else 1 end)
{%- endmacro %}
