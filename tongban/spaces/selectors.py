"""Reads of the personal and business spaces (R-ID-3), scoped to the account.

The spaces hold no data of their own: each section is a scoped read of the app
that owns the data (cases, certificates, identity). A business space exists
only for an account that may act for the legal entity *now*
(``identity.selectors.legal_entities_for_user``, checked on every request), so
revoking an agent's authorization takes effect at its next page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from tongban.cases.models import OPEN_STATUSES, Case, CaseStatus, applicant_reminder_q
from tongban.catalog import search
from tongban.certificates.holders import holder_keys_for
from tongban.certificates.models import CertificateStatus
from tongban.certificates.selectors import certificate_list_for_holder
from tongban.core import errors as core_errors
from tongban.core.errors import DomainError
from tongban.identity.models import AccountKind, BusinessAuthorization, LegalEntity, User
from tongban.identity.selectors import active_authorizations, legal_entities_for_user

CERTIFICATE_WARNING_DAYS = 30
REMINDER_WINDOW = dt.timedelta(days=366)
# 企业年度报告公示: 1 January to 30 June for the year before
# (《企业信息公示暂行条例》第八条).
ANNUAL_REPORT_FROM = (1, 1)
ANNUAL_REPORT_UNTIL = (6, 30)

# What the applicant does next, by status: the one line a phone shows.
NEXT_STEP = {
    CaseStatus.SUBMITTED: "等待窗口受理（受理或一次性告知补正）",
    CaseStatus.SUPPLEMENT_REQUESTED: "请按补正通知书补交材料",
    CaseStatus.SUPPLEMENTED: "材料已补正，等待受理",
    CaseStatus.ACCEPTED: "已受理，等待审查",
    CaseStatus.UNDER_REVIEW: "审查中，无需操作",
    CaseStatus.SUSPENDED: "特别程序中，期限暂停计算",
    CaseStatus.DECIDED: "已作出决定，等待送达",
    CaseStatus.DELIVERED: "已送达，请查收结果",
    CaseStatus.CONCLUDED: "已办结，欢迎评价",
    CaseStatus.REFUSED: "不予受理，可查看理由",
    CaseStatus.WITHDRAWN: "已撤回",
}
# Statuses where the applicant must act.
APPLICANT_ACTS = (CaseStatus.SUPPLEMENT_REQUESTED,)


@dataclass(frozen=True)
class CaseRow:
    case: Case
    next_step: str
    mine_to_do: bool


@dataclass(frozen=True)
class Reminder:
    kind: str  # supplement, deferred, certificate, annual_report
    title: str
    detail: str
    due: dt.date | None
    case_no: str = ""
    identifier: str = ""


MAX_WALKS = 5


def latest_cases_for_user(*, user: Any, limit: int = 10) -> list[Case]:
    """The account's ``limit`` newest cases: its person's and each business's.

    The same rows as the first page of ``cases.selectors.case_list_for_applicant``,
    read as one short walk of each applicant's index (``case_person``,
    ``case_entity``) and merged here. Its "person = x OR entity IN (…)" with
    ORDER BY … LIMIT made the database sort every case of a business with
    10,000 of them: 19 ms of the space's home page (docs/performance.md)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    base = Case.objects.select_related("service_item").order_by("-received_at", "-id")
    entity_ids = list(legal_entities_for_user(user=user).values_list("id", flat=True))
    if len(entity_ids) <= MAX_WALKS:
        walks = [base.filter(applicant_entity_id=pk) for pk in entity_ids]
    else:  # an agent of many businesses: one read, sorted by the database
        walks = [base.filter(applicant_entity_id__in=entity_ids)]
    if getattr(user, "person_id", None) is not None:
        walks.append(base.filter(applicant_person_id=user.person_id))
    found = [case for walk in walks for case in walk[:limit]]
    return sorted(found, key=lambda c: (c.received_at, c.pk), reverse=True)[:limit]


def case_rows_for_user(*, user: Any, limit: int = 10) -> list[CaseRow]:
    """The account's latest applications with what to do next (mine first)."""
    rows = [
        CaseRow(c, NEXT_STEP.get(CaseStatus(c.status), ""), c.status in APPLICANT_ACTS)
        for c in latest_cases_for_user(user=user, limit=limit)
    ]
    return sorted(rows, key=lambda r: not r.mine_to_do)


def _holder_keys(user: Any, entities: list[LegalEntity]) -> list[str]:
    person = user.person if getattr(user, "person_id", None) else None
    if user.kind == AccountKind.BUSINESS:
        person = None  # a business account's wallet is its businesses'
    return holder_keys_for(person=person, entities=entities)


REMINDER_CASES = 50


def _reminder_cases(
    *, user: Any, entities: list[LegalEntity], own: bool, today: dt.date
) -> list[Case]:
    """The applicants' cases with something due (``cases.models.applicant_reminder_q``),
    newest first: one short walk of each applicant's partial index
    (``case_entity_reminder``, ``case_person_reminder``), merged here.

    Cases received within the window only: a supplement or deferred material
    still open after a year is for the window, not a reminder."""
    since = dt.datetime.combine(today - REMINDER_WINDOW, dt.time(), tzinfo=dt.UTC)
    base = (
        Case.objects.filter(applicant_reminder_q(), received_at__gte=since)
        .select_related("service_item")
        .order_by("-received_at")
    )
    if len(entities) <= MAX_WALKS:
        walks = [base.filter(applicant_entity_id=e.pk) for e in entities]
    else:  # an agent of many businesses: one read
        walks = [base.filter(applicant_entity_id__in=[e.pk for e in entities])]
    if own and getattr(user, "person_id", None) is not None:
        walks.append(base.filter(applicant_person_id=user.person_id))
    found = {case.pk: case for walk in walks for case in walk[:REMINDER_CASES]}
    return sorted(found.values(), key=lambda c: (c.received_at, c.pk), reverse=True)[
        :REMINDER_CASES
    ]


def reminders_for_user(
    *, user: Any, today: dt.date, entity: LegalEntity | None = None
) -> list[Reminder]:
    """What is due: supplements, deferred materials, certificates about to
    expire and, for a business, the annual report; soonest first.

    With ``entity``, only that business's (its space); else the account's own
    and every business it acts for."""
    entities = [entity] if entity is not None else list(legal_entities_for_user(user=user))
    due: list[Reminder] = []
    for case in _reminder_cases(user=user, entities=entities, own=entity is None, today=today):
        if case.status == CaseStatus.SUPPLEMENT_REQUESTED:
            due.append(
                Reminder(
                    "supplement",
                    "补正材料",
                    f"{case.service_item.name}：请按一次性告知补交材料",
                    None,
                    case_no=case.case_no,
                )
            )
        if case.deferred_due_on is not None and case.status in OPEN_STATUSES:
            due.append(
                Reminder(
                    "deferred",
                    "补交容缺材料",
                    f"{case.service_item.name}：容缺受理的材料须在期限前补交",
                    case.deferred_due_on,
                    case_no=case.case_no,
                )
            )
    horizon = today + dt.timedelta(days=CERTIFICATE_WARNING_DAYS)
    keys = _holder_keys(user, entities) if entity is None else holder_keys_for(entities=[entity])
    for certificate in certificate_list_for_holder(holder_keys=keys).filter(
        status=CertificateStatus.VALID, valid_until__gte=today, valid_until__lte=horizon
    )[:20]:
        due.append(
            Reminder(
                "certificate",
                "证照即将到期",
                f"{certificate.certificate_type.name}将于到期日失效，请及时办理延续",
                certificate.valid_until,
                identifier=certificate.identifier,
            )
        )
    start = dt.date(today.year, *ANNUAL_REPORT_FROM)
    end = dt.date(today.year, *ANNUAL_REPORT_UNTIL)
    if start <= today <= end:
        for business in entities:
            due.append(
                Reminder(
                    "annual_report",
                    "企业年度报告",
                    f"{business.name}：请于 6 月 30 日前报送 {today.year - 1} 年度报告",
                    end,
                )
            )
    return sorted(due, key=lambda r: (r.due is None and r.kind != "supplement", r.due or today))


# --- business space ---------------------------------------------------------------


def business_get_for_user(*, user: Any, credit_code: str) -> LegalEntity:
    """A business the account may act for now, or ``not_found``."""
    code = (credit_code or "").strip().upper()[:18]
    entity = legal_entities_for_user(user=user).filter(credit_code=code).first()
    if entity is None:
        raise DomainError(core_errors.NOT_FOUND, "未找到该单位，或您已无权代表它办事。")
    return entity


def business_is_representative(*, user: Any, entity: LegalEntity) -> bool:
    return (
        active_authorizations()
        .filter(user=user, legal_entity=entity, role="legal_representative")
        .exists()
    )


@dataclass(frozen=True)
class AuthorizationRow:
    authorization: BusinessAuthorization
    cases_submitted: int
    # The items an agent is limited to, (实施编码, name); empty: every item.
    items: tuple[tuple[str, str], ...] = ()


def service_item_names(*, codes: list[str]) -> dict[str, str]:
    """The names of the published items among ``codes`` (an unknown or
    unpublished code is absent), for naming an agent's items."""
    if not codes:
        return {}
    return dict(
        search.published_items()
        .filter(implementation_code__in=codes)
        .values_list("implementation_code", "name")
    )


def business_authorizations(*, entity: LegalEntity, limit: int = 100) -> list[AuthorizationRow]:
    """The business's authorizations, current ones first, each with how many of
    the business's cases that account submitted (the record of what it did).

    The counts are one grouped read of the index on (business, submitter), not
    a join per authorization: with 10,000 cases the join cost 120 ms."""
    authorizations = list(
        BusinessAuthorization.objects.filter(legal_entity=entity)
        .select_related("user", "granted_by")
        .order_by("revoked_at", "-granted_at")[:limit]
    )
    counts = dict(
        Case.objects.filter(
            applicant_entity=entity, submitted_by_id__in={a.user_id for a in authorizations}
        )
        .values_list("submitted_by_id")
        .annotate(n=Count("*"))  # from the index alone (case_entity_submitter)
        .values_list("submitted_by_id", "n")
    )
    names = service_item_names(codes=sorted({c for a in authorizations for c in a.item_codes}))
    return [
        AuthorizationRow(
            a,
            counts.get(a.user_id, 0),
            tuple((code, names.get(code, "（已下线的事项）")) for code in a.item_codes),
        )
        for a in authorizations
    ]


def business_items_for_agent(*, user: Any, entity: LegalEntity) -> tuple[tuple[str, str], ...]:
    """The items this agent may handle for ``entity``, (实施编码, name); empty: every item."""
    authorization = active_authorizations().filter(user=user, legal_entity=entity).first()
    codes = list(authorization.item_codes) if authorization else []
    names = service_item_names(codes=codes)
    return tuple((code, names.get(code, "（已下线的事项）")) for code in codes)


def business_authorization_get(
    *, entity: LegalEntity, authorization_id: int
) -> BusinessAuthorization:
    found = (
        BusinessAuthorization.objects.select_related("legal_entity")
        .filter(pk=authorization_id, legal_entity=entity)
        .first()
        if 0 < authorization_id < 2**63  # a larger number from a URL is no row
        else None
    )
    if found is None:
        raise DomainError(core_errors.NOT_FOUND, "未找到该授权。")
    return found


def business_cases(*, entity: LegalEntity, limit: int = 20) -> list[Case]:
    """The business's latest cases with the account that submitted each."""
    return list(
        Case.objects.filter(applicant_entity=entity)
        .select_related("service_item", "submitted_by")
        .order_by("-received_at", "-id")[:limit]
    )


def business_account_find(*, username: str) -> User | None:
    """An active 法人用户 account by its user name (to be made an agent)."""
    name = (username or "").strip()[:150]
    return User.objects.filter(username=name, kind=AccountKind.BUSINESS, is_active=True).first()
