"""The result of a granted case: its electronic certificate (电子证照, R-CS-6, R-EC-1).

When a case is granted and its guide names a ``result_certificate_type``, the
certificate is issued in the decision's transaction by
``certificates.services.certificate_issue``: the holder is the applicant, the
face is filled from the whole form (decrypted: the certificate app keeps its
own face encrypted), valid from the day of the decision, signed and sealed by
the deciding department. Should the certificate not be issuable (a type the
directory does not know, a department not among its issuers), the decision
stands — it is the legal act — and the reason is recorded in the history and
shown on the case, never dropped silently.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

from tongban.cases.models import Case, CaseStatus, Outcome
from tongban.cases.services.forms import case_form_values
from tongban.core import clock
from tongban.core.errors import DomainError, define

logger = logging.getLogger(__name__)


def result_certificate_issue(case: Case, *, actor: Any, now: dt.datetime) -> dict[str, str]:
    """Issue the granted case's certificate; what the history records of it."""
    from tongban.certificates.services import certificate_issue

    content = case.guide_version.content or {}
    kind = str(content.get("result_certificate_type") or "").strip()
    if not kind:
        return {}
    try:
        with transaction.atomic():  # a refusal leaves nothing half-written
            certificate = certificate_issue(
                certificate_type=kind,
                holder_person=case.applicant_person,
                holder_entity=case.applicant_entity,
                face=case_form_values(case),
                issuing_department=case.department,
                source_case_no=case.case_no,
                valid_from=clock.local_date(now),
                actor=actor if getattr(actor, "pk", None) else None,
                now=now,
            )
    except DomainError as exc:
        logger.warning("certificate for case %s not issued: %s", case.case_no, exc)
        return {"certificate_type": kind, "certificate_error": exc.detail}
    return {"certificate_type": kind, "certificate": certificate.identifier}


# --- fees (统一网上支付, R-PL-6) -------------------------------------------------
#
# Cases do not know how fees are computed or paid (tongban.payments, above
# cases, does). The payments app registers an assessor; acceptance calls it in
# the case's own transaction, so the order exists and ``fees_unpaid_fen`` is
# set before anyone can decide or deliver; payments reports each payment back
# through :func:`case_fees_settle`. Delivery (送达) is refused while a due fee
# is unpaid.

FEES_UNPAID = define("case_fees_unpaid", 409, "尚有应缴费用未缴纳")

# assessor(case, stage=..., now=...) -> fen due and unpaid for the case
FeeAssessor = Callable[..., int]
_fee_assessors: list[FeeAssessor] = []


def fee_assessor_register(assessor: FeeAssessor) -> None:
    """Register (once) a function computing the fees due on a case."""
    if assessor not in _fee_assessors:
        _fee_assessors.append(assessor)


def fees_assess(case: Case, *, stage: str, now: dt.datetime) -> dict[str, Any]:
    """Compute the fees due at ``stage`` on the locked ``case`` (not saved);
    what the history records of it."""
    if not _fee_assessors:
        return {}
    unpaid = sum(assessor(case, stage=stage, now=now) for assessor in _fee_assessors)
    case.fees_unpaid_fen = unpaid
    return {"fees_unpaid_fen": unpaid} if unpaid else {}


def fees_check_before_delivery(case: Case) -> None:
    """送达 waits for the fees: 缴费后方可领取/送达办理结果."""
    if case.fees_unpaid_fen > 0:
        fen = case.fees_unpaid_fen
        raise DomainError(
            FEES_UNPAID,
            f"申请人尚有应缴费用 {fen // 100}.{fen % 100:02d} 元未缴纳，缴费后方可送达办理结果。",
            extra={"fees_unpaid_fen": fen},
        )


IMMEDIATE_GRANT = "at_once"  # the assessor's stage: every fee of an on-the-spot grant
IMMEDIATE_DENIAL = "at_once_denied"  # on-the-spot denial: the acceptance-stage fees are lifted


def fees_issue_before_immediate_grant(case_id: int, *, now: dt.datetime) -> None:
    """即办件: issue every fee the on-the-spot grant charges before the grant is
    tried, outside its transaction (the ``case.submit`` subscriber normally has
    already). The grant is then refused while they are unpaid, and the order
    stays for the applicant to pay. Each write is atomic and idempotent on its
    own (an order per case and stage; the case's unpaid sum under its lock), so
    the read needs no lock: an item without fees costs this one read. Only a
    case still waiting at the window is assessed."""
    if not _fee_assessors:
        return
    case = (
        Case.objects.select_related("guide_version", "department__region", "submitted_by")
        .filter(pk=case_id, status=CaseStatus.SUBMITTED)
        .first()
    )
    if case is None or case.rules.get("handling") != "immediate":
        return
    unpaid = sum(assessor(case, stage=IMMEDIATE_GRANT, now=now) for assessor in _fee_assessors)
    if unpaid != case.fees_unpaid_fen:
        case_fees_settle(case_id=case.pk, unpaid_fen=unpaid, reason="开具缴款通知书", now=now)


def fees_check_on_the_spot(case: Case, *, outcome: str, now: dt.datetime) -> dict[str, Any]:
    """即办件 hands its result out on the spot, so the fees come first: refuse
    while any is unpaid (a denial first lifts the acceptance-stage fees, which a
    case denied on the spot is not charged). A member of an 一件事 whose result
    is handed out with the bundle's (``unified_delivery_by``) is decided at
    once: the bundle's delivery waits for every member's fee instead."""
    details: dict[str, Any] = {}
    if outcome == Outcome.DENIED:
        details = fees_assess(case, stage=IMMEDIATE_DENIAL, now=now)
    if case.rules.get("unified_delivery_by") or case.fees_unpaid_fen <= 0:
        return details
    fen = case.fees_unpaid_fen
    raise DomainError(
        FEES_UNPAID,
        f"即办件尚有应缴费用 {fen // 100}.{fen % 100:02d} 元未缴纳，"
        "申请人缴费后方可当场办结并领取办理结果。",
        extra={"fees_unpaid_fen": fen},
    )


def case_fees_settle(*, case_id: int, unpaid_fen: int, reason: str, now: dt.datetime) -> Case:
    """Record what remains unpaid on the case after a payment, a cancellation or
    a new order (the payments app's word); a history row when it changes."""
    from tongban.cases.services._common import history

    if unpaid_fen < 0:
        raise ValueError("unpaid fees cannot be negative")
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).get(pk=case_id)
        if case.fees_unpaid_fen == unpaid_fen:
            return case
        before = case.fees_unpaid_fen
        case.fees_unpaid_fen = unpaid_fen
        case.updated_at = now
        case.save(update_fields=["fees_unpaid_fen", "updated_at"])
        history(
            case,
            action="fees",
            actor=None,
            now=now,
            reason=reason[:200],
            details={"from_fen": before, "to_fen": unpaid_fen},
        )
    return case
