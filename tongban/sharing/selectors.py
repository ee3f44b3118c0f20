"""Every read of data sharing, scoped by the caller (CONVENTIONS 2, 5).

Staff see the applications of the departments in their data scope, on the
consumer side (``consumer``) or the provider side (``resource.provider``),
filtered in SQL by ``org.selectors.scope_q``; anything else is "not found".
A data subject sees only her own access log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Prefetch, Q, QuerySet

from tongban.core import errors as core_errors
from tongban.core.api.pagination import Page, paginate
from tongban.core.errors import DomainError
from tongban.identity.models import AccountKind
from tongban.identity.selectors import legal_entities_for_user
from tongban.org.models import Department
from tongban.org.selectors import StaffScope, scope_q, staff_scope_for
from tongban.sharing import errors, workflow
from tongban.sharing.models import (
    AccessGrant,
    AccessGrantEvent,
    AccessLogEntry,
    DataResource,
    GrantStatus,
    ResourceField,
    SharingType,
    SubjectKind,
)
from tongban.sharing.subjects import entity_token

Side = Literal["consumer", "provider"]
_SIDE_FIELDS: dict[str, tuple[str, str]] = {
    "consumer": ("consumer__region__path", "consumer"),
    "provider": ("resource__provider__region__path", "resource__provider"),
}


# --- the catalogue --------------------------------------------------------------


def resource_list(*, q: str = "", sharing_type: str = "") -> QuerySet[DataResource]:
    """The active catalogue (for government staff), with providers."""
    rows = DataResource.objects.filter(active=True).select_related("provider")
    if q.strip():
        rows = rows.filter(Q(name__icontains=q.strip()) | Q(code__icontains=q.strip()))
    if sharing_type in SharingType.values:
        rows = rows.filter(sharing_type=sharing_type)
    return rows.order_by("code")


def resource_get(code: str) -> DataResource:
    resource = (
        DataResource.objects.filter(code=(code or "").strip().upper()[:40], active=True)
        .select_related("provider")
        .first()
    )
    if resource is None:
        raise DomainError(errors.RESOURCE_UNKNOWN, f"目录中没有资源代码为 {code[:40]!r} 的数据资源")
    return resource


def resource_for_registry(registry: str) -> DataResource | None:
    return (
        DataResource.objects.filter(registry=registry, active=True)
        .select_related("provider")
        .first()
    )


def resource_fields(resource: DataResource) -> list[ResourceField]:
    return list(resource.fields.order_by("position", "id"))


def open_resource_list(*, q: str = "") -> QuerySet[DataResource]:
    """公共数据开放 (R-DS-5): the resources marked open, for anyone, with their fields."""
    return (
        resource_list(q=q)
        .filter(open_to_public=True)
        .prefetch_related(
            Prefetch("fields", queryset=ResourceField.objects.order_by("position", "id"))
        )
    )


def open_resource_page(
    *, q: str = "", cursor: str | None = None, limit: int = 50
) -> Page[DataResource]:
    """One page of the open catalogue (two queries)."""
    return paginate(open_resource_list(q=q), ordering=("code",), cursor=cursor, limit=limit)


# --- grants ---------------------------------------------------------------------


@dataclass(frozen=True)
class Granted:
    """What a consumer may read of a resource today, and why not when nothing."""

    fields: frozenset[str]
    expired: bool = False  # an approved grant exists but its term has ended
    last_status: str = ""  # the latest application's status, when none is in force
    all_fields: bool = False  # unconditional sharing, or the provider's own data


def grant_fields_for(*, consumer: Department, resource: DataResource, today: dt.date) -> Granted:
    """The union of the fields of the consumer's approved grants in force today (one query)."""
    if resource.provider_id == consumer.pk or resource.sharing_type == SharingType.UNCONDITIONAL:
        return Granted(fields=frozenset(), all_fields=True)
    if resource.sharing_type == SharingType.NONE:
        return Granted(fields=frozenset())
    through = AccessGrant.granted_fields.through
    rows = through.objects.filter(
        accessgrant__consumer_id=consumer.pk,
        accessgrant__resource_id=resource.pk,
        accessgrant__status=GrantStatus.APPROVED,
    ).values_list("resourcefield__code", "accessgrant__valid_until")
    fields: set[str] = set()
    expired = False
    for code, until in rows:
        if until is None or until >= today:
            fields.add(code)
        else:
            expired = True
    if fields:
        return Granted(fields=frozenset(fields))
    last = (
        AccessGrant.objects.filter(consumer_id=consumer.pk, resource_id=resource.pk)
        .order_by("-requested_at", "-id")
        .values_list("status", flat=True)
        .first()
    )
    return Granted(fields=frozenset(), expired=expired, last_status=last or "")


def _scope(user: Any) -> StaffScope:
    return staff_scope_for(user=user).for_roles(*workflow.VIEW_ROLES)


def grant_list_for_staff(
    *,
    user: Any,
    side: Side,
    status: str = "",
    cursor: str | None = None,
    limit: int = 50,
) -> Page[AccessGrant]:
    """Applications of the departments in the user's scope, on one side, newest first."""
    path_field, department_field = _SIDE_FIELDS[side]
    rows = AccessGrant.objects.filter(
        scope_q(scope=_scope(user), region_path_field=path_field, department_field=department_field)
    ).select_related("resource", "resource__provider", "consumer")
    if status in GrantStatus.values:
        rows = rows.filter(status=status)
    return paginate(rows, ordering=("-requested_at", "-id"), cursor=cursor, limit=limit)


def grant_get_for_staff(*, user: Any, grant_id: int) -> AccessGrant:
    """One application seen from either side within the user's scope; else not found."""
    scope = _scope(user)
    visible = Q(pk__in=[])
    for path_field, department_field in _SIDE_FIELDS.values():
        visible |= scope_q(
            scope=scope, region_path_field=path_field, department_field=department_field
        )
    grant = (
        AccessGrant.objects.filter(visible, pk=grant_id)
        .select_related("resource", "resource__provider", "consumer", "decided_by")
        .first()
    )
    if grant is None:
        raise DomainError(core_errors.NOT_FOUND, "共享申请不存在或不在您的数据范围内")
    return grant


def grant_events(grant: AccessGrant) -> list[AccessGrantEvent]:
    return list(grant.events.order_by("at", "id"))


def departments_acting_for(user: Any, roles: frozenset[str]) -> QuerySet[Department]:
    """The departments the user works in with one of ``roles`` (its own, not its scope)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Department.objects.none()
    return (
        Department.objects.filter(
            staff_assignments__user_id=user.pk,
            staff_assignments__active=True,
            staff_assignments__role__in=sorted(roles),
        )
        .distinct()
        .order_by("name")
    )


# --- the access log -------------------------------------------------------------


@dataclass(frozen=True)
class DataSubject:
    """A subject whose access log the user may read: herself, or an entity she acts for."""

    key: str  # "me" or the credit code
    label: str
    kind: str
    token: str


def data_subjects_for_user(*, user: Any, now: dt.datetime | None = None) -> list[DataSubject]:
    """A citizen reads her own log; a business account the logs of the entities it
    may act for (法定代表人 or 经办人, DESIGN §8)."""
    if not getattr(user, "is_authenticated", False):
        return []
    if user.kind == AccountKind.CITIZEN and user.person_id:
        person = user.person
        return [DataSubject("me", "本人", SubjectKind.PERSON, person.id_number_token)]
    if user.kind == AccountKind.BUSINESS:
        return [
            DataSubject(
                e.credit_code, e.name, SubjectKind.LEGAL_ENTITY, entity_token(e.credit_code)
            )
            for e in legal_entities_for_user(user=user, now=now)
        ]
    return []


def access_log_for_subject(
    *, subject: DataSubject, cursor: str | None = None, limit: int = 50
) -> Page[AccessLogEntry]:
    """Who read this subject's data, newest first (three queries per page at most)."""
    rows = (
        AccessLogEntry.objects.filter(subject_token=subject.token)
        .select_related("resource")
        .prefetch_related("resource__fields")
    )
    return paginate(rows, ordering=("-seq",), cursor=cursor, limit=limit)
