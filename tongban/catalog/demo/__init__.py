"""The demo catalogue: basic items and their implementations in the demo regions.

The data lives in ``data/*.yaml``, one file per domain. Each file lists basic
items (``items``) with the national-catalogue facts (code, name, type,
levels, legal basis), one guide written once per basic item, and ``at``: the
regions and departments that implement it (region code -> the department's
short name in ``tongban.org.demo``). ``local`` overrides fields of the guide in
one region. ``data/common.yaml`` holds the shared parts: government-issued
materials (``"@id_card"``), form fields by shared code, step templates and
the regions' portals.

The loader fills in what differs per region: halls, office hours, contact
numbers, and the placeholders ``$portal``, ``$app``, ``$city``, ``$dept`` and
``$region`` in any text. It then publishes each guide through
``services.guide_load_published``, which validates and lints it; a second run
publishes nothing, because an unchanged guide is left as it is.

The basic codes are demo codes, not codes of the national catalogue: see
the header of ``data/common.yaml`` for the scheme.
"""

from __future__ import annotations

import copy
from functools import cache
from importlib import resources
from typing import Any

import yaml
from django.db import transaction

from tongban.catalog.models import BasicItem, ServiceItem
from tongban.catalog.services import (
    basic_item_create,
    guide_load_published,
    implementation_code_for,
)
from tongban.org.models import Department, Hall

DATA_FILES = (
    "enterprise.yaml",
    "construction.yaml",
    "real_estate.yaml",
    "social.yaml",
    "civil.yaml",
)

_PROVINCE_INFO = {
    "32": {"portal": "江苏政务服务网", "app": "苏服办", "province": "江苏省"},
    "36": {"portal": "江西政务服务网", "app": "赣服通", "province": "江西省"},
}
_AREA_CODES = {"3200": "025", "3201": "025", "3607": "0797"}
_CITY_NAMES = {"3200": "南京市", "3201": "南京市", "3607": "赣州市"}
_ONLINE_HOURS = "网上申请全天受理；审核时间为工作日 9:00–12:00、13:30–17:00"


@cache
def _read(name: str) -> Any:
    text = resources.files("tongban.catalog.demo.data").joinpath(name).read_text("utf-8")
    return yaml.safe_load(text)


def demo_catalog_items() -> list[dict[str, Any]]:
    """Every basic item of the demo files, as written (for tests and tools)."""
    items: list[dict[str, Any]] = []
    for name in DATA_FILES:
        items.extend(_read(name)["items"])
    return items


def _fill(value: Any, names: dict[str, str]) -> Any:
    """Replace the ``$placeholders`` in every string of ``value``."""
    if isinstance(value, str):
        for key, text in names.items():
            value = value.replace("$" + key, text)
        return value
    if isinstance(value, list):
        return [_fill(v, names) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    return value


def _material(entry: Any, index: int, common: dict[str, Any]) -> dict[str, Any]:
    if isinstance(entry, str):
        entry = {"ref": entry[1:]} if entry.startswith("@") else {"name": entry}
    entry = dict(entry)
    ref = entry.pop("ref", None)
    material = dict(common["materials"][ref]) if ref else {}
    material.update(entry)
    material.setdefault("code", f"M{index:02d}")
    return material


def _form_field(entry: Any, common: dict[str, Any]) -> dict[str, Any]:
    if isinstance(entry, str):
        code = entry.removesuffix("(选填)")
        required = code == entry
        return {"code": code, **common["fields"][code], "required": required}
    return dict(entry)


def _steps(value: Any, common: dict[str, Any]) -> list[dict[str, Any]]:
    if isinstance(value, str):
        return copy.deepcopy(common["steps"][value])
    return list(value)


def _contacts(hotline: str, prefix: str) -> list[dict[str, str]]:
    area = _AREA_CODES[prefix]
    consult = hotline if len(hotline) == 5 and hotline.startswith("9") else f"{area}-{hotline}"
    return [
        {"kind": "咨询电话", "value": consult},
        {"kind": "监督投诉电话", "value": f"{area}-12345（政务服务便民热线）"},
    ]


def guide_for(item: dict[str, Any], department: Department, hall: Hall | None) -> dict[str, Any]:
    """The guide of ``item`` as implemented by ``department`` (a JSON document)."""
    common = _read("common.yaml")
    region = department.region
    guide = copy.deepcopy(item["guide"])
    guide.update(copy.deepcopy(item.get("local", {}).get(region.code, {})))
    guide.setdefault("name", item["name"])
    guide["materials"] = [
        _material(m, i, common) for i, m in enumerate(guide.get("materials", []), 1)
    ]
    guide["form"] = [_form_field(f, common) for f in guide.get("form", [])]
    guide["steps"] = _steps(guide.get("steps", "licence"), common)
    guide["contacts"] = _contacts(str(item["hotline"]), region.code[:4])
    if hall is not None:
        guide.setdefault("halls", [hall.name])
        guide.setdefault("address", hall.address)
        guide.setdefault("office_hours", hall.opening_hours)
    else:  # provincial bodies receive applications online and at their own windows
        guide.setdefault("address", f"{department.name}政务服务窗口（演示地址）")
        guide.setdefault("office_hours", _ONLINE_HOURS)
    province = _PROVINCE_INFO[region.code[:2]]
    names = {
        "portal": province["portal"],
        "app": province["app"],
        "province": province["province"],
        "city": _CITY_NAMES[region.code[:4]],
        "dept": department.name,
        "region": region.full_name or region.name,
    }
    filled: dict[str, Any] = _fill(guide, names)
    return filled


def _department(region_code: str, short_name: str) -> Department:
    found = Department.objects.filter(region_id=region_code, short_name=short_name).first()
    if found is None:
        raise LookupError(f"演示部门不存在：{region_code} {short_name}（先运行 demo_org_load）")
    return found


def demo_catalog_load() -> dict[str, int]:
    """Create the demo basic items and publish their implementations; idempotent."""
    counts = {"basic_items": 0, "service_items": 0, "created": 0, "updated": 0, "unchanged": 0}
    halls = {hall.region_id: hall for hall in Hall.objects.order_by("pk")}
    with transaction.atomic():
        for item in demo_catalog_items():
            basic = BasicItem.objects.filter(code=item["code"]).first()
            facts = {
                "name": item["name"],
                "item_type": str(item["type"]),
                "legal_basis": item["basis"].strip(),
                "levels": str(item["levels"]),
                "high_frequency": bool(item.get("high_frequency", False)),
            }
            if basic is None or any(getattr(basic, k) != v for k, v in facts.items()):
                basic = basic_item_create(code=item["code"], **facts)
            counts["basic_items"] += 1
            for region_code, short_name in (item.get("at") or {}).items():
                department = _department(str(region_code), short_name)
                content = guide_for(item, department, halls.get(department.region_id))
                code = implementation_code_for(department=department, basic_item=basic)
                before = (
                    ServiceItem.objects.filter(implementation_code=code)
                    .values_list("current_version_id", flat=True)
                    .first()
                )
                after = guide_load_published(
                    basic_item=basic, department=department, content=content
                )
                counts["service_items"] += 1
                if before is None:
                    counts["created"] += 1
                elif before == after.current_version_id:
                    counts["unchanged"] += 1
                else:
                    counts["updated"] += 1
    return counts
