"""Reads of the hotline (CONVENTIONS 2 and 5).

Every staff read is filtered by the caller's data scope in SQL
(``org.selectors.scope_q`` on the order's place and handling department); a
caller reads her own orders (her account) or one order by its number and her
phone. "Not yours" is the same ``not_found`` as "does not exist".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from tongban.core import errors as core_errors
from tongban.core.api.pagination import Page, paginate
from tongban.core.crypto import search_token
from tongban.core.errors import DomainError
from tongban.hotline import text, workflow
from tongban.hotline.models import (
    Category,
    HotlineAlert,
    KnowledgeArticle,
    OrderStatus,
    WorkOrder,
    WorkOrderEvent,
)
from tongban.hotline.services._common import PHONE_CONTEXT
from tongban.org.models import Role
from tongban.org.selectors import scope_q, staff_scope_for

NOT_FOUND_DETAIL = "未找到该工单"

# Queues: (statuses, ordering)
QUEUES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # 派单台: least time left first.
    "dispatch": (
        (OrderStatus.REGISTERED, OrderStatus.RETURNED),
        ("dispatch_due_at", "id"),
    ),
    # 承办单位: dispatched and in hand, least time left first.
    "department": (
        (OrderStatus.DISPATCHED, OrderStatus.ACKNOWLEDGED),
        ("handle_due_at", "id"),
    ),
    # 回访: answered, waiting for the revisit.
    "revisit": ((OrderStatus.REPLIED, OrderStatus.ANSWERED), ("replied_at", "id")),
    "all": ((), ("-registered_at", "-id")),
}


def _not_found() -> DomainError:
    return DomainError(core_errors.NOT_FOUND, NOT_FOUND_DETAIL)


def staff_orders(*, user: Any, roles: tuple[str, ...] = workflow.READ_ROLES) -> QuerySet[WorkOrder]:
    """Orders in the scope ``roles`` give ``user``: the place in a region subtree and,
    where the grant names departments, the handling department among them."""
    scope = staff_scope_for(user=user).for_roles(*roles)
    return WorkOrder.objects.filter(
        scope_q(scope=scope, region_path_field="region_path", department_field="department_id")
    )


def is_hotline_staff(user: Any) -> bool:
    return staff_scope_for(user=user).has_role(*workflow.READ_ROLES)


def order_get_for_staff(*, user: Any, order_no: str) -> WorkOrder:
    order = (
        staff_orders(user=user)
        .select_related("category", "department", "region", "suggested_category")
        .filter(order_no=(order_no or "").strip()[:24])
        .first()
    )
    if order is None:
        raise _not_found()
    return order


def order_list_for_staff(
    *,
    user: Any,
    queue: str = "all",
    status: str | None = None,
    q: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> Page[WorkOrder]:
    """One queue of the staff user's orders, in keyset pages (never counted)."""
    statuses, ordering = QUEUES.get(queue, QUEUES["all"])
    qs = staff_orders(user=user)
    if statuses:
        qs = qs.filter(status__in=statuses)
    if status:
        qs = qs.filter(status=status)
    term = (q or "").strip()[:60]
    if term:
        qs = qs.filter(Q(order_no__startswith=term) | Q(title__icontains=term))
    qs = qs.select_related("category", "department")
    return paginate(qs, ordering=ordering, cursor=cursor, limit=limit)


def order_timeline(order: WorkOrder) -> list[WorkOrderEvent]:
    events = list(order.events.select_related("department").order_by("at", "id"))
    for event in events:
        event.action_label = workflow.ACTION_LABELS.get(event.action, event.action)  # type: ignore[attr-defined]
        event.to_status_label = (  # type: ignore[attr-defined]
            OrderStatus(event.to_status).label if event.to_status in OrderStatus.values else ""
        )
    return events


def roles_for(user: Any) -> frozenset[str]:
    return staff_scope_for(user=user).roles


def duplicates_for(order: WorkOrder, *, limit: int = 10) -> list[WorkOrder]:
    """Likely duplicates within the window: the same caller, or the same place and
    category (or suggested category), still open or merged, newest first."""
    window = dt.timedelta(days=settings.TONGBAN_HOTLINE_DUPLICATE_WINDOW_DAYS)
    since, until = order.registered_at - window, order.registered_at + window
    category = order.category_id or order.suggested_category_id
    match = Q(pk__in=[])
    if order.caller_phone_token:
        match |= Q(caller_phone_token=order.caller_phone_token)
    if category is not None:
        place = Q(region_id=order.region_id) & (
            Q(category_id=category) | Q(category__isnull=True, suggested_category_id=category)
        )
        if order.address_key:
            place &= Q(address_key=order.address_key)
        match |= place
    return list(
        WorkOrder.objects.filter(match, registered_at__gte=since, registered_at__lte=until)
        .filter(status__in=workflow.OPEN)
        .exclude(pk=order.pk)
        .select_related("category")
        .order_by("-registered_at", "-id")[:limit]
    )


def repeat_caller_count(*, phone: str, days: int = 90, before: dt.datetime) -> int:
    """How often this number called within ``days`` (a repeat-caller hint)."""
    token = search_token(text.normalize_phone(phone), context=PHONE_CONTEXT)
    since = before - dt.timedelta(days=days)
    return WorkOrder.objects.filter(
        caller_phone_token=token, registered_at__gte=since, registered_at__lte=before
    ).count()


# --- callers -----------------------------------------------------------------------


def order_list_for_caller(
    *, user: Any, cursor: str | None = None, limit: int = 20
) -> Page[WorkOrder]:
    if user is None or not getattr(user, "is_authenticated", False):
        return Page([], None)
    qs = WorkOrder.objects.filter(caller_user_id=user.pk).select_related("category", "department")
    return paginate(qs, ordering=("-registered_at", "-id"), cursor=cursor, limit=limit)


def order_get_for_caller(*, user: Any, order_no: str) -> WorkOrder:
    if user is None or not getattr(user, "is_authenticated", False):
        raise _not_found()
    order = (
        WorkOrder.objects.filter(caller_user_id=user.pk, order_no=(order_no or "").strip()[:24])
        .select_related("category", "department", "merged_into")
        .first()
    )
    if order is None:
        raise _not_found()
    return order


def order_track(*, order_no: str, phone: str) -> WorkOrder:
    """One order by its number and the caller's phone (no login); ``not_found`` otherwise."""
    try:
        digits = text.normalize_phone(phone)
    except DomainError:
        raise _not_found() from None
    token = search_token(digits, context=PHONE_CONTEXT)
    order = (
        WorkOrder.objects.filter(order_no=(order_no or "").strip()[:24], caller_phone_token=token)
        .select_related("category", "department", "merged_into")
        .first()
    )
    if order is None:
        raise _not_found()
    return order


def public_answer(order: WorkOrder) -> tuple[str, str]:
    """(answer, action taken) as the caller sees them; a merged order shows the main's."""
    if order.merged_into_id is not None and not order.reply_text:
        main = order.merged_into
        if main is not None:
            return main.reply_text, main.reply_action
    return order.reply_text, order.reply_action


# --- categories and knowledge --------------------------------------------------------


def category_tree() -> list[Category]:
    return list(Category.objects.filter(active=True).order_by("path"))


def category_leaves() -> list[Category]:
    parents = set(
        Category.objects.filter(active=True, parent__isnull=False).values_list(
            "parent_id", flat=True
        )
    )
    return [c for c in category_tree() if c.pk not in parents]


def knowledge_search(
    *, q: str, today: dt.date, category_code: str = "", limit: int = 10
) -> list[KnowledgeArticle]:
    """Articles valid today whose words include the query's topic words, the most
    matching words first (every article matching at least one)."""
    terms = text.topic_words(q or "")[:12] or [w for w in text.words(q or "") if len(w) >= 2][:12]
    qs = KnowledgeArticle.objects.filter(valid_from__lte=today).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )
    if category_code:
        qs = qs.filter(category__code=category_code[:20])
    if not terms:
        return list(qs.order_by("code")[:limit]) if category_code else []
    any_term = Q(pk__in=[])
    for term in terms:
        any_term |= Q(tokens__contains=term)
    rows = list(qs.filter(any_term).select_related("category")[:200])

    def score(article: KnowledgeArticle) -> tuple[int, int, str]:
        words = set(article.tokens.split())
        title = sum(term in article.title for term in terms)
        return (-sum(term in words for term in terms), -title, article.code)

    rows.sort(key=score)
    return rows[:limit]


# --- alerts --------------------------------------------------------------------------


def alert_list_for_staff(*, user: Any, limit: int = 100) -> list[HotlineAlert]:
    scope = staff_scope_for(user=user).for_roles(*workflow.READ_ROLES)
    return list(
        HotlineAlert.objects.filter(resolved_at__isnull=True)
        .filter(
            scope_q(scope=scope, region_path_field="region_path", department_field="department_id")
        )
        .select_related("order", "department")
        .order_by("due_at", "id")[:limit]
    )


def may_supervise(user: Any) -> bool:
    return staff_scope_for(user=user).has_role(Role.SUPERVISOR, Role.HOTLINE_DISPATCHER)
