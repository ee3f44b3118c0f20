"""12345 staff and the hotline's reference data for tests of every layer (the
demo loader lives in the interfaces layer, which lower apps' tests may not import)."""

from __future__ import annotations

from tongban.hotline.demo import CITIES, DEPARTMENTS, _categories, _department, _rules
from tongban.identity.services import staff_account_create
from tongban.org.demo import demo_org_load
from tongban.org.models import Department, Region, Role
from tongban.org.services import staff_assign

PASSWORD = "Hotline-2026-pw"
CENTRE = {"320100": "南京市政务服务管理办公室", "360700": "赣州市行政审批局"}
# username → (role, city, department name after the city or "centre", restricted)
STAFF = {
    "nj_operator": (Role.HOTLINE_OPERATOR, "320100", "centre", False),
    "nj_dispatcher": (Role.HOTLINE_DISPATCHER, "320100", "centre", False),
    "nj_handler": (Role.HANDLER, "320100", "人力资源和社会保障局", True),
    "nj_supervisor": (Role.SUPERVISOR, "320100", "centre", False),
    "nj_clerk": (Role.WINDOW_CLERK, "320100", "centre", False),
    "gz_operator": (Role.HOTLINE_OPERATOR, "360700", "centre", False),
}
CITY_NAMES = {"320100": "南京市", "360700": "赣州市"}


def hotline_world() -> None:
    """The demo organisation, the 12345 staff above, the category tree and rules."""
    demo_org_load()
    for username, (role, city, where, restricted) in STAFF.items():
        name = CENTRE[city] if where == "centre" else f"{CITY_NAMES[city]}{where}"
        department = Department.objects.get(name=name)
        user = staff_account_create(username=username, display_name=username, password=PASSWORD)
        staff_assign(
            user_id=user.pk,
            role=role,
            department=department,
            region_scope=Region.objects.get(code=city),
            scope_departments=[department] if restricted else (),
        )
    for city in CITIES:
        for key in DEPARTMENTS:
            _department(city, key)
    _rules(_categories())
