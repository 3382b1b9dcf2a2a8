{# Age in whole years on a date (a birthday on the date counts). #}
{% macro age_at(dob, on_date) -%}
    (year({{ on_date }}) - year({{ dob }})
     - case when month({{ on_date }}) * 100 + day({{ on_date }}) < month({{ dob }}) * 100 + day({{ dob }}) then 1 else 0 end)
{%- endmacro %}

{# First calendar year of the financial year containing a date (FY 2016/17 -> 2016). #}
{% macro fy_start_year(d) -%}
    (case when month({{ d }}) >= 4 then year({{ d }}) else year({{ d }}) - 1 end)
{%- endmacro %}

{# 'YYYY/YY' label of a financial year from its first calendar year. #}
{% macro fy_label(start_year) -%}
    ({{ start_year }}::string || '/' || lpad((({{ start_year }} + 1) % 100)::string, 2, '0'))
{%- endmacro %}

{# First calendar year of a financial year from its 'YYYY/YY' label (inverse of fy_label). #}
{% macro fy_label_start(label) -%}
    cast(left({{ label }}, 4) as integer)
{%- endmacro %}

{# 'YYYY/YY' label of the financial year containing a date (Python: periods.financial_year). #}
{% macro financial_year_of(d) -%}
    {{ fy_label(fy_start_year(d)) }}
{%- endmacro %}

{# Age band used by the measures: 18-64, 65+ (null under 18 or unknown). #}
{% macro age_band(age) -%}
    (case when {{ age }} between 18 and 64 then '18-64' when {{ age }} >= 65 then '65+' end)
{%- endmacro %}

{# A ratio that never divides by zero: null when the denominator is null or zero. #}
{% macro safe_ratio(num, den, scale=1) -%}
    (case when {{ den }} is null or {{ den }} = 0 then null else {{ scale }} * ({{ num }})::double / ({{ den }}) end)
{%- endmacro %}

{# Round half away from zero (display rounding, per measures.md). #}
{% macro round_half_away(x, places) -%}
    (sign({{ x }}) * floor(abs({{ x }}) * power(10, {{ places }}) + 0.5) / power(10, {{ places }}))
{%- endmacro %}

{# Months in a reporting window of this period type ending on period_end (ytd: April = 1). #}
{% macro window_months(period_type, period_end) -%}
    (case {{ period_type }} when 'month' then 1 when 'quarter' then 3
          when 'ytd' then (month({{ period_end }}) + 8) % 12 + 1 else 12 end)
{%- endmacro %}

{# Month boundaries crossed from one date to another, (2016-04-01, 2017-03-31) -> 11, as DuckDB's
   datediff('month', ...) counts them; Spark's datediff counts whole months, one more between two
   month ends, so this is written out once for both engines. #}
{% macro month_diff(from_date, to_date) -%}
    ((year({{ to_date }}) - year({{ from_date }})) * 12 + month({{ to_date }}) - month({{ from_date }}))
{%- endmacro %}
