"""一次一评 (国办发〔2019〕51号): the person served at a window rates that visit on
the window's device (评价器) right after it.

The device is the clerk's own tablet, signed in as the clerk: it offers the
clerk's steps of a case in the last ``WINDOW_RATING_MINUTES`` (receiving,
accepting, handing over, …) not yet rated, newest first. A rating is of one
such step (``Rating.visit_event``, one per visit), attaches to the case, the
item, the department, the window and the clerk, and has no rater account (the
person is not signed in). A 差评 opens a rectification as any other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction

from tongban.cases.models import CaseEvent
from tongban.core import clock, events
from tongban.core import errors as core_errors
from tongban.core.audit import audit_record
from tongban.core.errors import DomainError
from tongban.evaluation import errors
from tongban.evaluation.models import (
    BAD_LEVELS,
    SCORES,
    Rating,
    RatingChannel,
    SubjectKind,
)
from tongban.evaluation.services.ratings import _clean_rating
from tongban.evaluation.services.rectification import actor_label, rectification_open
from tongban.org.models import Role
from tongban.org.selectors import staff_scope_for

WINDOW_RATING_MINUTES = 30
# The clerk's steps that are a visit of the person to the window.
VISIT_ACTIONS = (
    "submit",
    "accept",
    "refuse",
    "request_supplement",
    "supplement",
    "supply_deferred",
    "handle_immediately",
    "deliver",
    "conclude",
)


def may_use_window_device(user: Any) -> bool:
    return staff_scope_for(user=user).has_role(Role.WINDOW_CLERK)


def window_visits_for_clerk(
    *, clerk: Any, now: dt.datetime | None = None, limit: int = 5
) -> list[CaseEvent]:
    """The clerk's recent visits not yet rated, newest first."""
    moment = now or clock.now()
    since = moment - dt.timedelta(minutes=WINDOW_RATING_MINUTES)
    rated = Rating.objects.filter(visit_event__isnull=False, clerk_id=clerk.pk, rated_at__gte=since)
    return list(
        CaseEvent.objects.filter(
            actor_id=clerk.pk, at__gte=since, at__lte=moment, action__in=VISIT_ACTIONS
        )
        .exclude(pk__in=rated.values("visit_event_id"))
        .select_related("case__service_item")
        .order_by("-at", "-id")[:limit]
    )


def rating_submit_at_window(
    *,
    clerk: Any,
    case_event_id: int,
    level: str,
    reasons: Iterable[str] = (),
    text: str = "",
    now: dt.datetime | None = None,
) -> Rating:
    """Store the rating of one window visit given on the clerk's device.

    ``not_found`` unless the visit is the clerk's own within the last
    ``WINDOW_RATING_MINUTES``; ``rating_exists`` when it was rated already.
    """
    moment = now or clock.now()
    rating_level, chosen, cleaned = _clean_rating(level=level, reasons=reasons, text=text)
    if not may_use_window_device(clerk):
        raise DomainError(core_errors.PERMISSION_DENIED, "窗口评价器仅供窗口人员使用。")
    since = moment - dt.timedelta(minutes=WINDOW_RATING_MINUTES)
    event = (
        CaseEvent.objects.select_related("case")
        .filter(
            pk=case_event_id,
            actor_id=clerk.pk,
            at__gte=since,
            at__lte=moment,
            action__in=VISIT_ACTIONS,
        )
        .first()
    )
    if event is None:
        raise DomainError(
            core_errors.NOT_FOUND, "没有可评价的窗口服务（已超过评价时间或不是本窗口）。"
        )
    case = event.case
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                subject_kind=SubjectKind.CASE,
                subject_no=case.case_no,
                case=case,
                channel=RatingChannel.WINDOW,
                level=rating_level,
                score=SCORES[rating_level],
                is_bad=rating_level in BAD_LEVELS,
                reasons=chosen,
                text=cleaned,
                rater=None,
                clerk=clerk,
                visit_event=event,
                service_item_id=case.service_item_id,
                department_id=case.department_id,
                window_id=case.window_id,
                region_path=case.region_path,
                rated_at=moment,
            )
            if rating.is_bad:
                rectification_open(rating, now=moment)
            events.emit(
                "evaluation.rated",
                {"subject_no": rating.subject_no, "level": rating.level, "channel": rating.channel},
                now=moment,
            )
            audit_record(
                actor=f"窗口评价器（{actor_label(clerk)}）",
                action="rating.submit",
                object_type=rating.subject_kind,
                object_id=rating.subject_no,
                details={
                    "level": rating.level,
                    "channel": rating.channel,
                    "reasons": chosen,
                    "visit_event": event.pk,
                },
                now=moment,
            )
    except IntegrityError:  # this visit was rated a moment ago
        raise DomainError(errors.RATING_EXISTS, "本次服务已评价（一次一评）。") from None
    return rating
