"""Public catalogue API (no login): search, suggestions and the published guide.

GET /api/v1/catalog/items            search and filter published items (cursor pages)
GET /api/v1/catalog/items/{code}     one item with its whole current guide
GET /api/v1/catalog/suggest          names for as-you-type completion
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from tongban.catalog import selectors
from tongban.catalog.content import Audience, GuideContent, LimitUnit, ServiceMode
from tongban.catalog.models import ItemType, Level, ServiceItem
from tongban.core.api.schemas import PROBLEM_RESPONSES

router = Router()


class ItemDepartmentRef(Schema):
    id: int
    name: str


class RegionRef(Schema):
    code: str
    name: str


class PromisedLimit(Schema):
    value: int | None = Field(description="承诺办结时限")
    unit: LimitUnit = Field(description="working_days（工作日）或 natural_days（自然日）")


class ItemOut(Schema):
    implementation_code: str = Field(description="实施编码")
    name: str
    department: ItemDepartmentRef = Field(description="实施主体")
    region: RegionRef = Field(description="实施区划")
    level: Level = Field(description="行使层级：2 省 3 市 4 县 5 乡镇 6 村")
    item_type: ItemType = Field(description="事项类型")
    handling: str = Field(description="immediate（即办件）或 promised（承诺件）")
    online_depth: int | None = Field(description="网办深度 1–4")
    visits_required: int | None = Field(description="跑动次数")
    mobile: bool = Field(description="掌上可办")
    modes: list[ServiceMode] = Field(description="服务方式")
    audience: list[Audience] = Field(description="服务对象")
    themes: list[str] = Field(description="主题（人生事件、企业阶段）")
    promised_limit: PromisedLimit


class ItemPage(Schema):
    items: list[ItemOut]
    next_cursor: str | None = Field(description="下一页的游标；没有更多时为 null")


class ItemDetailOut(ItemOut):
    has_fee: bool
    licence_separation: str = Field(description="证照分离改革方式，空为不涉及")
    prior_approval: bool
    intermediary_service: bool
    version: int = Field(description="现行办事指南版本号")
    published_at: dt.datetime
    content: GuideContent = Field(description="办事指南全文")


class ItemsQuery(Schema):
    q: str = Field(default="", max_length=100, description="检索词；拼音首字母亦可，如 yyzz")
    region: str | None = Field(
        default=None,
        pattern=r"^[0-9]{6}([0-9]{6})?$",
        description="区划代码：本级、上级实施的事项以及下级实施的事项",
    )
    department: int | None = Field(default=None, ge=1, le=2**62, description="实施主体部门 id")
    audience: Audience | None = None
    theme: str | None = Field(default=None, min_length=1, max_length=40, description="主题")
    mode: ServiceMode | None = None
    type: ItemType | None = Field(default=None, description="事项类型代码")
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=20, ge=1, le=100)


class SuggestQuery(Schema):
    q: str = Field(default="", max_length=50)
    region: str | None = Field(default=None, pattern=r"^[0-9]{6}([0-9]{6})?$")


class SuggestOut(Schema):
    suggestions: list[str]


def _item_out(item: ServiceItem, unit: str) -> dict[str, object]:
    return {
        "implementation_code": item.implementation_code,
        "name": item.name,
        "department": {"id": item.department_id, "name": item.department.name},
        "region": {"code": item.region_id, "name": item.region.full_name or item.region.name},
        "level": item.level,
        "item_type": item.item_type,
        "handling": item.handling,
        "online_depth": item.online_depth,
        "visits_required": item.visits_required,
        "mobile": item.mobile,
        "modes": item.modes,
        "audience": item.audience,
        "themes": item.themes,
        "promised_limit": {"value": item.promised_days, "unit": unit},
    }


@router.get(
    "/items",
    response={200: ItemPage, **PROBLEM_RESPONSES},
    auth=None,
    summary="检索事项",
    description="只含在用且已发布的事项。每个检索词都须命中；按名称完全一致、名称包含、"
    "其他命中排序，同档内本级、上级、下级依次，再按名称。",
)
def items_search(request: HttpRequest, params: Query[ItemsQuery]) -> dict[str, object]:
    page = selectors.service_items_search(
        q=params.q,
        region=params.region,
        department=params.department,
        audience=params.audience.value if params.audience else None,
        theme=params.theme,
        mode=params.mode.value if params.mode else None,
        item_type=params.type.value if params.type else None,
        cursor=params.cursor,
        limit=params.limit,
    )
    units = selectors.promised_units(page.items)
    return {
        "items": [
            _item_out(item, units.get(item.pk, LimitUnit.WORKING_DAYS)) for item in page.items
        ],
        "next_cursor": page.next_cursor,
    }


@router.get(
    "/items/{implementation_code}",
    response={200: ItemDetailOut, **PROBLEM_RESPONSES},
    auth=None,
    summary="事项办事指南",
)
def item_detail(request: HttpRequest, implementation_code: str) -> dict[str, object]:
    item = selectors.service_item_get_public(implementation_code)
    version = item.current_version
    assert version is not None  # service_item_get_public returns published items only
    content = GuideContent.model_validate(version.content)
    return {
        **_item_out(item, content.promised_limit.unit),
        "has_fee": item.has_fee,
        "licence_separation": item.licence_separation,
        "prior_approval": item.prior_approval,
        "intermediary_service": item.intermediary_service,
        "version": version.number,
        "published_at": version.published_at or item.published_at,
        "content": content,
    }


@router.get(
    "/suggest",
    response={200: SuggestOut, **PROBLEM_RESPONSES},
    auth=None,
    summary="检索联想",
)
def items_suggest(request: HttpRequest, params: Query[SuggestQuery]) -> dict[str, object]:
    return {"suggestions": selectors.service_item_suggestions(q=params.q, region=params.region)}
