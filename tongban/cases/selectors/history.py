"""A case's history (办理记录), each actor named as a person in a role."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tongban.cases import workflow
from tongban.cases.models import Case
from tongban.cases.selectors._common import status_text
from tongban.core.masking import mask_name
from tongban.org.models import Role


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    action: str
    action_label: str
    from_status: str
    to_status: str
    to_status_label: str
    actor_label: str
    reason: str
    details: dict[str, Any] = field(default_factory=dict)
    # The actor as a person in a role, for pages (:func:`timeline_actor_names`).
    actor_name: str = ""


def case_timeline(case: Case, *, named: bool = False) -> list[TimelineEntry]:
    """Every history row of the case in order, with Chinese action labels; with
    ``named``, each actor also as a person in a role (:func:`timeline_actor_names`)."""
    events = list(case.events.all())
    names = timeline_actor_names(case, events) if named else {}
    return [
        timeline_entry(
            at=event.at,
            action=event.action,
            from_status=event.from_status,
            to_status=event.to_status,
            actor_label=event.actor_label,
            reason=event.reason,
            details=event.details,
            actor_name=names.get(event.pk, ""),
        )
        for event in events
    ]


def timeline_entry(
    *,
    at: dt.datetime,
    action: str,
    from_status: str,
    to_status: str,
    actor_label: str,
    reason: str,
    details: dict[str, Any] | None,
    actor_name: str = "",
) -> TimelineEntry:
    """One history row as the timeline shows it, with its Chinese labels."""
    return TimelineEntry(
        at=at,
        action=action,
        action_label=workflow.ACTION_LABELS.get(action, action),
        from_status=from_status,
        to_status=to_status,
        to_status_label=status_text(to_status) if to_status else "",
        actor_label=actor_label,
        reason=reason,
        details=dict(details or {}),
        actor_name=actor_name,
    )


# History rows that are the platform's bookkeeping, not a step of the
# application: a recomputed deadline is shown to the applicant as the new date
# on the case page, not as a row of its own.
INTERNAL_ACTIONS = frozenset({"deadline_change"})


def case_timeline_for_staff(case: Case) -> list[TimelineEntry]:
    """The whole history, each actor named as a person in a role."""
    return case_timeline(case, named=True)


def case_timeline_for_applicant(case: Case) -> list[TimelineEntry]:
    """What the applicant is told of the history: the steps that concern them
    (no internal bookkeeping such as deadline recomputations), named as on
    the staff page."""
    return [
        entry for entry in case_timeline(case, named=True) if entry.action not in INTERNAL_ACTIONS
    ]


# How a role is named next to a person in a history ("南京市市场监督管理局 窗口 王*").
ROLE_SHORT_LABELS: dict[str, str] = {
    Role.WINDOW_CLERK: "窗口",
    Role.REVIEWER: "审批",
    Role.DEPARTMENT_HEAD: "负责人",
    Role.SUPERVISOR: "监察",
    Role.PLATFORM_ADMIN: "平台管理",
}
SYSTEM_LABEL = "系统（自动）"


def timeline_actor_names(case: Case, events: list[Any]) -> dict[int, str]:
    """Each history row's actor as a person in a role, never an account id:
    staff as "部门 岗位 姓*" (the department and role they acted in on this
    case), the applicant's own account as "申请人 姓*", the scheduler as
    "系统（自动）". Two queries, whatever the number of rows."""
    from tongban.identity.models import User
    from tongban.org.models import StaffAssignment

    ids = {event.actor_id for event in events if event.actor_id}
    users = {u.pk: u for u in User.objects.filter(pk__in=ids).only("kind", "display_name")}
    assignments: dict[int, list[StaffAssignment]] = {}
    for a in (
        StaffAssignment.objects.filter(user_id__in=ids)
        .select_related("department")
        .order_by("-active", "id")
    ):
        assignments.setdefault(a.user_id, []).append(a)
    names: dict[int, str] = {}
    for event in events:
        user = users.get(event.actor_id) if event.actor_id else None
        if user is None:
            names[event.pk] = SYSTEM_LABEL if event.actor_label.startswith("system") else ""
            continue
        person = mask_name(user.display_name) or "工作人员"
        if user.kind != "staff":
            names[event.pk] = f"申请人 {person}"
            continue
        mine = assignments.get(user.pk, [])
        roles = workflow.ACTION_ROLES.get(event.action, workflow.ANY_HANDLER)
        chosen = (
            next(
                (a for a in mine if a.department_id == case.department_id and a.role in roles), None
            )
            or next((a for a in mine if a.department_id == case.department_id), None)
            or next(iter(mine), None)
        )
        if chosen is None:
            names[event.pk] = f"工作人员 {person}"
            continue
        department = chosen.department.short_name or chosen.department.name
        role = ROLE_SHORT_LABELS.get(chosen.role, chosen.get_role_display())
        names[event.pk] = f"{department} {role} {person}"
    return names
