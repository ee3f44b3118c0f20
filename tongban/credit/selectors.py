"""Reads of credit: the lists' measures at the platform's decision points, the
public credit information, and the staff's scoped lists (CONVENTIONS 5).

``restrictions`` and ``privileges`` are what other apps call: intake (告知承诺,
容缺受理), the queue (绿色通道), the marketplace and bidding. Each is one query.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery

from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.credit import errors
from tongban.credit.models import (
    ClassChange,
    CreditClass,
    CreditList,
    CreditRating,
    CreditRecord,
    CreditRepair,
    EntryStatus,
    ListEntry,
    ListKind,
    ListMeasure,
    Measure,
    Penalty,
    RepairStatus,
)
from tongban.org.models import Department, Role
from tongban.org.selectors import StaffScope, scope_q

# Who enters penalties, lists subjects and reviews repairs for a department.
STAFF_ROLES = (Role.DEPARTMENT_HEAD, Role.HANDLER, Role.REVIEWER, Role.PLATFORM_ADMIN)


def subject_key(subject_code: str) -> str:
    """A credit code upper-cased; a person's token (64 lowercase hex) as it is."""
    code = (subject_code or "").strip()
    return code if len(code) == 64 else code.upper()


@dataclass(frozen=True)
class Restriction:
    """A black-list entry that bars ``measure``, with what the subject is told."""

    entry_id: int
    list_code: str
    list_name: str
    department_name: str
    legal_basis: str
    reason: str
    listed_on: dt.date
    valid_until: dt.date
    measure: str
    measure_text: str
    implementing_department: str
    way_out: str

    def message(self) -> str:
        """The refusal as the applicant reads it: the list, the basis and the way out."""
        return (
            f"该主体被{self.department_name}列入“{self.list_name}”"
            f"（{self.listed_on:%Y年%m月%d日}至{self.valid_until:%Y年%m月%d日}），"
            f"依据：{self.legal_basis}；联合惩戒措施：{self.measure_text}。"
            f"移出途径：{self.way_out}"
        )


@dataclass(frozen=True)
class Privilege:
    """A red-list entry that grants ``measure`` (绿色通道 …)."""

    entry_id: int
    list_name: str
    department_name: str
    valid_until: dt.date
    measure: str
    measure_text: str


def _entries(
    subject_code: str, kind: str, measure: str, today: dt.date | None
) -> QuerySet[ListEntry]:
    day = today or clock.today()
    measures = ListMeasure.objects.filter(credit_list=OuterRef("credit_list"), measure=measure)
    return (
        ListEntry.objects.filter(
            subject_code=subject_code,
            status=EntryStatus.ACTIVE,
            listed_on__lte=day,
            valid_until__gte=day,
            credit_list__kind=kind,
            credit_list__active=True,
        )
        .annotate(
            measure_text=Subquery(measures.values("description")[:1]),
            implementing=Subquery(measures.values("implementing_department__name")[:1]),
        )
        .filter(measure_text__isnull=False)
        .select_related("credit_list__department")
        .order_by("valid_until", "pk")
    )


# The lists carrying each measure change rarely (an administrator's act); entries
# change all the time. The intake check therefore keeps the lists' ids for a short
# while per process (dropped at once when this process changes a list or a measure)
# and asks the database one indexed question about entries (docs/performance.md).
LISTS_TTL_SECONDS = 60.0
_lists_cache: dict[tuple[str, str], tuple[float, tuple[int, ...]]] = {}


def lists_config_changed(**_: Any) -> None:
    """Forget the cached lists (connected to CreditList/ListMeasure saves and deletes)."""
    _lists_cache.clear()


def lists_with_measure(kind: str, measure: str) -> tuple[int, ...]:
    """Ids of the active lists of ``kind`` that carry ``measure`` (cached per process)."""
    key = (kind, measure)
    moment = time.monotonic()
    hit = _lists_cache.get(key)
    if hit is not None and hit[0] > moment:
        return hit[1]
    ids = tuple(
        sorted(
            ListMeasure.objects.filter(
                measure=measure, credit_list__kind=kind, credit_list__active=True
            ).values_list("credit_list_id", flat=True)
        )
    )
    _lists_cache[key] = (moment + LISTS_TTL_SECONDS, ids)
    return ids


def listed(subject_code: str, *, kind: str, measure: str, day: dt.date) -> bool:
    """Whether the subject has an entry in force on a list carrying ``measure``: one
    query on the ``credit_entry_subject`` index, no join, no ORM compilation."""
    ids = lists_with_measure(kind, measure)
    if not ids:
        return False
    table = ListEntry._meta.db_table
    marks = ", ".join(["%s"] * len(ids))
    value = connection.ops.adapt_datefield_value(day)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {table} WHERE subject_code = %s AND status = %s"  # noqa: S608  (table name from the model, values bound)
            f" AND listed_on <= %s AND valid_until >= %s AND credit_list_id IN ({marks}) LIMIT 1",
            [subject_code, EntryStatus.ACTIVE.value, value, value, *ids],
        )
        return cursor.fetchone() is not None


def restrictions(
    subject_code: str, *, measure: str, today: dt.date | None = None
) -> list[Restriction]:
    """Active black-list entries of the subject whose measures include ``measure``.

    ``subject_code`` is a 统一社会信用代码 or a person's ID-number token. Entries
    past ``valid_until`` no longer restrict, whether or not a sweep has run. The
    common answer (not listed) costs one indexed query; the details are read only
    for a subject that is listed."""
    if not subject_code or measure not in Measure.values:
        return []
    key = subject_key(subject_code)
    day = today or clock.today()
    if not listed(key, kind=ListKind.BLACK, measure=measure, day=day):
        return []
    return [
        Restriction(
            entry_id=e.pk,
            list_code=e.credit_list.code,
            list_name=e.credit_list.name,
            department_name=e.credit_list.department.name,
            legal_basis=e.legal_basis,
            reason=e.reason,
            listed_on=e.listed_on,
            valid_until=e.valid_until,
            measure=measure,
            measure_text=e.measure_text,  # type: ignore[attr-defined]  # annotated above
            implementing_department=e.implementing or "",  # type: ignore[attr-defined]  # annotated above
            way_out=e.credit_list.way_out,
        )
        for e in _entries(key, ListKind.BLACK, measure, day)
    ]


def privileges(
    subject_code: str, *, measure: str = Measure.GREEN_CHANNEL, today: dt.date | None = None
) -> list[Privilege]:
    """Active red-list entries of the subject whose measures include ``measure``."""
    if not subject_code or measure not in Measure.values:
        return []
    return [
        Privilege(
            entry_id=e.pk,
            list_name=e.credit_list.name,
            department_name=e.credit_list.department.name,
            valid_until=e.valid_until,
            measure=measure,
            measure_text=e.measure_text,  # type: ignore[attr-defined]  # annotated above
        )
        for e in _entries(subject_key(subject_code), ListKind.RED, measure, today)
    ]


def credit_list_get(code: str) -> CreditList:
    found = CreditList.objects.select_related("department").filter(code=code).first()
    if found is None:
        raise DomainError(errors.LIST_NOT_FOUND, f"名单 {code} 不存在。")
    return found


def credit_lists() -> QuerySet[CreditList]:
    return (
        CreditList.objects.filter(active=True)
        .select_related("department")
        .prefetch_related("measures__implementing_department")
    )


def rating_of(subject_code: str) -> CreditRating | None:
    return CreditRating.objects.filter(subject_code=subject_code).first()


def class_of(subject_code: str) -> str:
    """The subject's class; a subject without records is A by rule (docs/credit.md)."""
    found = CreditRating.objects.filter(subject_code=subject_code).values_list(
        "credit_class", flat=True
    )
    return next(iter(found), CreditClass.A)


def class_history(subject_code: str, *, limit: int = 50) -> list[ClassChange]:
    return list(ClassChange.objects.filter(subject_code=subject_code)[:limit])


def records_of(subject_code: str, *, limit: int = 100) -> list[CreditRecord]:
    return list(CreditRecord.objects.filter(subject_code=subject_code)[:limit])


def entries_public(*, kind: str, today: dt.date | None = None) -> QuerySet[ListEntry]:
    """The entries shown on the public credit pages (in list, in validity)."""
    day = today or clock.today()
    return (
        ListEntry.objects.filter(
            status=EntryStatus.ACTIVE,
            valid_until__gte=day,
            credit_list__kind=kind,
            credit_list__active=True,
        )
        .select_related("credit_list__department")
        .order_by("-listed_on", "-pk")
    )


def entries_of(subject_code: str) -> list[ListEntry]:
    return list(
        ListEntry.objects.filter(subject_code=subject_code)
        .select_related("credit_list__department")
        .order_by("-listed_on", "-pk")
    )


# --- staff reads, scoped in SQL by the listing or penalising department -------------


def departments_for_staff(*, scope: StaffScope) -> QuerySet[Department]:
    """The departments a staff member may act for (penalising, listing)."""
    return (
        Department.objects.filter(
            scope_q(scope=scope, region_path_field="region__path", department_field="pk")
        )
        .select_related("region")
        .order_by("region__path", "pk")
    )


def credit_lists_for_staff(*, scope: StaffScope) -> QuerySet[CreditList]:
    """The active lists whose listing department is in the staff member's scope."""
    return (
        CreditList.objects.filter(
            scope_q(
                scope=scope,
                region_path_field="department__region__path",
                department_field="department",
            ),
            active=True,
        )
        .select_related("department")
        .order_by("kind", "code")
    )


def _list_scope(scope: StaffScope) -> Any:
    return scope_q(
        scope=scope,
        region_path_field="credit_list__department__region__path",
        department_field="credit_list__department",
    )


def entries_list_for_staff(*, scope: StaffScope) -> QuerySet[ListEntry]:
    return (
        ListEntry.objects.filter(_list_scope(scope))
        .select_related("credit_list__department")
        .order_by("-listed_on", "-pk")
    )


def entry_get_for_staff(*, scope: StaffScope, entry_id: int) -> ListEntry:
    found = entries_list_for_staff(scope=scope).filter(pk=entry_id).first()
    if found is None:
        raise DomainError(errors.LIST_ENTRY_NOT_FOUND, "名单记录不存在。")
    return found


def repairs_list_for_staff(
    *, scope: StaffScope, status: str | None = RepairStatus.SUBMITTED
) -> QuerySet[CreditRepair]:
    found = CreditRepair.objects.filter(
        scope_q(
            scope=scope,
            region_path_field="entry__credit_list__department__region__path",
            department_field="entry__credit_list__department",
        )
    )
    if status:
        found = found.filter(status=status)
    return found.select_related("entry__credit_list__department").order_by("submitted_at", "pk")


def repair_get_for_staff(*, scope: StaffScope, repair_id: int) -> CreditRepair:
    found = repairs_list_for_staff(scope=scope, status=None).filter(pk=repair_id).first()
    if found is None:
        raise DomainError(errors.REPAIR_NOT_FOUND, "信用修复申请不存在。")
    return found


def penalties_list_for_staff(*, scope: StaffScope) -> QuerySet[Penalty]:
    return (
        Penalty.objects.filter(
            scope_q(scope=scope, region_path_field="region_path", department_field="department")
        )
        .select_related("department")
        .order_by("-decided_on", "-pk")
    )


def green_channel_for_user(user: Any, *, today: dt.date | None = None) -> bool:
    """Whether a signed-in account acts for a red-listed subject with the green
    channel: the person herself, or a legal entity she represents or is agent of."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    from tongban.identity.selectors import legal_entities_for_user

    codes = list(legal_entities_for_user(user=user).values_list("credit_code", flat=True))
    token = getattr(getattr(user, "person", None), "id_number_token", "")
    if token:
        codes.append(token)
    if not codes:
        return False
    day = today or clock.today()
    return ListEntry.objects.filter(
        subject_code__in=codes,
        status=EntryStatus.ACTIVE,
        listed_on__lte=day,
        valid_until__gte=day,
        credit_list__kind=ListKind.RED,
        credit_list__active=True,
        credit_list__measures__measure=Measure.GREEN_CHANNEL,
    ).exists()


def entries_public_of(subject_code: str, *, today: dt.date | None = None) -> QuerySet[ListEntry]:
    day = today or clock.today()
    return (
        ListEntry.objects.filter(
            subject_code=subject_code, status=EntryStatus.ACTIVE, valid_until__gte=day
        )
        .select_related("credit_list__department")
        .order_by("-listed_on", "-pk")
    )


def penalties_public_of(subject_code: str, *, limit: int = 50) -> list[Penalty]:
    """行政处罚 publicised for the subject (行政处罚法 第四十八条), latest first."""
    return list(
        Penalty.objects.filter(subject_code=subject_code)
        .select_related("department")
        .order_by("-decided_on", "-pk")[:limit]
    )


def credit_list_get_for_staff(*, scope: StaffScope, code: str) -> CreditList:
    """A list whose listing department is in the staff member's scope."""
    found = (
        CreditList.objects.filter(
            scope_q(
                scope=scope,
                region_path_field="department__region__path",
                department_field="department",
            ),
            code=code,
            active=True,
        )
        .select_related("department")
        .first()
    )
    if found is None:
        raise DomainError(errors.LIST_NOT_FOUND, f"名单 {code} 不存在。")
    return found
