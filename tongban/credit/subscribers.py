"""What credit does when cases tell it something, through the outbox (core.events).

Credit sits below cases (registries layer) and never imports it: cases emits
``case.post_check`` when a 告知承诺 case's post-check (事后核查) is recorded, and
the handler settles the applicant's credit commitment. A failed check is broken
faith: a ``commitment_breach`` record of severity serious, which lists the
subject by rule (告知承诺失信名单) and lowers its class (docs/credit.md).

Delivered at least once: the handler is idempotent (a settled commitment is left
as it is, and the record is unique per source and case).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tongban.credit.services.commitments import commitment_settle

POST_CHECK_EVENT = "case.post_check"
RESULTS = {"passed": True, "failed": False}


def on_case_post_check(*, event_id: Any, payload: dict[str, Any]) -> None:
    case_no = str(payload.get("case_no") or "")
    kept = RESULTS.get(str(payload.get("result") or ""))
    if not case_no or kept is None:
        return
    checked = payload.get("checked_at")
    commitment_settle(
        case_no=case_no,
        kept=kept,
        note=str(payload.get("note") or "")[:400],
        actor=None,
        # The breach happened when the check found it, however late the delivery.
        now=dt.datetime.fromisoformat(checked) if checked else None,
    )
