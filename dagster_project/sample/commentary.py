"""The report-card commentary a sample lands for each vital sign."""

from __future__ import annotations

COMMENTARY = """## Why is this important?
{why}

## What explains current performance?
{explains}

## What will success look like?
{success}

## Action required
{action}

## Responsible officers
Lead: {lead}
Data owner: Business Intelligence and Performance Service
"""
COMMENTARY_TEXT = {
    "VS_DTOC_SOCIAL_CARE": dict(
        why="Staying in hospital longer than necessary harms people's health and independence: ten days in a "
        "hospital bed can mean years of lost muscle strength for an older person.",
        explains="- Winter pressure on acute hospitals raised referrals for care at home and in care homes.\n"
        "- The home care market cannot recruit enough staff in rural areas, so packages start late.",
        success="- Social care delayed days back to the profiled target and sustained for three months.\n"
        "- Fewer delays waiting for care packages in people's own homes (reason E).",
        action="- Joint discharge hub with the acute trusts, seven days a week.\n"
        "- Targeted investment of the improved Better Care Fund in the home care market.",
        lead="Director of Integrated Care",
    ),
    "VS_ADMISSIONS_65_PLUS": dict(
        why="Supporting people to live independently at home for longer is better for them and for the council's "
        "budget; permanent care should be the right choice, not the default after a crisis.",
        explains="- Admissions rose over the winter, many directly after a hospital stay.\n"
        "- Interim (planning) beds are converting to permanent placements too often.",
        success="- Rolling twelve-month admissions at or below the profiled target.\n"
        "- No permanent placements made directly from a hospital bed.",
        action="- Reinforce reablement and therapy first on every acute pathway.\n"
        "- Review every interim placement before it becomes permanent.",
        lead="Director of Community Social Work",
    ),
    "VS_ADMISSIONS_18_64": dict(
        why="Younger adults should be supported to live independently in their own communities wherever possible.",
        explains="- A small number of placements moves the rate noticeably: each admission is about 0.2 per 100,000.",
        success="- Rolling twelve-month admissions at or below the profiled target.",
        action="- Panel review of every proposed placement for a working-age adult.\n"
        "- Develop supported living as an alternative to residential care.",
        lead="Director of Community Social Work",
    ),
    "VS_LD_EMPLOYMENT": dict(
        why="Having a job significantly improves the life chances, wellbeing and independence of people with "
        "learning disabilities.",
        explains="- Employment status is recorded at review; many reviews are overdue, so recorded figures lag.\n"
        "- Few supported employment opportunities in rural districts.",
        success="- At least the target share of people with a learning disability in paid work.",
        action="- Record employment status at every review.\n"
        "- Work with the employment support service and local employers on supported internships.",
        lead="Head of Learning Disability Services",
    ),
    "VS_MH_EMPLOYMENT": dict(
        why="Employment is a key part of recovery for people with mental health needs.",
        explains="- Recording of employment status in the mental health trust's system is incomplete.",
        success="- At least the target share of people with mental health support needs in paid work.",
        action="- Agree a data-sharing improvement plan with the mental health trust.",
        lead="Head of Mental Health Social Work",
    ),
}
