"""What the applicant is told (one message per bundle step, not one per member)."""

from __future__ import annotations

import datetime as dt

from tongban.bundles.models import BundleApplication

TEXTS = {
    "submit": "您申请的“{bundle}”一件事已收到，申请编号{no}，查询码{code}，"
    "各部门将按顺序办理，请在“我的一件事”查看进度。",
    "notice": "您申请的“{bundle}”一件事（{no}）需要补正材料（涉及{extra}），"
    "请查看一次性告知书，一次补齐。",
    "refused": "您申请的“{bundle}”一件事（{no}）中，{extra}。其他事项继续办理。",
    "ready": "您申请的“{bundle}”一件事（{no}）的办理结果已全部作出，可到窗口统一领取或等待邮寄。",
    "deliver": "您申请的“{bundle}”一件事（{no}）的办理结果已统一出件。",
    "stop": "您申请的“{bundle}”一件事（{no}）已终止办理：{extra}。",
}


def notify_applicant(
    application: BundleApplication,
    purpose: str,
    *,
    now: dt.datetime,
    extra: str = "",
    key: str = "",
    new: bool = False,
) -> None:
    """An SMS to the applicant (or the business's agent), stored in the caller's
    transaction and sent after commit (``core.notifications``); idempotent by
    (purpose, application, ``key``). ``new``: the application was numbered in
    this transaction, so no earlier copy can exist (no look-up for one)."""
    from tongban.core.crypto import decrypt
    from tongban.core.notifications import notification_send
    from tongban.identity.selectors import PHONE_CONTEXT

    text = TEXTS.get(purpose)
    person = application.applicant_person or application.agent_person
    if text is None or person is None or not person.phone_enc:
        return
    notification_send(
        channel="sms",
        recipient=decrypt(person.phone_enc, context=PHONE_CONTEXT),
        subject="",
        body=text.format(
            bundle=application.bundle.name,
            no=application.application_no,
            code=application.tracking_code,
            extra=extra,
        ),
        purpose=f"bundle.{purpose}",
        object_type="bundle_application",
        object_id=f"{application.application_no}/{key or purpose}",
        now=now,
        new=new,
    )
