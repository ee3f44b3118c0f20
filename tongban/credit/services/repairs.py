"""信用修复: a black-listed subject applies, the listing department reviews, and an
approved repair removes the entry with the date (the subject is no longer barred).

Only a subject that is in a black list in force can apply; one open application
per entry; a review happens once.
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
    CreditRepair,
    EntryStatus,
    ListEntry,
    ListKind,
    RepairStatus,
)
from tongban.credit.selectors import subject_key
from tongban.credit.services.lists import list_entry_remove


def repair_apply(
    *,
    subject_code: str,
    reason: str,
    evidence: str,
    list_code: str = "",
    applicant: Any = None,
    now: dt.datetime | None = None,
) -> list[CreditRepair]:
    """申请信用修复 for the subject's black-list entries in force (or the one of
    ``list_code``); refused when the subject is not listed."""
    moment = now or clock.now()
    today = clock.local_date(moment)
    code = subject_key(subject_code)
    problems = []
    if not (reason or "").strip() or len(reason) > 2000:
        problems.append("修复理由不能为空，且不超过 2000 字")
    if not (evidence or "").strip() or len(evidence) > 4000:
        problems.append("整改情况及证明不能为空，且不超过 4000 字")
    if problems:
        raise DomainError(errors.REPAIR_INVALID, "；".join(problems) + "。")
    entries = ListEntry.objects.filter(
        subject_code=code,
        status=EntryStatus.ACTIVE,
        valid_until__gte=today,
        credit_list__kind=ListKind.BLACK,
    )
    if list_code:
        entries = entries.filter(credit_list__code=list_code)
    found = list(entries.order_by("pk"))
    if not found:
        raise DomainError(
            errors.REPAIR_NOT_LISTED,
            "该主体不在任何有效的失信名单中，无需申请信用修复。",
        )
    created: list[CreditRepair] = []
    try:
        with transaction.atomic():
            for entry in found:
                created.append(
                    CreditRepair.objects.create(
                        entry=entry,
                        applicant=applicant if getattr(applicant, "pk", None) else None,
                        reason=reason.strip(),
                        evidence=evidence.strip(),
                        submitted_at=moment,
                    )
                )
                audit_record(
                    actor=actor_label(applicant),
                    action="credit.repair_apply",
                    object_type="credit_repair",
                    object_id=str(created[-1].pk),
                    details={"entry": entry.pk},
                    now=moment,
                )
    except IntegrityError:
        raise DomainError(
            errors.REPAIR_DUPLICATE, "已有待审核的信用修复申请，请等待列入部门审核。"
        ) from None
    return created


def repair_review(
    *,
    repair: CreditRepair,
    approve: bool,
    note: str,
    reviewer: Any,
    now: dt.datetime | None = None,
) -> CreditRepair:
    """审核: approved removes the entry today (移出日期); rejected keeps it, with the reason."""
    moment = now or clock.now()
    if not (note or "").strip() and not approve:
        raise DomainError(errors.REPAIR_INVALID, "不予修复须写明理由。")
    with transaction.atomic():
        locked = CreditRepair.objects.select_for_update().get(pk=repair.pk)
        if locked.status != RepairStatus.SUBMITTED:
            raise DomainError(
                errors.REPAIR_INVALID_STATE,
                f"该申请{locked.get_status_display()}，不能再次审核。",
            )
        locked.status = RepairStatus.APPROVED if approve else RepairStatus.REJECTED
        locked.reviewed_by = actor_label(reviewer)
        locked.reviewed_at = moment
        locked.review_note = (note or "").strip()[:500]
        fields = ["status", "reviewed_by", "reviewed_at", "review_note"]
        if approve:
            entry = ListEntry.objects.get(pk=locked.entry_id)
            if entry.status == EntryStatus.ACTIVE:
                entry = list_entry_remove(
                    entry=entry, reason=f"信用修复：{locked.review_note or '审核通过'}",
                    actor=reviewer, now=moment,
                )  # fmt: skip
            locked.removed_on = entry.removed_on or clock.local_date(moment)
            fields.append("removed_on")
        locked.save(update_fields=fields)
        audit_record(
            actor=actor_label(reviewer),
            action="credit.repair_review",
            object_type="credit_repair",
            object_id=str(locked.pk),
            details={"approve": approve},
            now=moment,
        )
    return locked
