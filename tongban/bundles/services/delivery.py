"""窗口统一出件 and the bundle's own clock (R-BD-2; 行政许可法 第四十二条第二款).

* ``bundle_application_deliver``: when every result is out, the bundle's
  window hands them out together (or posts them): each member case still
  waiting for delivery is delivered and concluded by the bundle on the
  departments' behalf (综合窗口出件), then the application is concluded.
* ``bundle_application_extend``: the joint period (45 working days) is
  extended once, by at most 15, with the approval of the government's head.
* ``bundle_application_withdraw``: the applicant withdraws before any result
  is out; every running member case is withdrawn with it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from tongban.bundles import errors
from tongban.bundles.deadlines import joint_deadline, joint_extension_refusal
from tongban.bundles.models import (
    ApplicationStatus,
    BundleApplication,
    DeliveryMethod,
    MemberStatus,
)
from tongban.bundles.services._common import application_move, content_parse, member_move
from tongban.bundles.services.access import FRONT, staff_covers
from tongban.bundles.services.clocks import members_delivery_follow
from tongban.bundles.services.notify import notify_applicant
from tongban.cases.models import CaseStatus
from tongban.cases.services import case_conclude, case_deliver, case_withdraw
from tongban.cases.services.results import FEES_UNPAID
from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.calendar import get_calendar
from tongban.core.errors import DomainError
from tongban.org.models import Role


def _locked(application: BundleApplication, expected_version: int | None) -> BundleApplication:
    locked = (
        BundleApplication.objects.select_for_update(of=("self",))
        .select_related("bundle", "bundle_version")
        .get(pk=application.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise DomainError(
            errors.VERSION_MISMATCH,
            f"一件事申请已被他人处理（当前版本 {locked.version}），请刷新后再操作。",
            extra={"version": locked.version},
        )
    return locked


def bundle_application_deliver(
    *,
    application: BundleApplication,
    actor: Any,
    method: str,
    tracking_no: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> BundleApplication:
    moment = now or clock.now()
    if method not in DeliveryMethod.values:
        raise DomainError(errors.REASON_REQUIRED, "出件方式须为窗口统一出件或邮寄送达。")
    tracking_no = tracking_no.strip()[:60]
    if method == DeliveryMethod.POST and not tracking_no:
        raise DomainError(errors.REASON_REQUIRED, "邮寄送达须填写邮寄单号。")
    with transaction.atomic():
        locked = _locked(application, expected_version)
        if not staff_covers(actor, locked, FRONT):
            raise DomainError(core_errors.PERMISSION_DENIED, "您的岗位不能为该一件事统一出件。")
        content = content_parse(locked.bundle_version.content)
        if method not in [d.value for d in content.delivery]:
            raise DomainError(errors.REASON_REQUIRED, "该一件事不提供这种出件方式。")
        if locked.status != ApplicationStatus.READY:
            raise DomainError(
                errors.NOT_READY,
                "各事项的办理结果尚未全部作出，暂不能统一出件。",
                extra={"status": locked.status},
            )
        # 统一网上支付: every member's fee is paid before the results go out together,
        # a member decided on the spot (即办件) included (docs/payments.md, "一件事").
        owing = list(
            locked.members.filter(case__fees_unpaid_fen__gt=0).values_list(
                "name", "case__fees_unpaid_fen"
            )
        )
        if owing:
            fen = sum(unpaid for _, unpaid in owing)
            names = "、".join(name for name, _ in owing)
            raise DomainError(
                FEES_UNPAID,
                f"“{names}”尚有应缴费用 {fen // 100}.{fen % 100:02d} 元未缴纳，"
                "缴清后方可统一出件。",
                extra={"fees_unpaid_fen": fen},
            )
        case_method = "post" if method == DeliveryMethod.POST else "window"
        for member in locked.members.select_related("case").filter(status=MemberStatus.RESULT):
            case = member.case
            if case is None:
                continue
            if case.status == CaseStatus.DECIDED:
                case = case_deliver(
                    case_id=case.pk,
                    actor=None,
                    method=case_method,
                    tracking_no=tracking_no,
                    now=moment,
                )
            if case.status == CaseStatus.DELIVERED:
                case_conclude(case_id=case.pk, actor=None, now=moment)
        application_move(
            locked, "deliver", actor=actor, now=moment, reason=DeliveryMethod(method).label
        )
        locked.delivery_method = method
        locked.tracking_no = tracking_no
        locked.delivered_on = clock.local_date(moment)
        notify_applicant(locked, "deliver", now=moment)
        application_move(locked, "conclude", actor=actor, now=moment)
        locked.concluded_at = moment
        locked.save()
    return locked


def bundle_application_extend(
    *,
    application: BundleApplication,
    actor: Any,
    days: int,
    reason: str,
    approver: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> BundleApplication:
    """第四十二条第二款: 经本级人民政府负责人批准，可以延长十五日 — once."""
    moment = now or clock.now()
    reason = " ".join((reason or "").split())
    approver = " ".join((approver or "").split())
    if not reason:
        raise DomainError(errors.REASON_REQUIRED, "延长期限须写明理由。")
    if not approver:
        raise DomainError(errors.REASON_REQUIRED, "须写明批准延长的本级人民政府负责人。")
    with transaction.atomic():
        locked = _locked(application, expected_version)
        if not staff_covers(
            actor,
            locked,
            (Role.DEPARTMENT_HEAD,),
            set(locked.bundle.lead_departments.values_list("pk", flat=True)),
        ):
            raise DomainError(
                core_errors.PERMISSION_DENIED, "只有牵头部门负责人可以报批延长一件事的办理期限。"
            )
        content = content_parse(locked.bundle_version.content)
        if not content.joint or locked.legal_deadline is None:
            raise DomainError(
                errors.EXTENSION_NOT_ALLOWED,
                "该一件事不是统一办理、联合办理或集中办理，没有四十五日的法定期限可延长。",
            )
        today = clock.local_date(moment)
        if today > locked.legal_deadline:
            raise DomainError(
                errors.EXTENSION_NOT_ALLOWED,
                "法定期限已届满，延期须在期限内决定（行政许可法第四十二条）。",
            )
        refusal = joint_extension_refusal(
            days=days, promised=content.promised_limit, already_extended=locked.extension_days > 0
        )
        if refusal is not None:
            messages = {
                "already_extended": "一件事的办理期限只能延长一次。",
                "not_positive": "延长天数须大于零。",
                "exceeds_bound": "延长期限不得超过十五日（行政许可法第四十二条第二款）。",
                "unit_mismatch": "延长期限的计量单位与法定期限不一致。",
                "exceeds_legal_total": "承诺时限加延长期限不得超过四十五日加十五日。",
            }
            raise DomainError(errors.EXTENSION_NOT_ALLOWED, messages.get(refusal, refusal))
        application_move(
            locked,
            "extend",
            actor=actor,
            now=moment,
            reason=f"{reason}（经{approver}批准，延长{days}个工作日）",
        )
        locked.extension_days = days
        locked.extension_reason = reason[:500]
        locked.extension_approver = approver[:100]
        locked.legal_deadline = joint_deadline(locked.received_on, days, get_calendar())
        locked.save()
        # 窗口统一出件 follows the extended period: the members' delivery deadlines too.
        members_delivery_follow(locked, actor=actor, now=moment)
    return locked


def bundle_application_withdraw(
    *,
    application: BundleApplication,
    actor: Any,
    reason: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> BundleApplication:
    """撤回 before any result is out: each running member case is withdrawn too."""
    moment = now or clock.now()
    with transaction.atomic():
        locked = _locked(application, expected_version)
        members = list(locked.members.select_related("case").order_by("position"))
        if any(m.status == MemberStatus.RESULT for m in members):
            raise DomainError(
                errors.APPLICATION_TRANSITION,
                "已有事项作出准予决定，不能撤回整个一件事；可撤回尚未决定的单个事项。",
            )
        application_move(locked, "withdraw", actor=actor, now=moment, reason=reason.strip())
        for member in members:
            member.application = locked
            if member.status == MemberStatus.RUNNING and member.case is not None:
                case_withdraw(case_id=member.case.pk, actor=actor, reason=reason, now=moment)
                member_move(member, "withdraw", actor=actor, now=moment, reason="申请人撤回")
            elif member.status == MemberStatus.WAITING:
                member_move(member, "stop", actor=actor, now=moment, reason="申请人撤回")
            member.save(update_fields=["status", "finished_at", "reason"])
        locked.save()
    return locked
