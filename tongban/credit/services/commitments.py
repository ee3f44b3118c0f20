"""信用承诺: the 告知承诺 an applicant signs at application, kept or broken.

Cases records the commitment at submission (``commitment_record``) and the
post-check outcome (``commitment_settle``); a broken commitment becomes a
``commitment_breach`` record of severity ``serious``, which by the list rules
puts the subject on the 告知承诺失信名单 and lowers its class (docs/credit.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from tongban.core import clock
from tongban.core.audit import actor_label, audit_record
from tongban.credit.models import (
    CommitmentStatus,
    CreditCommitment,
    RecordSource,
    Severity,
)
from tongban.credit.services.records import credit_record_add

TEXT = (
    "本人（单位）承诺：所填写的信息真实、准确，已知晓并符合该事项的许可条件和要求，"
    "愿意承担不实承诺的法律责任，并同意将承诺及履诺情况记入信用记录。"
)


def commitment_record(
    *,
    subject_kind: str,
    subject_code: str,
    subject_name: str,
    case_no: str,
    item_name: str,
    text: str = TEXT,
    now: dt.datetime | None = None,
) -> CreditCommitment:
    """Store the signed commitment of a new case (one insert, in the caller's
    transaction; the case number is new, so it is unique)."""
    return CreditCommitment.objects.create(
        case_no=case_no,
        subject_kind=subject_kind,
        subject_code=subject_code,
        subject_name=subject_name[:200],
        item_name=item_name[:200],
        text=text or TEXT,
        signed_at=now or clock.now(),
    )


def commitment_settle(
    *,
    case_no: str,
    kept: bool,
    note: str,
    actor: Any,
    now: dt.datetime | None = None,
) -> CreditCommitment | None:
    """The post-check of the case's commitment: kept, or broken (a serious record)."""
    moment = now or clock.now()
    with transaction.atomic():
        commitment = CreditCommitment.objects.select_for_update().filter(case_no=case_no).first()
        if commitment is None or commitment.status != CommitmentStatus.OPEN:
            return commitment
        commitment.status = CommitmentStatus.KEPT if kept else CommitmentStatus.BROKEN
        commitment.settled_at = moment
        fields = ["status", "settled_at"]
        if not kept:
            commitment.record = credit_record_add(
                subject_code=commitment.subject_code,
                subject_kind=commitment.subject_kind,
                source=RecordSource.COMMITMENT_BREACH,
                ref=f"case:{case_no}",
                summary=f"{commitment.item_name}（{case_no}）告知承诺核查不实：{note}"[:500],
                severity=Severity.SERIOUS,
                occurred_at=moment,
                actor=actor,
                subject_name=commitment.subject_name,
                now=moment,
            )
            fields.append("record")
        commitment.save(update_fields=fields)
        audit_record(
            actor=actor_label(actor),
            action="credit.commitment_settle",
            object_type="credit_commitment",
            object_id=case_no,
            details={"kept": kept},
            now=moment,
        )
    return commitment
