"""Reactions to the cases' events (``case.<action>``, delivered by the outbox).

* ``case.submit``: the fees a guide charges at submission (收费环节 = 提交时计费)
  get their 缴款通知书 at once, so the applicant sees the amount, the basis and
  the deadline right after submitting; an order due before acceptance then
  holds the acceptance (``services.orders.case_assess``).
  A 即办件 (``handling: immediate``) is decided and handed out on the spot,
  so it gets the order of every stage at submission: the applicant can pay
  before the clerk decides, and the on-the-spot grant waits for the payment
  (``cases.services.results.fees_check_on_the_spot``).
* ``case.handle_immediately`` (即办件) and ``case.grant_on_commitment`` (告知承诺):
  decided without an acceptance step, they get the order of every stage
  automatically if they have none yet (a 告知承诺 grant already has them: it
  assesses both stages in its own transaction, so its delivery waits for the
  fee even before this runs; a 即办件 denied on the spot is not
  charged the acceptance-stage fees: its order is cancelled with the denial,
  and nothing is made for it afterwards; if the applicant had already paid
  it, the full refund is requested for finance's approval,
  ``services.refunds_auto``).

Handlers are idempotent: an order is created once per case and stage
(``source_key``), and the case is told what it owes only when that changes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from tongban.cases.models import Case, CaseEvent, CaseStatus, Outcome
from tongban.core import clock
from tongban.payments.models import AT_ONCE, AssessStage

_CLOSED = (CaseStatus.REFUSED, CaseStatus.WITHDRAWN)
AT_ONCE_ACTIONS = ("handle_immediately", "grant_on_commitment")


def _case(payload: dict[str, Any]) -> Case | None:
    """The case, locked: a decision on the spot waits for the assessment (and
    the other way round), so a denial never meets an order made after it."""
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("guide_version", "department__region", "submitted_by")
        .filter(case_no=str(payload.get("case_no") or ""))
        .first()
    )


def _assess(case: Case, stage: str, at: dt.datetime) -> None:
    """Issue what ``stage`` charges, dated ``at``: the step's own time (the
    submission, the on-the-spot decision), not when the worker came."""
    from tongban.payments.services._common import case_sync
    from tongban.payments.services.orders import case_assess

    now = at
    owed = case_assess(case, stage=stage, now=now)
    if owed != case.fees_unpaid_fen:
        case_sync(case.pk, reason="开具缴款通知书", now=now)


@transaction.atomic
def on_case_submit(*, event_id: Any, payload: dict[str, Any]) -> None:
    case = _case(payload)
    if case is None or case.status in _CLOSED:
        return  # withdrawn or refused before the worker came: nothing is charged
    if case.rules.get("handling") == "immediate" and case.outcome != Outcome.DENIED:
        _assess(case, AT_ONCE, case.received_at)  # 即办件: every fee before the window
        return
    _assess(case, AssessStage.SUBMISSION, case.received_at)


@transaction.atomic
def on_case_decided_at_once(*, event_id: Any, payload: dict[str, Any]) -> None:
    case = _case(payload)
    if case is None:
        return
    decided_at = (
        CaseEvent.objects.filter(case=case, action__in=AT_ONCE_ACTIONS)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    ) or clock.now()
    if case.outcome == Outcome.DENIED:
        # What was due at submission stays due, dated as the submission; what
        # was paid for the acceptance is asked back (services.refunds_auto).
        from tongban.payments.services.refunds_auto import refunds_for_denied_case

        _assess(case, AssessStage.SUBMISSION, case.received_at)
        refunds_for_denied_case(case, now=decided_at)
        return
    _assess(case, AT_ONCE, decided_at)


HANDLERS = {
    "case.submit": on_case_submit,
    **{f"case.{action}": on_case_decided_at_once for action in AT_ONCE_ACTIONS},
}
