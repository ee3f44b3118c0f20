"""The rater is told the outcome of the rectification of a bad rating: one SMS
when it closes (through the outbox event), shown in their 消息中心."""

from __future__ import annotations

from tongban.core import events
from tongban.core.models import Notification, OutboxMessage
from tongban.evaluation import services
from tongban.evaluation.tests.test_services import bad
from tongban.inbox.selectors import inbox_list_for_user

PURPOSE = "evaluation.rectification_outcome"


def _close(ew, rect):
    rect = services.rectification_answer(
        rectification_id=rect.pk,
        actor=ew.cases.head,
        cause="窗口人手不足",
        measures="增设综合受理窗口",
        now=ew.at(days=2),
    )
    rect = services.rectification_revisit(
        rectification_id=rect.pk, actor=ew.supervisor, satisfied=True, now=ew.at(days=3)
    )
    return services.rectification_close(
        rectification_id=rect.pk,
        actor=ew.supervisor,
        outcome="已增设两个综合受理窗口，等候时间缩短至15分钟以内",
        now=ew.at(days=4),
    )


def test_closing_a_rectification_tells_the_rater_in_their_inbox_once(ew):
    rect = _close(ew, bad(ew))
    message = OutboxMessage.objects.get(
        event="rectification.close",
        subscriber="tongban.evaluation.subscribers.on_rectification_closed",
        payload__id=rect.pk,
    )
    assert not Notification.objects.filter(purpose=PURPOSE).exists()  # only after delivery
    assert events.outbox_deliver(message_id=message.pk, now=ew.at(days=4, hours=1)) == "delivered"
    notice = Notification.objects.get(purpose=PURPOSE, object_id=str(rect.pk))
    assert "已增设两个综合受理窗口，等候时间缩短至15分钟以内。" in notice.body
    assert rect.rating.subject_no in notice.body
    inbox = inbox_list_for_user(user=ew.citizen, cursor=None)
    assert [m.pk for m in inbox.items if m.pk == notice.pk] == [notice.pk]
    # Delivered again (a retry): the stored notice, no second message.
    assert services.rectification_notify_outcome(rectification_id=rect.pk)
    assert Notification.objects.filter(purpose=PURPOSE).count() == 1
    # Nobody else sees it.
    other = inbox_list_for_user(user=ew.accounts.other_citizen, cursor=None)
    assert notice.pk not in [m.pk for m in other.items]


def test_an_open_or_appealed_rectification_sends_no_outcome(ew):
    rect = bad(ew)
    assert not services.rectification_notify_outcome(rectification_id=rect.pk)
    assert not services.rectification_notify_outcome(rectification_id=10**9)
    assert not Notification.objects.filter(purpose=PURPOSE).exists()
