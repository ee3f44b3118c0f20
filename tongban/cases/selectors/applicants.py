"""Applicant reads: the account's own person and the legal entities it may act for."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from tongban.cases.models import Case
from tongban.cases.selectors._common import normalize_case_no, not_found
from tongban.cases.selectors.lists import page_columns, summary_columns, with_clock_inputs
from tongban.core.api.pagination import Page, paginate
from tongban.identity.selectors import legal_entity_ids_for_user

APPLICANT_ORDERING = ("-received_at", "-id")


def _applicant_cases(*, user: Any) -> QuerySet[Case]:
    """Cases of the account's own person, or of a legal entity it may act for."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    # The entity ids as a list, not a subquery: "person = x OR entity IN (1, 2)"
    # is two index scans, while "OR entity IN (SELECT …)" reads the whole table.
    entity_ids = legal_entity_ids_for_user(user=user)
    mine = Q(applicant_entity_id__in=entity_ids) if entity_ids else Q(pk__in=[])
    # A NULL person must never match: "applicant_person IS NULL" is every entity's case.
    if user.person_id is not None:
        mine |= Q(applicant_person_id=user.person_id)
    return Case.objects.filter(mine)


def case_get_for_applicant(*, user: Any, case_no: str) -> Case:
    """The applicant's own case (or their legal entity's), or ``not_found``."""
    case = (
        _applicant_cases(user=user)
        .select_related("service_item", "department")
        .filter(case_no=normalize_case_no(case_no))
        .first()
    )
    if case is None:
        raise not_found()
    return case


def case_page_for_applicant(*, user: Any, case_no: str) -> Case:
    """:func:`case_get_for_applicant` for the case page: the same case, reading
    only what the page shows and its clock reads (``selectors.lists``)."""
    found = list(
        page_columns(_applicant_cases(user=user)).filter(case_no=normalize_case_no(case_no))[:1]
    )
    if not found:
        raise not_found()
    return with_clock_inputs(found)[0]


def case_list_for_applicant(*, user: Any, cursor: str | None = None, limit: int = 20) -> Page[Case]:
    """我的办件: the account's cases, newest first (keyset pages)."""
    qs = _applicant_cases(user=user).select_related("service_item").prefetch_related("suspensions")
    return paginate(qs, ordering=APPLICANT_ORDERING, cursor=cursor, limit=limit)


def case_summaries_for_applicant(
    *, user: Any, cursor: str | None = None, limit: int = 20
) -> Page[Case]:
    """:func:`case_list_for_applicant`'s page as a list shows it: the same rows in
    the same order, reading only the columns a row shows and its clock reads
    (``selectors.lists``)."""
    cases = summary_columns(_applicant_cases(user=user))
    page = paginate(cases, ordering=APPLICANT_ORDERING, cursor=cursor, limit=limit)
    with_clock_inputs(page.items)
    return page


def policy_grant_cases(*, entity: Any, matches: list[Any]) -> dict[int, Case]:
    """The 免申即享 cases of ``entity`` recorded for ``matches`` (policy matches the
    caller read for a business it may see), by match id: one query."""
    from tongban.cases.models import PolicyGrant

    ids = [m.pk for m in matches if m.granted_at is not None]
    if not ids:
        return {}
    grants = PolicyGrant.objects.filter(
        match_id__in=ids, case__applicant_entity_id=entity.pk
    ).select_related("case")
    return {g.match_id: g.case for g in grants}
