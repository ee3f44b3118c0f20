"""What the sharing services share: role checks, history rows, audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from tongban.core.audit import actor_label as audit_actor_label
from tongban.core.audit import audit_record
from tongban.org.models import Department, StaffAssignment
from tongban.sharing.access_log import actor_label
from tongban.sharing.models import AccessGrant, AccessGrantEvent


def holds_role_in(user: Any, department: Department, roles: Iterable[str]) -> bool:
    """Whether ``user`` has an active assignment with one of ``roles`` *in* ``department``
    (the department it works for, not merely one in its data scope)."""
    if user is None or not getattr(user, "pk", None) or not getattr(user, "is_active", False):
        return False
    return StaffAssignment.objects.filter(
        user_id=user.pk, active=True, department_id=department.pk, role__in=sorted(roles)
    ).exists()


def grant_history(
    grant: AccessGrant,
    *,
    action: str,
    actor: Any,
    now: dt.datetime,
    frm: str = "",
    to: str = "",
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    AccessGrantEvent.objects.create(
        grant=grant,
        at=now,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label(actor),
        action=action,
        from_status=frm,
        to_status=to,
        reason=reason,
        details=details or {},
    )


def grant_audit(
    grant: AccessGrant, *, action: str, actor: Any, now: dt.datetime, **details: Any
) -> None:
    audit_record(
        actor=audit_actor_label(actor),
        action=f"sharing.grant_{action}",
        object_type="sharing.AccessGrant",
        object_id=str(grant.pk),
        details={"resource": grant.resource_id, "consumer": grant.consumer_id, **details},
        now=now,
    )
