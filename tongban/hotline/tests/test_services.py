"""Every transition through its service: the whole path, returns, extensions,
merges, escalation on overdue, reopening, and the table walked in full."""

from __future__ import annotations

import pytest

from tongban.core.crypto import decrypt
from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent
from tongban.hotline import services, workflow
from tongban.hotline.models import (
    HotlineAlert,
    OrderStatus,
    WorkOrder,
    WorkOrderAttachment,
    WorkOrderEvent,
)
from tongban.hotline.services._common import PHONE_CONTEXT
from tongban.hotline.services.alerts import hotline_alerts_sweep
from tongban.hotline.tests.conftest import order_input

S = OrderStatus


def register(world, **overrides):
    return services.work_order_register(
        data=order_input(**overrides), actor=world.operator, now=world.at()
    )


def dispatched(world, **overrides):
    order = register(world, **overrides)
    return services.work_order_dispatch(
        order_id=order.pk,
        actor=world.dispatcher,
        department_id=world.hrss_id,
        category_code="SB01",
        now=world.at(hours=1),
    )


def replied(world):
    order = dispatched(world)
    services.work_order_acknowledge(order_id=order.pk, actor=world.handler, now=world.at(hours=2))
    return services.work_order_reply(
        order_id=order.pk,
        actor=world.handler,
        answer="已责令单位补缴社保。",
        action_taken="约谈用人单位，已补缴。",
        now=world.at(days=1),
    )


def test_an_order_goes_from_intake_to_archive(world):
    order = register(world)
    assert order.status == S.REGISTERED
    assert order.order_no.startswith("32010020261102")
    assert order.caller_phone_masked == "138****8000"
    assert "13800138000" not in order.caller_phone_enc
    assert decrypt(order.caller_phone_enc, context=PHONE_CONTEXT) == "13800138000"
    # Registered Mon 2 Nov → dispatch due Tue 3 Nov (R-HL-3, 1 working day).
    assert str(order.dispatch_due_at).startswith("2026-11-03 15:59:59")
    order = services.work_order_dispatch(
        order_id=order.pk,
        actor=world.dispatcher,
        department_id=world.hrss_id,
        category_code="SB01",
        expected_version=order.version,
        now=world.at(hours=1),
    )
    # Dispatched Mon 2 Nov → handled by Mon 9 Nov (5 working days).
    assert str(order.handle_due_at).startswith("2026-11-09 15:59:59")
    order = services.work_order_acknowledge(
        order_id=order.pk, actor=world.handler, now=world.at(hours=2)
    )
    order = services.work_order_reply(
        order_id=order.pk,
        actor=world.handler,
        answer="已补缴。",
        action_taken="约谈单位。",
        now=world.at(days=1),
    )
    order = services.work_order_revisit(
        order_id=order.pk, actor=world.operator, solved=True, satisfaction=5, now=world.at(days=2)
    )
    order = services.work_order_archive(
        order_id=order.pk, actor=world.operator, now=world.at(days=2)
    )
    assert order.status == S.ARCHIVED
    actions = list(order.events.values_list("action", flat=True))
    for action in ("register", "dispatch", "acknowledge", "reply", "revisit", "archive"):
        assert action in actions
    assert AuditEvent.objects.filter(object_id=order.order_no, action="hotline.archive").exists()


def test_a_direct_answer_cites_a_valid_article_and_closes(world):
    import datetime as dt

    from tongban.hotline.services.knowledge import knowledge_article_save

    knowledge_article_save(
        code="KB-T-1", title="社保转移", answer="可在网上申请。", valid_from=dt.date(2026, 1, 1)
    )
    knowledge_article_save(
        code="KB-T-OLD",
        title="旧口径",
        answer="已废止。",
        valid_from=dt.date(2025, 1, 1),
        valid_until=dt.date(2025, 12, 31),
    )
    order = register(world, kind="consultation")
    with pytest.raises(DomainError) as exc:
        services.work_order_answer_directly(
            order_id=order.pk,
            actor=world.operator,
            answer="见口径",
            category_code="SB01",
            cited_articles=["KB-T-OLD"],
            now=world.at(),
        )
    assert exc.value.code == "knowledge_article_invalid"
    order = services.work_order_answer_directly(
        order_id=order.pk,
        actor=world.operator,
        answer="可在网上申请转移。",
        category_code="SB01",
        cited_articles=["KB-T-1"],
        now=world.at(),
    )
    assert order.status == S.ANSWERED and order.cited_articles == ["KB-T-1"]


def test_a_return_goes_back_to_dispatch_and_to_another_department(world):
    order = dispatched(world)
    with pytest.raises(DomainError) as exc:
        services.work_order_return(
            order_id=order.pk, actor=world.handler, reason=" ", now=world.at(hours=3)
        )
    assert exc.value.code == "work_order_reason_required"
    order = services.work_order_return(
        order_id=order.pk, actor=world.handler, reason="属于市场监管职责", now=world.at(hours=3)
    )
    assert order.status == S.RETURNED and order.handle_due_at is None
    with pytest.raises(DomainError) as exc:
        services.work_order_dispatch(
            order_id=order.pk,
            actor=world.dispatcher,
            department_id=world.hrss_id,
            category_code="SB01",
            now=world.at(hours=4),
        )
    assert exc.value.code == "work_order_department_invalid"
    order = services.work_order_dispatch(
        order_id=order.pk,
        actor=world.dispatcher,
        department_id=world.market_id,
        category_code="SC02",
        now=world.at(hours=4),
    )
    assert order.status == S.DISPATCHED and order.department_id == world.market_id


def test_an_extension_is_asked_and_approved_or_refused(world):
    order = dispatched(world)
    order = services.work_order_acknowledge(
        order_id=order.pk, actor=world.handler, now=world.at(hours=2)
    )
    due = order.handle_due_at
    order = services.work_order_request_extension(
        order_id=order.pk,
        actor=world.handler,
        working_days=3,
        reason="需现场核查",
        now=world.at(days=1),
    )
    with pytest.raises(DomainError) as exc:
        services.work_order_request_extension(
            order_id=order.pk,
            actor=world.handler,
            working_days=1,
            reason="再延",
            now=world.at(days=1),
        )
    assert exc.value.code == "work_order_extension_pending"
    # The handler cannot approve his own extension.
    with pytest.raises(DomainError) as exc:
        services.work_order_approve_extension(
            order_id=order.pk, actor=world.handler, now=world.at(days=1)
        )
    assert exc.value.code == "permission_denied"
    order = services.work_order_approve_extension(
        order_id=order.pk, actor=world.dispatcher, now=world.at(days=1)
    )
    # Mon 9 Nov + 3 working days → Thu 12 Nov 2026.
    assert str(order.handle_due_at) > str(due)
    assert str(order.handle_due_at).startswith("2026-11-12")
    order = services.work_order_request_extension(
        order_id=order.pk,
        actor=world.handler,
        working_days=2,
        reason="还需协调",
        now=world.at(days=2),
    )
    order = services.work_order_refuse_extension(
        order_id=order.pk, actor=world.dispatcher, note="请按期办结", now=world.at(days=2)
    )
    assert order.extension_status == "refused"
    assert str(order.handle_due_at).startswith("2026-11-12")


def test_a_duplicate_is_merged_and_answered_together(world):
    main = register(world)
    same_caller = register(world, content="还是社保断缴的事情，再反映一次")
    other = register(
        world,
        caller_phone="13900139000",
        region_code="320115",
        address="江宁区某路",
        category_code="HJ01",
        content="工地噪音",
    )
    with pytest.raises(DomainError) as exc:
        services.work_order_merge(
            order_id=other.pk, actor=world.operator, into_order_id=main.pk, now=world.at()
        )
    assert exc.value.code == "work_order_merge_invalid"
    from tongban.hotline.selectors import duplicates_for

    assert main.pk in [o.pk for o in duplicates_for(same_caller)]
    merged = services.work_order_merge(
        order_id=same_caller.pk, actor=world.operator, into_order_id=main.pk, now=world.at()
    )
    assert merged.status == S.MERGED and merged.merged_into_id == main.pk
    services.work_order_dispatch(
        order_id=main.pk,
        actor=world.dispatcher,
        department_id=world.hrss_id,
        category_code="SB01",
        now=world.at(hours=1),
    )
    services.work_order_acknowledge(order_id=main.pk, actor=world.handler, now=world.at(hours=2))
    services.work_order_reply(
        order_id=main.pk,
        actor=world.handler,
        answer="已补缴。",
        action_taken="约谈。",
        now=world.at(days=1),
    )
    merged.refresh_from_db()
    assert merged.reply_text == "已补缴。"
    assert merged.events.filter(action="answered_with").exists()


def test_an_overdue_order_is_alerted_and_escalated_by_the_sweep(world):
    order = dispatched(world)
    # Fri 6 Nov: one working day left of five → yellow.
    result = hotline_alerts_sweep(now=world.at(days=4))
    assert result.raised >= 1
    alert = HotlineAlert.objects.get(order=order, kind="handle", resolved_at__isnull=True)
    assert alert.level == "yellow"
    # Wed 11 Nov: two working days overdue → red, 督办 level 2.
    hotline_alerts_sweep(now=world.at(days=9))
    alert.refresh_from_db()
    order.refresh_from_db()
    assert alert.level == "red"
    assert order.escalation_level == 2
    assert order.events.filter(action="supervise", details__automatic=True).exists()
    again = hotline_alerts_sweep(now=world.at(days=9))
    assert again.raised == again.upgraded == again.escalated == 0
    services.work_order_acknowledge(order_id=order.pk, actor=world.handler, now=world.at(days=9))
    services.work_order_reply(
        order_id=order.pk,
        actor=world.handler,
        answer="已办。",
        action_taken="已办。",
        now=world.at(days=9),
    )
    hotline_alerts_sweep(now=world.at(days=9, hours=1))
    alert.refresh_from_db()
    assert alert.resolved_at is not None


def test_a_caller_who_says_it_is_not_solved_reopens_the_order(world):
    order = replied(world)
    order = services.work_order_revisit(
        order_id=order.pk,
        actor=world.operator,
        solved=False,
        satisfaction=2,
        note="没有解决",
        now=world.at(days=2),
    )
    order = services.work_order_reopen(
        order_id=order.pk, actor=world.operator, reason="来电人称未解决", now=world.at(days=2)
    )
    assert order.status == S.DISPATCHED and order.reopen_count == 1
    assert order.department_id == world.hrss_id
    assert str(order.handle_due_at) > str(order.registered_at)


def test_an_emergency_is_handed_over_not_dispatched(world):
    order = register(world, emergency="119", content="楼下着火了，冒黑烟")
    assert order.status == S.HANDED_OVER and order.emergency == "119"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"content": "   "}, "work_order_content_required"),
        ({"caller_phone": "12345"}, "work_order_caller_invalid"),
        ({"caller_phone": "", "anonymous": False}, "work_order_caller_invalid"),
        ({"region_code": "999999"}, "work_order_location_invalid"),
        ({"latitude": 95, "longitude": 118}, "work_order_location_invalid"),
        ({"category_code": "SB"}, "work_order_category_invalid"),
        ({"kind": "gossip"}, "validation_failed"),
    ],
)
def test_bad_input_is_refused_with_its_code_and_nothing_saved(world, overrides, code):
    before = WorkOrder.objects.count()
    with pytest.raises(DomainError) as exc:
        register(world, **overrides)
    assert exc.value.code == code
    assert WorkOrder.objects.count() == before


def test_an_attachment_that_is_not_what_it_says_is_refused(world):
    from tongban.hotline.services.intake import AttachmentInput

    png = b"\x89PNG\r\n\x1a\n" + b"0" * 20
    with pytest.raises(DomainError) as exc:
        register(world, attachments=[AttachmentInput("photo.jpg", "image/jpeg", png)])
    assert exc.value.code == "work_order_attachment_invalid"
    with pytest.raises(DomainError):
        register(world, attachments=[AttachmentInput("a.pdf", "application/pdf", b"MZ\x90")])
    assert not WorkOrderAttachment.objects.exists()
    order = register(world, attachments=[AttachmentInput("p.png", "image/png", png)])
    assert order.attachments.get().content_type == "image/png"


def test_a_stale_version_is_refused(world):
    order = register(world)
    with pytest.raises(DomainError) as exc:
        services.work_order_dispatch(
            order_id=order.pk,
            actor=world.dispatcher,
            department_id=world.hrss_id,
            category_code="SB01",
            expected_version=order.version + 1,
            now=world.at(),
        )
    assert exc.value.code == "work_order_version_mismatch"


def test_another_citys_dispatcher_cannot_act(world):
    order = register(world)
    with pytest.raises(DomainError) as exc:
        services.work_order_answer_directly(
            order_id=order.pk,
            actor=world.gz_operator,
            answer="x",
            category_code="SB01",
            now=world.at(),
        )
    assert exc.value.code == "permission_denied"


# --- the table walked in full ---------------------------------------------------

ALL = list(S.values)


@pytest.mark.parametrize("action", sorted(workflow.TRANSITIONS))
@pytest.mark.parametrize("status", ALL)
def test_the_table_allows_exactly_its_pairs(action, status):
    sources, to = workflow.TRANSITIONS[action]
    result = workflow.target(action, status)
    if status in sources:
        assert result == (status if to == "=" else to)
    else:
        assert result is None


def _order_in(world, status):
    """An order brought to ``status`` through the services."""
    if status == S.REGISTERED:
        return register(world)
    if status == S.ANSWERED:
        o = register(world, kind="consultation")
        return services.work_order_answer_directly(
            order_id=o.pk, actor=world.operator, answer="答复", category_code="SB01", now=world.at()
        )
    if status == S.HANDED_OVER:
        return register(world, emergency="110")
    if status == S.DISPATCHED:
        return dispatched(world)
    if status == S.ACKNOWLEDGED:
        o = dispatched(world)
        return services.work_order_acknowledge(
            order_id=o.pk, actor=world.handler, now=world.at(hours=2)
        )
    if status == S.RETURNED:
        o = dispatched(world)
        return services.work_order_return(
            order_id=o.pk, actor=world.handler, reason="非本单位", now=world.at(hours=2)
        )
    if status == S.REPLIED:
        return replied(world)
    if status == S.REVISITED:
        o = replied(world)
        return services.work_order_revisit(
            order_id=o.pk, actor=world.operator, solved=False, satisfaction=3, now=world.at(days=2)
        )
    if status == S.ARCHIVED:
        o = _order_in(world, S.ANSWERED)
        return services.work_order_archive(order_id=o.pk, actor=world.operator, now=world.at())
    if status == S.MERGED:
        main = register(world)
        o = register(world)
        return services.work_order_merge(
            order_id=o.pk, actor=world.operator, into_order_id=main.pk, now=world.at()
        )
    raise AssertionError(status)


def _call(world, action, order):
    now = world.at(days=1, hours=3)
    main = register(world) if action == "merge" else None
    calls = {
        "answer_directly": lambda: services.work_order_answer_directly(
            order_id=order.pk, actor=world.operator, answer="答", category_code="SB01", now=now
        ),
        "hand_over": lambda: services.work_order_hand_over(
            order_id=order.pk, actor=world.operator, service="110", now=now
        ),
        "dispatch": lambda: services.work_order_dispatch(
            order_id=order.pk,
            actor=world.dispatcher,
            department_id=world.market_id,
            category_code="SC02",
            now=now,
        ),
        "acknowledge": lambda: services.work_order_acknowledge(
            order_id=order.pk, actor=world.handler, now=now
        ),
        "return": lambda: services.work_order_return(
            order_id=order.pk, actor=world.handler, reason="非本单位", now=now
        ),
        "request_extension": lambda: services.work_order_request_extension(
            order_id=order.pk, actor=world.handler, working_days=2, reason="需核查", now=now
        ),
        "approve_extension": lambda: services.work_order_approve_extension(
            order_id=order.pk, actor=world.dispatcher, now=now
        ),
        "refuse_extension": lambda: services.work_order_refuse_extension(
            order_id=order.pk, actor=world.dispatcher, note="不同意", now=now
        ),
        "reply": lambda: services.work_order_reply(
            order_id=order.pk, actor=world.handler, answer="答", action_taken="办", now=now
        ),
        "revisit": lambda: services.work_order_revisit(
            order_id=order.pk, actor=world.operator, solved=True, satisfaction=4, now=now
        ),
        "reopen": lambda: services.work_order_reopen(
            order_id=order.pk, actor=world.operator, reason="未解决", now=now
        ),
        "archive": lambda: services.work_order_archive(
            order_id=order.pk, actor=world.operator, now=now
        ),
        "supervise": lambda: services.work_order_supervise(
            order_id=order.pk, actor=world.dispatcher, reason="加快办理", now=now
        ),
        "merge": lambda: services.work_order_merge(
            order_id=order.pk, actor=world.operator, into_order_id=getattr(main, "pk", 0), now=now
        ),
        "add_info": lambda: services.work_order_add_info(
            order_id=order.pk, actor=None, info="补充：时间是上周", now=now
        ),
    }
    return calls[action]()


# Refusals that come from a rule other than the table (the state allows it).
PRECONDITIONS = {
    ("approve_extension", S.ACKNOWLEDGED): "work_order_no_extension_pending",
    ("refuse_extension", S.ACKNOWLEDGED): "work_order_no_extension_pending",
}


@pytest.mark.parametrize("action", sorted(workflow.TRANSITIONS))
@pytest.mark.parametrize("status", ALL)
def test_every_service_takes_its_allowed_pairs_and_refuses_the_rest(world, action, status):
    order = _order_in(world, status)
    assert order.status == status
    expected = workflow.target(action, status)
    if (action, status) in PRECONDITIONS:
        with pytest.raises(DomainError) as exc:
            _call(world, action, order)
        assert exc.value.code == PRECONDITIONS[(action, status)]
        return
    if expected is None:
        count = WorkOrderEvent.objects.filter(order=order).count()
        with pytest.raises(DomainError) as exc:
            _call(world, action, order)
        assert exc.value.code == "invalid_work_order_transition"
        assert WorkOrderEvent.objects.filter(order=order).count() == count
    else:
        assert _call(world, action, order).status == expected
