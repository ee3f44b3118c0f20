"""Every write of 好差评 ratings (CONVENTIONS 2).

``rating_submit_for_case`` / ``rating_submit_for_order``: one rating per subject
per channel (一事一评). Submitting the same rating again returns the stored one
(idempotent); a different one is ``rating_exists``. A 差评 opens its
rectification in the same transaction, due ``TONGBAN_RECTIFICATION_
WORKING_DAYS`` working days later on the working calendar the cases use.
``rating_invite``: the applicant of a concluded case is asked to rate it, once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from tongban.cases.models import Case, CaseStatus
from tongban.core import clock, events
from tongban.core import errors as core_errors
from tongban.core.audit import audit_record
from tongban.core.errors import DomainError
from tongban.evaluation import deadlines, errors
from tongban.evaluation.models import (
    BAD_LEVELS,
    SCORES,
    Rating,
    RatingChannel,
    RatingLevel,
    RatingReason,
    Rectification,
    SubjectKind,
)
from tongban.evaluation.services.rectification import actor_label, rectification_open
from tongban.hotline.models import HANDLED_STATUSES, WorkOrder

MAX_REASONS = len(RatingReason.values)
TEXT_LIMIT = 500
# The channels an applicant rates a case through; 12345 orders are rated on their own.
CASE_CHANNELS = (RatingChannel.ONLINE, RatingChannel.WINDOW)


def _clean_rating(
    *, level: str, reasons: Iterable[str], text: str
) -> tuple[RatingLevel, list[str], str]:
    if level not in RatingLevel.values:
        raise DomainError(
            errors.RATING_LEVEL_INVALID,
            "评价等级须为非常满意、满意、基本满意、不满意或非常不满意。",
            fields=[{"field": "level", "code": "rating_level_invalid"}],
        )
    chosen: list[str] = []
    for reason in reasons:
        if reason not in RatingReason.values:
            raise DomainError(
                errors.RATING_REASON_INVALID,
                f"评价原因“{str(reason)[:40]}”不在可选范围内。",
                fields=[{"field": "reasons", "code": "rating_reason_invalid"}],
            )
        if reason not in chosen:
            chosen.append(reason)
    cleaned = (text or "").strip()
    if len(cleaned) > TEXT_LIMIT:
        raise DomainError(
            core_errors.VALIDATION_FAILED,
            f"评价内容不能超过 {TEXT_LIMIT} 字。",
            fields=[{"field": "text", "code": "too_long"}],
        )
    rating_level = RatingLevel(level)
    # 51号文: a 差评 says what went wrong, so that it can be put right.
    if rating_level in BAD_LEVELS and not chosen and not cleaned:
        raise DomainError(
            errors.RATING_REASON_REQUIRED,
            "给出不满意或非常不满意的评价时，请选择原因或填写评价内容。",
            fields=[{"field": "reasons", "code": "rating_reason_required"}],
        )
    return rating_level, chosen, cleaned


def _same(rating: Rating, *, rater: Any, level: str, reasons: list[str], text: str) -> bool:
    return (
        rating.rater_id == rater.pk
        and rating.level == level
        and list(rating.reasons) == reasons
        and rating.text == text
    )


def _store_rating(
    *,
    existing: Rating | None,
    rater: Any,
    level: RatingLevel,
    reasons: list[str],
    text: str,
    now: dt.datetime,
    values: dict[str, Any],
) -> tuple[Rating, bool]:
    """The stored rating and False when ``existing`` is this one again; else a new row."""
    if existing is not None:
        if _same(existing, rater=rater, level=level, reasons=reasons, text=text):
            return existing, False
        raise DomainError(
            errors.RATING_EXISTS,
            "该事项已评价，不能重复评价（一事一评）。",
            extra={"level": existing.level},
        )
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                level=level,
                score=SCORES[level],
                is_bad=level in BAD_LEVELS,
                reasons=reasons,
                text=text,
                rater=rater,
                rated_at=now,
                **values,
            )
    except IntegrityError:  # a concurrent submission of the same subject won
        raise DomainError(
            errors.RATING_EXISTS, "该事项已评价，不能重复评价（一事一评）。"
        ) from None
    if rating.is_bad:
        rectification_open(rating, now=now)
    events.emit(
        "evaluation.rated",
        {"subject_no": rating.subject_no, "level": rating.level, "channel": rating.channel},
        now=now,
    )
    audit_record(
        actor=actor_label(rater),
        action="rating.submit",
        object_type=rating.subject_kind,
        object_id=rating.subject_no,
        details={"level": rating.level, "channel": rating.channel, "reasons": reasons},
        now=now,
    )
    return rating, True


def rating_submit_for_case(
    *,
    case_id: int,
    rater: Any,
    level: str,
    reasons: Iterable[str] = (),
    text: str = "",
    channel: str = RatingChannel.ONLINE,
    now: dt.datetime | None = None,
) -> tuple[Rating, bool]:
    """好差评 of a concluded case by its applicant; (rating, created)."""
    moment = now or clock.now()
    if channel not in CASE_CHANNELS:
        raise DomainError(errors.RATING_CHANNEL_INVALID, "办件评价渠道须为网上评价或窗口评价。")
    rating_level, chosen, cleaned = _clean_rating(level=level, reasons=reasons, text=text)
    with transaction.atomic():
        # The case row's lock serialises two submissions of one case.
        case = Case.objects.select_for_update().get(pk=case_id)
        existing = Rating.objects.filter(case_id=case.pk, channel=channel).first()
        if existing is None and case.status != CaseStatus.CONCLUDED:
            raise DomainError(
                errors.RATING_NOT_OPEN,
                "办件办结后才能评价。",
                extra={"status": case.status},
            )
        return _store_rating(
            existing=existing,
            rater=rater,
            level=rating_level,
            reasons=chosen,
            text=cleaned,
            now=moment,
            values={
                "subject_kind": SubjectKind.CASE,
                "subject_no": case.case_no,
                "case": case,
                "channel": channel,
                "service_item_id": case.service_item_id,
                "department_id": case.department_id,
                "window_id": case.window_id,
                "region_path": case.region_path,
            },
        )


def rating_submit_for_order(
    *,
    order_id: int,
    rater: Any,
    level: str,
    reasons: Iterable[str] = (),
    text: str = "",
    now: dt.datetime | None = None,
) -> tuple[Rating, bool]:
    """好差评 of a 12345 order its handling department has answered; (rating, created)."""
    moment = now or clock.now()
    rating_level, chosen, cleaned = _clean_rating(level=level, reasons=reasons, text=text)
    with transaction.atomic():
        order = WorkOrder.objects.select_for_update().get(pk=order_id)
        existing = Rating.objects.filter(
            work_order_id=order.pk, channel=RatingChannel.HOTLINE
        ).first()
        if existing is None and (
            order.status not in HANDLED_STATUSES or order.department_id is None
        ):
            raise DomainError(
                errors.RATING_NOT_OPEN,
                "承办单位答复后才能评价该工单。",
                extra={"status": order.status},
            )
        return _store_rating(
            existing=existing,
            rater=rater,
            level=rating_level,
            reasons=chosen,
            text=cleaned,
            now=moment,
            values={
                "subject_kind": SubjectKind.WORK_ORDER,
                "subject_no": order.order_no,
                "work_order": order,
                "channel": RatingChannel.HOTLINE,
                "department_id": order.department_id,
                "region_path": order.region_path,
            },
        )


def rating_change(
    *,
    case_id: int,
    rater: Any,
    level: str,
    reasons: Iterable[str] = (),
    text: str = "",
    channel: str = RatingChannel.ONLINE,
    now: dt.datetime | None = None,
) -> Rating:
    """Change one's rating of a case once, within ``TONGBAN_RATING_CHANGE_DAYS``.

    A change to a 差评 opens a rectification if none is open; a rectification
    already opened runs on (the department still answers, and the call-back
    closes it), so that a changed rating never erases a complaint's handling.
    """
    moment = now or clock.now()
    rating_level, chosen, cleaned = _clean_rating(level=level, reasons=reasons, text=text)
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case_id).first()
        rating = (
            Rating.objects.select_for_update()
            .filter(case_id=case_id, channel=channel, rater_id=rater.pk)
            .first()
        )
        if rating is None:
            raise DomainError(core_errors.NOT_FOUND, "该办件尚未评价")
        if rating.changed_at is not None:
            raise DomainError(errors.RATING_CHANGE_USED, "评价只能修改一次，您已修改过。")
        days = settings.TONGBAN_RATING_CHANGE_DAYS
        until = deadlines.rating_changeable_until(clock.local_date(rating.rated_at), days)
        if clock.local_date(moment) > until:
            raise DomainError(
                errors.RATING_CHANGE_CLOSED,
                f"评价后 {days} 日内可以修改一次，已于 {until.isoformat()} 截止。",
            )
        previous = rating.level
        rating.previous_level = previous
        rating.level, rating.score = rating_level, SCORES[rating_level]
        rating.is_bad = rating_level in BAD_LEVELS
        rating.reasons, rating.text, rating.changed_at = chosen, cleaned, moment
        rating.save(
            update_fields=[
                "previous_level",
                "level",
                "score",
                "is_bad",
                "reasons",
                "text",
                "changed_at",
            ]
        )
        if rating.is_bad and not Rectification.objects.filter(rating_id=rating.pk).exists():
            rectification_open(rating, now=moment)
        audit_record(
            actor=actor_label(rater),
            action="rating.change",
            object_type=rating.subject_kind,
            object_id=rating.subject_no,
            details={"from": previous, "to": rating.level, "channel": rating.channel},
            now=moment,
        )
    return rating


INVITATION = (
    "您办理的“{item}”（{no}）已办结。欢迎在“我的办件”中评价本次服务（好差评），"
    "不满意的评价将转办理部门整改。"
)


def rating_invite(*, case_no: str, now: dt.datetime | None = None) -> bool:
    """Ask the applicant of a concluded case to rate it (an SMS, once per case).

    Idempotent: a case not concluded, already rated online, or without a phone
    on file is skipped; the notification itself is stored once per case
    (``core.notifications``). True when an invitation is (or was) stored.
    """
    from tongban.core.crypto import decrypt
    from tongban.core.notifications import notification_send
    from tongban.identity.selectors import PHONE_CONTEXT

    case = (
        Case.objects.select_related("service_item", "applicant_person", "agent_person")
        .filter(case_no=(case_no or "")[:40])
        .first()
    )
    if case is None or case.status != CaseStatus.CONCLUDED:
        return False
    if Rating.objects.filter(case_id=case.pk, channel=RatingChannel.ONLINE).exists():
        return False
    person = case.applicant_person or case.agent_person
    if person is None or not person.phone_enc:
        return False
    notification_send(
        channel="sms",
        recipient=decrypt(person.phone_enc, context=PHONE_CONTEXT),
        subject="",
        body=INVITATION.format(item=case.service_item.name, no=case.case_no),
        purpose="evaluation.invite",
        object_type="case",
        object_id=case.case_no,
        now=now,
    )
    return True
