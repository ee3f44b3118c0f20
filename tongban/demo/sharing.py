"""Demo data sharing: the catalogue and registries, provider-side staff, and grants.

Every department that implements a demo item whose guide names a
government-issued material gets an approved grant for the fields its look-up
reads — from a base registry (``sharing.services.lookup.MATERIAL_SERVICES``)
or from the 电子证照库 — so that "两个免于提交" works at intake.
南京市市场监督管理局 also has one application waiting for 江苏省民政厅 and one
refused by 江苏省自然资源厅, so that both sides of the workbench have something
to show.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import transaction

from tongban.catalog.models import ServiceItem
from tongban.core import clock
from tongban.identity.demo import demo_staff_account
from tongban.org.models import Department, Role
from tongban.org.services import staff_assign
from tongban.sharing.demo import demo_sharing_load
from tongban.sharing.models import AccessGrant, DataResource, GrantStatus, SharingType
from tongban.sharing.selectors import resource_for_registry
from tongban.sharing.services import (
    access_grant_approve,
    access_grant_refuse,
    access_grant_request,
)
from tongban.sharing.services.lookup import MATERIAL_SERVICES
from tongban.sharing.verification import SERVICES

# (username, display name, department): the providers' 部门负责人, who answer applications.
PROVIDER_HEADS = (
    ("js_police_head", "苏公安数据科长", "江苏省公安厅"),
    ("js_civil_head", "苏民政数据科长", "江苏省民政厅"),
    ("js_hrss_head", "苏人社数据科长", "江苏省人力资源和社会保障厅"),
    ("js_land_head", "苏自然资源数据科长", "江苏省自然资源厅"),
)
INTAKE_PURPOSE = "办理政务服务事项时核验申请人材料（两个免于提交）"
INTAKE_BASIS = "《国务院关于在线政务服务的若干规定》第十条"


def demo_sharing_staff_load() -> list[str]:
    for username, display_name, department_name in PROVIDER_HEADS:
        department = Department.objects.select_related("region").get(name=department_name)
        user = demo_staff_account(username, display_name)
        staff_assign(
            user_id=user.pk,
            role=Role.DEPARTMENT_HEAD,
            department=department,
            region_scope=department.region,
            scope_departments=[department],
            actor="demo",
        )
    return [u for u, _, _ in PROVIDER_HEADS]


def _needs() -> dict[int, dict[str, set[str]]]:
    """department id → registry → fields its items' government materials need."""
    needs: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    items = ServiceItem.objects.filter(current_version__isnull=False).values_list(
        "department_id", "current_version__content"
    )
    for department_id, content in items.iterator(chunk_size=500):
        for material in (content or {}).get("materials", []):
            hint = material.get("certificate_type", "")
            if not hint:
                continue
            # Other certificate types are asked of the 电子证照库 (``certificate``).
            code = MATERIAL_SERVICES[hint][0] if hint in MATERIAL_SERVICES else "certificate"
            service = SERVICES[code]
            needs[department_id][service.registry].update(service.fields)
    return needs


def demo_sharing_grants_load(*, now: dt.datetime | None = None) -> int:
    """Approved grants for the item departments' look-ups; the two demo applications."""
    moment = now or clock.now()
    until = clock.local_date(moment).replace(month=12, day=31) + dt.timedelta(days=365)
    made = 0
    for department_id, registries in _needs().items():
        department = Department.objects.get(pk=department_id)
        for registry, fields in registries.items():
            resource = resource_for_registry(registry)
            if (
                resource is None
                or resource.sharing_type != SharingType.CONDITIONAL
                or resource.provider_id == department.pk
                or AccessGrant.objects.filter(consumer=department, resource=resource).exists()
            ):
                continue
            grant = access_grant_request(
                resource=resource, consumer_department=department, purpose=INTAKE_PURPOSE,
                legal_basis=INTAKE_BASIS, field_codes=sorted(fields), now=moment,
            )  # fmt: skip
            access_grant_approve(
                grant=grant, field_codes=sorted(fields), valid_until=until,
                reason="同意，限办件核验使用", now=moment,
            )  # fmt: skip
            made += 1
    made += _applications(moment)
    return made


def _applications(moment: dt.datetime) -> int:
    market = Department.objects.get(name="南京市市场监督管理局")
    marriage = DataResource.objects.get(code="JS-MZ-HY-001")
    land = DataResource.objects.get(code="JS-ZR-BDC-001")
    made = 0
    if not AccessGrant.objects.filter(consumer=market, resource=marriage).exists():
        access_grant_request(
            resource=marriage, consumer_department=market,
            purpose="个体工商户登记时核验夫妻共同经营的婚姻状况",
            legal_basis="《促进个体工商户发展条例》", field_codes=["marital_status", "spouse_name"],
            requested_until=clock.local_date(moment) + dt.timedelta(days=365), now=moment,
        )  # fmt: skip
        made += 1
    if not AccessGrant.objects.filter(consumer=market, resource=land).exists():
        grant = access_grant_request(
            resource=land, consumer_department=market, purpose="核验经营场所产权",
            legal_basis="《中华人民共和国市场主体登记管理条例》第十六条",
            field_codes=["certificate_nos", "locations"], now=moment,
        )  # fmt: skip
        access_grant_refuse(
            grant=grant,
            reason="经营场所产权可由申请人承诺（告知承诺），无需共享坐落等个人信息。",
            now=moment,
        )
        made += 1
    return made


def demo_sharing_all_load() -> dict[str, Any]:
    with transaction.atomic():
        loaded = demo_sharing_load()
        staff = demo_sharing_staff_load()
        grants = demo_sharing_grants_load()
    pending = AccessGrant.objects.filter(status=GrantStatus.REQUESTED).count()
    return {**loaded, "staff": staff, "grants_created": grants, "pending": pending}
