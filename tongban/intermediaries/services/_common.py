"""Shared steps of the purchase services: lock, transition, history, audit, notify."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction

from tongban.core import calendar
from tongban.core.audit import actor_label, audit_record
from tongban.core.clock import SHANGHAI
from tongban.core.errors import DomainError
from tongban.core.notifications import notification_send
from tongban.intermediaries import errors, workflow
from tongban.intermediaries.models import Agency, Purchase, PurchaseHistory

logger = logging.getLogger("tongban.intermediaries")


def lock(purchase: Purchase) -> Purchase:
    return Purchase.objects.select_for_update(of=("self",)).get(pk=purchase.pk)


def transition(
    purchase: Purchase,
    to_status: str,
    *,
    actor: Any,
    now: dt.datetime,
    reason: str = "",
    fields: tuple[str, ...] = (),
) -> None:
    """Move a locked purchase along the table, with its history row and audit event."""
    from_status = purchase.status
    if not workflow.allowed(from_status, to_status):
        raise DomainError(
            errors.PURCHASE_INVALID_STATE,
            f"采购项目{purchase.code}当前为“{purchase.get_status_display()}”，不能进行该操作。",
        )
    purchase.status = to_status
    purchase.version += 1
    purchase.save(update_fields=["status", "version", *fields])
    PurchaseHistory.objects.create(
        purchase=purchase,
        from_status=from_status,
        to_status=to_status,
        actor=actor_label(actor),
        reason=reason[:300],
        at=now,
    )
    audit(purchase, f"purchase_{to_status}", actor, now, from_status=from_status)


def audit(purchase: Purchase, action: str, actor: Any, now: dt.datetime, **details: Any) -> None:
    audit_record(
        actor=actor_label(actor),
        action=f"intermediaries.{action}",
        object_type="intermediaries.purchase",
        object_id=purchase.code,
        details=details,
        now=now,
    )


def refuse(error: Any, detail: str, *, purchase: Purchase | None, actor: Any) -> DomainError:
    """A refusal, logged (code, object, actor) before it is raised; nothing is written."""
    logger.warning(
        "intermediaries refusal %s purchase=%s actor=%s",
        error.code,
        purchase.code if purchase else "-",
        actor_label(actor),
    )
    return DomainError(error, detail)


def notify_agency(
    agency: Agency, *, purpose: str, object_id: str, subject: str, body: str, now: dt.datetime
) -> None:
    """An SMS to the agency's contact, kept in its inbox (站内信) as well."""
    from tongban.intermediaries.services.agencies import agency_phone

    def send() -> None:
        notification_send(
            channel="sms",
            recipient=agency_phone(agency),
            subject=subject,
            body=body,
            purpose=purpose,
            object_type="intermediaries.purchase",
            object_id=object_id,
            now=now,
        )

    transaction.on_commit(send)


def end_of_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """Midnight (Shanghai) after the ``days``-th working day following ``start``'s date."""
    local = start.astimezone(SHANGHAI).date()
    last = calendar.get_calendar().add_working_days(local, days)
    return dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=SHANGHAI)
