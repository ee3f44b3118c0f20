"""Applicant reads: the account's own person and the legal entities it may act for."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from tongban.cases.models import Case
from tongban.cases.selectors._common import normalize_case_no, not_found
from tongban.cases.selectors.lists import page_columns, summary_columns, with_clock_inputs
from tongban.core.api.pagination import Page, clamp_limit, page_of, paginate
from tongban.core.prepared import FIXED, InList, PreparedRead
from tongban.identity.selectors import legal_entity_ids_for_user

APPLICANT_ORDERING = ("-received_at", "-id")


def _may_apply(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def _applicant_cases(*, user: Any) -> QuerySet[Case]:
    """Cases of the account's own person, or of a legal entity it may act for."""
    if not _may_apply(user):
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
    if cursor:
        cases = summary_columns(_applicant_cases(user=user))
        page = paginate(cases, ordering=APPLICANT_ORDERING, cursor=cursor, limit=limit)
    else:
        page = _first_summaries(user=user, limit=clamp_limit(limit))
    with_clock_inputs(page.items)
    return page


def _first_summaries(*, user: Any, limit: int) -> Page[Case]:
    """The first page of :func:`case_summaries_for_applicant` (what 我的办件
    opens on) through a read compiled once per connection and shape
    (``core.prepared``): the same statement as the ORM's but for ``person IN
    (x)`` for ``person = x``, without building and compiling it again on every
    request (a quarter of the page's Python, docs/performance.md)."""
    if not _may_apply(user):
        return Page([], None)
    persons = [user.person_id] if user.person_id is not None else []
    rows = _FIRST_SUMMARIES.objects(
        entity_ids=legal_entity_ids_for_user(user=user), person_ids=persons, limit=limit + 1
    )
    return page_of(rows, ordering=APPLICANT_ORDERING, limit=limit)


# "entity IN (…) OR person IN (x)": either list may be empty (its branch is left
# out; both empty, no statement is run).
_FIRST_SUMMARIES = PreparedRead(
    Case,
    {"entity_ids": InList(int), "person_ids": InList(int), "limit": FIXED},
    lambda entity_ids, person_ids, limit: summary_columns(
        Case.objects.filter(
            Q(applicant_entity_id__in=entity_ids) | Q(applicant_person_id__in=person_ids)
        )
    ).order_by(*APPLICANT_ORDERING)[:limit],
)


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
