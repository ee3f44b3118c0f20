"""Training the routing classifier on handled orders, and measuring it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from tongban.core import clock
from tongban.core.audit import audit_record
from tongban.hotline import routing
from tongban.hotline.models import HANDLED_STATUSES, OrderStatus, RoutingModel, WorkOrder


def _handled_samples(limit: int) -> list[tuple[list[str], str]]:
    rows = (
        WorkOrder.objects.filter(
            status__in=[*HANDLED_STATUSES, OrderStatus.ANSWERED], category__isnull=False
        )
        .order_by("-registered_at", "-id")
        .values_list("content_tokens", "category__code")[:limit]
    )
    return [(routing.features(tokens.split()), code) for tokens, code in rows]


def routing_train(
    *,
    heldout: Iterable[tuple[str, str]] = (),
    heldout_name: str = "",
    now: dt.datetime | None = None,
    limit: int = routing.MAX_TRAINING_ORDERS,
) -> RoutingModel:
    """Train on the most recent handled orders; evaluate on ``heldout`` (text,
    expected category code) pairs, if given, and store both."""
    moment = now or clock.now()
    samples = _handled_samples(limit)
    model = routing.NaiveBayes.train(samples)
    evaluation: dict[str, Any] = {}
    pairs = list(heldout)
    if pairs:
        evaluation = {"set": heldout_name, **routing.accuracy(model, pairs).as_dict()}
    row = RoutingModel.objects.create(
        trained_at=moment, samples=len(samples), data=model.as_data(), evaluation=evaluation
    )
    audit_record(
        actor="system",
        action="hotline.routing_train",
        object_type="hotline.RoutingModel",
        object_id=str(row.pk),
        details={"samples": len(samples), **evaluation},
        now=moment,
    )
    routing.clear_cache()
    return row


def routing_train_with_demo_heldout(*, now: dt.datetime | None = None) -> RoutingModel:
    """The scheduler's training run: evaluated on the hand-written held-out orders."""
    from tongban.hotline.demo.heldout import HELDOUT

    return routing_train(heldout=HELDOUT, heldout_name="heldout-handwritten", now=now)
