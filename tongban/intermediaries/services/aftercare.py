"""After selection (R-IM-2): publicity and objections, the contract confirmed online, the
service on its working-day clock with alerts, the buyer's rating fed to credit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from tongban.core import calendar, clock
from tongban.core.errors import DomainError
from tongban.identity.models import LegalEntity
from tongban.intermediaries import errors
from tongban.intermediaries.credit import rating_to_credit
from tongban.intermediaries.models import (
    AgencyRating,
    ObjectionStatus,
    Purchase,
    PurchaseObjection,
    PurchaseStatus,
    SelectionMethod,
)
from tongban.intermediaries.services._common import audit, lock, notify_agency, refuse, transition

ALERT_WORKING_DAYS = 2  # yellow when this many working days or fewer remain


def objection_file(
    *,
    purchase: Purchase,
    filer_name: str,
    reason: str,
    filer_entity: LegalEntity | None = None,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> PurchaseObjection:
    """An objection within the publicity period (公示期内提出异议); the contract waits for it."""
    now = now or clock.now()
    name = " ".join((filer_name or "").split())[:200]
    why = (reason or "").strip()
    if not name or len(why) < 10 or len(why) > 5000:
        raise DomainError(errors.PURCHASE_INVALID, "异议须写明异议人和事由（10–5000 字）。")
    with transaction.atomic():
        locked = lock(purchase)
        if locked.status != PurchaseStatus.PUBLICITY or now >= (locked.publicity_ends_at or now):
            raise refuse(
                errors.OBJECTION_CLOSED, "异议须在结果公示期内提出。", purchase=locked, actor=actor
            )
        objection = PurchaseObjection.objects.create(
            purchase=locked, filer_name=name, filer_entity=filer_entity, reason=why, filed_at=now
        )
        audit(locked, "objection_file", actor, now, objection=objection.pk)
    return objection


def objection_decide(
    *,
    objection: PurchaseObjection,
    upheld: bool,
    answer: str,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> PurchaseObjection:
    """The centre answers an objection; upheld, the selection fails and must be purchased again."""
    now = now or clock.now()
    text = (answer or "").strip()
    if len(text) < 4:
        raise DomainError(errors.PURCHASE_INVALID, "须写明答复（至少 4 个字）。")
    with transaction.atomic():
        purchase = lock(objection.purchase)
        obj = PurchaseObjection.objects.select_for_update().get(pk=objection.pk)
        if obj.status != ObjectionStatus.PENDING:
            raise DomainError(errors.PURCHASE_INVALID_STATE, "该异议已处理。")
        obj.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
        obj.answer = text
        obj.decided_at = now
        obj.save(update_fields=["status", "answer", "decided_at"])
        audit(purchase, "objection_decide", actor, now, objection=obj.pk, upheld=upheld)
        if upheld and purchase.status == PurchaseStatus.PUBLICITY:
            transition(
                purchase, PurchaseStatus.FAILED, actor=actor, now=now,
                reason=f"异议成立：{text}",
            )  # fmt: skip
    return obj


def purchase_contract_confirm(
    *,
    purchase: Purchase,
    contract_fen: int,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> Purchase:
    """Confirm the contract online once publicity has ended with no open objection; the
    service clock (服务时限, working days) starts."""
    now = now or clock.now()
    with transaction.atomic():
        locked = lock(purchase)
        if locked.status != PurchaseStatus.PUBLICITY:
            raise DomainError(errors.PURCHASE_INVALID_STATE, "只有公示中的采购项目可以确认合同。")
        if now < (locked.publicity_ends_at or now):
            raise DomainError(
                errors.PURCHASE_INVALID_STATE,
                f"公示期至 {locked.publicity_ends_at.astimezone(clock.SHANGHAI):%Y-%m-%d %H:%M}，"  # type: ignore[union-attr]  # set with the selection
                "期满后方可确认合同。",
            )
        if locked.objections.filter(status=ObjectionStatus.PENDING).exists():
            raise DomainError(errors.OBJECTION_PENDING, "尚有未处理的异议，处理后方可确认合同。")
        assert locked.selected is not None
        limit = locked.selected.price_fen if locked.method == SelectionMethod.COMPETITIVE else None
        if not 0 < contract_fen <= locked.budget_fen or (limit and contract_fen > limit):
            raise DomainError(
                errors.PURCHASE_INVALID,
                "合同金额须为正数，不超过预算（竞价选取的不超过中选报价）。",
            )
        start = clock.local_date(now)
        locked.contract_fen = contract_fen
        locked.contracted_at = now
        locked.service_due_on = calendar.get_calendar().add_working_days(start, locked.service_days)
        transition(
            locked, PurchaseStatus.CONTRACTED, actor=actor, now=now, reason="合同在线确认",
            fields=("contract_fen", "contracted_at", "service_due_on"),
        )  # fmt: skip
    return locked


def purchase_deliver(
    *, purchase: Purchase, actor: Any = None, now: dt.datetime | None = None
) -> Purchase:
    """The agency hands in its result (服务成果提交)."""
    now = now or clock.now()
    with transaction.atomic():
        locked = lock(purchase)
        locked.delivered_at = now
        transition(
            locked, PurchaseStatus.DELIVERED, actor=actor, now=now, reason="服务完成",
            fields=("delivered_at",),
        )  # fmt: skip
    return locked


def purchase_rate(
    *,
    purchase: Purchase,
    score: int,
    comment: str = "",
    actor: Any = None,
    now: dt.datetime | None = None,
) -> AgencyRating:
    """The buyer rates the service (1–5); the rating enters the agency's credit record."""
    now = now or clock.now()
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise DomainError(errors.RATING_INVALID, "评分须为 1 至 5 星。")
    text = (comment or "").strip()
    if len(text) > 500:
        raise DomainError(errors.RATING_INVALID, "评价不能超过 500 字。")
    if score <= 2 and len(text) < 4:
        raise DomainError(errors.RATING_INVALID, "差评须写明原因（至少 4 个字）。")
    with transaction.atomic():
        locked = lock(purchase)
        if locked.status != PurchaseStatus.DELIVERED:
            raise DomainError(errors.PURCHASE_INVALID_STATE, "服务完成后方可评价，且只能评价一次。")
        assert locked.selected is not None
        rating = AgencyRating.objects.create(
            purchase=locked,
            agency=locked.selected.agency,
            score=score,
            comment=text,
            rated_at=now,
            rated_by=actor if getattr(actor, "pk", None) else None,
        )
        transition(locked, PurchaseStatus.RATED, actor=actor, now=now, reason=f"评价 {score} 星")
        rating_to_credit(rating, actor=actor, now=now)
    return rating


def purchases_service_alert(*, now: dt.datetime | None = None) -> int:
    """Raise the service clock's alerts: yellow when ≤ 2 working days remain, red when
    overdue; each level once, to the agency (and shown to the buyer and the centre)."""
    now = now or clock.now()
    today = clock.local_date(now)
    cal = calendar.get_calendar()
    raised = 0
    due = Purchase.objects.filter(status=PurchaseStatus.CONTRACTED).exclude(alert_level="red")
    for purchase in due.select_related("selected__agency").order_by("service_due_on")[:1000]:
        assert purchase.service_due_on is not None and purchase.selected is not None
        left = cal.working_days_between(today, purchase.service_due_on)
        level = (
            "red"
            if today > purchase.service_due_on
            else "yellow"
            if left <= ALERT_WORKING_DAYS
            else ""
        )
        if not level or level == purchase.alert_level:
            continue
        with transaction.atomic():
            updated = Purchase.objects.filter(
                pk=purchase.pk, status=PurchaseStatus.CONTRACTED, alert_level=purchase.alert_level
            ).update(alert_level=level)
            if not updated:
                continue
            audit(purchase, f"service_alert_{level}", None, now, due=str(purchase.service_due_on))
            words = "已超过服务时限" if level == "red" else f"距服务期限还剩 {left} 个工作日"
            notify_agency(
                purchase.selected.agency,
                purpose="intermediaries.service_alert",
                object_id=f"{purchase.code}/{level}",
                subject="中介服务时限预警",
                body=f"“{purchase.title}”（{purchase.code}）{words}，"
                f"服务期限 {purchase.service_due_on:%Y年%-m月%-d日}。",
                now=now,
            )
            raised += 1
    return raised
