"""Work orders: register, the queues, one order, and one command per transition."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router, Status

from tongban.core import errors as core_errors
from tongban.core.errors import DomainError
from tongban.hotline import errors, selectors, services
from tongban.hotline.api.common import (
    IF_MATCH_DOC,
    REQUIRED_HEADERS,
    RESPONSES,
    page_out,
    respond,
    user_of,
    version_of,
)
from tongban.hotline.api.schemas import (
    HotlineAnswerDirectlyIn,
    HotlineDispatchIn,
    HotlineExtensionIn,
    HotlineHandOverIn,
    HotlineMergeIn,
    HotlineNoteIn,
    HotlineOrderIn,
    HotlineOrderOut,
    HotlineOrderPage,
    HotlineQueueQuery,
    HotlineReasonIn,
    HotlineReplyIn,
    HotlineRevisitIn,
)
from tongban.hotline.models import WorkOrder
from tongban.hotline.services.intake import AttachmentInput, OrderInput, decode_base64
from tongban.identity.auth import api_auth
from tongban.identity.models import AccountKind, User
from tongban.org.models import Role
from tongban.org.selectors import staff_scope_for

router = Router(tags=["12345 热线"])
CALLER_KINDS = (AccountKind.CITIZEN, AccountKind.BUSINESS)
INTAKE_ROLES = (Role.HOTLINE_OPERATOR, Role.HOTLINE_DISPATCHER)


def _order_input(body: HotlineOrderIn) -> OrderInput:
    return OrderInput(
        channel=body.channel,
        kind=body.kind,
        urgency=body.urgency,
        title=body.title,
        content=body.content,
        subject_name=body.subject_name,
        caller_name=body.caller.name,
        caller_phone=body.caller.phone,
        anonymous=body.caller.anonymous,
        caller_company=body.caller.company,
        region_code=body.location.region_code,
        address=body.location.address,
        latitude=body.location.latitude,
        longitude=body.location.longitude,
        category_code=body.category_code,
        emergency=body.emergency,
        attachments=[
            AttachmentInput(a.file_name, a.content_type, decode_base64(a.content_base64, i))
            for i, a in enumerate(body.attachments)
        ],
    )


def _check_intake(user: User, data: OrderInput) -> None:
    """Operators register in their scope; callers file their own (not by phone)."""
    if user.kind in CALLER_KINDS:
        if data.channel == "phone":
            raise DomainError(
                core_errors.PERMISSION_DENIED, "个人和企业账号不能登记电话渠道的工单。"
            )
        return
    if user.kind == AccountKind.SYSTEM:
        return
    from tongban.hotline.services.intake import region_for_order

    region = region_for_order(data.region_code)
    scope = staff_scope_for(user=user).for_roles(*INTAKE_ROLES)
    if not any(region.path.startswith(g.region_path) for g in scope.grants):
        raise DomainError(
            core_errors.PERMISSION_DENIED, "只有本地 12345 话务员可以登记该地的工单。"
        )


@router.post(
    "/orders",
    response={201: HotlineOrderOut, **RESPONSES},
    auth=api_auth,
    summary="登记工单",
    description="话务员登记来电，或个人、企业账号在线提交诉求。内容为空、电话无效、地点不在区划库中、"
    "附件内容与声明不符均为 422，且不保存任何数据。支持 Idempotency-Key。",
)
def order_register(
    request: HttpRequest, response: HttpResponse, body: HotlineOrderIn
) -> Status[Any]:
    user = user_of(request)
    data = _order_input(body)
    _check_intake(user, data)
    order = services.work_order_register(
        data=data, actor=user, caller_user=user if user.kind in CALLER_KINDS else None
    )
    response["Location"] = f"/api/v1/hotline/orders/{order.order_no}"
    return Status(201, respond(order, response, staff=user.kind not in CALLER_KINDS))


@router.get(
    "/orders",
    response={200: HotlineOrderPage, **RESPONSES},
    auth=api_auth,
    summary="工单队列",
    description="工作人员数据范围内的工单。queue=dispatch 为派单台（按剩余时间排序），"
    "department 为承办单位待办，revisit 为待回访；游标分页。个人账号得到本人的工单。",
)
def order_list(request: HttpRequest, params: Query[HotlineQueueQuery]) -> dict[str, Any]:
    user = user_of(request)
    if user.kind in CALLER_KINDS:
        page = selectors.order_list_for_caller(user=user, cursor=params.cursor, limit=params.limit)
    else:
        page = selectors.order_list_for_staff(
            user=user,
            queue=params.queue,
            status=params.status,
            q=params.q,
            cursor=params.cursor,
            limit=params.limit,
        )
    return page_out(page)


def _viewed(user: User, order_no: str) -> tuple[WorkOrder, bool]:
    if user.kind in CALLER_KINDS:
        return selectors.order_get_for_caller(user=user, order_no=order_no), False
    return selectors.order_get_for_staff(user=user, order_no=order_no), True


@router.get(
    "/orders/{order_no}",
    response={200: HotlineOrderOut, **RESPONSES},
    auth=api_auth,
    summary="工单详情",
)
def order_get(request: HttpRequest, response: HttpResponse, order_no: str) -> dict[str, Any]:
    order, staff = _viewed(user_of(request), order_no)
    return respond(order, response, staff=staff)


def _command(path: str, summary: str, description: str = "") -> Callable[[Any], Any]:
    return router.post(
        f"/orders/{{order_no}}/{path}",
        response={200: HotlineOrderOut, **RESPONSES},
        auth=api_auth,
        summary=summary,
        description=description
        or "工作人员办理；须带 If-Match（缺少为 428，版本过期为 412，状态不允许为 409）。",
        openapi_extra={REQUIRED_HEADERS: ["If-Match"]},
    )


def _run(
    request: HttpRequest,
    response: HttpResponse,
    order_no: str,
    if_match: str | None,
    run: Callable[[WorkOrder, int, User], WorkOrder],
) -> dict[str, Any]:
    user = user_of(request)
    version = version_of(if_match)
    if user.kind != AccountKind.STAFF:
        raise DomainError(core_errors.PERMISSION_DENIED, "只有工作人员可以办理工单。")
    order = selectors.order_get_for_staff(user=user, order_no=order_no)
    return respond(run(order, version, user), response, staff=True)


def _header() -> Any:
    return Header(None, alias="If-Match", max_length=40, description=IF_MATCH_DOC)


@_command("answer-directly", "直接答复（直办）")
def order_answer_directly(
    request: HttpRequest,
    response: HttpResponse,
    order_no: str,
    body: HotlineAnswerDirectlyIn,
    if_match: str | None = _header(),
) -> Any:
    return _run(
        request,
        response,
        order_no,
        if_match,
        lambda o, v, u: services.work_order_answer_directly(
            order_id=o.pk,
            actor=u,
            expected_version=v,
            answer=body.answer,
            category_code=body.category_code,
            cited_articles=body.cited_articles,
        ),
    )


@_command("hand-over", "移交 110/119/120/122")
def order_hand_over(
    request: HttpRequest,
    response: HttpResponse,
    order_no: str,
    body: HotlineHandOverIn,
    if_match: str | None = _header(),
) -> Any:
    return _run(
        request,
        response,
        order_no,
        if_match,
        lambda o, v, u: services.work_order_hand_over(
            order_id=o.pk, actor=u, expected_version=v, service=body.service, note=body.note
        ),
    )


@_command("dispatch", "派单", "派单员派往承办单位（退单后改派其他单位）。须带 If-Match。")
def order_dispatch(
    request: HttpRequest,
    response: HttpResponse,
    order_no: str,
    body: HotlineDispatchIn,
    if_match: str | None = _header(),
) -> Any:
    return _run(
        request,
        response,
        order_no,
        if_match,
        lambda o, v, u: services.work_order_dispatch(
            order_id=o.pk,
            actor=u,
            expected_version=v,
            department_id=body.department_id,
            category_code=body.category_code,
            note=body.note,
        ),
    )


@_command("acknowledge", "签收")
def order_acknowledge(
    request: HttpRequest, response: HttpResponse, order_no: str, if_match: str | None = _header()
) -> Any:
    return _run(
        request,
        response,
        order_no,
        if_match,
        lambda o, v, u: services.work_order_acknowledge(order_id=o.pk, actor=u, expected_version=v),
    )


@_command("return", "退单", "承办单位退回派单中心，须写明理由。须带 If-Match。")
def order_return(
    request: HttpRequest,
    response: HttpResponse,
    order_no: str,
    body: HotlineReasonIn,
    if_match: str | None = _header(),
) -> Any:
    return _run(
        request,
        response,
        order_no,
        if_match,
        lambda o, v, u: services.work_order_return(
            order_id=o.pk, actor=u, expected_version=v, reason=body.reason
        ),
    )


@_command("request-extension", "申请延期")
def order_request_extension(
    request: HttpRequest,
    response: HttpResponse,
    order_no: str,
    body: HotlineExtensionIn,
    if_match: str | None = _header(),
) -> Any:
    return _run(
        request,
        response,
        order_no,
        if_match,
        lambda o, v, u: services.work_order_request_extension(
            order_id=o.pk,
            actor=u,
            expected_version=v,
            working_days=body.working_days,
            reason=body.reason,
        ),
    )


@_command("approve-extension", "批准延期")
def order_approve_extension(
    request: HttpRequest,
    response: HttpResponse,
    order_no: str,
    body: HotlineNoteIn,
    if_match: str | None = _header(),
) -> Any:
    return _run(
        request,
        response,
        order_no,
        if_match,
        lambda o, v, u: services.work_order_approve_extension(
            order_id=o.pk, actor=u, expected_version=v, note=body.note
        ),
    )


@_command("refuse-extension", "不批准延期")
def order_refuse_extension(
    request: HttpRequest,
    response: HttpResponse,
    order_no: str,
    body: HotlineNoteIn,
    if_match: str | None = _header(),
) -> Any:
    return _run(
        request,
        response,
        order_no,
        if_match,
        lambda o, v, u: services.work_order_refuse_extension(
            order_id=o.pk, actor=u, expected_version=v, note=body.note
        ),
    )


@_command("reply", "办结答复")
def order_reply(
    request: HttpRequest,
    response: HttpResponse,
    order_no: str,
    body: HotlineReplyIn,
    if_match: str | None = _header(),
) -> Any:
    return _run(
        request,
        response,
        order_no,
        if_match,
        lambda o, v, u: services.work_order_reply(
            order_id=o.pk,
            actor=u,
            expected_version=v,
            answer=body.answer,
            action_taken=body.action_taken,
            cited_articles=body.cited_articles,
        ),
    )


@_command("revisit", "回访")
def order_revisit(
    request: HttpRequest,
    response: HttpResponse,
    order_no: str,
    body: HotlineRevisitIn,
    if_match: str | None = _header(),
) -> Any:
    return _run(
        request,
        response,
        order_no,
        if_match,
        lambda o, v, u: services.work_order_revisit(
            order_id=o.pk,
            actor=u,
            expected_version=v,
            solved=body.solved,
            satisfaction=body.satisfaction,
            note=body.note,
        ),
    )


@_command("reopen", "重办")
def order_reopen(
    request: HttpRequest,
    response: HttpResponse,
    order_no: str,
    body: HotlineReasonIn,
    if_match: str | None = _header(),
) -> Any:
    return _run(
        request,
        response,
        order_no,
        if_match,
        lambda o, v, u: services.work_order_reopen(
            order_id=o.pk, actor=u, expected_version=v, reason=body.reason
        ),
    )


@_command("archive", "归档")
def order_archive(
    request: HttpRequest, response: HttpResponse, order_no: str, if_match: str | None = _header()
) -> Any:
    return _run(
        request,
        response,
        order_no,
        if_match,
        lambda o, v, u: services.work_order_archive(order_id=o.pk, actor=u, expected_version=v),
    )


@_command("supervise", "督办")
def order_supervise(
    request: HttpRequest,
    response: HttpResponse,
    order_no: str,
    body: HotlineReasonIn,
    if_match: str | None = _header(),
) -> Any:
    return _run(
        request,
        response,
        order_no,
        if_match,
        lambda o, v, u: services.work_order_supervise(
            order_id=o.pk, actor=u, expected_version=v, reason=body.reason
        ),
    )


@_command("merge", "并案", "将本工单作为重复诉求并入另一工单，随主工单一并答复。须带 If-Match。")
def order_merge(
    request: HttpRequest,
    response: HttpResponse,
    order_no: str,
    body: HotlineMergeIn,
    if_match: str | None = _header(),
) -> Any:
    def run(order: WorkOrder, version: int, user: User) -> WorkOrder:
        try:
            main = selectors.order_get_for_staff(user=user, order_no=body.into_order_no)
        except DomainError:
            raise DomainError(errors.MERGE_INVALID, "主工单不存在或不在您的数据范围内。") from None
        return services.work_order_merge(
            order_id=order.pk, actor=user, expected_version=version, into_order_id=main.pk
        )

    return _run(request, response, order_no, if_match, run)
