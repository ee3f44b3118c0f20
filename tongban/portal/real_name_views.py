"""实名认证 in the portal (issue 14, item 2): a citizen sees her level and raises it.

L2 is the 人口基础信息库 check (``sharing.services.real_name``), started by the
citizen herself after she agrees to it; L3 is only given at a window
(``workbench.real_name_views``), so this page says where and what to bring.
Thin views (CONVENTIONS 2): one selector or one service each.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from tongban.core.errors import DomainError
from tongban.identity.models import AccountKind, RealNameLevel
from tongban.identity.selectors import person_real_name_level, real_name_verifications_for_user
from tongban.portal.views import _safe_next
from tongban.sharing.services.real_name import real_name_verify_with_registry

# What each level means to the person, and what it lets her do.
LEVELS = (
    (RealNameLevel.L1, "一级", "注册时核对身份号码格式与姓名", "查询办件、咨询、提交一般事项"),
    (
        RealNameLevel.L2,
        "二级",
        "经人口基础信息库（自然人库）核验姓名与身份号码",
        "办理要求二级实名的事项，如涉及个人身份的证明",
    ),
    (
        RealNameLevel.L3,
        "三级",
        "在政务服务大厅窗口由工作人员核验身份证件原件",
        "办理要求三级实名的事项，如涉及财产、婚姻的事项",
    ),
)


def _applicant(request: HttpRequest) -> Any:
    user: Any = request.user
    if user.kind not in (AccountKind.CITIZEN, AccountKind.BUSINESS):
        raise PermissionDenied("实名认证页面仅对个人和法人用户开放。")
    return user


def real_name_url(next_url: str | None = None) -> str:
    """The real-name page, coming back to ``next_url`` once the level is raised."""
    url = reverse("portal:real_name")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


@login_required
@require_GET
def real_name(request: HttpRequest) -> HttpResponse:
    user = _applicant(request)
    level = person_real_name_level(user.person) if user.person_id else 0
    context = {
        "level": level,
        "level_label": RealNameLevel(level).label,
        "levels": [
            {"value": int(v), "short": short, "how": how, "allows": allows, "reached": level >= v}
            for v, short, how, allows in LEVELS
        ],
        "history": real_name_verifications_for_user(user=user),
        "can_verify_online": user.kind == AccountKind.CITIZEN
        and user.person_id is not None
        and level < RealNameLevel.L2,
        "is_business": user.kind == AccountKind.BUSINESS,
        "next": _safe_next(request, request.GET.get("next")),
    }
    return render(request, "portal/identity/real_name.html", context)


@login_required
@require_POST
def real_name_verify(request: HttpRequest) -> HttpResponse:
    """The citizen asks for the 自然人库 check (L2); she must agree to it first."""
    user = _applicant(request)
    next_url = _safe_next(request, request.POST.get("next"))
    back = real_name_url(next_url)
    if user.kind != AccountKind.CITIZEN:
        messages.error(request, "人口库核验须用本人的个人账号登录后进行。")
        return redirect(back)
    if request.POST.get("consent") != "on":
        messages.error(request, "请先勾选同意通过人口基础信息库核验您的姓名和身份号码。")
        return redirect(back)
    if person_real_name_level(user.person) >= RealNameLevel.L2:
        messages.info(request, "您的实名认证等级已是二级或以上，无需再次核验。")
        return redirect(next_url or reverse("portal:real_name"))
    try:
        real_name_verify_with_registry(user=user)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect(back)
    messages.success(
        request, f"核验通过，您的实名认证等级现为{RealNameLevel(user.real_name_level).label}。"
    )
    return redirect(next_url or reverse("portal:real_name"))
