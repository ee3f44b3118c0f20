"""Submit, 我的办件, the staff queue, one case and its documents."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from tongban.cases import errors, selectors, services
from tongban.cases.api.answers import CaseReceiptOut, receipt_response
from tongban.cases.api.common import (
    RESPONSES,
    _detail,
    _page,
    _submission_applicant,
    _user,
    _viewed_case,
    _viewed_page,
    settled,
)
from tongban.cases.api.schemas import (
    CaseOut,
    CasePage,
    CaseSubmitIn,
    ExemptionFigureOut,
    PageQuery,
    QueueQuery,
    RevealIn,
    RevealOut,
)
from tongban.cases.models import Case, CaseMaterial
from tongban.cases.notices.issue import document_ready
from tongban.cases.services.forms import case_form_reveal
from tongban.catalog.selectors import service_item_get_public
from tongban.core import errors as core_errors
from tongban.core import idempotency
from tongban.core.api.files import content_disposition
from tongban.core.api.reads import json_answer, none_match, not_modified
from tongban.core.api.schemas import PROBLEM_RESPONSES
from tongban.core.errors import DomainError
from tongban.identity.auth import api_auth

router = Router(tags=["办件"])


@router.post(
    "",
    response={201: CaseReceiptOut, **RESPONSES},
    auth=api_auth,
    summary="提交申请",
    description="申请人本人（个人账号）或获授权的法人账号在线提交。材料以 Base64 上传。"
    "成功返回 201：收件凭证（办件编号、查询码、版本、期限、收到的材料），Location 与 ETag；"
    "完整办件用 GET Location。支持 Idempotency-Key：重复提交得到同一个办件"
    "（与办件在同一事务中登记和保存应答）。",
)
def case_submit(request: HttpRequest, response: HttpResponse, body: CaseSubmitIn) -> HttpResponse:
    user = _user(request)
    who = _submission_applicant(user, body.applicant)
    try:
        item = service_item_get_public(body.implementation_code)
    except DomainError as exc:
        if exc.code != core_errors.NOT_FOUND.code:
            raise
        raise DomainError(
            errors.ITEM_NOT_AVAILABLE,
            exc.detail,
            fields=[
                {"field": "body.implementation_code", "code": "not_found", "message": exc.detail}
            ],
        ) from None
    # Checked and numbered before the transaction (a refusal writes nothing but
    # its audit; the number's counter row is not held through the commit) …
    submission = services.case_submit_prepare(
        service_item=item,
        channel=body.channel,
        form_data=body.form,
        situation=body.situation,
        materials=[m.as_input() for m in body.materials],
        commitment=body.commitment,
        submitted_by=user,
        **who,
    )

    answer: list[HttpResponse] = []

    def answered(case: Case, materials: list[CaseMaterial]) -> tuple[str, list[Any]] | None:
        # PostgreSQL: the answer rendered first and stored by the write's one statement.
        answer.append(receipt_response(request, response, case, materials))
        return idempotency.store_sql(request, answer[0])

    def write() -> HttpResponse:
        case = services.case_submit_write(submission, savepoint=False, answered=answered)
        return answer[0] if answer else receipt_response(request, response, case)

    # … then the key's claim, the case and the stored answer: one transaction.
    return idempotency.respond_once(request, write)


@router.get(
    "",
    response={200: CasePage, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="我的办件",
    description="本人及本账号获授权的法人的办件，最新的在前（游标分页）。",
)
def case_list_mine(request: HttpRequest, params: Query[PageQuery]) -> HttpResponse:
    page = selectors.case_summaries_for_applicant(
        user=_user(request), cursor=params.cursor, limit=params.limit
    )
    return json_answer(_page(page, mask=False))


@router.get(
    "/queue",
    response={200: CasePage, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="工作人员待办队列",
    description="本人数据范围内的在办件：办结期限最近的在前，未开始计时的在后（游标分页）。"
    "queue=window 只列窗口待办（已提交、已补正），queue=all 含已办结。",
)
def case_queue(request: HttpRequest, params: Query[QueueQuery]) -> HttpResponse:
    page = selectors.case_summaries_for_staff(
        user=_user(request),
        status=params.status.value if params.status else None,
        q=params.q,
        window_queue=params.queue == "window",
        include_closed=params.queue == "all",
        cursor=params.cursor,
        limit=params.limit,
    )
    return json_answer(_page(page, mask=True))


@router.get(
    "/figures/exemptions",
    response={200: list[ExemptionFigureOut], **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="两个免于提交：各事项每件免于提交的材料数",
    description="数据范围内的办件，按事项和实施部门统计；非工作人员得到空列表。",
)
def case_exemption_figures(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {**figure.__dict__, "per_case": figure.per_case}
        for figure in selectors.exemption_figures_for_staff(user=_user(request))
    ]


@router.get(
    "/{case_no}",
    response={200: CaseOut, 304: None, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="办件详情",
    description="申请人或数据范围内的工作人员可见；他人办件一律 404。ETag 为版本号。"
    "已办结、不予受理或已撤回的办件，带 If-None-Match 再次请求且版本未变时返回 304"
    "（无正文）；在办件的剩余工作日每天变化，总是返回全文。",
)
def case_detail(request: HttpRequest, case_no: str) -> HttpResponse:
    case, staff = _viewed_page(_user(request), case_no)
    etag = f'"{case.version}"'
    if settled(case) and none_match(request, etag):
        return not_modified(etag)
    return json_answer(_detail(case, staff=staff), etag=etag)


@router.post(
    "/{case_no}/reveal",
    response={200: RevealOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="查看申请表敏感字段原文",
    description="数据范围内办理该办件的工作人员，写明用途后查看一个脱敏字段（身份证件号码、"
    "手机号码、银行账号等）的原文；每次查看记入审计日志（用途与字段，不含原文）。",
)
def case_reveal(request: HttpRequest, case_no: str, body: RevealIn) -> dict[str, Any]:
    user = _user(request)
    case = selectors.case_get_for_staff(user=user, case_no=case_no)
    value = case_form_reveal(case_id=case.pk, actor=user, field=body.field, purpose=body.purpose)
    labels = {f["code"]: f["label"] for f in case.guide_version.content.get("form", [])}
    return {"field": body.field, "label": labels.get(body.field, body.field), "value": value}


@router.get(
    "/{case_no}/documents/{number}",
    response={200: None, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="下载办件文书（PDF）",
    description="申请人或数据范围内的工作人员可下载；文书编号须 URL 编码。",
    openapi_extra={
        "responses": {
            200: {
                "description": "PDF",
                "content": {"application/pdf": {"schema": {"type": "string"}}},
            }
        }
    },
)
def case_document(request: HttpRequest, case_no: str, number: str) -> HttpResponse:
    case, _ = _viewed_case(_user(request), case_no)
    document = case.documents.filter(number=number).first()
    if document is None:
        raise DomainError(core_errors.NOT_FOUND, "未找到该文书。")
    document = document_ready(document)  # sealed by the worker, or now
    with document.file.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        f"{document.get_kind_display()}-{document.number}.pdf",
        f"{case.case_no}-{document.kind}.pdf",
    )
    return response
