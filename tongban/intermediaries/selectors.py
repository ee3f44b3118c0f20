"""Reads of the marketplace and trading (CONVENTIONS 5): public reads show what is public;
a buyer, an agency, a bidder and the centre's staff each see only what is theirs, in SQL."""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet, Sum

from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.api.pagination import Page, paginate
from tongban.core.errors import DomainError
from tongban.identity.models import LegalEntity
from tongban.identity.selectors import legal_entities_for_user
from tongban.intermediaries import errors
from tongban.intermediaries.models import (
    Agency,
    AgencyRating,
    Expert,
    Purchase,
    PurchaseSignup,
    PurchaseStatus,
    SelectionMethod,
    Tender,
    TenderBid,
    TenderExpert,
    TenderStatus,
)
from tongban.org.models import Department, Region, RegionLevel, Role, StaffAssignment
from tongban.org.selectors import StaffScope, scope_q

CENTRE_ROLES = (Role.PLATFORM_ADMIN, Role.SUPERVISOR)


def entities_for(user: Any) -> QuerySet[LegalEntity]:
    return legal_entities_for_user(user=user)


def entity_for_user(*, user: Any, credit_code: str = "") -> LegalEntity:
    """The legal entity the account acts for (the one named, or its only one)."""
    entities = entities_for(user)
    if credit_code:
        entities = entities.filter(credit_code=credit_code.strip().upper())
    found = list(entities[:2])
    if len(found) != 1:
        raise DomainError(
            core_errors.PERMISSION_DENIED,
            "请以获得授权的企业（法人）身份操作；代理多家企业的，须注明统一社会信用代码。",
        )
    return found[0]


def departments_for_staff(*, user: Any) -> QuerySet[Department]:
    """The departments a staff member works in (a government body as buyer)."""
    if not getattr(user, "is_authenticated", False):
        return Department.objects.none()
    ids = StaffAssignment.objects.filter(user_id=user.pk, active=True).values("department_id")
    return Department.objects.filter(pk__in=ids)


def agency_for_user(*, user: Any, credit_code: str = "") -> Agency:
    agencies = Agency.objects.filter(legal_entity__in=entities_for(user))
    if credit_code:
        agencies = agencies.filter(credit_code=credit_code.strip().upper())
    found = list(agencies.order_by("credit_code")[:2])
    if len(found) != 1:
        raise DomainError(errors.AGENCY_NOT_FOUND, "您代理的企业尚未入驻中介服务超市。")
    return found[0]


def agency_get_public(credit_code: str) -> Agency:
    agency = (
        Agency.objects.prefetch_related("services__service_type", "qualifications")
        .filter(credit_code=credit_code.strip().upper())
        .first()
    )
    if agency is None:
        raise DomainError(errors.AGENCY_NOT_FOUND, "中介机构不存在。")
    return agency


def agencies_public(
    *, service_type: str = "", cursor: str | None = None, limit: int = 20
) -> Page[Agency]:
    qs = Agency.objects.all()
    if service_type:
        qs = qs.filter(services__service_type__code=service_type)
    return paginate(qs.distinct(), ordering=("credit_code",), cursor=cursor, limit=limit)


def _public_purchases() -> QuerySet[Purchase]:
    return Purchase.objects.select_related("service_type", "region", "selected__agency", "rating")


def purchases_public(
    *,
    method: str = "",
    status: str = "",
    region: str = "",
    cursor: str | None = None,
    limit: int = 20,
) -> Page[Purchase]:
    """Every purchase with its result, newest first (the public list, 公开)."""
    qs = _public_purchases()
    if method:
        qs = qs.filter(method=method)
    if status:
        qs = qs.filter(status=status)
    if region:
        qs = qs.filter(region_path__contains=f"/{region}/")
    return paginate(qs, ordering=("-published_at", "-id"), cursor=cursor, limit=limit)


def signup_counts(purchases: list[Purchase]) -> dict[int, int]:
    """Sign-ups per purchase of a page, in one query."""
    rows = (
        PurchaseSignup.objects.filter(purchase_id__in=[p.pk for p in purchases])
        .values("purchase_id")
        .annotate(n=Count("id"))
    )
    return {row["purchase_id"]: row["n"] for row in rows}


def purchase_get_public(code: str) -> Purchase:
    purchase = _public_purchases().filter(code=code).first()
    if purchase is None:
        raise DomainError(errors.PURCHASE_NOT_FOUND, "采购项目不存在。")
    return purchase


def _staff_q(scope: StaffScope) -> Q:
    return scope_q(
        scope=scope.for_roles(*CENTRE_ROLES), region_path_field="region_path", department_field=None
    )


def purchase_get_for_buyer(*, user: Any, code: str) -> Purchase:
    """A purchase the account published for its business or its department."""
    mine = Q(buyer_entity__in=entities_for(user)) | Q(
        buyer_department__in=departments_for_staff(user=user)
    )
    purchase = _public_purchases().filter(mine, code=code).first()
    if purchase is None:
        raise DomainError(errors.PURCHASE_NOT_FOUND, "采购项目不存在。")
    return purchase


def purchases_for_buyer(*, user: Any) -> QuerySet[Purchase]:
    mine = Q(buyer_entity__in=entities_for(user)) | Q(
        buyer_department__in=departments_for_staff(user=user)
    )
    return _public_purchases().filter(mine).order_by("-published_at", "-id")


def purchase_get_for_selected_agency(*, user: Any, code: str) -> Purchase:
    purchase = (
        _public_purchases()
        .filter(code=code, selected__agency__legal_entity__in=entities_for(user))
        .first()
    )
    if purchase is None:
        raise DomainError(errors.PURCHASE_NOT_FOUND, "采购项目不存在。")
    return purchase


def purchases_for_agency(*, agency: Agency) -> QuerySet[Purchase]:
    """Purchases the agency signed up for (its space)."""
    return _public_purchases().filter(signups__agency=agency).order_by("-published_at", "-id")


def purchases_in_scope(*, scope: StaffScope) -> QuerySet[Purchase]:
    """The centre's view: purchases of its region subtree."""
    return _public_purchases().filter(_staff_q(scope)).order_by("-published_at", "-id")


def purchase_get_in_scope(*, scope: StaffScope, code: str) -> Purchase:
    purchase = purchases_in_scope(scope=scope).filter(code=code).first()
    if purchase is None:
        raise DomainError(errors.PURCHASE_NOT_FOUND, "采购项目不存在。")
    return purchase


def tenders_public(
    *, category: str = "", status: str = "", cursor: str | None = None, limit: int = 20
) -> Page[Tender]:
    qs = Tender.objects.select_related("region")
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    return paginate(qs, ordering=("-published_at", "-id"), cursor=cursor, limit=limit)


def tender_get_public(code: str) -> Tender:
    tender = Tender.objects.select_related("region").filter(code=code).first()
    if tender is None:
        raise DomainError(errors.TENDER_NOT_FOUND, "交易项目不存在。")
    return tender


def tender_get_in_scope(*, scope: StaffScope, code: str) -> Tender:
    tender = Tender.objects.filter(_staff_q(scope), code=code).first()
    if tender is None:
        raise DomainError(errors.TENDER_NOT_FOUND, "交易项目不存在。")
    return tender


def tenders_in_scope(*, scope: StaffScope) -> QuerySet[Tender]:
    return Tender.objects.filter(_staff_q(scope)).order_by("-published_at", "-id")


def regions_in_scope(*, scope: StaffScope) -> QuerySet[Region]:
    """The province, city and county regions the centre's staff may announce
    tenders and keep experts in: their scope's region subtrees, in code order."""
    match = Q(pk__in=[])
    for path in scope.for_roles(*CENTRE_ROLES).region_paths:
        match |= Q(path__startswith=path)
    return Region.objects.filter(
        match, level__in=(RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY)
    ).order_by("code")


def experts_in_scope(*, scope: StaffScope) -> QuerySet[Expert]:
    """The expert pool (评标专家库) of the staff member's region, in SQL."""
    return Expert.objects.filter(
        scope_q(
            scope=scope.for_roles(*CENTRE_ROLES),
            region_path_field="region_path",
            department_field=None,
        )
    ).order_by("-active", "code")


def expert_get_in_scope(*, scope: StaffScope, code: str) -> Expert:
    """An expert of the staff member's region (another region's is "not found")."""
    expert = experts_in_scope(scope=scope).filter(code=code).first()
    if expert is None:
        raise DomainError(errors.EXPERT_NOT_FOUND, "评标专家不存在。")
    return expert


def bid_get_for_bidder(*, user: Any, tender_code: str, bidder_code: str = "") -> TenderBid:
    bids = TenderBid.objects.select_related("tender").filter(
        tender__code=tender_code, bidder_entity__in=entities_for(user)
    )
    if bidder_code:
        bids = bids.filter(bidder_code=bidder_code.strip().upper())
    bid = bids.order_by("pk").first()
    if bid is None:
        raise DomainError(errors.BID_NOT_FOUND, "您尚未对该项目投标。")
    return bid


def bids_for_user(*, user: Any) -> QuerySet[TenderBid]:
    """The bids of the entities the account acts for (我的投标), newest first."""
    return (
        TenderBid.objects.select_related("tender")
        .filter(bidder_entity__in=entities_for(user))
        .order_by("-submitted_at", "-id")
    )


def expert_seats_for_user(*, user: Any) -> QuerySet[TenderExpert]:
    """The seats on evaluation committees of the expert the account belongs to (评标任务)."""
    return (
        TenderExpert.objects.select_related("tender", "expert")
        .filter(expert__user=user, expert__user__isnull=False)
        .order_by("-tender__bid_deadline", "-id")
    )


def expert_seat_for_user(*, user: Any, tender_code: str) -> TenderExpert:
    seat = (
        expert_seats_for_user(user=user)
        .filter(tender__code=tender_code)
        .order_by("recused", "seat")
        .first()
    )
    if seat is None:
        raise DomainError(errors.TENDER_NOT_FOUND, "您不是该项目的评标专家。")
    return seat


def public_bids(tender: Tender) -> list[TenderBid]:
    """What the opening record shows: before the opening only who bid and the receipt."""
    return list(tender.bids.order_by("rank", "submitted_at", "id"))


def marketplace_figures(*, region: str = "", now: dt.datetime | None = None) -> dict[str, Any]:
    """Figures of the marketplace and trading (R-IM-2 效率监管, R-PR-1)."""
    now = now or clock.now()
    purchases = Purchase.objects.all()
    if region:
        purchases = purchases.filter(region_path__contains=f"/{region}/")
    by_method = {
        row["method"]: row["n"] for row in purchases.values("method").annotate(n=Count("id"))
    }
    by_region = [
        {"region": row["region__name"], "region_code": row["region_id"], "count": row["n"]}
        for row in purchases.values("region_id", "region__name")
        .annotate(n=Count("id"))
        .order_by("-n", "region_id")[:50]
    ]
    total = sum(by_method.values())
    random_or_competitive = by_method.get(SelectionMethod.RANDOM, 0) + by_method.get(
        SelectionMethod.COMPETITIVE, 0
    )
    spans = [
        (clock.local_date(contracted) - clock.local_date(published)).days
        for published, contracted in purchases.filter(contracted_at__isnull=False).values_list(
            "published_at", "contracted_at"
        )[:20_000]
    ]
    since = now - dt.timedelta(days=365)
    active = (
        Agency.objects.filter(Q(signups__signed_up_at__gte=since) | Q(ratings__rated_at__gte=since))
        .distinct()
        .count()
    )
    tenders = Tender.objects.all()
    if region:
        tenders = tenders.filter(region_path__contains=f"/{region}/")
    volumes = [
        {
            "category": row["category"],
            "count": row["n"],
            "concluded": row["done"],
            "budget_fen": row["budget"] or 0,
        }
        for row in tenders.values("category")
        .annotate(
            n=Count("id"),
            done=Count("id", filter=Q(status=TenderStatus.CONCLUDED)),
            budget=Sum("budget_fen"),
        )
        .order_by("category")
    ]
    average = AgencyRating.objects.aggregate(a=Avg("score"))["a"]
    return {
        "purchases": total,
        "by_method": [
            {"method": m, "label": SelectionMethod(m).label, "count": by_method.get(m, 0)}
            for m in SelectionMethod.values
        ],
        "by_region": by_region,
        "random_or_competitive_share": round(random_or_competitive / total, 4) if total else None,
        "median_days_to_contract": statistics.median(spans) if spans else None,
        "contracted": len(spans),
        "agencies_joined": Agency.objects.count(),
        "agencies_active": active,
        "average_rating": round(float(average), 2) if average is not None else None,
        "rated": AgencyRating.objects.count(),
        "open_purchases": purchases.filter(status=PurchaseStatus.SIGNUP).count(),
        "trading": volumes,
    }
