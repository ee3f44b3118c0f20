"""通知方式 (issue 14, item 5): per kind of notice a person chooses SMS and
e-mail besides the inbox; the dispatch honours it when a message is stored,
within what the law requires to be sent by SMS."""

from __future__ import annotations

import pytest
from django.core import mail

from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent, Notification, NotificationStatus, OutboxMessage
from tongban.core.notifications import notification_send
from tongban.identity.models import User
from tongban.identity.services import citizen_signup
from tongban.identity.tests.conftest import make_id
from tongban.inbox.models import NotificationAddress, NotificationPreference
from tongban.inbox.selectors import inbox_list_for_user, notification_preferences_for_person
from tongban.inbox.services import notification_preferences_set

pytestmark = pytest.mark.django_db
PHONE = "13800000001"
PASSWORD = "Pw-12345678"
DJANGO_EMAIL = "tongban.inbox.gateways.DjangoEmailGateway"


@pytest.fixture
def citizen(db) -> User:
    return citizen_signup(
        username="zhangwei", phone=PHONE, password=PASSWORD, name="张伟", id_number=make_id()
    )


@pytest.fixture
def email_backend(settings):
    settings.TONGBAN_EMAIL_GATEWAY = DJANGO_EMAIL
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def text(purpose: str, no: str = "C-1") -> Notification:
    return notification_send(
        channel="sms",
        recipient=PHONE,
        subject="",
        body=f"您的办件{no}：{purpose}",
        purpose=purpose,
        object_type="case",
        object_id=f"{no}/v1",
    )


def test_by_default_a_notice_goes_by_sms_and_into_the_inbox(
    citizen, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        stored = text("case.submit")
    stored.refresh_from_db()
    assert stored.status == "sent" and stored.gateway == "recording-sms"
    assert [m["recipient"] for m in sms.sent] == [PHONE]
    assert [m.pk for m in inbox_list_for_user(user=citizen, cursor=None).items] == [stored.pk]
    assert not Notification.objects.filter(channel="email").exists()


def test_sms_turned_off_keeps_the_notice_in_the_inbox_only(
    citizen, sms, django_capture_on_commit_callbacks
):
    notification_preferences_set(user=citizen, choices={"case_progress": {"sms": False}})
    with django_capture_on_commit_callbacks(execute=True):
        stored = text("case.submit")
        hotline = notification_send(
            channel="sms", recipient=PHONE, subject="", body="工单已登记",
            purpose="hotline.register", object_type="hotline.WorkOrder", object_id="H-1/v1",
        )  # fmt: skip
    stored.refresh_from_db()
    # Not "sent": nothing went out, and the state says so.
    assert stored.status == NotificationStatus.INBOX_ONLY == "inbox_only"
    assert (stored.gateway, stored.sent_at, stored.attempts) == ("", None, 0)
    assert stored.get_status_display() == "未发送（仅存站内信）"
    assert not OutboxMessage.objects.filter(payload__notification_id=stored.pk).exists()
    # Another kind still goes by SMS; both are in the inbox.
    assert [m["body"] for m in sms.sent] == ["工单已登记"]
    inbox = {m.pk for m in inbox_list_for_user(user=citizen, cursor=None).items}
    assert inbox == {stored.pk, hotline.pk}


def test_a_notice_the_law_requires_goes_by_sms_whatever_the_preference(
    citizen, sms, django_capture_on_commit_callbacks
):
    with pytest.raises(DomainError) as exc:
        notification_preferences_set(user=citizen, choices={"case_legal": {"sms": False}})
    assert exc.value.code == "notification_sms_required"
    assert not NotificationPreference.objects.exists()
    # Even a row that says otherwise (written before the rule) does not stop it.
    NotificationPreference.objects.create(
        person=citizen.person, kind="case_legal", sms=False, updated_at=citizen.date_joined
    )
    with django_capture_on_commit_callbacks(execute=True):
        text("case.request_supplement")
    assert len(sms.sent) == 1


def test_an_email_copy_is_sent_through_djangos_backend_where_chosen(
    citizen, sms, email_backend, django_capture_on_commit_callbacks
):
    notification_preferences_set(
        user=citizen,
        choices={"case_legal": {"sms": True, "email": True}},
        email="ZhangWei@Example.COM",
    )
    address = NotificationAddress.objects.get()
    assert address.email_masked == "Z***@example.com" and "ZhangWei" not in address.email_enc
    with django_capture_on_commit_callbacks(execute=True):
        text("case.accept")
        text("hotline.register", no="H-2")  # e-mail not chosen for this kind
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ZhangWei@example.com"]
    assert message.subject == "【通办】办件法定告知" and "case.accept" in message.body
    copy = Notification.objects.get(channel="email")
    assert copy.purpose == "case.accept" and copy.status == "sent"
    assert copy.gateway == "django-email"
    assert len(sms.sent) == 2  # the SMS went too
    # Stored twice, handled once: the copy is not sent again.
    with django_capture_on_commit_callbacks(execute=True):
        text("case.accept")
    assert len(mail.outbox) == 1 and Notification.objects.filter(channel="email").count() == 1


def test_email_needs_an_address_and_a_valid_one(citizen):
    with pytest.raises(DomainError) as exc:
        notification_preferences_set(user=citizen, choices={"policy": {"email": True}})
    assert exc.value.code == "notification_email_missing"
    with pytest.raises(DomainError) as exc:
        notification_preferences_set(
            user=citizen, choices={"policy": {"email": True}}, email="not-an-address"
        )
    assert exc.value.code == "invalid_email"
    assert not NotificationPreference.objects.exists()
    assert not NotificationAddress.objects.exists()


def test_removing_the_address_turns_email_copies_off(citizen):
    notification_preferences_set(
        user=citizen, choices={"policy": {"email": True}}, email="a@example.com"
    )
    notification_preferences_set(user=citizen, choices={}, email="")
    rows = {
        r["kind"].code: r for r in notification_preferences_for_person(person_id=citizen.person_id)
    }
    assert rows["policy"]["email"] is False and rows["case_legal"]["sms"] is True
    assert AuditEvent.objects.filter(action="inbox.preferences_set").count() == 2


def test_the_settings_page_saves_the_choices_and_explains_the_law(
    client, citizen, sms, django_capture_on_commit_callbacks
):
    client.force_login(citizen)
    page = client.get("/my/messages/settings/").content.decode()
    assert 'data-kind="case_legal"' in page and "依法须告知，不能关闭" in page
    assert 'name="sms_case_legal"' in page and "站内信（始终保留）" in page
    assert 'href="/my/messages/settings/"' in client.get("/my/messages/").content.decode()
    refused = client.post("/my/messages/settings/", {"email_policy": "on", "sms_policy": "on"})
    assert refused.status_code == 422 and "请先填写电子邮箱" in refused.content.decode()
    response = client.post(
        "/my/messages/settings/",
        {"email": "zw@example.com", "email_case_progress": "on", "sms_hotline": "on"},
    )
    assert response.status_code == 302
    prefs = {p.kind: (p.sms, p.email) for p in NotificationPreference.objects.all()}
    assert prefs["case_progress"] == (False, True)
    assert prefs["case_legal"] == (True, False)  # not submittable, kept on
    assert prefs["hotline"] == (True, False) and prefs["policy"] == (False, False)
    saved = client.get("/my/messages/settings/").content.decode()
    assert "通知方式已保存" in saved and "z***@example.com" in saved
    with django_capture_on_commit_callbacks(execute=True):
        text("case.submit")
    assert sms.sent == []
    page = client.get("/my/messages/").content.decode()
    assert "未发送短信，仅存站内信（按您的通知方式）" in page and "（已发送）" not in page
    assert "电子邮件副本发至 z***@example.com" in page  # the copy, under the message


def test_staff_see_a_message_kept_for_the_inbox_as_not_sent(
    citizen, sms, client, django_capture_on_commit_callbacks
):
    notification_preferences_set(user=citizen, choices={"case_progress": {"sms": False}})
    with django_capture_on_commit_callbacks(execute=True):
        stored = text("case.submit")
    admin = User.objects.create_superuser("ops", "Pw-12345678", kind="staff", display_name="运维")
    client.force_login(admin)
    listed = client.get("/admin/core/notification/?status__exact=inbox_only").content.decode()
    assert f'href="/admin/core/notification/{stored.pk}/change/' in listed
    assert "未发送（仅存站内信）" in listed
    sent = client.get("/admin/core/notification/?status__exact=sent").content.decode()
    assert f'href="/admin/core/notification/{stored.pk}/change/' not in sent
