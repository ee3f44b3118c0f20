"""Every read of 好差评 (CONVENTIONS 2 and 5).

Staff reads are filtered by the caller's data scope in SQL
(``org.selectors.scope_q`` on the copied region path and department); "not
yours" is the same ``not_found`` as "does not exist". A rater reads only the
ratings of their own account.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from tongban.core import errors as core_errors
from tongban.core.api.pagination import Page, paginate
from tongban.core.errors import DomainError
from tongban.evaluation import workflow
from tongban.evaluation.models import (
    GOOD_LEVELS,
    Rating,
    RatingChannel,
    Rectification,
    RectificationStatus,
)
from tongban.org.selectors import scope_q, staff_scope_for

NOT_FOUND_DETAIL = "未找到该整改"


def _not_found() -> DomainError:
    return DomainError(core_errors.NOT_FOUND, NOT_FOUND_DETAIL)


# --- raters ------------------------------------------------------------------


def rating_for_case(*, case_id: int, channel: str = RatingChannel.ONLINE) -> Rating | None:
    """The case's rating on ``channel`` with its rectification (the caller found the case
    through ``cases.selectors.case_get_for_applicant``)."""
    return (
        Rating.objects.filter(case_id=case_id, channel=channel)
        .select_related("rectification")
        .first()
    )


def rating_for_order(*, order_id: int) -> Rating | None:
    return (
        Rating.objects.filter(work_order_id=order_id, channel=RatingChannel.HOTLINE)
        .select_related("rectification")
        .first()
    )


def rectification_of(rating: Rating | None) -> Rectification | None:
    if rating is None:
        return None
    return Rectification.objects.filter(rating_id=rating.pk).first()


def rating_list_for_rater(*, user: Any, limit: int = 50) -> list[Rating]:
    """我的评价: the account's own ratings, newest first."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(
        Rating.objects.filter(rater_id=user.pk)
        .select_related("rectification")
        .order_by("-rated_at", "-id")[: max(1, min(limit, 200))]
    )


def rectification_get_for_rater(*, user: Any, rectification_id: int) -> Rectification:
    """A rectification of one of the account's own bad ratings, or ``not_found``."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise _not_found()
    rect = (
        Rectification.objects.select_related("rating")
        .filter(pk=rectification_id, rating__rater_id=user.pk)
        .first()
    )
    if rect is None:
        raise _not_found()
    return rect


# --- staff -------------------------------------------------------------------


def _scoped(model: type[Any], *, user: Any) -> QuerySet[Any]:
    scope = staff_scope_for(user=user).for_roles(*workflow.READ_ROLES)
    return model.objects.filter(
        scope_q(scope=scope, region_path_field="region_path", department_field="department_id")
    )


def may_read_rectifications(user: Any) -> bool:
    return staff_scope_for(user=user).has_role(*workflow.READ_ROLES)


def rectification_get_for_staff(*, user: Any, rectification_id: int) -> Rectification:
    """A rectification in the staff user's scope, with its rating and history, or ``not_found``."""
    rect = (
        _scoped(Rectification, user=user)
        .select_related("rating", "department", "rating__service_item")
        .prefetch_related("events")
        .filter(pk=rectification_id)
        .first()
    )
    if rect is None:
        raise _not_found()
    return rect


def rectification_list_for_staff(
    *,
    user: Any,
    status: str | None = None,
    include_closed: bool = False,
    cursor: str | None = None,
    limit: int = 20,
) -> Page[Rectification]:
    """整改台账: the rectifications in scope, the earliest deadline first (keyset pages).

    Open ones only unless ``include_closed`` or a ``status`` is given.
    """
    qs = _scoped(Rectification, user=user)
    if status:
        qs = qs.filter(status=status)
    elif not include_closed:
        qs = qs.filter(status__in=workflow.OPEN_STATUSES)
    qs = qs.select_related("rating", "department", "rating__service_item")
    return paginate(qs, ordering=("due_on", "id"), cursor=cursor, limit=limit)


# --- indicators --------------------------------------------------------------


@dataclass(frozen=True)
class RatingFigures:
    """好差评 figures of one department or item in a period."""

    key: int
    name: str
    ratings: int
    good: int
    bad: int
    rectified: int  # closed
    on_time: int  # answered by the deadline
    due: int  # answered, or past the deadline unanswered: the 按时整改率's denominator
    score_sum: int

    @property
    def good_rate(self) -> float | None:
        """好评率: 非常满意 and 满意 ÷ all ratings."""
        return round(self.good / self.ratings, 4) if self.ratings else None

    @property
    def on_time_rate(self) -> float | None:
        """整改按时率: answered by the deadline ÷ rectifications due or answered."""
        return round(self.on_time / self.due, 4) if self.due else None

    @property
    def average_score(self) -> float | None:
        return round(self.score_sum / self.ratings, 2) if self.ratings else None


GROUPS = {
    "department": ("department_id", "department__name"),
    "item": ("service_item_id", "service_item__name"),
}


def rating_figures_for_staff(
    *,
    user: Any,
    group: str = "department",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    today: dt.date,
) -> list[RatingFigures]:
    """好评率 and 整改按时率 per department or per item, over the ratings in the
    caller's scope rated from ``since`` (inclusive) to ``until`` (exclusive);
    one grouped query. Ranked by 好评率, then by count."""
    qs = _scoped(Rating, user=user)
    return _figures(qs, group=group, since=since, until=until, today=today)


def rating_figures_public(
    *,
    region_path: str = "",
    group: str = "department",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    today: dt.date,
) -> list[RatingFigures]:
    """The same figures for the public board (公示, R-EV-3, R-EV-4): counts and
    rates of departments and items, beneath ``region_path`` ("" for all); no
    rating's text or rater is read."""
    qs = Rating.objects.filter(region_path__startswith=region_path)
    return _figures(qs, group=group, since=since, until=until, today=today)


def _figures(
    qs: QuerySet[Rating],
    *,
    group: str,
    since: dt.datetime | None,
    until: dt.datetime | None,
    today: dt.date,
) -> list[RatingFigures]:
    key_field, name_field = GROUPS[group]
    qs = qs.filter(excluded=False)  # an appeal upheld: the rating does not count
    if group == "item":
        qs = qs.filter(service_item__isnull=False)
    if since is not None:
        qs = qs.filter(rated_at__gte=since)
    if until is not None:
        qs = qs.filter(rated_at__lt=until)
    answered = Q(rectification__on_time__isnull=False)
    late_open = Q(rectification__on_time__isnull=True, rectification__due_on__lt=today)
    rows = (
        qs.values(key_field, name_field)
        .annotate(
            ratings=Count("pk"),
            good=Count("pk", filter=Q(level__in=GOOD_LEVELS)),
            bad=Count("pk", filter=Q(is_bad=True)),
            rectified=Count("pk", filter=Q(rectification__status=RectificationStatus.CLOSED)),
            on_time=Count("pk", filter=Q(rectification__on_time=True)),
            due=Count("pk", filter=answered | late_open),
            score_sum=Sum("score"),
        )
        .order_by(key_field)
    )
    figures = [
        RatingFigures(
            key=row[key_field],
            name=row[name_field],
            ratings=row["ratings"],
            good=row["good"],
            bad=row["bad"],
            rectified=row["rectified"],
            on_time=row["on_time"],
            due=row["due"],
            score_sum=row["score_sum"] or 0,
        )
        for row in rows
    ]
    figures.sort(key=lambda f: (-(f.good_rate or 0), -f.ratings, f.key))
    return figures
