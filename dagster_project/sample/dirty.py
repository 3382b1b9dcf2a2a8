"""`--dirty`: plant a handful of data-quality problems in each Liquid Logic feed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .codes import A_SERVICES, LD, LT_COM, O_UNIVERSAL, PLANNED

# --- writing ----------------------------------------------------------------------------------


def _dirty(rng, feed: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A handful of data-quality problems (well under 1% of rows): some break a contract rule, some are
    accepted variants (DD/MM/YYYY dates, Y/N booleans, codes in odd case or spacing or with an en dash)."""
    n = len(frame)
    if n < 50:
        return frame
    frame = frame.copy()
    k = max(1, min(3, n // 400))

    def rows(m: int, mask=None) -> np.ndarray:
        pool = np.flatnonzero(np.ones(n, bool) if mask is None else np.asarray(mask))
        return (
            frame.index[pool[rng.choice(len(pool), min(m, len(pool)), replace=False)]] if len(pool) else frame.index[:0]
        )

    def uk_dates(col: str, m: int) -> None:
        for i in rows(m, frame[col] != ""):
            y, mo, d = frame.at[i, col].split("-")
            frame.at[i, col] = f"{d}/{mo}/{y}"

    def before(start: str, end: str) -> None:  # end before start
        for i in rows(k, frame[end] != ""):
            frame.at[i, end] = str(np.datetime64(frame.at[i, start]) - np.timedelta64(int(rng.integers(3, 30)), "D"))

    def recode(col: str, value: str, m: int, mask=None) -> None:
        for i in rows(m, mask):
            frame.at[i, col] = value

    duplicate = False
    if feed == "people":
        recode("gender", "Not recorded", k)  # unknown code
        recode("date_of_birth", "2099-06-01", 1)  # date of birth in the future
        recode("primary_support_reason", "  learning  disability SUPPORT ", k, frame["primary_support_reason"] == LD)
        uk_dates("date_of_birth", 3)
        duplicate = True
    elif feed == "requests":
        recode("route_of_access", "Walk-in", k)  # unknown code
        for i in rows(k, (frame["outcome_date"] != "") & (frame["outcome_date"] != frame["request_date"])):
            frame.at[i, "outcome_date"], frame.at[i, "request_date"] = (
                frame.at[i, "request_date"],
                frame.at[i, "outcome_date"],
            )
        recode(
            "request_outcome",
            "universal services/signposted to other services",
            3,
            frame["request_outcome"] == O_UNIVERSAL,
        )
        uk_dates("request_date", 3)
    elif feed == "assessments":
        before("start_date", "completion_date")
        recode(
            "assessment_outcome",
            "Eligible needs \u2013 services provided",
            3,
            frame["assessment_outcome"] == A_SERVICES,
        )
        uk_dates("start_date", 3)
    elif feed == "services":
        before("start_date", "end_date")
        recode("service_type", "Long Term Support: Supported Living", k)  # unknown code
        recode("service_type", "long term support:  community", 3, frame["service_type"] == LT_COM)
        uk_dates("start_date", 3)
        duplicate = True
    elif feed == "reablement":
        before("start_date", "end_date")
        recode("sequel", "Reablement completed", 1, frame["sequel"] != "")  # unknown code
        recode("sequel", "ongoing low level support", 3, frame["sequel"] == "Ongoing Low Level Support")
        recode(
            "sequel",
            "No Services Provided \u2013 No identified needs",
            3,
            frame["sequel"] == "No Services Provided - No identified needs",
        )
        for i in rows(5):
            frame.at[i, "hospital_discharge"] = "Y" if frame.at[i, "hospital_discharge"] == "true" else "N"
    elif feed == "reviews":
        recode("review_outcome", "Support changed", k)  # unknown code
        recode("review_type", "PLANNED", 3, frame["review_type"] == PLANNED)
        uk_dates("review_date", 3)
    elif feed == "client_status":
        recode(
            "employment_status",
            "paid:  less than 16 hours a week",
            2,
            frame["employment_status"] == "Paid: less than 16 hours a week",
        )
        duplicate = True
    elif feed == "holding_list":
        for i in rows(k):
            frame.at[i, "waiting_since"] = str(np.datetime64(frame.at[i, "snapshot_date"]) + np.timedelta64(5, "D"))
        uk_dates("waiting_since", 3)
    elif feed == "dtoc":
        i = rows(1)
        frame.loc[i, "delayed_days"] = -int(frame.loc[i, "delayed_days"].iloc[0])
        recode("acute_or_non_acute", "NON-ACUTE", 2, frame["acute_or_non_acute"] == "Non-acute")
    if duplicate:
        frame = pd.concat([frame, frame.loc[rows(k)]]).sort_index(kind="stable").reset_index(drop=True)
    return frame
