{# Age band of the Safeguarding Adults Collection (NHS England): 18-64, 65-74, 75-84, 85-94, 95+;
   'Under 18' and 'Age unknown' keep every person in one band, so the bands add up to the total. #}
{% macro safeguarding_age_band(age) -%}
    (case
        when {{ age }} is null then 'Age unknown'
        when {{ age }} < 18 then 'Under 18'
        when {{ age }} <= 64 then '18-64'
        when {{ age }} <= 74 then '65-74'
        when {{ age }} <= 84 then '75-84'
        when {{ age }} <= 94 then '85-94'
        else '95+'
    end)
{%- endmacro %}
