"""Demo bundles: the 13 "一件事" of 003's task table, a development zone with its
regional assessments, and a registered investment project in it.

``demo_bundles_load`` is idempotent: a bundle whose definition is unchanged is
left as it is (``bundle_load_published`` publishes nothing), the zone and its
assessments are found again by name and kind, the project by its name and
unit. The definitions are in ``data/demo.yaml`` with the table's own wording
of the lead and cooperating departments; each is published through the same
validation and lint as an editor's.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from typing import Any

import yaml
from django.db import transaction

from tongban.bundles.models import (
    AssessmentKind,
    InvestmentProject,
    ProjectKind,
    RegionalAssessment,
)
from tongban.bundles.services.definitions import bundle_load_published
from tongban.bundles.services.projects import assessment_record, project_register, zone_create
from tongban.catalog.models import ServiceItem
from tongban.identity.models import LegalEntity
from tongban.org.models import Department
from tongban.org.selectors import region_get

_KEEP = (
    "description",
    "promised_limit",
    "joint",
    "project_required",
    "establishes_entity",
    "field_links",
    "field_splits",
    "material_links",
    "material_splits",
    "provided_by",
    "joint_procedures",
    "legal_bases",
    "notes",
)


# The demo zone's assessments: (kind, 成果名称, 批复文号, 出具单位).
ZONE_ASSESSMENTS = (
    (
        AssessmentKind.LAND_SURVEY,
        "园区土地勘测定界成果",
        "玄自然资规〔2024〕3号",
        "南京市自然资源和规划局",
    ),
    (
        AssessmentKind.GEOLOGICAL_HAZARD,
        "园区地质灾害危险性区域评估报告",
        "苏自然资函〔2024〕112号",
        "江苏省自然资源厅",
    ),
    (
        AssessmentKind.MINERAL_OVERLAY,
        "园区压覆重要矿产资源区域评估报告",
        "苏自然资函〔2024〕113号",
        "江苏省自然资源厅",
    ),
    (AssessmentKind.SOIL_WATER, "园区水土保持区域评估报告", "宁水审〔2024〕21号", "南京市水务局"),
    (AssessmentKind.ARCHAEOLOGY, "园区文物考古调查勘探报告", "苏文物考〔2024〕9号", "江苏省文物局"),
)


@cache
def demo_data() -> Any:
    text = resources.files("tongban.bundles.data").joinpath("demo.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def table_departments(text: str) -> list[str]:
    """The department names of one cell of the table, as written."""
    return [part.strip() for part in text.split("、") if part.strip()]


def _department_code(label: str) -> str:
    short = demo_data()["renamed"].get(label, label)
    found = Department.objects.filter(region_id="320000", short_name=short).first()
    if found is None:
        raise LookupError(f"演示部门不存在：{label}（先运行 demo_org_load）")
    return found.credit_code


def _implementation_code(basic_code: str, chain: list[str]) -> str:
    items = dict(
        ServiceItem.objects.filter(basic_item__code=basic_code, region_id__in=chain).values_list(
            "region_id", "implementation_code"
        )
    )
    for region in chain:
        if region in items:
            return items[region]
    raise LookupError(f"演示事项 {basic_code} 在 {chain} 均未实施（先运行 demo_catalog_load）")


def bundle_content(spec: dict[str, Any]) -> dict[str, Any]:
    """The definition document of one bundle of ``demo.yaml``."""
    chain = [str(c) for c in demo_data()["chain"]]
    content: dict[str, Any] = {
        "name": spec["name"],
        "category": spec["category"],
        "reach": spec["reach"],
        "audience": spec["audience"],
        "lead_label": spec["lead"],
        "cooperating_label": spec["cooperating"],
        "lead_departments": [_department_code(x) for x in table_departments(spec["lead"])],
        "cooperating_departments": [
            _department_code(x) for x in table_departments(spec["cooperating"])
        ],
        "members": [
            {
                "key": m["key"],
                "implementation_code": _implementation_code(str(m["item"]), chain),
                **{k: m[k] for k in ("depends_on", "optional", "situation") if k in m},
            }
            for m in spec["members"]
        ],
    }
    content.update({k: spec[k] for k in _KEEP if k in spec})
    return content


def _zone_and_project() -> dict[str, int]:
    region = region_get("320102")
    zone = zone_create(
        name="玄武高新技术产业开发区（演示）",
        region=region,
        description="已完成区域评估的园区：区内工程建设项目不再单独编制土地勘测、地质灾害、"
        "压覆矿产、水土保持和文物考古等评估。",
    )
    created = 0
    valid = (dt.date(2024, 1, 1), dt.date(2028, 12, 31))
    for kind, title, number, issuer in ZONE_ASSESSMENTS:
        if not RegionalAssessment.objects.filter(zone=zone, kind=kind).exists():
            assessment_record(
                zone=zone,
                kind=kind,
                title=title,
                document_no=number,
                issued_by=issuer,
                valid_from=valid[0],
                valid_until=valid[1],
            )
            created += 1
    entity = LegalEntity.objects.filter(name="南京通办信息科技有限公司").first()
    if (
        entity is not None
        and not InvestmentProject.objects.filter(
            owner_credit_code=entity.credit_code, name="通办智能制造产业园一期（演示）"
        ).exists()
    ):
        project_register(
            name="通办智能制造产业园一期（演示）",
            kind=ProjectKind.FILING,
            project_type="01",
            region=region,
            address="南京市玄武区玄武大道（演示地址）",
            total_investment="12000",
            owner_entity=entity,
            zone=zone,
        )
        created += 1
    return {"zone_records_created": created}


def demo_bundles_load() -> dict[str, int]:
    """Publish the demo bundles (idempotent); the counts."""
    data = demo_data()
    region = region_get(str(data["region"]))
    counts = {"bundles": 0, "published": 0}
    with transaction.atomic():
        for spec in data["bundles"]:
            _, published = bundle_load_published(
                code=spec["code"], region=region, content=bundle_content(spec)
            )
            counts["bundles"] += 1
            counts["published"] += int(published)
        counts.update(_zone_and_project())
    return counts
