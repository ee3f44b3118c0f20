"""Red and black lists (红黑名单, 联合奖惩, R-CR-1): listing and removal.

A subject is listed by its listing department on a legal basis for a validity
(``list_entry_add``), or by a list's rule when a record of its source arrives
(``list_by_rule``: a failed 告知承诺 post-check lists its subject on the
告知承诺失信名单). An entry leaves the list by credit repair
(``services.repairs``) or at the end of its validity (it then simply no longer
restricts). Every listing and removal recomputes the subject's class.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from tongban.core import clock
from tongban.core.audit import actor_label, audit_record
from tongban.core.errors import DomainError
from tongban.credit import errors
from tongban.credit.models import (
    CreditList,
    CreditRecord,
    EntryStatus,
    ListEntry,
    Severity,
)
from tongban.credit.services.records import class_recompute, subject_name_of, subject_normalize

SEVERITY_ORDER = [Severity.MINOR, Severity.GENERAL, Severity.SERIOUS]


def _insert(
    *,
    credit_list: CreditList,
    subject_kind: str,
    subject_code: str,
    subject_name: str,
    reason: str,
    legal_basis: str,
    listed_on: dt.date,
    valid_until: dt.date,
    source_record: CreditRecord | None,
    actor: Any,
    now: dt.datetime,
) -> ListEntry:
    try:
        with transaction.atomic():
            entry = ListEntry.objects.create(
                credit_list=credit_list,
                subject_kind=subject_kind,
                subject_code=subject_code,
                subject_name=subject_name_of(subject_kind, subject_code, subject_name),
                reason=reason,
                legal_basis=legal_basis,
                listed_on=listed_on,
                valid_until=valid_until,
                source_record=source_record,
                created_by=actor_label(actor),
                created_at=now,
            )
    except IntegrityError:
        raise DomainError(
            errors.LIST_ENTRY_DUPLICATE,
            f"该主体已在“{credit_list.name}”中（在列），不能重复列入。",
        ) from None
    audit_record(
        actor=actor_label(actor),
        action="credit.list_entry_add",
        object_type="credit_list_entry",
        object_id=str(entry.pk),
        details={"list": credit_list.code, "valid_until": valid_until.isoformat()},
        now=now,
    )
    return entry


def list_entry_add(
    *,
    list_code: str,
    subject_kind: str,
    subject_code: str,
    reason: str,
    legal_basis: str,
    valid_until: dt.date,
    listed_on: dt.date | None = None,
    subject_name: str = "",
    actor: Any,
    now: dt.datetime | None = None,
) -> ListEntry:
    """列入名单 by the listing department: the basis and a validity in the future are required."""
    moment = now or clock.now()
    today = clock.local_date(moment)
    credit_list = CreditList.objects.select_related("department").filter(code=list_code).first()
    if credit_list is None or not credit_list.active:
        raise DomainError(errors.LIST_NOT_FOUND, f"名单 {list_code} 不存在或已停用。")
    code = subject_normalize(subject_kind=subject_kind, subject_code=subject_code, today=today)
    start = listed_on or today
    problems = []
    if not (reason or "").strip() or len(reason) > 500:
        problems.append("列入事由不能为空，且不超过 500 字")
    if not (legal_basis or "").strip():
        problems.append("列入依据不能为空")
    if start > today:
        problems.append("列入日期不能晚于今天")
    if problems:
        raise DomainError(errors.LIST_ENTRY_INVALID, "；".join(problems) + "。")
    if valid_until < today or valid_until < start:
        raise DomainError(
            errors.LIST_ENTRY_EXPIRED,
            f"有效期至 {valid_until:%Y-%m-%d} 已过（今天是 {today:%Y-%m-%d}），不能列入名单。",
        )
    with transaction.atomic():
        entry = _insert(
            credit_list=credit_list,
            subject_kind=subject_kind,
            subject_code=code,
            subject_name=subject_name,
            reason=reason.strip(),
            legal_basis=legal_basis.strip(),
            listed_on=start,
            valid_until=valid_until,
            source_record=None,
            actor=actor,
            now=moment,
        )
        class_recompute(
            subject_kind=subject_kind,
            subject_code=code,
            subject_name=entry.subject_name,
            now=moment,
        )
    return entry


def list_by_rule(*, record: CreditRecord, actor: Any, now: dt.datetime) -> list[ListEntry]:
    """The lists whose rule takes this record list its subject (inside the caller's
    transaction); a subject already in such a list is left as it is."""
    listed: list[ListEntry] = []
    if record.severity not in SEVERITY_ORDER:
        return listed
    rank = SEVERITY_ORDER.index(Severity(record.severity))
    for credit_list in CreditList.objects.filter(auto_source=record.source, active=True):
        floor = credit_list.auto_min_severity
        if floor and floor in SEVERITY_ORDER and rank < SEVERITY_ORDER.index(Severity(floor)):
            continue
        if ListEntry.objects.filter(
            credit_list=credit_list, subject_code=record.subject_code, status=EntryStatus.ACTIVE
        ).exists():
            continue
        today = clock.local_date(now)
        listed.append(
            _insert(
                credit_list=credit_list,
                subject_kind=record.subject_kind,
                subject_code=record.subject_code,
                subject_name=record.subject_name,
                reason=f"{record.get_source_display()}：{record.summary}"[:500],
                legal_basis=credit_list.legal_basis,
                listed_on=today,
                valid_until=today + dt.timedelta(days=credit_list.default_valid_days),
                source_record=record,
                actor=actor,
                now=now,
            )
        )
    return listed


def list_entry_remove(
    *, entry: ListEntry, reason: str, actor: Any, now: dt.datetime | None = None
) -> ListEntry:
    """移出名单 on the given day (repair approved, decision revoked); once only."""
    moment = now or clock.now()
    if not (reason or "").strip():
        raise DomainError(errors.LIST_ENTRY_INVALID, "移出原因不能为空。")
    with transaction.atomic():
        locked = ListEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.status != EntryStatus.ACTIVE:
            raise DomainError(errors.LIST_ENTRY_INVALID, "该名单记录已移出。")
        locked.status = EntryStatus.REMOVED
        locked.removed_on = clock.local_date(moment)
        locked.removed_reason = reason.strip()[:300]
        locked.save(update_fields=["status", "removed_on", "removed_reason"])
        audit_record(
            actor=actor_label(actor),
            action="credit.list_entry_remove",
            object_type="credit_list_entry",
            object_id=str(locked.pk),
            details={"removed_on": locked.removed_on.isoformat()},
            now=moment,
        )
        class_recompute(
            subject_kind=locked.subject_kind,
            subject_code=locked.subject_code,
            subject_name=locked.subject_name,
            now=moment,
        )
    return locked
