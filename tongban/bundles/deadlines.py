"""The bundle's one clock (DESIGN §4), pure: no clock reads, no database.

* **One deadline for the applicant** (R-BD-1 限时办结): the bundle's promised
  limit counted from the day of receipt (the window's one intake), the day of
  receipt not counted (民法典 第二百零一条), as a case's decision period is
  (``cases.deadlines.decision_deadline``).
* **The statutory joint clock** where the law says so (行政许可法 第二十六条第二款,
  第四十二条第二款): 统一办理、联合办理、集中办理 take at most 45 working days,
  extendable once by 15 with the approval of the government's head. Each
  member case runs on it too (``case_submit(joint=True)``); the bundle shows
  the whole bundle's.
* **Figures** (issue 11 #10): working days from receipt to the last result,
  their median and 90th percentile, and the share within the limit.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from tongban.cases import deadlines as case_deadlines
from tongban.cases.deadlines import JOINT_DECISION, JOINT_EXTENSION_BOUND, TimeRule
from tongban.catalog.content import TimeLimit
from tongban.core.calendar import WorkingCalendar


def bundle_deadline(received: dt.date, limit: TimeLimit, cal: WorkingCalendar) -> dt.date:
    """The promised deadline of the whole bundle."""
    return case_deadlines.decision_deadline(received, limit, (), None, cal)


def joint_deadline(received: dt.date, extension_days: int, cal: WorkingCalendar) -> dt.date:
    """第四十二条第二款: 45 working days from receipt, then the extension (≤ 15)."""
    extension = TimeRule(extension_days) if extension_days else None
    return case_deadlines.decision_deadline(received, JOINT_DECISION, (), extension, cal)


def joint_extension_refusal(
    *, days: int, promised: TimeLimit, already_extended: bool
) -> str | None:
    """Why the bundle's joint period may not be extended by ``days``, or None
    (the same reasons as a case's extension, ``cases.deadlines.extension_refusal``)."""
    return case_deadlines.extension_refusal(
        legal=JOINT_DECISION,
        promised=promised,
        extension=TimeRule(days),
        already_extended=already_extended,
        bound=JOINT_EXTENSION_BOUND,
    )


def working_days_taken(received: dt.date, finished: dt.date, cal: WorkingCalendar) -> int:
    """Working days after the day of receipt up to and including ``finished``
    (a bundle finished on the day of receipt took 0)."""
    if finished <= received:
        return 0
    return cal.working_days_between(received, finished)


def percentile(values: Sequence[int], share: float) -> float | None:
    """The ``share`` percentile (0–1) by linear interpolation between ranks
    (the method of numpy's default and Excel's PERCENTILE.INC); None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = share * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
