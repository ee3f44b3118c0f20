"""Real-name levels (实名认证等级, issue 14, item 2): raised, recorded, audited.

L1 is given at sign-up (format of the ID number and its agreement with the
name). L2 is given when the 人口基础信息库 (自然人库) confirms the name and
the ID number: the check itself lives in ``sharing.services.real_name``,
which reads the registry and then calls :func:`real_name_registry_confirmed`.
L3 is given by a window clerk who saw the ID card in person
(:func:`real_name_in_person_verify`). A level is never lowered; every raise
appends a ``RealNameVerification`` row and an audit event.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from tongban.core import clock
from tongban.core.audit import actor_label, audit_record
from tongban.core.crypto import search_token
from tongban.core.errors import DomainError
from tongban.core.identifiers import validate_resident_id
from tongban.identity import errors
from tongban.identity.models import (
    AccountKind,
    RealNameLevel,
    RealNameMethod,
    RealNameVerification,
    User,
)
from tongban.identity.selectors import ID_NUMBER_CONTEXT, person_find_by_id_number
from tongban.org.models import Role, StaffAssignment

REGISTRY_SOURCE = "人口基础信息库（自然人库）"


def _raise(
    *,
    user: User,
    level: int,
    method: str,
    source: str,
    now: dt.datetime,
    clerk: User | None = None,
    assignment: StaffAssignment | None = None,
) -> RealNameVerification:
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.person_id is None:
            raise DomainError(errors.REAL_NAME_NO_PERSON, "请先完成实名注册（姓名与身份号码）。")
        previous = locked.real_name_level
        record = RealNameVerification.objects.create(
            user=locked,
            person_id=locked.person_id,
            level=max(previous, level),
            previous_level=previous,
            method=method,
            source=source[:200],
            verified_at=now,
            clerk=clerk,
            department=assignment.department if assignment else None,
            hall=assignment.window.hall if assignment and assignment.window else None,
        )
        if level > previous:
            locked.real_name_level = level
            locked.save(update_fields=["real_name_level"])
        audit_record(
            actor=actor_label(clerk) if clerk else actor_label(locked),
            action="identity.real_name.raise",
            object_type="identity.user",
            object_id=str(locked.pk),
            details={
                "from_level": previous,
                "to_level": locked.real_name_level,
                "method": method,
                "source": source[:200],
                "verification": record.pk,
                "department": record.department_id,
                "hall": record.hall_id,
            },
            now=now,
        )
    user.real_name_level = locked.real_name_level
    return record


def real_name_registry_confirmed(
    *, user: User, source: str = REGISTRY_SOURCE, now: dt.datetime | None = None
) -> RealNameVerification:
    """Record that the base registry confirmed this account's name and ID number (L2).

    Called only after the registry said yes (``sharing.services.real_name``).
    """
    return _raise(
        user=user,
        level=RealNameLevel.L2,
        method=RealNameMethod.REGISTRY,
        source=source,
        now=now or clock.now(),
    )


def real_name_registry_refused(*, user: User, reason: str, now: dt.datetime | None = None) -> None:
    """Audit a registry check that did not confirm the account (nothing else changes)."""
    audit_record(
        actor=actor_label(user),
        action="identity.real_name.registry_refused",
        object_type="identity.user",
        object_id=str(user.pk),
        details={"reason": reason[:200]},
        now=now,
    )


def clerk_window_assignment(clerk: User) -> StaffAssignment | None:
    """The clerk's active 窗口人员 assignment, one at a window first."""
    return (
        StaffAssignment.objects.filter(user_id=clerk.pk, active=True, role=Role.WINDOW_CLERK)
        .select_related("department", "window__hall")
        .order_by("window_id", "pk")  # NULLs last in PostgreSQL: a window first
        .first()
    )


def real_name_in_person_verify(
    *, clerk: User, user: User, id_number: str, now: dt.datetime | None = None
) -> RealNameVerification:
    """A window clerk saw the ID card of the account's person (L3).

    ``id_number`` is the number read from the card: it must be the account's
    person's, else nothing is recorded. The clerk's department and hall come
    from the clerk's active 窗口人员 assignment.
    """
    now = now or clock.now()
    assignment = clerk_window_assignment(clerk) if clerk.is_authenticated else None
    if assignment is None:
        raise DomainError(errors.REAL_NAME_CLERK_FORBIDDEN, "仅在岗的窗口人员可现场核验身份证件。")
    if user.person_id is None:
        raise DomainError(errors.REAL_NAME_NO_PERSON, "该账号未关联自然人，请先完成实名注册。")
    try:
        number = validate_resident_id(id_number, today=clock.local_date(now)).number
    except DomainError as exc:
        raise DomainError(
            errors.REAL_NAME_ID_CARD_MISMATCH, f"身份证件号码有误：{exc.detail}"
        ) from None
    token = search_token(number, context=ID_NUMBER_CONTEXT)
    if user.person is None or user.person.id_number_token != token:
        raise DomainError(
            errors.REAL_NAME_ID_CARD_MISMATCH, "所持身份证件的号码与该账号实名登记的号码不一致。"
        )
    hall = assignment.window.hall.name if assignment.window else ""
    source = f"窗口现场核验身份证件：{assignment.department.name}" + (f" {hall}" if hall else "")
    return _raise(
        user=user,
        level=RealNameLevel.L3,
        method=RealNameMethod.IN_PERSON,
        source=source,
        now=now,
        clerk=clerk,
        assignment=assignment,
    )


def real_name_in_person_verify_by_card(
    *, clerk: User, id_number: str, name: str | None = None, now: dt.datetime | None = None
) -> list[RealNameVerification]:
    """The window's form of L3: the clerk reads the number off the ID card and
    every personal account of that person is raised (one row and event each).

    ``name``, when given (the workbench page asks for it), is the name printed
    on the card: it must be the registered person's, else nothing is recorded.
    The clerk's role is checked before anything is looked up.
    """
    now = now or clock.now()
    if not clerk.is_authenticated or clerk_window_assignment(clerk) is None:
        raise DomainError(errors.REAL_NAME_CLERK_FORBIDDEN, "仅在岗的窗口人员可现场核验身份证件。")
    try:
        number = validate_resident_id(id_number, today=clock.local_date(now)).number
    except DomainError as exc:
        raise DomainError(
            errors.REAL_NAME_ID_CARD_MISMATCH, f"身份证件号码有误：{exc.detail}"
        ) from None
    person = person_find_by_id_number(number)
    users = (
        list(User.objects.filter(person=person, kind=AccountKind.CITIZEN).order_by("pk"))
        if person is not None
        else []
    )
    if not users:
        raise DomainError(
            errors.REAL_NAME_NO_PERSON, "该身份证件尚未注册个人账号，请先引导申请人注册。"
        )
    if name is not None and person is not None and " ".join(name.split()) != person.name:
        raise DomainError(
            errors.REAL_NAME_ID_CARD_MISMATCH, "身份证件上的姓名与该号码注册的姓名不一致。"
        )
    return [
        real_name_in_person_verify(clerk=clerk, user=user, id_number=number, now=now)
        for user in users
    ]
