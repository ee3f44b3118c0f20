"""中介服务超市 API at /api/v1/intermediaries/.

Public: service types, agencies, purchases with their results, figures.
Agencies (a business account of the agency): join, services and fees,
qualifications, consortia, sign up, deliver. Buyers (a business account, or a
government body's staff): publish, select, run the draw, confirm the contract,
rate. The centre's staff (平台管理员、监察人员, scoped to their region): decide
objections, record penalties.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.api.schemas import PROBLEM_RESPONSES
from tongban.core.errors import DomainError
from tongban.identity.auth import api_auth
from tongban.intermediaries import errors, selectors, services
from tongban.intermediaries.api.schemas import (
    AgencyIn,
    AgencyOut,
    AgencyPageOut,
    AgencyPenaltyIn,
    AgencyPenaltyOut,
    ConsortiumIn,
    ConsortiumOut,
    ContractIn,
    MarketFiguresOut,
    ObjectionDecideIn,
    ObjectionIn,
    ObjectionOut,
    PurchaseIn,
    PurchaseOut,
    PurchasePageOut,
    PurchaseSignupIn,
    QualificationIn,
    QualificationOut,
    SelectIn,
    ServiceIn,
    ServiceRatingIn,
    ServiceRatingOut,
    ServiceTypeOut,
    SignupOut,
    objection_out,
)
from tongban.intermediaries.credit import restrictions_for
from tongban.intermediaries.models import (
    Agency,
    Consortium,
    Purchase,
    PurchaseStatus,
    SelectionMethod,
    ServiceType,
)
from tongban.org.selectors import staff_scope_for

router = Router(tags=["中介服务超市"])


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]  # set by ninja's auth


def agency_out(agency: Agency) -> dict[str, Any]:
    return {
        "credit_code": agency.credit_code,
        "name": agency.name,
        "region_code": agency.region_code,
        "joined_at": agency.joined_at,
        "introduction": agency.introduction,
        "contact_name": agency.contact_name,
        "contact_phone_masked": agency.contact_phone_masked,
        "restricted": bool(
            restrictions_for(credit_code=agency.credit_code, measure="marketplace", now=clock.now())
        ),
        "services": [
            {
                "service_type": s.service_type.code,
                "service_name": s.service_type.name,
                "fee_basis": s.fee_basis,
                "fee_min_fen": s.fee_min_fen,
                "fee_max_fen": s.fee_max_fen,
            }
            for s in agency.services.all()
        ],
        "qualifications": [
            {"name": q.name, "number": q.number, "valid_until": q.valid_until}
            for q in agency.qualifications.all()
        ],
    }


def purchase_out(p: Purchase, signups: int | None = None) -> dict[str, Any]:
    selected = p.selected.agency if p.selected else None
    rating = getattr(p, "rating", None) if p.status == PurchaseStatus.RATED else None
    return {
        "code": p.code,
        "title": p.title,
        "service_type": p.service_type.code,
        "service_name": p.service_type.name,
        "buyer_name": p.buyer_name,
        "region_code": p.region_id,
        "region_name": p.region.name,
        "project_code": p.project_code,
        "budget_fen": p.budget_fen,
        "qualification": p.qualification,
        "service_days": p.service_days,
        "method": p.method,
        "method_label": SelectionMethod(p.method).label,
        "description": p.description,
        "status": p.status,
        "status_label": PurchaseStatus(p.status).label,
        "published_at": p.published_at,
        "signup_closes_at": p.signup_closes_at,
        "draw_public_id": p.draw_public_id,
        "draw_url": f"/draws/{p.draw_public_id}/" if p.draw_public_id else "",
        "selected_agency": selected.credit_code if selected else "",
        "selected_agency_name": selected.name if selected else "",
        "selection_reason": p.selection_reason,
        "publicity_ends_at": p.publicity_ends_at,
        "contract_fen": p.contract_fen,
        "contracted_at": p.contracted_at,
        "service_due_on": p.service_due_on,
        "alert_level": p.alert_level,
        "delivered_at": p.delivered_at,
        "rating": rating.score if rating else None,
        "signups": p.signups.count() if signups is None else signups,
    }


def _purchase(code: str) -> dict[str, Any]:
    return purchase_out(selectors.purchase_get_public(code))


class PurchasesQuery(Schema):
    method: str = ""
    status: str = ""
    region: str = ""
    cursor: str | None = None
    limit: int = 20


class AgenciesQuery(Schema):
    service_type: str = ""
    cursor: str | None = None
    limit: int = 20


# --- public ------------------------------------------------------------------------


@router.get("/service-types", response={200: list[ServiceTypeOut]}, summary="中介服务类型")
def service_types(request: HttpRequest) -> list[ServiceType]:
    return list(ServiceType.objects.filter(active=True).order_by("code"))


@router.get("/agencies", response={200: AgencyPageOut, **PROBLEM_RESPONSES}, summary="中介机构库")
def agencies(request: HttpRequest, query: Query[AgenciesQuery]) -> dict[str, Any]:
    page = selectors.agencies_public(
        service_type=query.service_type, cursor=query.cursor, limit=query.limit
    )
    items = (
        Agency.objects.filter(pk__in=[a.pk for a in page.items])
        .prefetch_related("services__service_type", "qualifications")
        .order_by("credit_code")
    )
    return {"items": [agency_out(a) for a in items], "next_cursor": page.next_cursor}


@router.get(
    "/agencies/{credit_code}", response={200: AgencyOut, **PROBLEM_RESPONSES}, summary="中介机构"
)
def agency(request: HttpRequest, credit_code: str) -> dict[str, Any]:
    return agency_out(selectors.agency_get_public(credit_code))


@router.get(
    "/purchases",
    response={200: PurchasePageOut, **PROBLEM_RESPONSES},
    summary="采购公告与结果（公开）",
)
def purchases(request: HttpRequest, query: Query[PurchasesQuery]) -> dict[str, Any]:
    page = selectors.purchases_public(
        method=query.method,
        status=query.status,
        region=query.region,
        cursor=query.cursor,
        limit=query.limit,
    )
    counts = selectors.signup_counts(page.items)
    return {
        "items": [purchase_out(p, counts.get(p.pk, 0)) for p in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get(
    "/purchases/{code}", response={200: PurchaseOut, **PROBLEM_RESPONSES}, summary="采购项目"
)
def purchase(request: HttpRequest, code: str) -> dict[str, Any]:
    return _purchase(code)


@router.get(
    "/purchases/{code}/signups",
    response={200: list[SignupOut], **PROBLEM_RESPONSES},
    summary="报名及选取结果（报名截止后公开）",
)
def purchase_signups(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    p = selectors.purchase_get_public(code)
    if p.status == PurchaseStatus.SIGNUP:
        return []  # who signed up stays undisclosed until sign-up closes
    return [
        {
            "id": s.pk,
            "agency": s.agency.credit_code,
            "agency_name": s.agency.name,
            "consortium": s.consortium.name if s.consortium else "",
            "price_fen": s.price_fen,
            "quality_score": s.quality_score,
            "status": s.status,
            "exclusion_reason": s.exclusion_reason,
            "signed_up_at": s.signed_up_at,
        }
        for s in p.signups.select_related("agency", "consortium")
    ]


@router.get("/figures", response={200: MarketFiguresOut, **PROBLEM_RESPONSES}, summary="运行指标")
def figures(request: HttpRequest, region: str = "") -> dict[str, Any]:
    return selectors.marketplace_figures(region=region)


# --- agencies ----------------------------------------------------------------------


@router.post(
    "/agencies",
    auth=api_auth,
    response={201: AgencyOut, **PROBLEM_RESPONSES},
    summary="入驻（零门槛）",
)
def agency_join(request: HttpRequest, body: AgencyIn) -> Status[Any]:
    user = _user(request)
    entity = selectors.entity_for_user(user=user, credit_code=body.credit_code)
    agency = services.agency_register(
        legal_entity=entity,
        contact_name=body.contact_name,
        contact_phone=body.contact_phone,
        introduction=body.introduction,
        actor=user,
    )
    return Status(201, agency_out(agency))


@router.post(
    "/agencies/mine/services",
    auth=api_auth,
    response={200: AgencyOut, **PROBLEM_RESPONSES},
    summary="公布服务与收费标准",
)
def agency_service(request: HttpRequest, body: ServiceIn, agency_code: str = "") -> dict[str, Any]:
    user = _user(request)
    agency = selectors.agency_for_user(user=user, credit_code=agency_code)
    services.agency_service_publish(
        agency=agency,
        service_type_code=body.service_type,
        fee_basis=body.fee_basis,
        fee_min_fen=body.fee_min_fen,
        fee_max_fen=body.fee_max_fen,
        actor=user,
    )
    return agency_out(selectors.agency_get_public(agency.credit_code))


@router.post(
    "/agencies/mine/qualifications",
    auth=api_auth,
    response={200: QualificationOut, **PROBLEM_RESPONSES},
    summary="登记资质（可选）",
)
def agency_qualification(request: HttpRequest, body: QualificationIn, agency_code: str = "") -> Any:
    user = _user(request)
    agency = selectors.agency_for_user(user=user, credit_code=agency_code)
    return services.agency_qualification_add(
        agency=agency, name=body.name, number=body.number, valid_until=body.valid_until, actor=user
    )


@router.post(
    "/consortia",
    auth=api_auth,
    response={201: ConsortiumOut, **PROBLEM_RESPONSES},
    summary="组成联合体（本机构牵头）",
)
def consortium(request: HttpRequest, body: ConsortiumIn, agency_code: str = "") -> Status[Any]:
    user = _user(request)
    lead = selectors.agency_for_user(user=user, credit_code=agency_code)
    members = []
    for code in body.member_codes:
        members.append(selectors.agency_get_public(code))
    made = services.consortium_form(lead=lead, members=members, name=body.name, actor=user)
    return Status(
        201,
        {
            "id": made.pk,
            "name": made.name,
            "lead": lead.credit_code,
            "members": sorted(made.members.values_list("credit_code", flat=True)),
        },
    )


@router.post(
    "/purchases/{code}/signups",
    auth=api_auth,
    response={201: SignupOut, **PROBLEM_RESPONSES},
    summary="报名",
)
def signup(request: HttpRequest, code: str, body: PurchaseSignupIn) -> Status[Any]:
    user = _user(request)
    agency = selectors.agency_for_user(user=user, credit_code=body.agency_code)
    consortium = None
    if body.consortium_id is not None:
        consortium = Consortium.objects.filter(pk=body.consortium_id, lead=agency).first()
        if consortium is None:
            raise DomainError(errors.CONSORTIUM_INVALID, "联合体不存在，或本机构不是其牵头机构。")
    s = services.purchase_signup(
        purchase=selectors.purchase_get_public(code),
        agency=agency,
        consortium=consortium,
        price_fen=body.price_fen,
        proposal=body.proposal,
        actor=user,
    )
    return Status(
        201,
        {
            "id": s.pk,
            "agency": agency.credit_code,
            "agency_name": agency.name,
            "consortium": consortium.name if consortium else "",
            "price_fen": s.price_fen,
            "quality_score": None,
            "status": s.status,
            "exclusion_reason": "",
            "signed_up_at": s.signed_up_at,
        },
    )


@router.post(
    "/purchases/{code}/deliver",
    auth=api_auth,
    response={200: PurchaseOut, **PROBLEM_RESPONSES},
    summary="提交服务成果",
)
def deliver(request: HttpRequest, code: str) -> dict[str, Any]:
    user = _user(request)
    p = selectors.purchase_get_for_selected_agency(user=user, code=code)
    services.purchase_deliver(purchase=p, actor=user)
    return _purchase(code)


# --- buyers ------------------------------------------------------------------------


@router.post(
    "/purchases",
    auth=api_auth,
    response={201: PurchaseOut, **PROBLEM_RESPONSES},
    summary="发布采购公告",
)
def publish(request: HttpRequest, body: PurchaseIn) -> Status[Any]:
    user = _user(request)
    entity = department = None
    if body.buyer_department_id is not None:
        department = (
            selectors.departments_for_staff(user=user).filter(pk=body.buyer_department_id).first()
        )
        if department is None:
            raise DomainError(core_errors.PERMISSION_DENIED, "只能以本人所在部门的名义发布采购。")
    else:
        entity = selectors.entity_for_user(user=user, credit_code=body.buyer_credit_code)
    p = services.purchase_publish(
        title=body.title,
        service_type_code=body.service_type,
        region_code=body.region_code,
        budget_fen=body.budget_fen,
        service_days=body.service_days,
        method=body.method,
        description=body.description,
        signup_closes_at=body.signup_closes_at,
        buyer_entity=entity,
        buyer_department=department,
        project_code=body.project_code,
        qualification=body.qualification,
        restrictions=body.restrictions,
        actor=user,
    )
    return Status(201, _purchase(p.code))


@router.post(
    "/purchases/{code}/select",
    auth=api_auth,
    response={200: PurchaseOut, **PROBLEM_RESPONSES},
    summary="选取（直接选取、竞价、质量优先）",
)
def select(request: HttpRequest, code: str, body: SelectIn) -> dict[str, Any]:
    user = _user(request)
    p = selectors.purchase_get_for_buyer(user=user, code=code)
    services.purchase_select(
        purchase=p,
        signup_id=body.signup_id,
        reason=body.reason,
        scores={line.signup_id: line.score for line in body.scores} or None,
        actor=user,
    )
    return _purchase(code)


@router.post(
    "/purchases/{code}/draw",
    auth=api_auth,
    response={200: PurchaseOut, **PROBLEM_RESPONSES},
    summary="随机抽取（报名截止后，公开可验证）",
)
def run_draw(request: HttpRequest, code: str) -> dict[str, Any]:
    user = _user(request)
    try:
        p = selectors.purchase_get_for_buyer(user=user, code=code)
    except DomainError:
        p = selectors.purchase_get_in_scope(scope=staff_scope_for(user=user), code=code)
    services.purchase_draw_run(purchase=p, actor=user)
    return _purchase(code)


@router.post(
    "/purchases/{code}/contract",
    auth=api_auth,
    response={200: PurchaseOut, **PROBLEM_RESPONSES},
    summary="在线确认合同",
)
def contract(request: HttpRequest, code: str, body: ContractIn) -> dict[str, Any]:
    user = _user(request)
    p = selectors.purchase_get_for_buyer(user=user, code=code)
    services.purchase_contract_confirm(purchase=p, contract_fen=body.contract_fen, actor=user)
    return _purchase(code)


@router.post(
    "/purchases/{code}/rating",
    auth=api_auth,
    response={201: ServiceRatingOut, **PROBLEM_RESPONSES},
    summary="服务评价（计入信用）",
)
def rate(request: HttpRequest, code: str, body: ServiceRatingIn) -> Status[Any]:
    user = _user(request)
    p = selectors.purchase_get_for_buyer(user=user, code=code)
    r = services.purchase_rate(purchase=p, score=body.score, comment=body.comment, actor=user)
    return Status(
        201,
        {
            "purchase": code,
            "agency": r.agency.credit_code,
            "score": r.score,
            "comment": r.comment,
            "rated_at": r.rated_at,
        },
    )


# --- objections and the centre -------------------------------------------------------


@router.post(
    "/purchases/{code}/objections",
    auth=api_auth,
    response={201: ObjectionOut, **PROBLEM_RESPONSES},
    summary="对公示结果提出异议",
)
def object_to(request: HttpRequest, code: str, body: ObjectionIn) -> Status[Any]:
    user = _user(request)
    entity = selectors.entities_for(user).first()
    o = services.objection_file(
        purchase=selectors.purchase_get_public(code),
        filer_name=body.filer_name,
        reason=body.reason,
        filer_entity=entity,
        actor=user,
    )
    return Status(201, objection_out(o))


@router.post(
    "/purchases/{code}/objections/{objection_id}/decide",
    auth=api_auth,
    response={200: ObjectionOut, **PROBLEM_RESPONSES},
    summary="答复异议（中心）",
)
def decide(
    request: HttpRequest, code: str, objection_id: int, body: ObjectionDecideIn
) -> dict[str, Any]:
    user = _user(request)
    p = selectors.purchase_get_in_scope(scope=staff_scope_for(user=user), code=code)
    o = p.objections.filter(pk=objection_id).first()
    if o is None:
        raise DomainError(core_errors.NOT_FOUND, "异议不存在。")
    return objection_out(
        services.objection_decide(objection=o, upheld=body.upheld, answer=body.answer, actor=user)
    )


@router.post(
    "/agencies/{credit_code}/penalties",
    auth=api_auth,
    response={201: AgencyPenaltyOut, **PROBLEM_RESPONSES},
    summary="记录失信处理（中心，全省适用）",
)
def penalty(request: HttpRequest, credit_code: str, body: AgencyPenaltyIn) -> Status[Any]:
    user = _user(request)
    scope = staff_scope_for(user=user).for_roles(*selectors.CENTRE_ROLES)
    if scope.is_empty:
        raise DomainError(
            core_errors.PERMISSION_DENIED, "只有政务服务中心的管理人员可以记录失信处理。"
        )
    grant = scope.grants[0]
    region_code = grant.region_path.strip("/").split("/")[-1]
    pen = services.agency_penalty_record(
        agency=selectors.agency_get_public(credit_code),
        kind=body.kind,
        reason=body.reason,
        decided_by=body.decided_by,
        region_code=region_code,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        actor=user,
    )
    return Status(
        201,
        {
            "id": pen.pk,
            "kind": pen.kind,
            "reason": pen.reason,
            "starts_at": pen.starts_at,
            "ends_at": pen.ends_at,
        },
    )
