"""个人空间, 企业空间 and 消息中心 (issue 14, items 3 and 5): phone-first pages.

Thin views (CONVENTIONS 2): reads come from ``spaces.selectors`` and
``inbox.selectors``, scoped to the account (another's business or message is
404); grants and revocations go through ``identity.services``, which allow
them to the business's 法定代表人 only.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.appointments.officer_selectors import officers_for_business
from tongban.cases.selectors.applicants import policy_grant_cases
from tongban.core import clock
from tongban.core.errors import VALIDATION_FAILED, DomainError
from tongban.evaluation.selectors import rating_list_for_rater
from tongban.hotline.selectors import order_list_for_caller
from tongban.identity.models import AuthorizationRole, RealNameLevel
from tongban.identity.selectors import legal_entities_for_user, person_real_name_level
from tongban.identity.services import authorization_grant, authorization_revoke
from tongban.inbox import selectors as inbox_selectors
from tongban.inbox.kinds import KINDS
from tongban.inbox.services import (
    inbox_mark_all_read,
    inbox_message_mark_read,
    notification_preferences_set,
)
from tongban.policies.selectors import policy_matches_for_business, policy_sms_opted_in
from tongban.policies.services import policy_opt_in_set
from tongban.sharing.services.legal_entities import business_account_bind, business_account_verify
from tongban.spaces import selectors

INBOX_PAGE = 20
REAL_NAME_SHORT: dict[int, str] = {
    RealNameLevel.NONE: "未实名",
    RealNameLevel.L1: "一级",
    RealNameLevel.L2: "二级",
    RealNameLevel.L3: "三级",
}


def _applicant(request: HttpRequest) -> Any:
    user: Any = request.user
    if user.kind not in ("citizen", "business"):
        raise PermissionDenied("个人空间和企业空间仅对个人和法人用户开放。")
    return user


# Where a message leads, by the notification's object type (its id starts
# with the object's number: "<case_no>/v3").
LINKS = {
    "case": ("portal:my_case", True),
    "bundle_application": ("portal:my_bundle", True),
    "hotline.WorkOrder": ("portal:hotline_mine", False),
    "policies.Policy": ("portal:space", False),
}


def _link(message: Any) -> str:
    target = LINKS.get(message.object_type)
    if target is None:
        return ""
    name, numbered = target
    args = [message.object_id.split("/", 1)[0]] if numbered else []
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # a page this portal does not have
        return ""


@login_required
@require_GET
def personal_space(request: HttpRequest) -> HttpResponse:
    user = _applicant(request)
    context = {
        "cases": selectors.case_rows_for_user(user=user),
        "reminders": selectors.reminders_for_user(user=user, today=clock.today()),
        "orders": order_list_for_caller(user=user, limit=5).items,
        "ratings": rating_list_for_rater(user=user, limit=5),
        "businesses": list(legal_entities_for_user(user=user)),
        "unread": inbox_selectors.inbox_unread_count_for_user(user=user),
        "real_name_short": REAL_NAME_SHORT[person_real_name_level(user.person)],
    }
    return render(request, "portal/space/personal.html", context)


def _business(request: HttpRequest, credit_code: str) -> Any:
    try:
        return selectors.business_get_for_user(user=_applicant(request), credit_code=credit_code)
    except DomainError as exc:
        raise Http404(exc.detail) from None


@login_required
@require_GET
def business_space(request: HttpRequest, credit_code: str) -> HttpResponse:
    entity = _business(request, credit_code)
    representative = selectors.business_is_representative(user=request.user, entity=entity)
    policies = policy_matches_for_business(entity=entity)
    # 免申即享: the case recorded for each grant (its number, status and reason).
    grants = policy_grant_cases(entity=entity, matches=policies)
    for match in policies:
        match.grant_case = grants.get(match.pk)  # type: ignore[attr-defined]
    context = {
        "entity": entity,
        "representative": representative,
        "cases": selectors.business_cases(entity=entity),
        "reminders": selectors.reminders_for_user(
            user=request.user, today=clock.today(), entity=entity
        ),
        "authorizations": selectors.business_authorizations(entity=entity)
        if representative
        else [],
        "my_items": None
        if representative
        else selectors.business_items_for_agent(user=request.user, entity=entity),
        "policies": policies,
        "policy_sms": policy_sms_opted_in(entity=entity),
        "officers": officers_for_business(credit_code=entity.credit_code, today=clock.today()),
    }
    return render(request, "portal/space/business.html", context)


def _until(raw: str) -> dt.datetime | None:
    try:
        day = dt.date.fromisoformat((raw or "").strip()) if raw else None
    except ValueError:
        raise DomainError(VALIDATION_FAILED, "有效期格式应为 年-月-日，例如 2027-06-30。") from None
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=clock.SHANGHAI) if day else None


@login_required
@require_POST
def business_agent_grant(request: HttpRequest, credit_code: str) -> HttpResponse:
    entity = _business(request, credit_code)
    agent = selectors.business_account_find(username=request.POST.get("username", ""))
    if agent is None:
        messages.error(request, "未找到该法人用户账号（请填写经办人注册的用户名）。")
        return redirect("portal:business_space", credit_code=entity.credit_code)
    codes = [c.upper() for c in re.split(r"[\s,，、；;]+", request.POST.get("items", "")) if c]
    named = selectors.service_item_names(codes=codes)
    unknown = [c for c in codes if c not in named]
    if unknown:
        messages.error(
            request, f"未找到这些事项（请填写办事指南上的实施编码）：{'、'.join(unknown[:5])}"
        )
        return redirect("portal:business_space", credit_code=entity.credit_code)
    try:
        authorization_grant(
            user=agent,
            legal_entity=entity,
            role=AuthorizationRole.AGENT,
            granted_by=request.user,  # type: ignore[arg-type]
            valid_until=_until(request.POST.get("valid_until", "")),
            item_codes=codes,
        )
    except DomainError as exc:
        messages.error(request, f"{exc.detail}（{exc.code}）")
    else:
        scope = "、".join(named[c] for c in codes) if codes else "全部事项"
        messages.success(request, f"已授权 {agent.display_name} 为经办人，可办理：{scope}。")
    return redirect("portal:business_space", credit_code=entity.credit_code)


@login_required
@require_POST
def business_agent_revoke(
    request: HttpRequest, credit_code: str, authorization_id: int
) -> HttpResponse:
    entity = _business(request, credit_code)
    try:
        authorization = selectors.business_authorization_get(
            entity=entity, authorization_id=authorization_id
        )
        authorization_revoke(authorization=authorization, revoked_by=request.user)  # type: ignore[arg-type]
    except DomainError as exc:
        if exc.code == "not_found":
            raise Http404(exc.detail) from None
        messages.error(request, f"{exc.detail}（{exc.code}）")
    else:
        messages.success(request, "已撤销授权，立即生效。")
    return redirect("portal:business_space", credit_code=entity.credit_code)


@login_required
@require_POST
def business_policy_sms(request: HttpRequest, credit_code: str) -> HttpResponse:
    """The legal representative turns SMS about matched policies on or off."""
    entity = _business(request, credit_code)
    if not selectors.business_is_representative(user=request.user, entity=entity):
        raise PermissionDenied("只有法定代表人可以设置本单位的政策提醒。")
    wanted = request.POST.get("sms") == "on"
    policy_opt_in_set(legal_entity=entity, sms=wanted, actor=request.user)
    messages.success(request, "已开启政策短信提醒。" if wanted else "已关闭政策短信提醒。")
    return redirect("portal:business_space", credit_code=entity.credit_code)


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user = _applicant(request)
    cursor = request.GET.get("cursor") or None
    try:
        page = inbox_selectors.inbox_list_for_user(user=user, cursor=cursor, limit=INBOX_PAGE)
    except DomainError:  # a forged cursor: start again
        return redirect("portal:inbox")
    context = {
        "rows": [(m, _link(m)) for m in page.items],
        "next_cursor": page.next_cursor,
        "unread": inbox_selectors.inbox_unread_count_for_user(user=user),
    }
    return render(request, "portal/space/inbox.html", context)


@login_required
@require_POST
def inbox_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    user = _applicant(request)
    try:
        message = inbox_selectors.inbox_message_get_for_user(
            user=user, notification_id=notification_id
        )
        inbox_message_mark_read(user=user, notification_id=message.pk)
    except DomainError as exc:
        raise Http404(exc.detail) from None
    link = _link(message)
    return redirect(link) if request.POST.get("open") and link else redirect("portal:inbox")


@login_required
@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    count = inbox_mark_all_read(user=_applicant(request))
    messages.success(request, f"已将 {count} 条消息标为已读。")
    return redirect("portal:inbox")


@login_required
@require_POST
def business_bind(request: HttpRequest) -> HttpResponse:
    """A business account binds the legal entity it represents, checked against the 法人库."""
    user = _applicant(request)
    try:
        authorization = business_account_bind(
            user=user, credit_code=str(request.POST.get("credit_code", ""))[:30]
        )
    except DomainError as exc:
        messages.error(request, f"{exc.detail}（{exc.code}）")
        return redirect("portal:space")
    entity = authorization.legal_entity
    messages.success(request, f"法人库核验通过，已绑定“{entity.name}”。")
    return redirect("portal:business_space", credit_code=entity.credit_code)


@login_required
@require_POST
def business_registry_check(request: HttpRequest, credit_code: str) -> HttpResponse:
    """The legal representative checks the binding again against the 法人库."""
    entity = _business(request, credit_code)
    try:
        business_account_verify(user=request.user, credit_code=entity.credit_code)  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, f"{exc.detail}（{exc.code}）")
    else:
        messages.success(request, "法人库核验一致：统一社会信用代码、存续状态和法定代表人均相符。")
    return redirect("portal:business_space", credit_code=entity.credit_code)


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    """通知方式: per kind of notice, SMS and e-mail besides the inbox (issue 14, item 5)."""
    user = _applicant(request)
    status = 200
    if request.method == "POST":
        choices = {
            kind.code: {
                "sms": kind.sms_required or request.POST.get(f"sms_{kind.code}") == "on",
                "email": request.POST.get(f"email_{kind.code}") == "on",
            }
            for kind in KINDS
        }
        try:
            notification_preferences_set(
                user=user, choices=choices, email=str(request.POST.get("email", ""))[:254]
            )
        except DomainError as exc:
            messages.error(request, exc.detail)
            status = 422
        else:
            messages.success(request, "通知方式已保存。")
            return redirect("portal:notification_settings")
    context = {
        "rows": inbox_selectors.notification_preferences_for_person(person_id=user.person_id),
        "email_masked": inbox_selectors.notification_email_masked_for_person(
            person_id=user.person_id
        ),
    }
    return render(request, "portal/space/notification_settings.html", context, status=status)
