"""Published bundles: list, definition (what is merged and why), figures, and
the one submission."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from tongban.bundles.api.common import (
    RESPONSES,
    caller,
    respond,
    submission_applicant,
)
from tongban.bundles.api.schemas import (
    BundleApplicationIn,
    BundleApplicationOut,
    BundleDetailOut,
    BundleStatsOut,
)
from tongban.bundles.outputs import detail_out, savings_out
from tongban.bundles.selectors import bundle_get_public, bundle_view
from tongban.bundles.services.applications import (
    bundle_application_prepare,
    bundle_application_write,
)
from tongban.bundles.stats import bundle_figures
from tongban.core import idempotency
from tongban.core.api.rendered import rendered
from tongban.core.api.schemas import PROBLEM_RESPONSES
from tongban.identity.auth import api_auth

router = Router(tags=["一件事"])


@router.get(
    "/{code}/stats",
    response={200: BundleStatsOut, **PROBLEM_RESPONSES},
    summary="一件事办理统计",
    description="申请件数、结果齐备件数、自提交至全部结果作出的工作日中位数和第 90 百分位数、"
    "承诺时限内办结比例，以及与分别申请相比少填的字段、少交的材料。无需登录。",
)
def bundle_stats(request: HttpRequest, code: str) -> dict[str, Any]:
    bundle = bundle_get_public(code)
    figures = bundle_figures(bundle)
    return {
        "code": bundle.code,
        "applications": figures.applications,
        "with_all_results": figures.with_all_results,
        "median_working_days": figures.median_working_days,
        "p90_working_days": figures.p90_working_days,
        "within_limit_share": figures.within_limit_share,
        "savings": savings_out(figures),
    }


@router.get(
    "/{code}",
    response={200: BundleDetailOut, **PROBLEM_RESPONSES},
    summary="一件事详情",
    description="牵头部门和配合部门、成员事项及其办理批次（同一批次并联办理）、"
    "综合申请表（相同字段合并，并说明合并原因）、材料清单（相同材料只收一次）。无需登录。",
)
def bundle_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return detail_out(bundle_view(bundle_get_public(code)))


@router.post(
    "/{code}/applications",
    response={201: BundleApplicationOut, **RESPONSES},
    auth=api_auth,
    summary="申请一件事",
    description="一表申请、一套材料、一次提交：申请人本人或获授权的法人账号提交。"
    "全部事项的申请表和材料一次核对，有误时逐项列出（注明需要该项的事项），不创建任何办件；"
    "通过后无需前置结果的事项立即转各部门办理，其余事项在前置事项作出准予决定后自动转办。"
    "支持 Idempotency-Key：重复提交得到同一个申请（与申请在同一事务中登记和保存应答）。",
)
def bundle_apply(
    request: HttpRequest, response: HttpResponse, code: str, body: BundleApplicationIn
) -> HttpResponse:
    user = caller(request)
    who = submission_applicant(user, body.applicant)
    bundle = bundle_get_public(code)
    # Checked and numbered before the transaction (a refusal writes nothing but
    # its audit) …
    submission = bundle_application_prepare(
        bundle=bundle,
        channel=body.channel,
        form_data=body.form,
        situations=body.situations,
        members=body.members,
        materials=[m.as_given() for m in body.materials],
        submitted_by=user,
        **who,
    )

    def write() -> HttpResponse:
        application = bundle_application_write(submission, savepoint=False)
        response["Location"] = f"/api/v1/bundles/applications/{application.application_no}"
        data = respond(application, response, staff=False)
        return rendered(request, response, BundleApplicationOut, data, status=201)

    # … then the Idempotency-Key's claim, the application and the stored
    # answer: one transaction (core.idempotency).
    return idempotency.respond_once(request, write)
