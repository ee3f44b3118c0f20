"""告知承诺 post-checks (事后核查) for the staff who record them, scoped in SQL.

The open checks of the cases in the caller's acting scope (the same regions and
departments as the cases they may act on, ``CASE_HANDLE_ROLES``), soonest due
first, in keyset pages (the table is never counted).
"""

from __future__ import annotations

from typing import Any

from tongban.cases.models import PostCheck, PostCheckStatus
from tongban.cases.selectors.staff import CASE_HANDLE_ROLES
from tongban.core.api.pagination import Page, paginate
from tongban.org.selectors import StaffScope, scope_q, staff_scope_for

POST_CHECK_ORDERING = ("due_on", "id")


def post_checks_for_staff(*, user: Any, scope: StaffScope | None = None) -> Any:
    """Every post-check of a case in the caller's acting scope (none for others)."""
    acting = (scope if scope is not None else staff_scope_for(user=user)).for_roles(
        *CASE_HANDLE_ROLES
    )
    return PostCheck.objects.filter(
        scope_q(
            scope=acting,
            region_path_field="case__region_path",
            department_field="case__department_id",
        )
    )


def post_check_list_for_staff(
    *,
    user: Any,
    status: str = PostCheckStatus.OPEN,
    cursor: str | None = None,
    limit: int = 20,
    scope: StaffScope | None = None,
) -> Page[PostCheck]:
    """One page of the caller's post-checks in ``status``, soonest due first, with
    the case, its item and applicant (one query)."""
    qs = (
        post_checks_for_staff(user=user, scope=scope)
        .filter(status=status)
        .select_related("case__service_item", "case__applicant_entity")
        .only(
            "id",
            "due_on",
            "status",
            "checked_at",
            "result_note",
            "case__id",
            "case__case_no",
            "case__applicant_name",
            "case__decided_on",
            "case__service_item__id",
            "case__service_item__name",
            "case__applicant_entity__id",
            "case__applicant_entity__credit_code",
        )
    )
    return paginate(qs, ordering=POST_CHECK_ORDERING, cursor=cursor, limit=limit)
