{# generated from dagster_project/contracts.py by `make contract`; do not edit.
   Read through code() and code_set() in macros/codes.sql. #}

{% macro contract_code_lists() %}{{ return({
    'gender': ['Male', 'Female', 'Other', 'Unknown'],
    'primary_support_reason': ['Physical Support: Access & Mobility only', 'Physical Support: Personal Care Support', 'Sensory Support', 'Support with Memory & Cognition', 'Learning Disability Support', 'Mental Health Support', 'Social Support'],
    'route_of_access': ['Discharge from Hospital', 'Diversion from Hospital Services', 'Community / Other route', 'Self-Funder with Depleted Funds', 'Planned Entry (Transition)'],
    'request_outcome': ['Assessment', 'Short Term Support: ST-Max', 'Short Term Support: Other Short Term', 'Long Term Support', 'Ongoing Low Level Support', 'Universal Services/Signposted to Other Services', 'No Services Provided - No identified needs', 'No Services Provided - Other'],
    'assessment_type': ['Needs Assessment', 'Carer Assessment', 'Reassessment'],
    'assessment_outcome': ['Eligible needs - services provided', 'Eligible needs - no services required', 'Information and guidance only', 'No eligible needs', 'Ended before completion'],
    'client_type': ['Service User', 'Carer'],
    'service_type': ['Long Term Support: Nursing Care', 'Long Term Support: Residential Care', 'Long Term Support: Community', 'Long Term Support: Prison', 'Short Term Support: ST-Max', 'Short Term Support: Other Short Term', 'Carer Support: Direct Payment', 'Carer Support: Council Commissioned Support', 'Carer Support: Information, Advice and Other Universal Services'],
    'support_setting': ['Nursing', 'Residential', 'Community'],
    'delivery_mechanism': ['Direct Payment', 'Part Direct Payment', 'CASSR Managed Personal Budget', 'CASSR Commissioned Support only', 'n/a'],
    'funding_source': ['Council', 'Joint (council and NHS)', 'NHS Continuing Healthcare', 'Self-funded'],
    'sequel': ['Early Cessation of Service (not leading to long term support)', 'Early Cessation of Service (leading to long term support)', 'Long Term Support (any level)', 'Ongoing Low Level Support', 'Short Term Support (Other)', 'No Services Provided - Universal Services/Signposted to Other Services', 'No Services Provided - No identified needs', 'Death'],
    'status_at_91_days': ['At home', 'In hospital', 'In residential or nursing care', 'Deceased', 'Not known'],
    'review_type': ['Planned', 'Unplanned'],
    'review_outcome': ['No change in support', 'Support increased', 'Support reduced', 'Support ended', 'Moved to residential or nursing care'],
    'employment_status': ['Paid: 16 or more hours a week', 'Paid: less than 16 hours a week', 'Paid: hours unknown', 'Unemployed and seeking work', 'Not in paid employment', 'Unknown'],
    'accommodation_status': ['Owner occupier or shared ownership', 'Tenant', 'Settled mainstream housing with family/friends', 'Supported accommodation', 'Shared Lives scheme', 'Approved premises', 'Sheltered housing', 'Mobile accommodation', 'Rough sleeper', 'Night shelter', 'Refuge', 'Placed in temporary accommodation', 'Staying with family/friends as short-term guest', 'Acute/long stay healthcare residential facility or hospital', 'Registered care home', 'Registered nursing home', 'Prison', 'Other temporary accommodation', 'Unknown'],
    'enquiry_type': ['Section 42', 'Other'],
    'abuse_types': ['Physical', 'Sexual', 'Psychological', 'Financial or Material', 'Discriminatory', 'Organisational', 'Neglect and Acts of Omission', 'Domestic Abuse', 'Sexual Exploitation', 'Modern Slavery', 'Self-neglect'],
    'location_of_risk': ['Own Home', 'In the community (excluding community services)', 'In a community service', 'Care Home - Nursing', 'Care Home - Residential', 'Hospital - Acute', 'Hospital - Mental Health', 'Hospital - Community', 'Other'],
    'source_of_risk': ['Service Provider', 'Other - Known to Individual', 'Other - Unknown to Individual'],
    'risk_outcome': ['Risk identified and action taken', 'Risk identified and no action taken', 'Risk - assessment inconclusive and action taken', 'Risk - assessment inconclusive and no action taken', 'No risk identified and action taken', 'No risk identified and no action taken', 'Enquiry ceased at individual\'s request and no action taken'],
    'msp_asked': ['Yes', 'No', 'Don\'t know', 'Not recorded'],
    'msp_outcomes_expressed': ['Yes', 'No'],
    'msp_outcomes_achieved': ['Fully achieved', 'Partially achieved', 'Not achieved'],
    'acute_or_non_acute': ['Acute', 'Non-acute'],
    'responsible_org': ['NHS', 'Social Care', 'Both'],
    'reason_code': ['A', 'B', 'C', 'D(i)', 'D(ii)', 'E', 'F', 'G', 'H', 'I', 'O'],
    'profile': ['flat', 'linear'],
    'area_type': ['LA', 'Family group', 'Region', 'England'],
    'period_type': ['month', 'quarter', 'ytd', 'rolling_12m', 'financial_year'],
    'prospects': ['Green', 'Amber', 'Red']
}) }}{% endmacro %}

{% macro contract_code_sets() %}{{ return({
    'council_supported': [['funding_source', ['Council', 'Joint (council and NHS)']]],
    'long_term': [['service_type', ['Long Term Support: Nursing Care', 'Long Term Support: Residential Care', 'Long Term Support: Community', 'Long Term Support: Prison']]],
    'permanent_placement': [['service_type', ['Long Term Support: Nursing Care', 'Long Term Support: Residential Care']]],
    'community': [['service_type', ['Long Term Support: Community']]],
    'carer_specific': [['service_type', ['Carer Support: Direct Payment', 'Carer Support: Council Commissioned Support']]],
    'carer_support': [['service_type', ['Carer Support: Direct Payment', 'Carer Support: Council Commissioned Support', 'Carer Support: Information, Advice and Other Universal Services']]],
    'self_directed': [['service_type', ['Carer Support: Direct Payment']], ['delivery_mechanism', ['Direct Payment', 'Part Direct Payment', 'CASSR Managed Personal Budget']]],
    'direct_payment': [['service_type', ['Carer Support: Direct Payment']], ['delivery_mechanism', ['Direct Payment', 'Part Direct Payment']]],
    'sequel_2d_denominator': [['sequel', ['Long Term Support (any level)', 'Ongoing Low Level Support', 'Short Term Support (Other)', 'No Services Provided - Universal Services/Signposted to Other Services', 'No Services Provided - No identified needs']]],
    'sequel_no_ongoing_support': [['sequel', ['Ongoing Low Level Support', 'Short Term Support (Other)', 'No Services Provided - Universal Services/Signposted to Other Services', 'No Services Provided - No identified needs']]],
    'paid_employment': [['employment_status', ['Paid: 16 or more hours a week', 'Paid: less than 16 hours a week', 'Paid: hours unknown']]],
    'settled_accommodation': [['accommodation_status', ['Owner occupier or shared ownership', 'Tenant', 'Settled mainstream housing with family/friends', 'Supported accommodation', 'Shared Lives scheme', 'Approved premises', 'Sheltered housing', 'Mobile accommodation']]],
    'dtoc_social_care': [['responsible_org', ['Social Care', 'Both']]],
    'population_total': [['sex', ['Persons', 'All', 'P', 'T', 'Total', 'All persons']]]
}) }}{% endmacro %}
