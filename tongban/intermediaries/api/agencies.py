"""The agency library (中介机构库) at /api/v1/intermediaries/.

Public: service types, agencies with their services, fees and qualifications.
Agencies (a business account of the agency): join (zero threshold), publish
services and fees, register qualifications, form consortia. The centre's staff
(平台管理员、监察人员): record penalties, valid province-wide.
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
from tongban.intermediaries import selectors, services
from tongban.intermediaries.api._common import operation_id, user_of
from tongban.intermediaries.api.schemas import (
    AgencyIn,
    AgencyOut,
    AgencyPageOut,
    AgencyPenaltyIn,
    AgencyPenaltyOut,
    ConsortiumIn,
    ConsortiumOut,
    QualificationIn,
    QualificationOut,
    ServiceIn,
    ServiceTypeOut,
)
from tongban.intermediaries.credit import restrictions_for
from tongban.intermediaries.models import Agency, ServiceType
from tongban.org.selectors import staff_scope_for

router = Router()


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


class AgenciesQuery(Schema):
    service_type: str = ""
    cursor: str | None = None
    limit: int = 20


# --- public ------------------------------------------------------------------------


@router.get(
    "/service-types",
    response={200: list[ServiceTypeOut]},
    summary="中介服务类型",
    operation_id=operation_id("service_types"),
)
def service_types(request: HttpRequest) -> list[ServiceType]:
    return list(ServiceType.objects.filter(active=True).order_by("code"))


@router.get(
    "/agencies",
    response={200: AgencyPageOut, **PROBLEM_RESPONSES},
    summary="中介机构库",
    operation_id=operation_id("agencies"),
)
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
    "/agencies/{credit_code}",
    response={200: AgencyOut, **PROBLEM_RESPONSES},
    summary="中介机构",
    operation_id=operation_id("agency"),
)
def agency(request: HttpRequest, credit_code: str) -> dict[str, Any]:
    return agency_out(selectors.agency_get_public(credit_code))


# --- agencies ----------------------------------------------------------------------


@router.post(
    "/agencies",
    auth=api_auth,
    response={201: AgencyOut, **PROBLEM_RESPONSES},
    summary="入驻（零门槛）",
    operation_id=operation_id("agency_join"),
)
def agency_join(request: HttpRequest, body: AgencyIn) -> Status[Any]:
    user = user_of(request)
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
    operation_id=operation_id("agency_service"),
)
def agency_service(request: HttpRequest, body: ServiceIn, agency_code: str = "") -> dict[str, Any]:
    user = user_of(request)
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
    operation_id=operation_id("agency_qualification"),
)
def agency_qualification(request: HttpRequest, body: QualificationIn, agency_code: str = "") -> Any:
    user = user_of(request)
    agency = selectors.agency_for_user(user=user, credit_code=agency_code)
    return services.agency_qualification_add(
        agency=agency, name=body.name, number=body.number, valid_until=body.valid_until, actor=user
    )


@router.post(
    "/consortia",
    auth=api_auth,
    response={201: ConsortiumOut, **PROBLEM_RESPONSES},
    summary="组成联合体（本机构牵头）",
    operation_id=operation_id("consortium"),
)
def consortium(request: HttpRequest, body: ConsortiumIn, agency_code: str = "") -> Status[Any]:
    user = user_of(request)
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


# --- the centre --------------------------------------------------------------------


@router.post(
    "/agencies/{credit_code}/penalties",
    auth=api_auth,
    response={201: AgencyPenaltyOut, **PROBLEM_RESPONSES},
    summary="记录失信处理（中心，全省适用）",
    operation_id=operation_id("penalty"),
)
def penalty(request: HttpRequest, credit_code: str, body: AgencyPenaltyIn) -> Status[Any]:
    user = user_of(request)
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
