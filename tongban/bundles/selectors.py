"""Every read of bundles, scoped by the caller (DESIGN §8, CONVENTIONS 5).

Public reads (published bundles, a project's approvals) need no login;
applicants see their own applications (or their businesses'); staff see the
applications in their scope — a grant's region subtree covers the bundle's
region, and a department-restricted grant names a member's or a lead
department — decided in SQL with ``org.selectors.scope_q``; "not yours" is
"not found".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from tongban.bundles import graph
from tongban.bundles.content import BundleContent
from tongban.bundles.lint import as_working_days
from tongban.bundles.merge import MergeResult, bundle_merge
from tongban.bundles.models import (
    Bundle,
    BundleApplication,
    BundleMember,
    DevelopmentZone,
    InvestmentProject,
    ProjectCase,
    RegionalAssessment,
)
from tongban.bundles.services._common import (
    ResolvedMember,
    content_parse,
    member_guides,
    members_resolve,
)
from tongban.bundles.services.members import supplied_fields
from tongban.cases.deadlines import AlertLevel, alert_level, working_days_left
from tongban.cases.models import Case
from tongban.cases.selectors import case_clock
from tongban.core import errors as core_errors
from tongban.core.api.pagination import Page, paginate
from tongban.core.calendar import WorkingCalendar
from tongban.core.errors import DomainError
from tongban.identity.selectors import legal_entities_for_user, legal_entity_ids_for_user
from tongban.org.models import Department, Role
from tongban.org.selectors import scope_q, staff_scope_for

READ_ROLES = (
    Role.WINDOW_CLERK,
    Role.REVIEWER,
    Role.DEPARTMENT_HEAD,
    Role.SUPERVISOR,
    Role.PLATFORM_ADMIN,
)
APPLICANT_ORDERING = ("-received_at", "-id")


def _not_found(what: str = "一件事申请") -> DomainError:
    return DomainError(core_errors.NOT_FOUND, f"未找到该{what}。")


# --- definitions -----------------------------------------------------------------------


def bundle_list_public(
    *, category: str | None = None, cursor: str | None = None, limit: int = 50
) -> Page[Bundle]:
    bundles = Bundle.objects.filter(current_version__isnull=False).select_related("region")
    if category:
        bundles = bundles.filter(category=category)
    return paginate(bundles, ordering=("code", "id"), cursor=cursor, limit=limit)


def bundle_get_public(code: str) -> Bundle:
    """A published bundle, or ``not_found``."""
    bundle = (
        Bundle.objects.filter(code=(code or "").strip().lower()[:40], current_version__isnull=False)
        .select_related("current_version", "region")
        .first()
    )
    if bundle is None:
        raise _not_found("一件事")
    return bundle


@dataclass(frozen=True)
class BundleView:
    """A published bundle as the public and the window see it."""

    bundle: Bundle
    content: BundleContent
    members: list[ResolvedMember]
    layers: list[list[str]]
    merge: MergeResult
    leads: list[Department]
    cooperating: list[Department]
    critical_path_days: int

    def member(self, key: str) -> ResolvedMember:
        return next(m for m in self.members if m.key == key)

    @property
    def available(self) -> bool:
        return len(self.members) == len(self.content.members)


def bundle_view(bundle: Bundle, *, situations: dict[str, str] | None = None) -> BundleView:
    """The definition with its members' published guides merged (what was merged and
    why), the parallel layers and the departments."""
    content = content_parse(bundle.current_version.content)  # type: ignore[union-attr]  # published
    members = members_resolve(content, strict=False)
    keys = [m.key for m in members]
    merge = bundle_merge(
        member_guides(members, situations), content, supplied=supplied_fields(content, keys)
    )
    deps = {m.key: [d for d in m.depends_on if d in keys] for m in members}
    departments = {
        d.credit_code: d
        for d in Department.objects.filter(
            credit_code__in=[*content.lead_departments, *content.cooperating_departments]
        )
    }
    days = {m.key: as_working_days(m.guide.promised_limit) for m in members}
    return BundleView(
        bundle=bundle,
        content=content,
        members=members,
        layers=graph.layers(deps),
        merge=merge,
        leads=[departments[c] for c in content.lead_departments if c in departments],
        cooperating=[departments[c] for c in content.cooperating_departments if c in departments],
        critical_path_days=graph.longest_path(deps, days),
    )


# --- applications ----------------------------------------------------------------------


def _applicant_applications(*, user: Any) -> QuerySet[BundleApplication]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return BundleApplication.objects.none()
    entity_ids = legal_entity_ids_for_user(user=user)
    mine = Q(applicant_entity_id__in=entity_ids) if entity_ids else Q(pk__in=[])
    if user.person_id is not None:
        mine |= Q(applicant_person_id=user.person_id)
    return BundleApplication.objects.filter(mine)


def _staff_applications(
    *, user: Any, roles: tuple[str, ...] = READ_ROLES
) -> QuerySet[BundleApplication]:
    scope = staff_scope_for(user=user).for_roles(*roles)
    by_member = scope_q(
        scope=scope, region_path_field="region_path", department_field="members__department"
    )
    by_lead = scope_q(
        scope=scope, region_path_field="region_path", department_field="bundle__lead_departments"
    )
    ids = BundleApplication.objects.filter(by_member | by_lead).values("pk")
    return BundleApplication.objects.filter(pk__in=ids)


def _detail(qs: QuerySet[BundleApplication]) -> QuerySet[BundleApplication]:
    return qs.select_related(
        "bundle", "bundle_version", "established_entity", "project"
    ).prefetch_related(
        Prefetch(
            "members",
            queryset=BundleMember.objects.select_related("case", "department").order_by("position"),
        )
    )


def application_get_for_applicant(*, user: Any, application_no: str) -> BundleApplication:
    found = (
        _detail(_applicant_applications(user=user))
        .filter(application_no=(application_no or "").strip()[:24])
        .first()
    )
    if found is None:
        raise _not_found()
    return found


def application_get_for_staff(*, user: Any, application_no: str) -> BundleApplication:
    found = (
        _detail(_staff_applications(user=user))
        .filter(application_no=(application_no or "").strip()[:24])
        .first()
    )
    if found is None:
        raise _not_found()
    return found


def application_list_for_applicant(
    *, user: Any, cursor: str | None = None, limit: int = 20
) -> Page[BundleApplication]:
    qs = _applicant_applications(user=user).select_related("bundle")
    return paginate(qs, ordering=APPLICANT_ORDERING, cursor=cursor, limit=limit)


def application_list_for_staff(
    *, user: Any, status: str | None = None, cursor: str | None = None, limit: int = 20
) -> Page[BundleApplication]:
    qs = _staff_applications(user=user).select_related("bundle")
    if status:
        qs = qs.filter(status=status)
    return paginate(qs, ordering=APPLICANT_ORDERING, cursor=cursor, limit=limit)


@dataclass(frozen=True)
class BundleClock:
    deadline: dt.date | None
    working_days_left: int | None
    alert: str | None  # "yellow" | "red" | None


def application_clock(
    application: BundleApplication, today: dt.date, cal: WorkingCalendar
) -> BundleClock:
    """The one clock the applicant sees: the bundle's promised deadline."""
    from tongban.bundles.models import ApplicationStatus

    if application.deadline is None or application.status != ApplicationStatus.IN_PROGRESS:
        return BundleClock(application.deadline, None, None)
    left = working_days_left(application.deadline, today, (), cal)
    level = alert_level(application.deadline, today, application.received_on, (), cal)
    return BundleClock(
        application.deadline, left, None if level == AlertLevel.NONE else level.value
    )


# --- projects --------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectView:
    project: InvestmentProject
    cases: list[Case]  # every approval carrying the code, oldest first
    applications: list[BundleApplication]


def _project(code: str) -> InvestmentProject:
    from tongban.bundles.identifiers import project_code_validate

    project = (
        InvestmentProject.objects.filter(code=project_code_validate(code))
        .select_related("region", "zone")
        .first()
    )
    if project is None:
        raise _not_found("投资项目")
    return project


def _project_cases(project: InvestmentProject) -> QuerySet[Case]:
    linked = ProjectCase.objects.filter(project=project).values("case_id")
    return Case.objects.filter(Q(pk__in=linked) | Q(bundle_member__application__project=project))


def _project_view(
    project: InvestmentProject,
    cases: QuerySet[Case],
    applications: QuerySet[BundleApplication],
) -> ProjectView:
    return ProjectView(
        project=project,
        cases=list(
            cases.select_related("service_item", "department", "bundle_member__application")
            .prefetch_related("suspensions")
            .order_by("received_at", "id")
            .distinct()
        ),
        applications=list(
            applications.select_related("bundle")
            .annotate(
                member_count=Count("members", distinct=True),
                members_done=Count("members", filter=Q(members__status="result"), distinct=True),
            )
            .order_by("received_at", "id")
        ),
    )


def project_get_for_staff(*, user: Any, code: str) -> ProjectView:
    """A project and the approvals of it that the staff member may see (CONVENTIONS 5):
    the cases in a grant's region subtree (and department, where restricted) and
    the bundle applications of ``application_list_for_staff``, decided in SQL. A
    project with none of them in scope, and outside every grant's region, is
    "not found" as one that does not exist."""
    project = _project(code)
    scope = staff_scope_for(user=user).for_roles(*READ_ROLES)
    cases = _project_cases(project).filter(
        scope_q(scope=scope, region_path_field="region_path", department_field="department")
    )
    applications = _staff_applications(user=user).filter(project=project)
    in_region = InvestmentProject.objects.filter(
        scope_q(scope=scope, region_path_field="region_path", department_field=None),
        pk=project.pk,
    )
    if not (in_region.exists() or cases.exists() or applications.exists()):
        raise _not_found("投资项目")
    return _project_view(project, cases, applications)


def project_owned_by(*, user: Any, project: InvestmentProject) -> bool:
    """Whether ``user`` acts for the project's owner (项目单位): its cases and bundle
    applications are then the user's own to open in 我的办件 and 我的一件事."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return legal_entities_for_user(user=user).filter(credit_code=project.owner_credit_code).exists()


def project_get_public(code: str) -> ProjectView:
    """A project and every approval of it (R-PL-7); public, as the national
    platform's project page is; no personal data is in it."""
    project = _project(code)
    return _project_view(project, _project_cases(project), project.applications.all())


@dataclass(frozen=True)
class ProjectApproval:
    """One approval of a project with its own clock (the phase it runs in)."""

    case: Case
    application_no: str | None  # the bundle application it belongs to, if any
    phase: str  # "acceptance" | "decision" | "delivery" | "none"
    deadline: dt.date | None
    working_days_left: int | None
    alert: str | None  # "yellow" | "red" | None
    stopped: bool


def project_approvals(
    view: ProjectView, today: dt.date, cal: WorkingCalendar
) -> list[ProjectApproval]:
    """The approvals of ``view`` with their clocks (``cases.selectors.case_clock``)."""
    rows = []
    for case in view.cases:
        shown = case_clock(case, today, cal=cal)
        member = getattr(case, "bundle_member", None)
        level = shown.alert
        alert = level.value if level is not None and level != AlertLevel.NONE else None
        rows.append(
            ProjectApproval(
                case=case,
                application_no=member.application.application_no if member else None,
                phase=shown.phase,
                deadline=shown.deadline,
                working_days_left=shown.working_days_left,
                alert=alert,
                stopped=shown.stopped,
            )
        )
    return rows


# The stages the public sees of a project's approvals (R-PL-7): what stage each
# is in and how many are in each, never a case number, date or clock (those are
# the owner's, in 我的办件, and the staff's in scope).
STAGES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("receiving", "收件受理", ("submitted", "supplement_requested", "supplemented")),
    ("reviewing", "审查中", ("accepted", "under_review", "suspended")),
    ("decided", "已作出决定", ("decided", "delivered", "concluded")),
    ("refused", "不予受理", ("refused",)),
    ("withdrawn", "已撤回", ("withdrawn",)),
)
_STAGE_OF = {status: (code, label) for code, label, group in STAGES for status in group}


def case_stage(status: str) -> tuple[str, str]:
    """The public stage (code, label) of a case status."""
    return _STAGE_OF.get(status, ("reviewing", "审查中"))


@dataclass(frozen=True)
class ProjectStage:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class ProjectSummary:
    """What anyone may read of a project's approvals: the project's stage and the
    number of approvals in each stage (and of each bundle's members)."""

    stage: str  # "none" | "in_progress" | "done"
    stage_label: str
    total: int
    stages: list[ProjectStage]


def project_summary(view: ProjectView) -> ProjectSummary:
    counts = dict.fromkeys((code for code, _, _ in STAGES), 0)
    for case in view.cases:
        counts[case_stage(case.status)[0]] += 1
    total = len(view.cases)
    open_ = counts["receiving"] + counts["reviewing"]
    if total == 0:
        stage = ("none", "尚未申报审批")
    elif open_:
        stage = ("in_progress", "审批办理中")
    else:
        stage = ("done", "审批已全部办结")
    return ProjectSummary(
        stage=stage[0],
        stage_label=stage[1],
        total=total,
        stages=[ProjectStage(code, label, counts[code]) for code, label, _ in STAGES],
    )


def zone_assessments(project: InvestmentProject) -> list[RegionalAssessment]:
    """The 区域评估 records of the project's development zone (002 #27): what the
    project's applications take from the record instead of asking for, each
    with its validity; none for a project outside a zone."""
    if project.zone_id is None:
        return []
    return list(
        RegionalAssessment.objects.filter(zone_id=project.zone_id).order_by("kind", "-valid_until")
    )


# Who records a zone's 区域评估: the reviewers and heads whose grant's region covers it.
ZONE_ROLES = (Role.REVIEWER, Role.DEPARTMENT_HEAD, Role.PLATFORM_ADMIN)


def zones_for_staff(*, user: Any) -> QuerySet[DevelopmentZone]:
    """The development zones inside the caller's grants' regions (a zone belongs to
    no department, so a department-restricted grant reaches it by region), in SQL."""
    scope = staff_scope_for(user=user).for_roles(*ZONE_ROLES)
    covered = Q(pk__in=[])
    for grant in scope.grants:
        covered |= Q(region_path__startswith=grant.region_path)
    return DevelopmentZone.objects.filter(covered).select_related("region").order_by("name", "id")
