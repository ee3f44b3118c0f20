"""Credit records (信用记录) and the class they give (信用等级, docs/credit.md).

``credit_record_add`` is how every source reports a fact: cases (a failed
告知承诺 post-check), penalties, the hotline, the marketplace, inspections. The
same (source, ref, subject) twice is one record. Adding a record recomputes the
subject's class in the same transaction and, where a list's rule says so
(``CreditList.auto_source``), lists the subject.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import IntegrityError, transaction

from tongban.core import clock
from tongban.core.audit import actor_label, audit_record
from tongban.core.crypto import search_token
from tongban.core.errors import DomainError
from tongban.core.identifiers import validate_credit_code, validate_resident_id
from tongban.credit import errors, rules
from tongban.credit.models import (
    ClassChange,
    CreditRating,
    CreditRecord,
    EntryStatus,
    ListEntry,
    ListKind,
    RecordSource,
    Severity,
    SubjectKind,
)

_TOKEN = re.compile(r"[0-9a-f]{64}")
# identity.selectors.ID_NUMBER_CONTEXT: a person is keyed by the same token as her account.
PERSON_TOKEN_CONTEXT = "identity.person.id_number"  # noqa: S105  (an HMAC context label, not a secret)


def subject_normalize(*, subject_kind: str, subject_code: str, today: dt.date) -> str:
    """The key of a subject: a checked 统一社会信用代码 (GB 32100, check digit by
    python-stdnum), or a person's ID-number token (a clear GB 11643 number is
    checked and turned into the token; it is never stored)."""
    code = (subject_code or "").strip()
    if subject_kind == SubjectKind.ENTITY:
        return validate_credit_code(code)
    if subject_kind == SubjectKind.PERSON:
        if _TOKEN.fullmatch(code):
            return code
        resident = validate_resident_id(code, today=today)
        return search_token(resident.number, context=PERSON_TOKEN_CONTEXT)
    raise DomainError(
        errors.SUBJECT_INVALID, f"主体类型 {subject_kind!r} 无效（entity 或 person）。"
    )


def subject_name_of(subject_kind: str, subject_code: str, given: str = "") -> str:
    if given.strip():
        return given.strip()[:200]
    if subject_kind == SubjectKind.ENTITY:
        from tongban.identity.models import LegalEntity
        from tongban.sharing.models import BusinessRecord

        for model in (LegalEntity, BusinessRecord):
            name = model.objects.filter(credit_code=subject_code).values_list("name", flat=True)
            found = next(iter(name), "")
            if found:
                return str(found)
    return subject_code if subject_kind == SubjectKind.ENTITY else "自然人"


def credit_record_add(
    *,
    subject_code: str,
    subject_kind: str,
    source: str,
    ref: str,
    summary: str,
    severity: str,
    occurred_at: dt.datetime,
    actor: Any,
    subject_name: str = "",
    department: Any = None,
    now: dt.datetime | None = None,
) -> CreditRecord:
    """Record one fact about a subject; the same (source, ref, subject) again
    returns the first record unchanged (idempotent). The class is recomputed and
    list rules applied in the same transaction."""
    moment = now or clock.now()
    today = clock.local_date(moment)
    code = subject_normalize(subject_kind=subject_kind, subject_code=subject_code, today=today)
    problems = []
    if source not in RecordSource.values:
        problems.append(f"来源 {source!r} 无效")
    if severity not in Severity.values:
        problems.append(f"程度 {severity!r} 无效")
    if not (ref or "").strip() or len(ref) > 100:
        problems.append("来源编号不能为空，且不超过 100 字")
    if not (summary or "").strip() or len(summary) > 500:
        problems.append("摘要不能为空，且不超过 500 字")
    if occurred_at is None or occurred_at > moment:
        problems.append("发生时间不能晚于现在")
    if problems:
        raise DomainError(errors.RECORD_INVALID, "；".join(problems) + "。")
    existing = _same_record(source, ref, code)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            record = CreditRecord.objects.create(
                subject_kind=subject_kind,
                subject_code=code,
                subject_name=subject_name_of(subject_kind, code, subject_name),
                source=source,
                ref=ref.strip(),
                summary=summary.strip(),
                severity=severity,
                occurred_at=occurred_at,
                recorded_at=moment,
                recorded_by=actor_label(actor),
                department=department,
            )
            audit_record(
                actor=actor_label(actor),
                action="credit.record_add",
                object_type="credit_record",
                object_id=str(record.pk),
                details={"source": source, "ref": record.ref, "severity": severity},
                now=moment,
            )
            from tongban.credit.services.lists import list_by_rule

            list_by_rule(record=record, actor=actor, now=moment)
            class_recompute(
                subject_kind=subject_kind,
                subject_code=code,
                subject_name=record.subject_name,
                now=moment,
            )
    except IntegrityError:
        # A concurrent report of the same fact won the unique constraint.
        found = _same_record(source, ref, code)
        if found is None:
            raise
        return found
    return record


def _same_record(source: str, ref: str, code: str) -> CreditRecord | None:
    return CreditRecord.objects.filter(source=source, ref=ref.strip(), subject_code=code).first()


def _facts(subject_code: str) -> list[rules.Fact]:
    rows = CreditRecord.objects.filter(subject_code=subject_code).values_list(
        "pk", "severity", "occurred_at"
    )
    return [rules.Fact(pk, severity, clock.local_date(at)) for pk, severity, at in rows]


def _black_listed(subject_code: str, today: dt.date) -> bool:
    return ListEntry.objects.filter(
        subject_code=subject_code,
        status=EntryStatus.ACTIVE,
        valid_until__gte=today,
        listed_on__lte=today,
        credit_list__kind=ListKind.BLACK,
        credit_list__active=True,
    ).exists()


def _change(rating: CreditRating, before: str, outcome: rules.Outcome, moment: dt.datetime) -> None:
    if before != outcome.credit_class:
        ClassChange.objects.create(
            subject_code=rating.subject_code,
            from_class=before,
            to_class=outcome.credit_class,
            score=outcome.score,
            rule_version=rules.VERSION,
            record_ids=list(outcome.record_ids),
            explanation=outcome.explanation,
            changed_at=moment,
        )


def class_recompute(
    *,
    subject_kind: str,
    subject_code: str,
    subject_name: str = "",
    now: dt.datetime | None = None,
) -> CreditRating:
    """Compute the subject's class by the current rules; a change appends a
    ``ClassChange`` with the rule version, the score and the records counted.

    The rating row is locked before the records and lists are read, so that two
    recomputations of one subject (a listing and a repair at once, or the bulk
    recomputation) serialize and the last one reads what the first committed."""
    moment = now or clock.now()
    today = clock.local_date(moment)
    with transaction.atomic():
        rating = CreditRating.objects.select_for_update().filter(subject_code=subject_code).first()
        if rating is None:
            outcome = rules.classify(
                _facts(subject_code), black_listed=_black_listed(subject_code, today), today=today
            )
            try:
                with transaction.atomic():
                    rating = CreditRating.objects.create(
                        subject_code=subject_code,
                        subject_kind=subject_kind,
                        subject_name=subject_name or subject_name_of(subject_kind, subject_code),
                        credit_class=outcome.credit_class,
                        score=outcome.score,
                        rule_version=rules.VERSION,
                        computed_at=moment,
                    )
            except IntegrityError:
                # Another transaction created it first: wait for it, then read again.
                rating = None
            if rating is not None:
                _change(rating, "", outcome, moment)
                return rating
            rating = CreditRating.objects.select_for_update().get(subject_code=subject_code)
        outcome = rules.classify(
            _facts(subject_code), black_listed=_black_listed(subject_code, today), today=today
        )
        before = rating.credit_class
        rating.credit_class = outcome.credit_class
        rating.score = outcome.score
        rating.rule_version = rules.VERSION
        rating.computed_at = moment
        rating.save(update_fields=["credit_class", "score", "rule_version", "computed_at"])
        _change(rating, before, outcome, moment)
    return rating
