"""Demo staff: one login per role in 南京市 and 赣州市, and a county clerk in each.

Every account is created through identity's and org's services, so the demo
exercises the same checks as real data entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from tongban.identity.demo import DEMO_STAFF_PASSWORD, demo_staff_account
from tongban.org.models import Department, DepartmentKind, Region, Role, Window
from tongban.org.services import staff_assign

STAFF_PASSWORD = DEMO_STAFF_PASSWORD


@dataclass(frozen=True)
class DemoStaff:
    username: str
    display_name: str
    role: str
    region_code: str  # where the department is
    department: str  # "centre" (service centre or approval bureau) or a name fragment
    scope_code: str  # root of the data scope
    restrict_to_department: bool = False
    at_window: bool = False


def _staff_for_city(prefix: str, code: str, surname: str) -> list[DemoStaff]:
    return [
        DemoStaff(
            f"{prefix}_clerk",
            f"{surname}窗口",
            Role.WINDOW_CLERK,
            code,
            "centre",
            code,
            at_window=True,
        ),
        DemoStaff(
            f"{prefix}_reviewer",
            f"{surname}审批",
            Role.REVIEWER,
            code,
            "市场监督管理局",
            code,
            restrict_to_department=True,
        ),
        DemoStaff(
            f"{prefix}_head",
            f"{surname}科长",
            Role.DEPARTMENT_HEAD,
            code,
            "市场监督管理局",
            code,
            restrict_to_department=True,
        ),
        DemoStaff(
            f"{prefix}_operator", f"{surname}话务", Role.HOTLINE_OPERATOR, code, "centre", code
        ),
        DemoStaff(
            f"{prefix}_dispatcher", f"{surname}派单", Role.HOTLINE_DISPATCHER, code, "centre", code
        ),
        DemoStaff(
            f"{prefix}_handler",
            f"{surname}承办",
            Role.HANDLER,
            code,
            "人力资源和社会保障局",
            code,
            restrict_to_department=True,
        ),
        DemoStaff(f"{prefix}_supervisor", f"{surname}监察", Role.SUPERVISOR, code, "centre", code),
        # 财务人员 (统一网上支付): approve refunds and reconcile for every department
        # of the city, the demo's fee-charging ones included (docs/payments.md).
        DemoStaff(f"{prefix}_finance", f"{surname}财务", Role.FINANCE, code, "centre", code),
        DemoStaff(f"{prefix}_editor", f"{surname}事项", Role.CATALOG_EDITOR, code, "centre", code),
        # A second editor: a guide submitted by one editor is published by another.
        DemoStaff(
            f"{prefix}_editor2", f"{surname}事项审核", Role.CATALOG_EDITOR, code, "centre", code
        ),
    ]


DEMO_STAFF: tuple[DemoStaff, ...] = (
    DemoStaff("admin", "平台管理员", Role.PLATFORM_ADMIN, "320000", "政务服务管理办公室", "320000"),
    *_staff_for_city("nj", "320100", "宁"),
    *_staff_for_city("gz", "360700", "赣"),
    DemoStaff(
        "xw_clerk", "玄武窗口", Role.WINDOW_CLERK, "320102", "centre", "320102", at_window=True
    ),
    DemoStaff(
        "zg_clerk", "章贡窗口", Role.WINDOW_CLERK, "360702", "centre", "360702", at_window=True
    ),
)

_CENTRE_KINDS = (DepartmentKind.SERVICE_CENTRE, DepartmentKind.APPROVAL_BUREAU)


def _department(spec: DemoStaff) -> Department:
    found = Department.objects.filter(region_id=spec.region_code)
    if spec.department == "centre":
        found = found.filter(kind__in=_CENTRE_KINDS)
    else:
        found = found.filter(Q(name__contains=spec.department))
    department = found.order_by("id").first()
    if department is None:
        raise LookupError(f"demo department {spec.department!r} missing in {spec.region_code}")
    return department


def demo_staff_load() -> list[DemoStaff]:
    """Create the demo staff accounts and their assignments (idempotent)."""
    for spec in DEMO_STAFF:
        user = demo_staff_account(spec.username, spec.display_name)
        if spec.role == Role.PLATFORM_ADMIN and not (user.is_staff and user.is_superuser):
            user.is_staff = True
            user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        department = _department(spec)
        window = None
        if spec.at_window:
            window = Window.objects.filter(hall__region_id=spec.region_code).order_by("id").first()
        staff_assign(
            user_id=user.pk,
            role=spec.role,
            department=department,
            region_scope=Region.objects.get(code=spec.scope_code),
            scope_departments=[department] if spec.restrict_to_department else (),
            window=window,
            actor="demo",
        )
    return list(DEMO_STAFF)
