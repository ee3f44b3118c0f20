"""Importing a backlog of handled orders (the old hotline system's archive).

The archive of the hotline systems merged into 12345 (R-HL-1) comes in as
archived orders, all rows or none, with one history row each and one audit
event for the batch; the routing classifier learns from them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from tongban.core import clock
from tongban.core.audit import audit_record
from tongban.hotline import text
from tongban.hotline.models import Category, OrderStatus, WorkOrder, WorkOrderEvent
from tongban.hotline.services._common import actor_label
from tongban.org.models import Department, Region

BATCH = 1000


@dataclass(frozen=True)
class HandledOrder:
    order_no: str
    kind: str
    channel: str
    content: str
    region: Region
    category: Category
    department: Department
    registered_at: dt.datetime
    replied_at: dt.datetime
    satisfaction: int
    solved: bool
    reply: str = "已按规定处理并答复来电人。"


def work_orders_import_history(
    *, rows: list[HandledOrder], source: str, actor: Any = None, now: dt.datetime | None = None
) -> int:
    """Store ``rows`` as archived orders (skipping numbers already present)."""
    moment = now or clock.now()
    existing = set(
        WorkOrder.objects.filter(order_no__in=[r.order_no for r in rows]).values_list(
            "order_no", flat=True
        )
    )
    fresh = [r for r in rows if r.order_no not in existing]
    with transaction.atomic():
        for start in range(0, len(fresh), BATCH):
            chunk = fresh[start : start + BATCH]
            orders = [
                WorkOrder(
                    order_no=r.order_no,
                    channel=r.channel,
                    kind=r.kind,
                    status=OrderStatus.ARCHIVED,
                    caller_anonymous=True,
                    title=text.one_line(r.content)[:30],
                    content=r.content,
                    content_tokens=text.token_text([r.content]),
                    region=r.region,
                    region_path=r.region.path,
                    category=r.category,
                    department=r.department,
                    registered_at=r.registered_at,
                    dispatched_at=r.registered_at,
                    first_dispatched_at=r.registered_at,
                    acknowledged_at=r.registered_at,
                    replied_at=r.replied_at,
                    revisited_at=r.replied_at,
                    archived_at=r.replied_at,
                    reply_text=r.reply,
                    reply_action=r.reply,
                    solved=r.solved,
                    satisfaction=r.satisfaction,
                    created_at=moment,
                    updated_at=moment,
                )
                for r in chunk
            ]
            WorkOrder.objects.bulk_create(orders)
            ids = dict(
                WorkOrder.objects.filter(order_no__in=[r.order_no for r in chunk]).values_list(
                    "order_no", "pk"
                )
            )
            WorkOrderEvent.objects.bulk_create(
                WorkOrderEvent(
                    order_id=ids[r.order_no],
                    at=moment,
                    actor_label=actor_label(actor),
                    action="import",
                    to_status=OrderStatus.ARCHIVED,
                    department=r.department,
                    reason=f"历史工单导入：{source}"[:200],
                )
                for r in chunk
            )
        audit_record(
            actor=actor_label(actor),
            action="hotline.import_history",
            object_type="hotline.WorkOrder",
            object_id=source[:200],
            details={"imported": len(fresh), "skipped": len(rows) - len(fresh)},
            now=moment,
        )
    return len(fresh)
