"""The alert sweep: tiers, transitions of an alert, idempotence and scale.

T0 is Mon 2 Nov 2026, 10:00 in Shanghai; the item's promised limit is 5
working days, so a case accepted on T0 must be decided by Mon 9 Nov.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.cases import services as case_services
from tongban.cases.models import CaseMaterial, MaterialKind, PostCheck, PostCheckStatus
from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent
from tongban.supervision.models import Alert
from tongban.supervision.services import alert_message, alerts_sweep

MON_9_NOV = dt.date(2026, 11, 9)


def _accepted(world, *, at=0, item=None):
    case = world.submit(item=item, at=world.at(days=at))
    return case_services.case_accept(
        case_id=case.pk, actor=world.cases.clerk, now=world.at(days=at)
    )


def _open(case, kind):
    return Alert.objects.get(case=case, kind=kind, resolved_at__isnull=True)


def test_a_decision_alert_turns_yellow_then_red_and_is_resolved_by_the_decision(world):
    case = _accepted(world)
    assert case.decision_deadline == MON_9_NOV
    # Wed 4 Nov: 3 working days left (Thu, Fri, Mon), 2 of 5 used → no alert.
    assert alerts_sweep(now=world.at(days=2)).raised == 0
    assert not Alert.objects.filter(case=case).exists()

    # Thu 5 Nov: 2 working days left → yellow.
    result = alerts_sweep(now=world.at(days=3))
    assert result.raised == 1
    alert = _open(case, "decision")
    assert (alert.level, alert.deadline, alert.working_days_left) == ("yellow", MON_9_NOV, 2)
    assert alert.message == "距办结期限（2026年11月9日）还剩 2 个工作日"
    assert alert.region_path == case.region_path
    assert alert.department_id == case.department_id
    assert AuditEvent.objects.filter(action="supervision.alert_raised").count() == 1

    # Mon 9 Nov, the last day: still yellow; the count is kept current, not audited.
    result = alerts_sweep(now=world.at(days=7))
    assert (result.raised, result.upgraded) == (0, 0)
    alert.refresh_from_db()
    assert (alert.level, alert.working_days_left) == ("yellow", 0)
    assert alert.message == "今日为办结期限（2026年11月9日）最后一日"

    # Tue 10 Nov: overdue → red, the same alert upgraded.
    result = alerts_sweep(now=world.at(days=8))
    assert result.upgraded == 1
    alert.refresh_from_db()
    assert (alert.level, alert.working_days_left) == ("red", -1)
    assert alert.message == "已超过办结期限（2026年11月9日）1 个工作日"
    assert alert.level_changed_at == world.at(days=8)
    assert alert.raised_at == world.at(days=3)
    upgrade = AuditEvent.objects.get(action="supervision.alert_upgraded")
    assert upgrade.details["previous_level"] == "yellow"
    assert upgrade.details["case_no"] == case.case_no

    case_services.case_decide(
        case_id=case.pk,
        actor=world.cases.reviewer,
        outcome="granted",
        reason="符合条件",
        legal_basis="《食品安全法》第三十五条",
        now=world.at(days=8, hours=1),
    )
    # The decision concluded the clock; delivery (by Tue 24 Nov) is far away.
    result = alerts_sweep(now=world.at(days=8, hours=2))
    assert result.resolved == 1
    alert.refresh_from_db()
    assert alert.resolved_at == world.at(days=8, hours=2)
    assert alert.resolution == "办件已进入下一环节"
    assert not Alert.objects.filter(case=case, resolved_at__isnull=True).exists()
    assert AuditEvent.objects.filter(action="supervision.alert_resolved").count() == 1


def test_the_sweep_twice_keeps_one_open_alert_per_case_and_kind(world):
    cases = [_accepted(world) for _ in range(3)]
    unanswered = world.submit()
    first = alerts_sweep(now=world.at(days=8))
    assert first.raised == 3 + 1  # three decisions and one acceptance, all red
    audited = AuditEvent.objects.count()
    second = alerts_sweep(now=world.at(days=8, hours=3))
    assert second.as_dict() == {
        "examined": 4,
        "raised": 0,
        "upgraded": 0,
        "downgraded": 0,
        "resolved": 0,
        "failed": 0,
    }
    assert AuditEvent.objects.count() == audited
    for case in cases:
        assert Alert.objects.filter(case=case, kind="decision").count() == 1
    assert _open(unanswered, "acceptance").level == "red"


def test_the_yellow_thresholds_come_from_settings(world, settings):
    case = _accepted(world)
    settings.TONGBAN_ALERT_YELLOW_DAYS_LEFT = 0
    settings.TONGBAN_ALERT_YELLOW_SHARE = 0.8
    # Thu 5 Nov: 3 of 5 working days used (60 %), 2 left → no alert with these settings.
    assert alerts_sweep(now=world.at(days=3)).raised == 0
    settings.TONGBAN_ALERT_YELLOW_SHARE = 0.9
    # Fri 6 Nov: 4 of 5 used (80 %) is under 90 %.
    assert alerts_sweep(now=world.at(days=4)).raised == 0
    settings.TONGBAN_ALERT_YELLOW_SHARE = 0.8
    # … and at 80 % it is yellow.
    assert alerts_sweep(now=world.at(days=4)).raised == 1
    assert _open(case, "decision").level == "yellow"


def test_an_acceptance_alert_is_resolved_when_the_case_is_accepted(world):
    case = world.submit()  # must be answered by Mon 9 Nov
    alerts_sweep(now=world.at(days=3))
    assert _open(case, "acceptance").message == "距受理期限（2026年11月9日）还剩 2 个工作日"
    case_services.case_accept(case_id=case.pk, actor=world.cases.clerk, now=world.at(days=3))
    result = alerts_sweep(now=world.at(days=3, hours=1))
    assert result.resolved == 1
    assert not Alert.objects.filter(case=case, resolved_at__isnull=True).exists()


def test_an_extension_on_the_last_day_downgrades_nothing_but_moves_the_deadline(world):
    case = _accepted(world)
    alerts_sweep(now=world.at(days=7))  # Mon 9 Nov, the last day: yellow
    assert _open(case, "decision").level == "yellow"
    case_services.case_extend(
        case_id=case.pk, actor=world.cases.head, days=2, reason="需现场核查", now=world.at(days=7)
    )
    alerts_sweep(now=world.at(days=7, hours=1))
    alert = _open(case, "decision")
    # Mon 9 Nov + 2 working days → Wed 11 Nov, two working days left: still yellow.
    assert (alert.level, alert.deadline, alert.working_days_left) == (
        "yellow",
        dt.date(2026, 11, 11),
        2,
    )


def test_an_overdue_case_stays_red_since_it_cannot_be_extended(world):
    case = _accepted(world)
    alerts_sweep(now=world.at(days=8))  # Tue 10 Nov: red
    with pytest.raises(DomainError) as exc:
        case_services.case_extend(
            case_id=case.pk,
            actor=world.cases.head,
            days=2,
            reason="需现场核查",
            now=world.at(days=8),
        )
    assert exc.value.code == "extension_too_late"  # 行政许可法 第四十二条
    result = alerts_sweep(now=world.at(days=8, hours=1))
    assert result.downgraded == 0
    assert _open(case, "decision").level == "red"
    assert not AuditEvent.objects.filter(action="supervision.alert_downgraded").exists()


def test_an_open_suspension_stops_the_clock_and_raises_no_alert(world):
    case = _accepted(world)
    case_services.case_start_review(
        case_id=case.pk, actor=world.cases.reviewer, now=world.at(days=1)
    )
    case = case_services.case_suspend(
        case_id=case.pk,
        actor=world.cases.reviewer,
        reason="inspection",
        note="现场勘验",
        now=world.at(days=2),
    )
    # Stored when suspended on Wed 4 Nov (assuming it resumes on Thu): Tue 10 Nov.
    assert case.decision_deadline == dt.date(2026, 11, 10)
    # Wed 11 Nov, still suspended: only Tue 3 Nov has run; the deadline is
    # Tue 17 Nov (Thu 12, Fri 13, Mon 16, Tue 17 to come), 4 days left.
    result = alerts_sweep(now=world.at(days=9))
    assert result.examined == 1  # the stored date let it through the SQL filter
    assert result.raised == 0
    assert not Alert.objects.filter(case=case).exists()


def test_deferred_materials_past_their_due_date_raise_an_alert(world):
    case = world.submit(deferred=True)
    case = case_services.case_accept(
        case_id=case.pk, actor=world.cases.clerk, deferred_codes=["layout"], now=world.at(days=1)
    )
    assert case.deferred_due_on == dt.date(2026, 11, 17)
    alerts_sweep(now=world.at(days=16))  # Wed 18 Nov
    alert = _open(case, "deferred_materials")
    assert (alert.level, alert.working_days_left) == ("red", -1)
    assert alert.message == "已超过容缺材料补交期限（2026年11月17日）1 个工作日"
    assert _open(case, "decision").level == "red"  # and the decision clock ran out too

    # The material comes (written here directly: the supply service is not ours).
    CaseMaterial.objects.filter(case=case, code="layout").update(kind=MaterialKind.UPLOAD)
    result = alerts_sweep(now=world.at(days=16, hours=1))
    assert result.resolved == 1
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert _open(case, "decision").level == "red"


def test_a_withdrawn_case_has_every_alert_resolved(world):
    case = world.submit(deferred=True)
    case_services.case_accept(
        case_id=case.pk, actor=world.cases.clerk, deferred_codes=["layout"], now=world.at(days=1)
    )
    alerts_sweep(now=world.at(days=16))
    assert Alert.objects.filter(case=case, resolved_at__isnull=True).count() == 2
    case_services.case_withdraw(
        case_id=case.pk, actor=None, reason="不再申请", now=world.at(days=16, hours=1)
    )
    assert alerts_sweep(now=world.at(days=16, hours=2)).resolved == 2
    assert not Alert.objects.filter(case=case, resolved_at__isnull=True).exists()


def test_delivery_and_post_check_clocks(world):
    case = _accepted(world)
    case = case_services.case_decide(
        case_id=case.pk,
        actor=world.cases.reviewer,
        outcome="granted",
        reason="符合条件",
        legal_basis="《食品安全法》第三十五条",
        now=world.at(),
    )
    assert case.delivery_deadline == dt.date(2026, 11, 16)  # Mon 2 Nov + 10 working days
    check = PostCheck.objects.create(case=case, due_on=dt.date(2026, 11, 13))
    alerts_sweep(now=world.at(days=15))  # Tue 17 Nov
    assert _open(case, "delivery").message == "已超过送达期限（2026年11月16日）1 个工作日"
    assert _open(case, "post_check").working_days_left == -2
    case_services.case_deliver(
        case_id=case.pk, actor=world.cases.clerk, method="window", now=world.at(days=15)
    )
    check.status = PostCheckStatus.PASSED
    check.save()
    assert alerts_sweep(now=world.at(days=15, hours=1)).resolved == 2


def test_alert_messages():
    day = dt.date(2026, 10, 10)
    assert alert_message("acceptance", day, 3) == "距受理期限（2026年10月10日）还剩 3 个工作日"
    assert alert_message("post_check", day, 0) == "今日为告知承诺核查期限（2026年10月10日）最后一日"
    assert alert_message("delivery", day, -4) == "已超过送达期限（2026年10月10日）4 个工作日"


def test_an_idle_sweep_reads_in_a_fixed_number_of_queries(world):
    """The queries of a pass that changes nothing do not grow with the cases."""

    def idle_queries(count: int) -> int:
        for _ in range(count):
            _accepted(world)
        alerts_sweep(now=world.at(days=8))
        with CaptureQueriesContext(connection) as ctx:
            result = alerts_sweep(now=world.at(days=8, hours=1))
        assert result.raised == result.resolved == 0
        return len(ctx.captured_queries)

    few = idle_queries(2)
    assert idle_queries(6) == few
    # Per kind: the candidates, the open alerts (and the decision's suspensions).
    assert few <= 14, few
