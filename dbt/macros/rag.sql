{#- The one RAG rule (measures.md "RAG"; seed 000, 3.3). Every rating and exception reads these
    macros; the thresholds are vars in dbt_project.yml (rag_default_tolerance,
    exception_shortfall, exception_risk_score). -#}

{# How far a value falls the wrong side of its target (<= 0: meets or beats it), in the target's units. #}
{% macro rag_gap(display_value, target, polarity) -%}
    (case when {{ polarity }} = 'bigger' then {{ target }} - {{ display_value }}
          else {{ display_value }} - {{ target }} end)
{%- endmacro %}

{# The gap as a share of the target; null when the target is zero. #}
{% macro rag_shortfall(display_value, target, polarity) -%}
    ({{ rag_gap(display_value, target, polarity) }} / nullif(abs({{ target }}), 0))
{%- endmacro %}

{# The tolerance an indicator is rated with: the catalogue's, else the project default. #}
{% macro rag_tolerance(catalogue_tolerance) -%}
    coalesce({{ catalogue_tolerance }}, {{ var('rag_default_tolerance') }})
{%- endmacro %}

{# G meets or beats the target at display precision; A misses it by less than the tolerance
   (a share of the target); R by the tolerance or more (or any miss of a zero target);
   null without a value or a target. #}
{% macro rag(display_value, target, polarity, tolerance) -%}
    (case when {{ display_value }} is null or {{ target }} is null then null
          when {{ rag_gap(display_value, target, polarity) }} <= 0 then 'G'
          when {{ rag_shortfall(display_value, target, polarity) }} < {{ tolerance }} then 'A'
          else 'R' end)
{%- endmacro %}

{# Exception reason (a), "off target": rated Red, or the wrong side of target by
   exception_shortfall (a share of the target) or more. #}
{% macro off_target(display_value, target, polarity, rag) -%}
    coalesce({{ rag_shortfall(display_value, target, polarity) }} >= {{ var('exception_shortfall') }}
             or {{ rag }} = 'R', false)
{%- endmacro %}

{# Exception reason (d) and the register's "reported by exception": a risk scoring this or more. #}
{% macro exception_risk(score) -%}
    ({{ score }} >= {{ var('exception_risk_score') }})
{%- endmacro %}
