"""Liquid Logic codes the sample uses, each checked against the contract at import, and the mixes drawn from them."""

from __future__ import annotations

import numpy as np

from .. import contracts as K

# --- codes, checked against the contract ------------------------------------------------


def _code(codes: list[str], name: str) -> str:
    if name not in codes:
        raise ValueError(f"{name!r} is not in the contract code list {codes}")
    return name


def _mix(codes: list[str], weights: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    for name in weights:
        _code(codes, name)
    names = [c for c in codes if weights.get(c, 0) > 0]
    p = np.array([weights[c] for c in names], dtype=float)
    return np.array(names, dtype=object), p / p.sum()


class Mix:
    """A weighted choice over a contract code list (validated when defined)."""

    def __init__(self, codes: list[str], weights: dict[str, float]):
        self.names, self.p = _mix(codes, weights)

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.names[rng.choice(len(self.names), size=n, p=self.p)]


def _free(names: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """A weighted choice over free text (a column the contract does not validate, e.g. ethnicity)."""
    p = np.array(list(names.values()), dtype=float)
    return np.array(list(names), dtype=object), p / p.sum()


# services
LT_RES, LT_NURS = (
    _code(K.SERVICE_TYPE, "Long Term Support: Residential Care"),
    _code(K.SERVICE_TYPE, "Long Term Support: Nursing Care"),
)
LT_COM = _code(K.SERVICE_TYPE, "Long Term Support: Community")
ST_OTHER = _code(K.SERVICE_TYPE, "Short Term Support: Other Short Term")
CARER_DP = _code(K.SERVICE_TYPE, "Carer Support: Direct Payment")
CARER_CCS = _code(K.SERVICE_TYPE, "Carer Support: Council Commissioned Support")
CARER_INFO = _code(K.SERVICE_TYPE, "Carer Support: Information, Advice and Other Universal Services")
SERVICE_USER, CARER = _code(K.CLIENT_TYPE, "Service User"), _code(K.CLIENT_TYPE, "Carer")
RESIDENTIAL, NURSING, COMMUNITY = (_code(K.SUPPORT_SETTING, s) for s in ("Residential", "Nursing", "Community"))
DP, PDP = _code(K.DELIVERY_MECHANISM, "Direct Payment"), _code(K.DELIVERY_MECHANISM, "Part Direct Payment")
MPB = _code(K.DELIVERY_MECHANISM, "CASSR Managed Personal Budget")
COMMISSIONED = _code(K.DELIVERY_MECHANISM, "CASSR Commissioned Support only")
NA = _code(K.DELIVERY_MECHANISM, "n/a")
COUNCIL = _code(K.FUNDING_SOURCE, "Council")
LD = _code(K.PRIMARY_SUPPORT_REASON, "Learning Disability Support")
MH = _code(K.PRIMARY_SUPPORT_REASON, "Mental Health Support")
# front door
HOSPITAL = _code(K.ROUTE_OF_ACCESS, "Discharge from Hospital")
DIVERSION = _code(K.ROUTE_OF_ACCESS, "Diversion from Hospital Services")
COMMUNITY_ROUTE = _code(K.ROUTE_OF_ACCESS, "Community / Other route")
O_ASSESS = _code(K.REQUEST_OUTCOME, "Assessment")
O_STMAX = _code(K.REQUEST_OUTCOME, "Short Term Support: ST-Max")
O_STOTHER = _code(K.REQUEST_OUTCOME, "Short Term Support: Other Short Term")
O_UNIVERSAL = _code(K.REQUEST_OUTCOME, "Universal Services/Signposted to Other Services")
O_CLOSED = _code(K.REQUEST_OUTCOME, "No Services Provided - Other")
NEEDS, CARER_ASSESS, REASSESS = (
    _code(K.ASSESSMENT_TYPE, a) for a in ("Needs Assessment", "Carer Assessment", "Reassessment")
)
A_SERVICES = _code(K.ASSESSMENT_OUTCOME, "Eligible needs - services provided")
A_ENDED = _code(K.ASSESSMENT_OUTCOME, "Ended before completion")
PLANNED, UNPLANNED = _code(K.REVIEW_TYPE, "Planned"), _code(K.REVIEW_TYPE, "Unplanned")
R_MOVED = _code(K.REVIEW_OUTCOME, "Moved to residential or nursing care")
SEQ_LTS = _code(K.SEQUEL, "Long Term Support (any level)")
SEQ_DEATH = _code(K.SEQUEL, "Death")
AT_HOME, IN_CARE = _code(K.STATUS_AT_91_DAYS, "At home"), _code(K.STATUS_AT_91_DAYS, "In residential or nursing care")
DECEASED = _code(K.STATUS_AT_91_DAYS, "Deceased")
CARE_HOME = _code(K.ACCOMMODATION_STATUS, "Registered care home")
NURSING_HOME = _code(K.ACCOMMODATION_STATUS, "Registered nursing home")
NOT_PAID = _code(K.EMPLOYMENT_STATUS, "Not in paid employment")

FUNDING_RES = Mix(
    K.FUNDING_SOURCE, {"Council": 78, "Joint (council and NHS)": 8, "NHS Continuing Healthcare": 5, "Self-funded": 9}
)
FUNDING_RES_YOUNG = Mix(
    K.FUNDING_SOURCE, {"Council": 82, "Joint (council and NHS)": 9, "NHS Continuing Healthcare": 6, "Self-funded": 3}
)
FUNDING_COM = Mix(K.FUNDING_SOURCE, {"Council": 93, "Joint (council and NHS)": 7})
COUNCIL_SHARE_RES, COUNCIL_SHARE_RES_YOUNG = 0.86, 0.91

PSR_OLD_RES = {
    "Physical Support: Access & Mobility only": 6,
    "Physical Support: Personal Care Support": 45,
    "Sensory Support": 1,
    "Support with Memory & Cognition": 40,
    "Learning Disability Support": 2,
    "Mental Health Support": 4,
    "Social Support": 2,
}
PSR_OLD_COM = {
    "Physical Support: Access & Mobility only": 13,
    "Physical Support: Personal Care Support": 55,
    "Sensory Support": 4,
    "Support with Memory & Cognition": 18,
    "Learning Disability Support": 1,
    "Mental Health Support": 3,
    "Social Support": 6,
}
PSR_YOUNG_RES = {
    "Physical Support: Access & Mobility only": 5,
    "Physical Support: Personal Care Support": 30,
    "Sensory Support": 2,
    "Support with Memory & Cognition": 6,
    "Learning Disability Support": 40,
    "Mental Health Support": 12,
    "Social Support": 5,
}
PSR_WORKING = {
    "Physical Support: Access & Mobility only": 20,
    "Physical Support: Personal Care Support": 42,
    "Sensory Support": 8,
    "Support with Memory & Cognition": 5,
    "Social Support": 25,
}
PSR_CONTACT = {
    "Physical Support: Access & Mobility only": 20,
    "Physical Support: Personal Care Support": 35,
    "Sensory Support": 5,
    "Support with Memory & Cognition": 12,
    "Learning Disability Support": 3,
    "Mental Health Support": 8,
    "Social Support": 17,
}
PSR_LD, PSR_MH = {LD: 1}, {MH: 1}

ROUTES = {  # route of access of the request that starts each pathway
    "res65": {
        "Discharge from Hospital": 45,
        "Community / Other route": 43,
        "Self-Funder with Depleted Funds": 9,
        "Diversion from Hospital Services": 3,
    },
    "res1864": {"Community / Other route": 78, "Discharge from Hospital": 12, "Planned Entry (Transition)": 10},
    "com65": {
        "Community / Other route": 55,
        "Discharge from Hospital": 30,
        "Diversion from Hospital Services": 10,
        "Self-Funder with Depleted Funds": 5,
    },
    "com1864": {"Community / Other route": 85, "Discharge from Hospital": 10, "Diversion from Hospital Services": 5},
    "ld": {"Planned Entry (Transition)": 65, "Community / Other route": 35},
    "mh": {"Community / Other route": 80, "Discharge from Hospital": 10, "Diversion from Hospital Services": 10},
    "carer": {"Community / Other route": 100},
    "contact": {
        "Community / Other route": 72,
        "Discharge from Hospital": 18,
        "Diversion from Hospital Services": 6,
        "Self-Funder with Depleted Funds": 1.5,
        "Planned Entry (Transition)": 2.5,
    },
}
ROUTES = {k: Mix(K.ROUTE_OF_ACCESS, v) for k, v in ROUTES.items()}

# Overall outcome mix of all requests (contacts); linked pathways fill part of it, contacts the rest.
REQUEST_MIX = {
    "Assessment": 16.5,
    "Short Term Support: ST-Max": 7.5,
    "Short Term Support: Other Short Term": 1.5,
    "Long Term Support": 0.8,
    "Ongoing Low Level Support": 9.0,
    "Universal Services/Signposted to Other Services": 37.0,
    "No Services Provided - No identified needs": 12.0,
    "No Services Provided - Other": 15.7,
}
for _name in REQUEST_MIX:
    _code(K.REQUEST_OUTCOME, _name)
CONTACT_ASSESSMENT = Mix(
    K.ASSESSMENT_OUTCOME,
    {
        "Eligible needs - services provided": 42,
        "Eligible needs - no services required": 10,
        "Information and guidance only": 26,
        "No eligible needs": 13,
        "Ended before completion": 9,
    },
)
REASSESSMENT = Mix(
    K.ASSESSMENT_OUTCOME,
    {
        "Eligible needs - services provided": 82,
        "Eligible needs - no services required": 8,
        "No eligible needs": 4,
        "Ended before completion": 6,
    },
)
REVIEW_PLANNED = Mix(
    K.REVIEW_OUTCOME, {"No change in support": 66, "Support increased": 16, "Support reduced": 12, "Support ended": 6}
)
REVIEW_UNPLANNED = Mix(
    K.REVIEW_OUTCOME, {"No change in support": 30, "Support increased": 45, "Support reduced": 10, "Support ended": 15}
)
SEQUELS = Mix(
    K.SEQUEL,
    {
        "Early Cessation of Service (not leading to long term support)": 3.5,
        "Early Cessation of Service (leading to long term support)": 1.5,
        "Long Term Support (any level)": 10.5,
        "Ongoing Low Level Support": 26,
        "Short Term Support (Other)": 8,
        "No Services Provided - Universal Services/Signposted to Other Services": 26,
        "No Services Provided - No identified needs": 22.5,
        "Death": 2,
    },
)
STATUS_91 = Mix(
    K.STATUS_AT_91_DAYS,
    {"At home": 93.0, "In hospital": 2.5, "In residential or nursing care": 2.5, "Deceased": 1.5, "Not known": 0.5},
)
ACCOMMODATION_LD = Mix(
    K.ACCOMMODATION_STATUS,
    {
        "Owner occupier or shared ownership": 3,
        "Tenant": 16,
        "Settled mainstream housing with family/friends": 38,
        "Supported accommodation": 22,
        "Shared Lives scheme": 4,
        "Approved premises": 0.1,
        "Sheltered housing": 1,
        "Mobile accommodation": 0.1,
        "Rough sleeper": 0.2,
        "Night shelter": 0.1,
        "Refuge": 0.1,
        "Placed in temporary accommodation": 1.5,
        "Staying with family/friends as short-term guest": 2,
        "Acute/long stay healthcare residential facility or hospital": 1,
        "Prison": 0.3,
        "Other temporary accommodation": 2,
        "Unknown": 8.6,
    },
)
ACCOMMODATION_MH = Mix(
    K.ACCOMMODATION_STATUS,
    {
        "Owner occupier or shared ownership": 12,
        "Tenant": 34,
        "Settled mainstream housing with family/friends": 18,
        "Supported accommodation": 12,
        "Shared Lives scheme": 0.5,
        "Approved premises": 0.5,
        "Sheltered housing": 1,
        "Mobile accommodation": 0.3,
        "Rough sleeper": 0.7,
        "Night shelter": 0.3,
        "Refuge": 0.2,
        "Placed in temporary accommodation": 2.5,
        "Staying with family/friends as short-term guest": 2.5,
        "Acute/long stay healthcare residential facility or hospital": 4,
        "Prison": 0.5,
        "Other temporary accommodation": 2,
        "Unknown": 9,
    },
)
PAID = [c for c in K.EMPLOYMENT_STATUS if c.startswith("Paid:")]
ETHNICITY = _free(
    {
        "White British": 90.5,
        "White Other": 3.5,
        "Asian or Asian British": 1.5,
        "Black or Black British": 0.8,
        "Mixed": 0.9,
        "Other ethnic group": 0.4,
        "Not stated": 2.4,
    }
)
GENDER_OTHER = {"Other": 0.1, "Unknown": 0.3}
for _name in GENDER_OTHER:
    _code(K.GENDER, _name)
