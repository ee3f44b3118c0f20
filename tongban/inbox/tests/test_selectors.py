"""Whose messages an account sees: its person's phone, nothing without one."""

from __future__ import annotations

import pytest

from tongban.core.identifiers import generate_check_digit_resident
from tongban.core.notifications import notification_send
from tongban.identity.models import User
from tongban.identity.services import person_register
from tongban.inbox import selectors, services

pytestmark = pytest.mark.django_db


def person(order: str, phone: str):
    first17 = "32010219900101" + order
    number = first17 + generate_check_digit_resident(first17)
    return person_register(name="王芳", id_number=number, phone=phone)


def send(phone: str, body: str):
    return notification_send(
        channel="sms",
        recipient=phone,
        subject="",
        body=body,
        purpose="test",
        object_type="test",
        object_id=body,
    )


def test_an_account_sees_the_messages_sent_to_its_persons_phone():
    wang = User.objects.create_user(
        "wang", "x", kind="citizen", display_name="王芳", person=person("001", "13900000001")
    )
    mine = send("+86 139-0000-0001", "给王芳")  # the same number, written differently
    send("13900000002", "给别人")
    assert list(selectors.inbox_messages_for_user(user=wang)) == [mine]
    assert selectors.inbox_unread_count_for_user(user=wang) == 1
    services.inbox_message_mark_read(user=wang, notification_id=mine.pk)
    assert selectors.inbox_unread_count_for_user(user=wang) == 0
    assert getattr(selectors.inbox_messages_for_user(user=wang).get(), "is_read") is True  # noqa: B009  (an annotation mypy cannot see)


def test_no_person_no_phone_or_inactive_sees_nothing():
    send("13900000003", "某条消息")
    bare = User.objects.create_user("bare", "x", kind="citizen", display_name="无实名")
    silent = User.objects.create_user(
        "silent", "x", kind="citizen", display_name="无手机", person=person("002", "")
    )
    gone = User.objects.create_user(
        "gone",
        "x",
        kind="citizen",
        display_name="已停用",
        person=person("003", "13900000003"),
        is_active=False,
    )
    for user in (bare, silent, gone):
        assert list(selectors.inbox_messages_for_user(user=user)) == []
    assert services.inbox_mark_all_read(user=gone) == 0
