"""Staff reads: every case filtered by the caller's data scope in SQL (CONVENTIONS 5)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from tongban.cases.models import OPEN_STATUSES, Case, CaseStatus, queue_deadline_key
from tongban.cases.selectors._common import normalize_case_no, not_found
from tongban.cases.selectors.lists import page_columns, summary_columns, with_clock_inputs
from tongban.core import errors as core_errors
from tongban.core.api.pagination import Page, clamp_limit, page_of, paginate
from tongban.core.errors import DomainError
from tongban.core.prepared import FIXED, InList, Prefix, PreparedRead
from tongban.org.models import Role
from tongban.org.selectors import ScopeGrant, StaffScope, scope_q, staff_scope_for

# Roles whose scope lets a staff member see the cases in it.
CASE_READ_ROLES = (
    Role.WINDOW_CLERK,
    Role.REVIEWER,
    Role.DEPARTMENT_HEAD,
    Role.SUPERVISOR,
    Role.PLATFORM_ADMIN,
)
# Roles that act on cases; supervisors and platform administrators only look.
CASE_HANDLE_ROLES = (Role.WINDOW_CLERK, Role.REVIEWER, Role.DEPARTMENT_HEAD)

# The window queue (窗口待办): applications waiting for 受理 / 不予受理 / 补正告知.
WINDOW_QUEUE_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.SUPPLEMENTED)

STAFF_QUEUE_ORDERING = ("deadline_key", "received_at", "id")


def _staff_cases(
    *, user: Any, roles: tuple[str, ...] = CASE_READ_ROLES, scope: StaffScope | None = None
) -> QuerySet[Case]:
    """The cases in the scope that ``roles`` give ``user`` (none for anyone else);
    ``scope`` when the caller has read it already."""
    scope = (scope if scope is not None else staff_scope_for(user=user)).for_roles(*roles)
    return Case.objects.filter(
        scope_q(scope=scope, region_path_field="region_path", department_field="department_id")
    )


def case_get_for_staff(*, user: Any, case_no: str, scope: StaffScope | None = None) -> Case:
    """A case in the staff user's scope (region subtree and departments), or ``not_found``."""
    case = (
        _staff_cases(user=user, scope=scope)
        .select_related("service_item", "department")
        .filter(case_no=normalize_case_no(case_no))
        .first()
    )
    if case is None:
        raise not_found()
    return case


def case_page_for_staff(*, user: Any, case_no: str) -> Case:
    """:func:`case_get_for_staff` for the case page: the same case, reading only
    what the page shows and its clock reads (``selectors.lists``)."""
    found = list(
        page_columns(_staff_cases(user=user)).filter(case_no=normalize_case_no(case_no))[:1]
    )
    if not found:
        raise not_found()
    return with_clock_inputs(found)[0]


def case_get_for_handler(*, user: Any, case_no: str) -> Case:
    """A case the staff user may act on.

    ``not_found`` when the case is outside every case role's scope;
    ``permission_denied`` when it is visible only through a role that looks and
    does not act (监察人员, 平台管理员).
    """
    return case_and_scope_for_handler(user=user, case_no=case_no)[0]


def case_and_scope_for_handler(*, user: Any, case_no: str) -> tuple[Case, StaffScope]:
    """:func:`case_get_for_handler` and the user's scope, read once: the caller
    hands the scope on to the service (``services.acting_in_scope``)."""
    scope = staff_scope_for(user=user)
    case = case_get_for_staff(user=user, case_no=case_no, scope=scope)
    # The same test as scope_q's, on the row already read.
    if not any(
        case.region_path.startswith(g.region_path)
        and (g.department_ids is None or case.department_id in g.department_ids)
        for g in scope.for_roles(*CASE_HANDLE_ROLES).grants
    ):
        raise DomainError(core_errors.PERMISSION_DENIED, "当前账号只能查看、不能办理该办件。")
    return case, scope


def _queue(
    *, user: Any, status: str | None, q: str | None, window_queue: bool, include_closed: bool
) -> QuerySet[Case]:
    return _queue_of(
        _staff_cases(user=user),
        status=status,
        q=q,
        window_queue=window_queue,
        include_closed=include_closed,
    )


def _queue_of(
    qs: QuerySet[Case],
    *,
    status: str | None,
    q: str | None,
    window_queue: bool,
    include_closed: bool,
) -> QuerySet[Case]:
    if window_queue:
        qs = qs.filter(status__in=WINDOW_QUEUE_STATUSES)
    if status:
        qs = qs.filter(status=status)
    elif not (window_queue or include_closed):
        qs = qs.filter(status__in=OPEN_STATUSES)
    text = (q or "").strip()
    if text:
        qs = qs.filter(Q(case_no__startswith=text) | Q(applicant_name__icontains=text))
    return qs.annotate(deadline_key=queue_deadline_key())


def case_list_for_staff(
    *,
    user: Any,
    status: str | None = None,
    q: str | None = None,
    window_queue: bool = False,
    include_closed: bool = False,
    cursor: str | None = None,
    limit: int = 20,
) -> Page[Case]:
    """The staff queue: the running clocks closest to their decision deadline first,
    then cases whose clock has not started; within each, the oldest receipt first.

    Only open cases (在办) unless ``include_closed`` or a ``status`` is given;
    ``window_queue`` keeps the applications waiting at the window (submitted,
    supplemented); ``q`` matches the start of the case number or part of the
    applicant's name. Keyset pages; the table is never counted.
    """
    qs = _queue(
        user=user, status=status, q=q, window_queue=window_queue, include_closed=include_closed
    )
    qs = qs.select_related("service_item").prefetch_related("suspensions")
    return paginate(qs, ordering=STAFF_QUEUE_ORDERING, cursor=cursor, limit=limit)


def case_summaries_for_staff(
    *,
    user: Any,
    status: str | None = None,
    q: str | None = None,
    window_queue: bool = False,
    include_closed: bool = False,
    cursor: str | None = None,
    limit: int = 20,
) -> Page[Case]:
    """:func:`case_list_for_staff`'s page as a list shows it: the same rows in the
    same order, reading only the columns a row shows and its clock reads
    (``selectors.lists``)."""
    if cursor or status or (q or "").strip():
        qs = _queue(
            user=user, status=status, q=q, window_queue=window_queue, include_closed=include_closed
        )
        page = paginate(
            summary_columns(qs), ordering=STAFF_QUEUE_ORDERING, cursor=cursor, limit=limit
        )
    else:
        page = _first_queue_page(
            user=user,
            window_queue=window_queue,
            include_closed=include_closed,
            limit=clamp_limit(limit),
        )
    with_clock_inputs(page.items)
    return page


def _first_queue_page(
    *, user: Any, window_queue: bool, include_closed: bool, limit: int
) -> Page[Case]:
    """The first page of :func:`case_summaries_for_staff` without a status or a
    search (what the queue opens on) through a read compiled once per
    connection and shape of the scope (``core.prepared``): the same statement
    as the ORM's, scoped in SQL by the same ``scope_q``, with each grant's
    region path and departments as parameters."""
    grants = staff_scope_for(user=user).for_roles(*CASE_READ_ROLES).grants
    if not grants:
        return Page([], None)
    restricted = [sorted(g.department_ids) for g in grants if g.department_ids is not None]
    rows = _FIRST_QUEUE.objects(
        prefixes=[g.region_path for g in grants],
        departments=[pk for ids in restricted for pk in ids],
        layout=tuple(-1 if g.department_ids is None else len(g.department_ids) for g in grants),
        window_queue=window_queue,
        include_closed=include_closed,
        limit=limit + 1,
    )
    return page_of(rows, ordering=STAFF_QUEUE_ORDERING, limit=limit)


def _first_queue_statement(
    *,
    prefixes: list[str],
    departments: list[int],
    layout: tuple[int, ...],
    window_queue: bool,
    include_closed: bool,
    limit: int,
) -> QuerySet[Case]:
    """The queue's first page for a scope of ``layout`` (per grant, its number
    of departments, -1 for all): the grants rebuilt from the parameters'
    stand-ins, filtered by ``scope_q`` as :func:`_staff_cases` filters."""
    given = iter(departments)
    grants = tuple(
        ScopeGrant(
            role=CASE_READ_ROLES[0],
            region_path=path,
            department_ids=None if n < 0 else frozenset(next(given) for _ in range(n)),
        )
        for path, n in zip(prefixes, layout, strict=True)
    )
    scope = StaffScope(roles=frozenset({CASE_READ_ROLES[0]}), grants=grants)
    qs = Case.objects.filter(
        scope_q(scope=scope, region_path_field="region_path", department_field="department_id")
    )
    queue = _queue_of(
        qs, status=None, q=None, window_queue=window_queue, include_closed=include_closed
    )
    return summary_columns(queue).order_by(*STAFF_QUEUE_ORDERING)[:limit]


_FIRST_QUEUE = PreparedRead(
    Case,
    {
        # one region path per grant; the restricted grants' departments, in order
        "prefixes": InList(Prefix, unique=False),
        "departments": InList(int, unique=False),
        "layout": FIXED,
        "window_queue": FIXED,
        "include_closed": FIXED,
        "limit": FIXED,
    },
    _first_queue_statement,
)
