"""E-mail messages in the inbox (issue 14, item 5): an e-mail the platform sends
to a person's notification address is kept in her inbox like an SMS, its
channel follows her preferences for the kind, and a message's copy by the
other channel is listed under it, not as a second message."""

from __future__ import annotations

import pytest
from django.core import mail

from tongban.core.models import Notification, NotificationStatus
from tongban.core.notifications import notification_send
from tongban.identity.models import User
from tongban.identity.services import citizen_signup
from tongban.identity.tests.conftest import make_id
from tongban.inbox.models import NotificationAddress
from tongban.inbox.selectors import (
    inbox_list_for_user,
    inbox_message_get_for_user,
    inbox_unread_count_for_user,
)
from tongban.inbox.services import inbox_mark_all_read, notification_preferences_set

pytestmark = pytest.mark.django_db
PHONE = "13800000001"
ADDRESS = "zw@example.com"


@pytest.fixture
def citizen(db) -> User:
    return citizen_signup(
        username="zhangwei", phone=PHONE, password="Pw-12345678", name="张伟", id_number=make_id()
    )


@pytest.fixture
def email_backend(settings):
    settings.TONGBAN_EMAIL_GATEWAY = "tongban.inbox.gateways.DjangoEmailGateway"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def email(purpose: str, object_id: str = "E-1", recipient: str = "zw@Example.COM"):
    return notification_send(
        channel="email",
        recipient=recipient,
        subject="【通办】证照到期提醒",
        body=f"您的证照即将到期（{object_id}）。",
        purpose=purpose,
        object_type="certificate",
        object_id=object_id,
    )


def texted(purpose: str, object_id: str = "C-1/v1"):
    return notification_send(
        channel="sms",
        recipient=PHONE,
        subject="",
        body=f"您的办件：{purpose}",
        purpose=purpose,
        object_type="case",
        object_id=object_id,
    )


def test_an_email_the_person_chose_is_sent_and_kept_in_her_inbox_with_its_sms_copy(
    citizen, sms, email_backend, django_capture_on_commit_callbacks
):
    notification_preferences_set(
        user=citizen, choices={"other": {"sms": True, "email": True}}, email=ADDRESS
    )
    assert NotificationAddress.objects.get().email_token  # found by its token, not its text
    with django_capture_on_commit_callbacks(execute=True):
        stored = email("certificate.expiring")
    stored.refresh_from_db()
    assert stored.status == NotificationStatus.SENT
    assert [m.to for m in mail.outbox] == [[ADDRESS]]
    assert [m["recipient"] for m in sms.sent] == [PHONE]  # the SMS copy she keeps on
    page = inbox_list_for_user(user=citizen, cursor=None)
    assert [m.pk for m in page.items] == [stored.pk]  # one message, not two
    (copy,) = page.items[0].copies  # type: ignore[attr-defined]
    assert (copy.channel, copy.status, copy.object_id) == ("sms", "sent", "E-1")
    assert inbox_unread_count_for_user(user=citizen) == 1
    assert inbox_mark_all_read(user=citizen) == 1
    assert inbox_unread_count_for_user(user=citizen) == 0


def test_an_email_not_chosen_for_its_kind_is_kept_for_the_inbox_and_goes_by_sms(
    citizen, sms, email_backend, django_capture_on_commit_callbacks
):
    notification_preferences_set(
        user=citizen, choices={"case_progress": {"email": True}}, email=ADDRESS
    )
    with django_capture_on_commit_callbacks(execute=True):
        stored = email("certificate.expiring")  # "other": e-mail off (the default)
        quiet = email("hotline.reply", object_id="H-1")
    notification_preferences_set(user=citizen, choices={"hotline": {"sms": False}})
    with django_capture_on_commit_callbacks(execute=True):
        silent = email("hotline.reply", object_id="H-2")  # neither channel: inbox only
    for message in (stored, quiet, silent):
        message.refresh_from_db()
        assert message.status == NotificationStatus.INBOX_ONLY
    assert mail.outbox == []
    assert [m["body"] for m in sms.sent] == [stored.body, quiet.body]
    inbox = inbox_list_for_user(user=citizen, cursor=None).items
    assert {m.pk for m in inbox} == {stored.pk, quiet.pk, silent.pk}
    (alone,) = [m for m in inbox if m.pk == silent.pk]
    assert alone.copies == []  # type: ignore[attr-defined]
    assert inbox_message_get_for_user(user=citizen, notification_id=silent.pk) == silent


def test_an_sms_with_an_email_copy_is_one_message_with_its_copy(
    citizen, sms, email_backend, django_capture_on_commit_callbacks
):
    notification_preferences_set(
        user=citizen, choices={"case_progress": {"sms": False, "email": True}}, email=ADDRESS
    )
    with django_capture_on_commit_callbacks(execute=True):
        stored = texted("case.submit")
    copy = Notification.objects.get(channel="email")
    assert len(mail.outbox) == 1 and sms.sent == []
    (message,) = inbox_list_for_user(user=citizen, cursor=None).items
    assert message.pk == stored.pk
    assert [c.pk for c in message.copies] == [copy.pk]  # type: ignore[attr-defined]
    assert inbox_unread_count_for_user(user=citizen) == 1  # the copy is not a second unread
    # The copy itself is not a message of its own.
    with pytest.raises(Exception) as exc:
        inbox_message_get_for_user(user=citizen, notification_id=copy.pk)
    assert getattr(exc.value, "code", "") == "not_found"


def test_an_email_to_someone_elses_or_no_ones_address_is_not_in_my_inbox(
    citizen, email_backend, django_capture_on_commit_callbacks
):
    other = citizen_signup(
        username="lina", phone="13900000002", password="Pw-12345678", name="李娜",
        id_number=make_id(order="002"),
    )  # fmt: skip
    notification_preferences_set(
        user=other, choices={"other": {"sms": False, "email": True}}, email=ADDRESS
    )
    with django_capture_on_commit_callbacks(execute=True):
        hers = email("certificate.expiring")
        nobody = email("certificate.expiring", object_id="E-2", recipient="x@example.org")
    nobody.refresh_from_db()
    assert nobody.status == NotificationStatus.SENT  # no one's address: sent as always
    assert inbox_list_for_user(user=citizen, cursor=None).items == []
    assert [m.pk for m in inbox_list_for_user(user=other, cursor=None).items] == [hers.pk]
    # Her address removed: the e-mail is no longer found for her account.
    notification_preferences_set(user=other, choices={}, email="")
    assert inbox_list_for_user(user=other, cursor=None).items == []


def test_the_inbox_page_lists_an_email_message_with_its_copy(
    client, citizen, sms, email_backend, django_capture_on_commit_callbacks
):
    notification_preferences_set(
        user=citizen, choices={"other": {"sms": True, "email": True}}, email=ADDRESS
    )
    with django_capture_on_commit_callbacks(execute=True):
        stored = email("certificate.expiring")
    client.force_login(citizen)
    page = client.get("/my/messages/").content.decode()
    assert page.count("data-message=") == 1 and f'data-message="{stored.pk}"' in page
    assert "电子邮件发至 z***@example.com（已发送）" in page
    assert '<span data-copy="sms">短信副本发至 138****0001：已发送</span>' in page
