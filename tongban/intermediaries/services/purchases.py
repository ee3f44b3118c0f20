"""Purchases (R-IM-2): publish with no designated agency, invite, sign up, select.

Selection by direct choice, competitive price (竞价) or quality first is here;
the random draw (随机抽取) is in :mod:`.draw`, on the platform's one engine.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.errors import DomainError
from tongban.identity.models import LegalEntity
from tongban.intermediaries import errors, rules
from tongban.intermediaries.credit import penalties_in_force, restrictions_for
from tongban.intermediaries.models import (
    Agency,
    AgencyPenalty,
    Consortium,
    Purchase,
    PurchaseSignup,
    PurchaseStatus,
    SelectionMethod,
    ServiceType,
    SignupStatus,
)
from tongban.intermediaries.services._common import (
    audit,
    end_of_working_days,
    lock,
    notify_agency,
    refuse,
    transition,
)
from tongban.org.models import Department, Region

MAX_BUDGET_FEN = 10**13
PUBLICITY_WORKING_DAYS = 3  # 公示期: 3 working days unless configured otherwise
INVITE_LIMIT = 500  # invitations pushed per purchase; every eligible agency may still sign up


def _invalid(detail: str, field: str) -> DomainError:
    return DomainError(
        errors.PURCHASE_INVALID, detail, fields=[{"field": field, "code": "invalid"}]
    )


def _new_code(now: dt.datetime) -> str:
    return f"ZJ{clock.local_date(now):%Y%m%d}{secrets.randbelow(10**6):06d}"


def eligible_agencies(
    *, service_type: ServiceType, qualification: str, now: dt.datetime
) -> QuerySet[Agency]:
    """Listed agencies offering the service (with the qualification where asked) and not
    suspended anywhere in the province, in credit-code order."""
    today = clock.local_date(now)
    qs = Agency.objects.filter(services__service_type=service_type)
    if qualification:
        qs = qs.filter(
            Q(qualifications__name=qualification)
            & (
                Q(qualifications__valid_until__isnull=True)
                | Q(qualifications__valid_until__gte=today)
            )
        )
    suspended = AgencyPenalty.objects.filter(penalties_in_force(now)).values("agency_id")
    return qs.exclude(pk__in=suspended).distinct().order_by("credit_code")


def purchase_publish(
    *,
    title: str,
    service_type_code: str,
    region_code: str,
    budget_fen: int,
    service_days: int,
    method: str,
    description: str,
    signup_closes_at: dt.datetime,
    buyer_entity: LegalEntity | None = None,
    buyer_department: Department | None = None,
    project_code: str = "",
    qualification: str = "",
    restrictions: dict[str, object] | None = None,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> Purchase:
    """Publish a purchase; invite the eligible agencies; open a draw where it is random."""
    now = now or clock.now()
    if (buyer_entity is None) == (buyer_department is None):
        raise _invalid("采购人须为一个企业或一个政府部门。", "buyer")
    name = " ".join((title or "").split())
    if not name or len(name) > 200:
        raise _invalid("项目名称不能为空，且不超过 200 字。", "title")
    service_type = ServiceType.objects.filter(code=service_type_code, active=True).first()
    if service_type is None:
        raise DomainError(
            errors.SERVICE_TYPE_NOT_FOUND, f"没有代码为“{service_type_code}”的服务类型。"
        )
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise _invalid(f"区划代码 {region_code} 不存在。", "region_code")
    if not 0 < budget_fen <= MAX_BUDGET_FEN:
        raise _invalid("预算须为正数（单位：分）。", "budget_fen")
    if not 1 <= service_days <= 365:
        raise _invalid("服务时限须为 1 至 365 个工作日。", "service_days")
    if method not in SelectionMethod.values:
        raise _invalid("选取方式须为直接选取、随机抽取、竞价选取或质量优先之一。", "method")
    text = (description or "").strip()
    if not text or len(text) > 5000:
        raise _invalid("服务内容不能为空，且不超过 5000 字。", "description")
    code = (project_code or "").strip()
    if code:
        problem = rules.project_code_problem(code)
        if problem:
            raise _invalid(f"投资项目代码无效：{problem}", "project_code")
    if signup_closes_at <= now + dt.timedelta(hours=1):
        raise _invalid("报名截止时间须在发布后至少 1 小时。", "signup_closes_at")
    if signup_closes_at > now + dt.timedelta(days=60):
        raise _invalid("报名期不能超过 60 天。", "signup_closes_at")
    qualification = " ".join((qualification or "").split())[:100]
    problems = rules.restriction_problems(
        texts=[name, text, qualification], restrictions=restrictions or {}
    )
    if problems:
        raise refuse(
            errors.PURCHASE_DESIGNATED_AGENCY,
            "采购公告限制了中介机构（资质要求以外的条件不得设置）：" + "；".join(problems),
            purchase=None,
            actor=actor,
        )
    with transaction.atomic():
        purchase = Purchase.objects.create(
            code=_new_code(now),
            title=name,
            service_type=service_type,
            buyer_entity=buyer_entity,
            buyer_department=buyer_department,
            buyer_name=(buyer_entity or buyer_department).name,  # type: ignore[union-attr]  # one is set, checked above
            region=region,
            region_path=region.path,
            project_code=code,
            budget_fen=budget_fen,
            qualification=qualification,
            service_days=service_days,
            method=method,
            description=text,
            published_at=now,
            signup_closes_at=signup_closes_at,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit(purchase, "purchase_publish", actor, now, method=method, budget_fen=budget_fen)
        if method == SelectionMethod.RANDOM:
            from tongban.intermediaries.services.draw import purchase_draw_open

            purchase_draw_open(purchase=purchase, actor=actor)
        invited = eligible_agencies(service_type=service_type, qualification=qualification, now=now)
        for agency in invited[:INVITE_LIMIT]:
            notify_agency(
                agency,
                purpose="intermediaries.invite",
                object_id=purchase.code,
                subject="中介服务采购邀请",
                body=(
                    f"{purchase.buyer_name}发布中介服务采购“{name}”（{service_type.name}），"
                    f"报名截止 {clock.local_date(signup_closes_at):%Y年%-m月%-d日}，"
                    f"编号 {purchase.code}，请在中介服务超市报名。"
                ),
                now=now,
            )
    return purchase


def _check_member(agency: Agency, purchase: Purchase, now: dt.datetime, actor: Any) -> None:
    reasons = restrictions_for(credit_code=agency.credit_code, measure="marketplace", now=now)
    if reasons:
        raise refuse(
            errors.AGENCY_RESTRICTED,
            f"{agency.name}失信受限（一处失信、全省受限），不能报名：{'；'.join(reasons)}",
            purchase=purchase,
            actor=actor,
        )


def _qualified(members: list[Agency], purchase: Purchase, now: dt.datetime) -> bool:
    ids = [a.pk for a in members]
    ok = eligible_agencies(service_type=purchase.service_type, qualification="", now=now).filter(
        pk__in=ids
    )
    if not ok.exists():
        return False
    if not purchase.qualification:
        return True
    return (
        eligible_agencies(
            service_type=purchase.service_type, qualification=purchase.qualification, now=now
        )
        .filter(pk__in=ids)
        .exists()
    )


def purchase_signup(
    *,
    purchase: Purchase,
    agency: Agency,
    consortium: Consortium | None = None,
    price_fen: int | None = None,
    proposal: str = "",
    actor: Any = None,
    now: dt.datetime | None = None,
) -> PurchaseSignup:
    """Sign up within the window; a restricted agency (or member) is refused, logged."""
    now = now or clock.now()
    if purchase.status != PurchaseStatus.SIGNUP or not (
        purchase.published_at <= now < purchase.signup_closes_at
    ):
        raise refuse(
            errors.SIGNUP_CLOSED,
            f"采购项目{purchase.code}的报名已于 "
            f"{purchase.signup_closes_at.astimezone(clock.SHANGHAI):%Y-%m-%d %H:%M} 截止。",
            purchase=purchase,
            actor=actor,
        )
    members = [agency]
    if consortium is not None:
        members = list(consortium.members.all())
        if consortium.lead_id != agency.pk:
            raise DomainError(errors.CONSORTIUM_INVALID, "联合体须由牵头机构报名。")
    for member in members:
        _check_member(member, purchase, now, actor)
    if not _qualified(members, purchase, now):
        need = f"“{purchase.service_type.name}”服务" + (
            f"和“{purchase.qualification}”资质" if purchase.qualification else ""
        )
        raise refuse(
            errors.SIGNUP_NOT_QUALIFIED, f"报名机构须提供{need}。", purchase=purchase, actor=actor
        )
    if purchase.method == SelectionMethod.COMPETITIVE:
        if price_fen is None or not 0 < price_fen <= purchase.budget_fen:
            raise DomainError(
                errors.SIGNUP_PRICE_INVALID, "竞价选取须报价，报价须为正数且不超过预算。"
            )
    elif price_fen is not None and not 0 < price_fen <= purchase.budget_fen:
        raise DomainError(errors.SIGNUP_PRICE_INVALID, "报价须为正数且不超过预算。")
    try:
        with transaction.atomic():
            locked = lock(purchase)
            if locked.status != PurchaseStatus.SIGNUP:
                raise DomainError(errors.SIGNUP_CLOSED, "报名已截止。")
            signup = PurchaseSignup.objects.create(
                purchase=locked,
                agency=agency,
                consortium=consortium,
                price_fen=price_fen,
                proposal=(proposal or "").strip()[:5000],
                signed_up_at=now,
                signed_up_by=actor if getattr(actor, "pk", None) else None,
            )
            audit(locked, "purchase_signup", actor, now, agency=agency.credit_code)
    except IntegrityError:
        raise DomainError(errors.SIGNUP_DUPLICATE, f"{agency.name}已报名该采购项目。") from None
    return signup


def _close_signup(purchase: Purchase, *, actor: Any, now: dt.datetime) -> None:
    if purchase.status == PurchaseStatus.SIGNUP:
        if now < purchase.signup_closes_at:
            raise DomainError(errors.PURCHASE_INVALID_STATE, "报名尚未截止，不能选取。")
        transition(purchase, PurchaseStatus.SELECTING, actor=actor, now=now, reason="报名截止")


def eligible_signups(purchase: Purchase, *, actor: Any, now: dt.datetime) -> list[PurchaseSignup]:
    """Re-check every sign-up at selection (credit can change after sign-up): the restricted
    are marked excluded with the reason; the rest, in sign-up order."""
    kept: list[PurchaseSignup] = []
    for signup in purchase.signups.select_related("agency", "consortium").order_by(
        "signed_up_at", "id"
    ):
        if signup.status == SignupStatus.EXCLUDED:
            continue
        members = list(signup.consortium.members.all()) if signup.consortium else [signup.agency]
        reasons = [
            r
            for m in members
            for r in restrictions_for(credit_code=m.credit_code, measure="marketplace", now=now)
        ]
        if reasons:
            signup.status = SignupStatus.EXCLUDED
            signup.exclusion_reason = "；".join(reasons)[:300]
            signup.save(update_fields=["status", "exclusion_reason"])
            audit(purchase, "signup_excluded", actor, now, agency=signup.agency.credit_code)
            continue
        kept.append(signup)
    return kept


def record_selection(
    purchase: Purchase,
    winner: PurchaseSignup,
    others: list[PurchaseSignup],
    *,
    reason: str,
    actor: Any,
    now: dt.datetime,
) -> Purchase:
    winner.status = SignupStatus.SELECTED
    winner.save(update_fields=["status"])
    PurchaseSignup.objects.filter(pk__in=[s.pk for s in others if s.pk != winner.pk]).update(
        status=SignupStatus.NOT_SELECTED
    )
    purchase.selected = winner
    purchase.selection_reason = reason[:300]
    purchase.selected_at = now
    purchase.publicity_ends_at = end_of_working_days(now, PUBLICITY_WORKING_DAYS)
    transition(
        purchase, PurchaseStatus.PUBLICITY, actor=actor, now=now, reason=reason,
        fields=("selected", "selection_reason", "selected_at", "publicity_ends_at"),
    )  # fmt: skip
    notify_agency(
        winner.agency,
        purpose="intermediaries.selected",
        object_id=purchase.code,
        subject="中介服务采购选取结果",
        body=f"您已被选为“{purchase.title}”（{purchase.code}）的服务机构，结果公示期满后确认合同。",
        now=now,
    )
    return purchase


def fail(purchase: Purchase, *, reason: str, actor: Any, now: dt.datetime) -> Purchase:
    transition(purchase, PurchaseStatus.FAILED, actor=actor, now=now, reason=reason)
    return purchase


def purchase_select(
    *,
    purchase: Purchase,
    signup_id: int | None = None,
    reason: str = "",
    scores: dict[int, int] | None = None,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> Purchase:
    """Select after sign-up closes: the buyer's direct choice (with its reason), the lowest
    price (竞价), or the best quality score (质量优先). Random draws: ``purchase_draw_run``."""
    now = now or clock.now()
    if purchase.method == SelectionMethod.RANDOM:
        raise DomainError(
            errors.SELECTION_INVALID, "随机抽取的项目由系统公开抽取，采购人不能自行选取。"
        )
    with transaction.atomic():
        locked = lock(purchase)
        _close_signup(locked, actor=actor, now=now)
        if locked.status != PurchaseStatus.SELECTING:
            raise DomainError(errors.PURCHASE_INVALID_STATE, "该采购项目已完成选取。")
        signups = eligible_signups(locked, actor=actor, now=now)
        if not signups:
            return fail(locked, reason="没有符合条件的报名机构", actor=actor, now=now)
        if locked.method == SelectionMethod.DIRECT:
            winner = next((s for s in signups if s.pk == signup_id), None)
            why = " ".join((reason or "").split())
            if winner is None:
                barred = (
                    locked.signups.filter(pk=signup_id or 0, status=SignupStatus.EXCLUDED)
                    .select_related("agency")
                    .first()
                )
                if barred is not None:  # 一处失信、全省受限: not even by the buyer's choice
                    raise refuse(
                        errors.AGENCY_RESTRICTED,
                        f"{barred.agency.name}不能被选取：{barred.exclusion_reason}",
                        purchase=locked,
                        actor=actor,
                    )
                raise DomainError(errors.SELECTION_INVALID, "请从符合条件的报名机构中选取一家。")
            if len(why) < 4:
                raise DomainError(
                    errors.SELECTION_INVALID, "直接选取须写明选取理由（至少 4 个字）。"
                )
            text = f"直接选取：{why}"
        elif locked.method == SelectionMethod.COMPETITIVE:
            winner = min(signups, key=lambda s: (s.price_fen or 0, s.signed_up_at, s.pk))
            text = f"竞价选取：最低报价 {(winner.price_fen or 0) / 100:.2f} 元"
        else:
            given = scores or {}
            if set(given) != {s.pk for s in signups} or not all(
                isinstance(v, int) and 0 <= v <= 100 for v in given.values()
            ):
                raise DomainError(
                    errors.SELECTION_INVALID, "质量优先须为每家符合条件的报名机构评分（0–100）。"
                )
            for s in signups:
                s.quality_score = given[s.pk]
                s.save(update_fields=["quality_score"])
            winner = min(
                signups,
                key=lambda s: (-(s.quality_score or 0), s.price_fen or 0, s.signed_up_at, s.pk),
            )
            text = f"质量优先：最高评分 {winner.quality_score} 分"
        return record_selection(locked, winner, signups, reason=text, actor=actor, now=now)


def purchase_cancel(
    *, purchase: Purchase, reason: str, actor: Any = None, now: dt.datetime | None = None
) -> Purchase:
    """Withdraw a purchase before its result is published, with the reason."""
    now = now or clock.now()
    why = " ".join((reason or "").split())
    if len(why) < 4:
        raise DomainError(core_errors.VALIDATION_FAILED, "撤销须写明理由（至少 4 个字）。")
    with transaction.atomic():
        locked = lock(purchase)
        transition(locked, PurchaseStatus.CANCELLED, actor=actor, now=now, reason=why)
    return locked
