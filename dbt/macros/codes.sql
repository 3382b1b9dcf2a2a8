{# The contract's codes in SQL. The lists and sets live once, in dagster_project/contracts.py,
   and reach dbt through the generated macros/contract.sql; these two macros are the only way a
   model names a code, so a code that is not in the contract fails at compile time. #}

{# One code of a coded column, as a quoted SQL literal: code('status_at_91_days', 'At home'). #}
{% macro code(column, value) -%}
    {%- set lists = contract_code_lists() -%}
    {%- if column not in lists -%}
        {{ exceptions.raise_compiler_error("code(): " ~ column ~ " has no code list in the extract contract") }}
    {%- endif -%}
    {%- if value not in lists[column] -%}
        {{ exceptions.raise_compiler_error("code(): '" ~ value ~ "' is not a " ~ column ~ " code in the extract contract") }}
    {%- endif -%}
    '{{ value | replace("'", "''") }}'
{%- endmacro %}

{# TRUE when a row's codes fall in a contract code set (e.g. 'self_directed'): the set's
   (column, codes) alternatives joined by OR, null like `in` when the column is null.
   `alias` qualifies the columns; `transform` wraps column and codes (e.g. 'lower'). #}
{% macro code_set(name, alias=none, transform=none) -%}
    {%- set sets = contract_code_sets() -%}
    {%- if name not in sets -%}
        {{ exceptions.raise_compiler_error("code_set(): no code set '" ~ name ~ "' in the extract contract") }}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- for member in sets[name] -%}
        {%- set col = (alias ~ '.' if alias else '') ~ member[0] -%}
        {%- set quoted = [] -%}
        {%- for c in member[1] -%}
            {%- do quoted.append("'" ~ ((c | lower) if transform == 'lower' else c) | replace("'", "''") ~ "'") -%}
        {%- endfor -%}
        {%- do parts.append((transform ~ '(' ~ col ~ ')' if transform else col) ~ ' in (' ~ quoted | join(', ') ~ ')') -%}
    {%- endfor -%}
    ({{ parts | join(' or ') }})
{%- endmacro %}
